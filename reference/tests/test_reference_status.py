"""`manage.py reference_status`: every table with its source, edition and date; those older than --days marked."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from reference import tables
from reference.management.commands.reference_status import is_old

FIXTURES = Path(__file__).resolve().parent / "data"  # every table as of 2025-06-30


@pytest.fixture(autouse=True)
def fixture_data(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(tables, "DATA_DIR", FIXTURES)
    settings.REFERENCE_DIR = tmp_path / "loaded"
    tables.clear_caches()
    yield
    tables.clear_caches()


def status(*args: str, today: date) -> str:
    out = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda: today)
        call_command("reference_status", *args, stdout=out)
    return out.getvalue()


def test_it_lists_every_table_with_source_edition_and_date():
    output = status(today=date(2025, 7, 1))
    for name in tables.TABLES:
        assert f"  {name}: " in output
    assert "  locodes: Ports, airports and border crossings, edition test, as of 2025-06-30 (shipped" in output
    assert "    Test fixture for locodes" in output
    assert output.endswith("No table is older than 365 days.\n")


def test_it_marks_the_tables_older_than_the_days_given():
    output = status(today=date(2026, 7, 1))
    assert "! units: Units of measure, edition test, as of 2025-06-30" in output
    assert f"{len(tables.TABLES)} tables are older than 365 days (marked !): cites, basel," in output
    assert status("--days", "400", today=date(2026, 7, 1)).endswith("No table is older than 400 days.\n")


@pytest.mark.django_db
def test_it_gives_a_loaded_release_in_place_of_the_shipped_table(tmp_path):
    part = tmp_path / "part.csv"
    part.write_bytes(',"CH","ZRH","Zürich","Zurich","ZH","-2345---","AI","0307",,"4722N 00833E",\r\n'.encode("latin-1"))
    call_command("import_reference", "unlocode", str(part), edition="2026-1", as_of="2026-06-30", stdout=StringIO())
    output = status(today=date(2026, 7, 1))
    assert "  locodes: Ports, airports and border crossings, edition 2026-1, as of 2026-06-30 (loaded 20" in output
    assert "    UN/LOCODE, UNECE" in output
    assert "! units:" in output and "! locodes" not in output
    assert ": cites, basel, montreal, stockholm, rotterdam, timber, fish, specimens, units.\n" in output


def test_a_table_without_a_date_counts_as_old():
    shipped = tables.table("units")
    assert is_old(shipped, date(2026, 7, 1), 365) and not is_old(shipped, date(2026, 6, 30), 365)
    assert is_old(tables.Table("x", "x", "", "", "", "", ()), date(2025, 1, 1), 365)
