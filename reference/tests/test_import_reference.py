"""`manage.py import_reference unlocode`: an official UNECE release, as published, replaces the shipped places."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Entry as AuditEntry
from conftest import signed_in
from reference import importing, tables

# The official layout: Latin-1, no header row, values quoted as UNECE writes them, a country heading per country,
# change marks in the first column ("X" removed, "=" a reference to another entry, "+" added, "#" renamed).
PART_1 = (
    ',"CH",,".SWITZERLAND",,,,,,,,\r\n'
    ',"CH","BSL","Basel","Basel","BS","12345---","AI","0501",,"4733N 00735E",\r\n'
    '"#","CH","ZRH","Zürich","Zurich","ZH","-2345---","AI","0307",,"4722N 00833E",\r\n'
    '"X","CH","ZZQ","Nowhere","Nowhere",,"--3-----","RQ","2401",,,"to be removed"\r\n'
)
PART_2 = (
    ',"SE",,".SWEDEN",,,,,,,,\r\n'
    '"+","SE","GOT","Göteborg","Goteborg","O","1234----","AI","9501","GOT","5742N 01157E","Port, ""Gothenburg"""\r\n'
    '"=","SE",,"Gothenburg = Göteborg","Gothenburg = Goteborg",,,,,,,\r\n'
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("latin-1"))
    return path


@pytest.fixture
def release(tmp_path) -> list[Path]:
    return [
        write(tmp_path, "2024-2 UNLOCODE CodeListPart1.csv", PART_1),
        write(tmp_path, "2024-2 UNLOCODE CodeListPart2.csv", PART_2),
    ]


