"""`manage.py import_reference cites`: the Species+ CITES listings export and the CITES Checklist index, as
downloaded, replace the shipped selection of taxa: a species listed under a higher taxon is found with that
listing, a synonym finds the accepted name, and common names are shown in French and Spanish (issues 11 and 12)."""

import html
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from audit.models import Entry as AuditEntry
from conftest import signed_in
from reference import cites_import, tables
from seizures.models import CommodityLine, Convention, Seizure
from seizures.selectors import NOT_IN_TABLES, NOT_LISTED, what_the_code_says
from seizures.tests.builders import post_record, record_id

# The Species+ "CITES listings" export: the columns as the Species+ application writes them
# (Species::CitesListingsExport), then the distribution columns; values quoted where they hold commas.
LISTINGS_HEADER = (
    "Id,Kingdom,Phylum,Class,Order,Family,Genus,Species,Subspecies,Scientific Name,Author,Rank,Listing,Party,"
    "Listed under,Full note,# Full note,All_DistributionFullNames,All_DistributionISOCodes,"
    "NativeDistributionFullNames,Introduced_Distribution,Introduced(?)_Distribution,Reintroduced_Distribution,"
    "Extinct_Distribution,Extinct(?)_Distribution,Distribution_Uncertain\r\n"
)
LISTINGS_ROWS = (
    '3210,Animalia,Chordata,Reptilia,Serpentes,Pythonidae,,,,Pythonidae,"Gray, 1825",FAMILY,II,,'
    "Pythonidae spp.,,,,,,,,,,,\r\n"
    '4440,Animalia,Chordata,Reptilia,Serpentes,Pythonidae,Python,regius,,Python regius,"(Shaw, 1802)",SPECIES,II,,'
    'Pythonidae spp.,,,"Benin, Ghana",BJ GH,"Benin, Ghana",,,,,,\r\n'
    "5300,Animalia,Chordata,Aves,Psittaciformes,Psittacidae,Agapornis,fischeri,,Agapornis fischeri,"
    '"Reichenow, 1887",SPECIES,II,,Psittaciformes spp.,,,,,,,,,,,\r\n'
    "5301,Animalia,Chordata,Aves,Psittaciformes,Psittacidae,Agapornis,roseicollis,,Agapornis roseicollis,"
    '"(Vieillot, 1818)",SPECIES,NC,,,"Excluded from the listing of Psittaciformes spp.",,,,,,,,,,\r\n'
    '7000,Plantae,,,Orchidales,Orchidaceae,Dendrobium,,,Dendrobium,"Sw.",GENUS,II,,Orchidaceae spp.,,#4,,,,,,,,,\r\n'
    '6100,Animalia,Chordata,Mammalia,Pholidota,Manidae,Manis,javanica,,Manis javanica,"Desmarest, 1822",SPECIES,I,,'
    "Manis javanica,,,,,,,,,,,\r\n"
)
# The CITES Checklist index as downloaded: its camel-cased columns, and cells with several values quoted inside.
CHECKLIST_HEADER = (
    "Id,Kingdom,Phylum,Class,Order,Family,Genus,Species,Subspecies,FullName,AuthorYear,RankName,CurrentListing,"
    "FullAnnotationEnglish,AnnotationEnglish,AnnotationSpanish,AnnotationFrench,#AnnotationSymbol,#Annotation,"
    "SynonymsWithAuthors,EnglishNames,SpanishNames,FrenchNames,CitesAccepted,All_DistributionISOCodes,"
    "All_DistributionFullNames\r\n"
)
CHECKLIST_ROWS = (
    '6100,Animalia,Chordata,Mammalia,Pholidota,Manidae,Manis,javanica,,Manis javanica,"Desmarest, 1822",SPECIES,I,'
    ',,,,,,"""Manis javanicus Desmarest, 1822"", ""Paramanis javanica (Desmarest, 1822)""",'
    '"""Sunda Pangolin"", ""Malayan Pangolin""","""Pangolín malayo""","""Pangolin javanais""",true,"ID, MY",'
    '"Indonesia, Malaysia"\r\n'
    '4440,Animalia,Chordata,Reptilia,Serpentes,Pythonidae,Python,regius,,Python regius,"(Shaw, 1802)",SPECIES,II,'
    ',,,,,,"""Boa regia Shaw, 1802""","""Ball Python"", ""Royal Python""","""Pitón real""","""Python royal""",true,'
    '"BJ, GH","Benin, Ghana"\r\n'
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def downloads(tmp_path) -> list[Path]:
    return [
        write(tmp_path, "cites_listings_2026-11-30 10_00_comma_separated.csv", LISTINGS_HEADER + LISTINGS_ROWS),
        write(tmp_path, "Index_of_CITES_Species_2026-11-30.csv", CHECKLIST_HEADER + CHECKLIST_ROWS),
    ]


def load(files: list[Path], edition: str = "downloaded 2026-11-30", as_of: str = "2026-11-30") -> str:
    out = StringIO()
    call_command("import_reference", "cites", *map(str, files), edition=edition, as_of=as_of, stdout=out)
    return out.getvalue()


def line(code: str) -> CommodityLine:
    return CommodityLine(convention=Convention.CITES, code=code)


@pytest.mark.django_db
def test_a_species_listed_under_a_higher_taxon_is_found_with_that_listing(loaded_dir, downloads):
    assert tables.find("cites", "Python regius") is None  # the shipped selection cannot place it
    output = load(downloads)

    python = tables.find("cites", "python REGIUS")
    assert python is not None and python.code == "Python regius"
    assert {column: python.row[column] for column in ("rank", "appendix", "listed_under", "family", "genus")} == {
        "rank": "species",
        "appendix": "II",
        "listed_under": "Pythonidae spp.",
        "family": "Pythonidae",
        "genus": "Python",
    }
    assert (python.source, python.as_of) == (f"{cites_import.SOURCE}, downloaded 2026-11-30", "2026-11-30")
    assert what_the_code_says(line("Python regius"), "") == "CITES Appendix II, listed under Pythonidae spp."
    assert what_the_code_says(line("Agapornis fischeri"), "") == "CITES Appendix II, listed under Psittaciformes spp."
    # A genus listed as "spp." covers its species; the family row reads as the Appendices write it.
    assert tables.find("cites", "Dendrobium") is tables.find("cites", "Dendrobium spp.") is not None
    assert what_the_code_says(line("Dendrobium nobile"), "") == "CITES Appendix II, listed under Orchidaceae spp."
    assert tables.find("cites", "Pythonidae spp.") is not None
    # Listed in its own name: said without "listed under".
    assert what_the_code_says(line("Manis javanica"), "") == "CITES Appendix I"
    # Excluded from its order's listing ("NC"): said so, not taken for a name the tables lack.
    assert what_the_code_says(line("Agapornis roseicollis"), "") == str(NOT_LISTED)
    assert what_the_code_says(line("Elephas maximus"), "") == str(NOT_IN_TABLES)  # not in this download

    assert "Loaded 6 CITES taxa (edition downloaded 2026-11-30, as of 2026-11-30)" in output
    audited = AuditEntry.objects.get(action="reference.imported")
    assert audited.changes == {
        "table": "cites",
        "edition": "downloaded 2026-11-30",
        "as_of": "2026-11-30",
        "taxa": 6,
    }


@pytest.mark.django_db
def test_a_synonym_finds_the_accepted_name_and_common_names_follow_the_language(loaded_dir, downloads):
    load(downloads)
    for written in ("Manis javanicus", "manis  JAVANICUS", "Paramanis javanica"):
        found = tables.find("cites", written)
        assert found is not None and found.code == "Manis javanica", written
    assert tables.find("cites", "Boa regia").code == "Python regius"  # type: ignore[union-attr]

    manis = tables.find("cites", "Manis javanica")
    assert manis is not None
    assert manis.label == "Manis javanica (Sunda Pangolin, Malayan Pangolin)"
    with translation.override("fr"):
        assert manis.label == "Manis javanica (Pangolin javanais)"
    assert [entry.code for entry in tables.search("cites", "pangolin javanais")] == ["Manis javanica"]
    assert [entry.code for entry in tables.search("cites", "PITON real")] == ["Python regius"]
    with translation.override("es"):
        assert manis.label == "Manis javanica (Pangolín malayo)"
        # A taxon with no Spanish name in the download keeps the English label.
        assert tables.find("cites", "Pythonidae").label == "Pythonidae spp."  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_seizure_form_files_a_synonym_under_the_accepted_name(loaded_dir, downloads, cast):
    load(downloads)
    response = post_record(cast.member, lines=[{"convention": "cites", "code": "Manis javanicus"}])
    seizure = Seizure.objects.get(pk=record_id(response))
    stored = seizure.lines.get()
    assert (stored.code, stored.reference_version) == ("Manis javanica", "downloaded 2026-11-30")

    response = post_record(cast.member, lines=[{"convention": "cites", "code": "python regius"}])
    page = html.unescape(signed_in(cast.member).get(f"/seizures/{record_id(response)}/").content.decode())
    assert "CITES Appendix II, listed under Pythonidae spp." in page
    assert str(NOT_IN_TABLES) not in page


@pytest.mark.django_db
def test_one_download_alone_loads_and_the_columns_it_lacks_are_said_to_be_empty(loaded_dir, downloads):
    load(downloads[:1])
    loaded = tables.table("cites")
    assert loaded.loaded and loaded.version == "downloaded 2026-11-30"
    assert set(loaded.empty_columns) == {
        *("common_name", "common_name_fr", "common_name_es", "synonyms", "split", "annotation", "group"),
    }
    assert tables.find("cites", "Manis javanicus") is None  # no synonyms without the Checklist
    manifest = json.loads((loaded_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cites"]["files"] == [downloads[0].name]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Taxon,Appendix\r\nPython regius,II\r\n", "is not the header of the Species+ CITES listings export"),
        (LISTINGS_HEADER + LISTINGS_ROWS.replace(",SPECIES,I,", ",SPECIES,IV,"), "line 7: listing 'IV'"),
        (LISTINGS_HEADER + LISTINGS_ROWS.replace(",GENUS,", ",TRIBE,"), "line 6: 'TRIBE' is not a rank"),
        (LISTINGS_HEADER + "1,Animalia,,,,,,,,,,SPECIES,II,,,,,,,,,,,,,\r\n", "line 2: a row without a scientific"),
        (LISTINGS_HEADER, "No taxon in"),
    ],
)
@pytest.mark.django_db
def test_a_file_that_does_not_fit_changes_nothing_and_names_the_line(loaded_dir, downloads, tmp_path, text, error):
    load(downloads)
    before = sorted(path.name for path in loaded_dir.iterdir())
    broken = write(tmp_path, "broken.csv", text)
    with pytest.raises(CommandError) as raised:
        load([downloads[1], broken], edition="later")
    assert error in str(raised.value) and str(raised.value).endswith("The table of taxa was not changed.")
    assert sorted(path.name for path in loaded_dir.iterdir()) == before
    assert tables.table("cites").version == "downloaded 2026-11-30"
    assert AuditEntry.objects.filter(action="reference.imported").count() == 1


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Manis javanicus Desmarest, 1822", "Manis javanicus"),
        ("Boa regia (Shaw, 1802)", "Boa regia"),
        ("Python sebae de Wit, 1960", "Python sebae"),
        ("Dendrobium nobile var. alboluteum Huyen & Aver.", "Dendrobium nobile var. alboluteum"),
        ("Psittacus erithacus", "Psittacus erithacus"),
    ],
)
def test_a_synonym_is_kept_without_its_author(written, name):
    assert cites_import._synonym_name(written) == name
