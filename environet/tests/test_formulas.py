"""The CSV export's escaping of text like a formula, and the import's undoing of it (environet/formulas.py)."""

from hypothesis import given
from hypothesis import strategies as st

from environet.formulas import FORMULA_STARTS, neutralised, restored


def test_it_escapes_text_a_spreadsheet_program_would_run():
    for start in FORMULA_STARTS:
        assert neutralised(f"{start}1") == f"'{start}1"
    assert neutralised("'+1") == "''+1"  # so that restored gives back the apostrophe
    assert neutralised("Mombasa") == "Mombasa"
    assert neutralised("'t Hooft") == "'t Hooft"


def test_it_takes_away_only_the_apostrophe_the_export_added():
    assert restored("'+254 722 000 000") == "+254 722 000 000"
    assert restored("''+1") == "'+1"
    assert restored("'t Hooft") == "'t Hooft"
    assert restored("'") == "'"
    assert restored("") == ""


@given(st.text(alphabet=st.sampled_from(["'", "a", " ", *FORMULA_STARTS]), max_size=6) | st.text(max_size=12))
def test_restored_undoes_neutralised_for_any_text(text):
    assert restored(neutralised(text)) == text