def load(files: list[Path], edition: str = "2024-2", as_of: str = "2024-12-31") -> str:
    out = StringIO()
    call_command("import_reference", "unlocode", *map(str, files), edition=edition, as_of=as_of, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_loads_the_places_of_an_official_release_with_every_column(loaded_dir, release):
    shipped = tables.locode("CHZRH")
    assert shipped is not None and (shipped.row["Function"], shipped.source) == ("", tables.table("locodes").source)

    output = load(release)

    loaded = tables.table("locodes")
    assert [entry.code for entry in loaded.entries] == ["CHBSL", "CHZRH", "SEGOT"]
    zurich = tables.locode("ch zrh")
    assert zurich is not None
    assert [zurich.row[column] for column in tables.LOCODE_COLUMNS] == [
        *("#", "CH", "ZRH", "Zürich", "Zurich", "ZH", "-2345---", "AI", "0307", "", "4722N 00833E", "")
    ]
    assert (zurich.source, zurich.as_of, zurich.label) == ("UN/LOCODE, UNECE", "2024-12-31", "CHZRH – Zürich (CH)")
    gothenburg = tables.locode("SEGOT")
    assert gothenburg is not None
    assert (gothenburg.row["Name"], gothenburg.row["IATA"]) == ("Göteborg", "GOT")
    assert gothenburg.row["Remarks"] == 'Port, "Gothenburg"'
    assert [entry.code for entry in tables.search("locodes", "zurich")] == ["CHZRH"]
    # The shipped selection is replaced whole: the release is the installation's list of places now.
    assert tables.locode("KEMBA") is None and tables.locode("CHZZQ") is None

    assert (loaded.version, loaded.source, loaded.as_of, loaded.empty_columns) == (
        *("2024-2", "UN/LOCODE, UNECE", "2024-12-31", ()),
    )
    assert loaded.loaded
    manifest = json.loads((loaded_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["locodes"]["files"] == [path.name for path in release]
    assert [path.name for path in loaded_dir.glob("*.csv")] == [manifest["locodes"]["file"]]
    assert output.startswith(
        "Loaded 3 UN/LOCODE places (edition 2024-2, as of 2024-12-31; references and removals left out: 2) into "
        f"{loaded_dir / manifest['locodes']['file']}."
    )

    audited = AuditEntry.objects.get(action="reference.imported")
    assert audited.changes == {"table": "locodes", "edition": "2024-2", "as_of": "2024-12-31", "places": 3}


@pytest.mark.django_db
def test_the_pages_use_the_loaded_table(loaded_dir, release, cast):
    shipped = signed_in(cast.member).get("/reference/locodes/").content.decode()
    assert "Left empty in this table, no source for their values being known: Subdivision, Function, Status" in shipped
    load(release)
    page = signed_in(cast.member).get("/reference/locodes/", {"q": "göteborg"}).content.decode()
    assert "SEGOT – Göteborg (SE)" in page and "2024-2" in page and "Left empty" not in page
    assert "Official release loaded by this installation on 20" in page
    overview = signed_in(cast.member).get("/reference/").content.decode()
    assert "UN/LOCODE, UNECE" in overview and "official release loaded by this installation" in overview


@pytest.mark.django_db
def test_a_second_release_replaces_the_first(loaded_dir, release, tmp_path):
    load(release)
    newer = write(tmp_path, "2025-1 UNLOCODE CodeListPart1.csv", PART_1.replace("Basel", "Bâle"))
    output = load([newer], edition="2025-1", as_of="2025-06-30")
    assert [entry.code for entry in tables.table("locodes").entries] == ["CHBSL", "CHZRH"]
    assert tables.locode("CHBSL").row["Name"] == "Bâle"  # type: ignore[union-attr]
    assert tables.table("locodes").version == "2025-1"
    assert len(list(loaded_dir.glob("*.csv"))) == 1
    assert "Loaded 2 UN/LOCODE places" in output


@pytest.mark.parametrize(
    "bad_line, error",
    [
        (',"CH","ZRH","Zürich","Zurich","ZH","-2345---","AI","0307",,"4722N 00833E"', "11 columns"),
        (',"CH","ZRH","Zürich","Zurich","ZH","port","AI","0307",,"4722N 00833E",', "Function 'port'"),
        (',"CH","ZRH","Zürich","Zurich","ZH","-2345---","AI","0307",,"47.22N 8.33E",', "Coordinates '47.22N 8.33E'"),
        (',"CH","ZRH","Zürich","Zurich","ZH","-2345---","AI","2024-03",,,', "Date '2024-03'"),
        (',"Switzerland","ZRH","Zürich","Zurich",,,,,,,', "Country 'Switzerland'"),
        (',"CH",,"Zürich","Zurich",,,,,,,', "a place without a location code"),
        ('"?","CH","ZRH","Zürich","Zurich",,,,,,,', "'?' is not a change mark"),
    ],
)
@pytest.mark.django_db
def test_a_file_that_does_not_fit_changes_nothing_and_names_the_line(loaded_dir, release, tmp_path, bad_line, error):
    load(release)
    before = sorted(path.name for path in loaded_dir.iterdir())
    broken = write(tmp_path, "broken.csv", PART_2 + bad_line + "\r\n")
    with pytest.raises(CommandError) as raised:
        load([release[0], broken], edition="2025-1")
    assert str(raised.value).startswith("broken.csv, line 4: ") and error in str(raised.value)
    assert "not changed" in str(raised.value)
    assert sorted(path.name for path in loaded_dir.iterdir()) == before
    tables.clear_caches()
    assert tables.table("locodes").version == "2024-2"
    assert [entry.code for entry in tables.table("locodes").entries] == ["CHBSL", "CHZRH", "SEGOT"]
    assert AuditEntry.objects.filter(action="reference.imported").count() == 1


@pytest.mark.django_db
def test_a_refused_first_load_keeps_the_shipped_selection(loaded_dir, tmp_path):
    with pytest.raises(CommandError, match=r"empty\.csv"):
        load([write(tmp_path, "empty.csv", ',"CH",,".SWITZERLAND",,,,,,,,\r\n')])
    with pytest.raises(CommandError, match="2024-13-01"):
        load([write(tmp_path, "part.csv", PART_1)], as_of="2024-13-01")
    assert not (loaded_dir / "manifest.json").exists()
    assert tables.locode("KEMBA") is not None and not tables.table("locodes").loaded
    assert not AuditEntry.objects.filter(action="reference.imported").exists()


def test_it_reads_a_release_saved_again_as_utf_8(tmp_path):
    path = tmp_path / "part.csv"
    path.write_text(PART_1, encoding="utf-8")
    places, left_out = importing.read_unlocode([path])
    assert [row["Name"] for row in places] == ["Basel", "Zürich"] and left_out == 1
