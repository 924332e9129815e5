"""Importing a roadmap from a spreadsheet: a realistic workbook with a title row and French headers, every
kind of error reported by row and column, nothing half-saved, the upload kept, access per role."""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import Organisation
from audit.models import Entry
from conftest import signed_in
from network import actions, importer
from network.models import Activity, ActivityChange, Status
from network.tests.builders import build, draft

URL = "/network/ENFORCE/roadmap/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FRENCH = ["N°", "Titre de l'activité", "Type d'activité", "Organisation(s) chef de file", "Partenaires",
          "Pays ciblés", "Régions", "Conventions", "Thèmes", "Produits", "Date de début", "Date de fin",
          "Source de financement", "Montant", "Devise", "Financement acquis/recherché", "Description",
          "Résultats attendus", "Personne de contact", "Statut"]  # fmt: skip


@pytest.fixture
def net(cast):
    built = build(cast)
    Organisation.objects.create(name="Direction générale des douanes", short_name="DGD-CI", kind="customs",
                                country="CI")  # fmt: skip
    return built


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def french_roadmap() -> bytes:
    return workbook([
        ["Feuille de route ENFORCE – état au 1er octobre 2026"],
        [],
        FRENCH,
        [1, "Formation sur les déchets électroniques", "Formation", "KRA; DGD-CI", "EIA",
         "Côte d'Ivoire; Sénégal, GH", "Afrique occidentale", "Bâle", "A", "DEEE",
         datetime(2027, 3, 1), datetime(2027, 3, 5), "Union européenne", "15 000", "eur", "Acquis",
         "Deux jours en salle et une journée au port.", "Manuel de formation", "mohamed@kra.example", "Proposée"],
        [None] * len(FRENCH),
        [2, "Opération conjointe sur les plastiques", "Opération conjointe", "Kenya Revenue Authority", "",
         "KE, TZ, UGA", "", "Bâle; CITES", "", "", "01/06/2027", "30/06/2027", "", "", "", "", "", "", "", ""],
    ])  # fmt: skip


def post(client, content: bytes, name: str = "roadmap.xlsx", **extra):
    upload = SimpleUploadedFile(name, content, content_type=XLSX if name.endswith(".xlsx") else "text/csv")
    return client.post(URL, {"file": upload, **extra})


def problems(response) -> list[tuple[str, str, str]]:
    """The report's rows: (row, column, message)."""
    page = response.content.decode()
    body = page.split('<table class="import-report">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", body)
    return [(row, column, message.replace("&#x27;", "'").replace("&quot;", '"')) for row, column, message in cells]


def test_a_realistic_french_roadmap_is_imported(cast, net):
    response = post(signed_in(cast.member), french_roadmap())
    assert response.status_code == 302 and response["Location"] == "/network/ENFORCE/roadmap/"
    training = Activity.objects.get(title="Formation sur les déchets électroniques")
    assert training.kind == "training" and training.status == Status.PROPOSED
    assert sorted(lead.short_name for lead in training.leads.all()) == ["DGD-CI", "KRA"]
    assert [partner.short_name for partner in training.partners.all()] == ["EIA"]
    assert training.countries == ["CI", "GH", "SN"] and training.regions == ["011"]
    assert training.conventions == ["basel"] and training.topics == ["A"] and training.commodity_focus == "DEEE"
    assert (training.starts_on, training.ends_on) == (date(2027, 3, 1), date(2027, 3, 5))
    assert (training.amount, training.currency, training.funding) == (Decimal("15000.00"), "EUR", "secured")
    assert training.funding_source == "Union européenne" and training.contact == cast.member
    assert training.expected_outputs == "Manuel de formation" and training.proposed_by == cast.member
    operation = Activity.objects.get(title="Opération conjointe sur les plastiques")
    assert operation.kind == "joint_operation" and operation.countries == ["KE", "TZ", "UG"]
    assert operation.conventions == ["basel", "cites"] and operation.starts_on == date(2027, 6, 1)
    # Recorded and audited like an activity proposed through the form.
    assert ActivityChange.objects.filter(activity__in=[training, operation], created=True, by=cast.member).count() == 2
    assert Entry.objects.filter(action="network.activity_proposed").count() == 2
    imported = Entry.objects.get(action="network.roadmap_imported")
    assert sorted(imported.changes["activities"]) == sorted([training.pk, operation.pk])


def test_a_csv_in_windows_encoding_with_semicolons_and_english_headers(cast, net):
    text = ("Roadmap of activities\n\nTitle;Type;Lead organisation;Target countries;Start;End;Amount;Currency\n"
            "Awareness campaign;Awareness raising;KRA;Côte d'Ivoire;2027-01-10;2027-02-10;1,500.50;USD\n")  # fmt: skip
    response = post(signed_in(cast.member), text.encode("cp1252"), "roadmap.csv")
    assert response.status_code == 302
    found = Activity.objects.get(title="Awareness campaign")
    assert found.countries == ["CI"] and found.amount == Decimal("1500.50") and found.kind == "awareness"


def test_our_own_excel_export_comes_back_in(cast, net):
    other = build(cast, short_name="OTHER")
    actions.propose_activity(request=None, person=cast.administrator, network=other.network,
                             draft=draft(cast, status=Status.PLANNED, amount=Decimal(100), currency="USD",
                                         funding="sought"))  # fmt: skip
    exported = signed_in(cast.administrator).get("/network/OTHER/roadmap.xlsx").content
    assert signed_in(cast.administrator).post(URL, {"file": SimpleUploadedFile("r.xlsx", exported)}).status_code == 302
    copied = Activity.objects.get(network=net.network)
    assert copied.status == Status.PLANNED and copied.funding == "sought" and copied.regions == ["014"]


BAD = [
    ["Title", "Type", "Lead organisation", "Countries", "Start", "End", "Amount", "Currency", "Status"],
    ["Good training", "Training", "KRA", "KE", "2027-03-01", "2027-03-05", "", "", ""],
    ["Backwards", "Training", "KRA", "KE", "2027-03-05", "2027-03-01", "", "", ""],
    ["Nowhere", "Workshop", "KRA", "Atlantis; KE", "", "", "", "", ""],
    ["No currency", "Study", "KRA", "", "", "", "5000", "", ""],
    ["Good training", "Training", "kra", "KE", "01/03/2027", "", "", "", ""],
    ["Stranger", "Study", "Nobody Agency", "", "", "", "", "", ""],
    ["Bad date", "Study", "KRA", "", "next spring", "", "", "", ""],
    ["Odd type", "Picnic", "KRA", "", "", "", "", "", ""],
    ["Too soon", "Study", "KRA", "", "", "", "", "", "Ongoing"],
    ["", "Study", "KRA", "", "", "", "", "", ""],
    ["Wrong money", "Study", "KRA", "", "", "", "10", "ABC", ""],
]


def test_every_error_is_reported_by_row_and_column_and_nothing_is_saved(cast, net):
    response = post(signed_in(cast.member), workbook(BAD))
    assert response.status_code == 400
    found = problems(response)
    assert ("3", "End", "The planned end (2027-03-01) is before the planned start (2027-03-05).") in found
    assert ("4", "Countries",
            "Unknown countries: Atlantis. Use country names or ISO codes such as KE or CI.") in found  # fmt: skip
    assert ("5", "Currency", "An amount needs its currency (for example USD or EUR).") in found
    assert ("6", "Title", "Same title, lead organisations and planned start as row 2.") in found
    assert ("7", "Lead organisation",
            "Unknown organisations: Nobody Agency. Use the names the platform knows them by.") in found  # fmt: skip
    assert ("8", "Start", "“next spring” is not a date. Write it as 2027-03-01 or 01/03/2027.") in found
    assert any(row == "9" and column == "Type" and message.startswith("Unknown type of activity: “Picnic”.")
               for row, column, message in found)  # fmt: skip
    assert any(row == "10" and column == "Status" and "Only the secretariat" in message
               for row, column, message in found)  # fmt: skip
    assert any(row == "11" and column == "Title" for row, column, _message in found)
    assert ("12", "Currency", "ABC is not an ISO 4217 currency code.") in found
    assert not any(row == "2" for row, _column, _message in found)
    assert Activity.objects.count() == 0 and ActivityChange.objects.count() == 0
    assert not Entry.objects.filter(action__startswith="network.").exists()
    assert "Nothing was imported: the file has" in response.content.decode()


def test_a_duplicate_of_an_existing_activity_rolls_back_the_whole_file(cast, net):
    actions.propose_activity(request=None, person=cast.member, network=net.network,
                             draft=draft(cast, title="Existing training", starts_on=date(2027, 3, 1)))  # fmt: skip
    rows = [["Title", "Type", "Lead organisation", "Start"],
            ["A new workshop", "Workshop", "KRA", "2027-01-01"],
            ["Existing training", "Training", "KRA", "2027-03-01"]]  # fmt: skip
    response = post(signed_in(cast.member), workbook(rows))
    assert response.status_code == 400
    assert problems(response) == [("3", "—", "This network already has an activity with this title, lead "
                                             "organisation and planned start.")]  # fmt: skip
    assert list(Activity.objects.values_list("title", flat=True)) == ["Existing training"]
    assert Entry.objects.filter(action="network.activity_proposed").count() == 1  # the existing one only


def test_the_upload_is_kept_in_the_form_and_imported_once_what_was_missing_exists(cast, net):
    client = signed_in(cast.member)
    rows = [["Title", "Type", "Lead organisation"], ["Port visit", "Study", "Basel Secretariat"]]
    response = post(client, workbook(rows), "port.xlsx")
    assert response.status_code == 400 and "Your file port.xlsx is kept" in response.content.decode()
    found = re.search(r'name="kept" value="([^"]+)"', response.content.decode())
    assert found is not None
    kept = found.group(1)
    Organisation.objects.create(name="Basel Secretariat", kind="international")
    assert client.post(URL, {"kept": kept}).status_code == 302
    assert Activity.objects.get().title == "Port visit"
    # Kept for this person and network only.
    assert signed_in(cast.focal_point).post(URL, {"kept": kept}).status_code == 400


def test_files_that_are_not_roadmaps(cast, net):
    client = signed_in(cast.member)
    assert problems(post(client, b"%PDF-1.4", "roadmap.pdf")) == [
        ("—", "—", "Upload the roadmap as an Excel workbook (.xlsx) or a CSV file (.csv).")]  # fmt: skip
    assert "cannot be read as an Excel workbook" in problems(post(client, b"PK\x03\x04junk"))[0][2]
    no_header = problems(post(client, workbook([["Something"], ["else"]])))
    assert "No header row was found" in no_header[0][2]
    no_leads = problems(post(client, workbook([["Title", "Type", "Start"], ["A", "Study", ""]])))
    assert no_leads == [("1", "—", "No column for “Lead organisations” was found.")]
    only_header = problems(post(client, workbook([["Title", "Type", "Lead"], [], []])))
    assert only_header == [("—", "—", "The file has a header row but no activity under it.")]
    assert client.post(URL, {}).status_code == 400
    assert Activity.objects.count() == 0


def test_the_secretariat_may_import_any_status(cast, net):
    rows = [["Title", "Type", "Lead", "Status"], ["Done thing", "Study", "KRA", "Terminée"]]
    assert post(signed_in(net.clerk), workbook(rows)).status_code == 302
    assert Activity.objects.get().status == Status.COMPLETED


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("member", True), ("focal_point", True), ("administrator", True), ("observer", False),
     ("other_focal_point", False), ("watcher", False)],
)  # fmt: skip
def test_who_may_import(cast, net, who, allowed):
    person = net.watcher if who == "watcher" else getattr(cast, who)
    client = signed_in(person)
    assert client.get(URL).status_code == (200 if allowed else 404)
    rows = [["Title", "Type", "Lead"], [f"Training by {who}", "Training", "KRA"]]
    assert post(client, workbook(rows)).status_code == (302 if allowed else 404)
    assert Activity.objects.filter(title=f"Training by {who}").exists() == allowed


def test_the_import_link_is_shown_to_those_who_may_import(cast, net):
    assert URL in signed_in(cast.member).get("/network/ENFORCE/roadmap/").content.decode()
    assert URL not in signed_in(net.watcher).get("/network/ENFORCE/roadmap/").content.decode()


def test_amounts_and_dates_as_spreadsheets_write_them():
    assert [importer._amount(text) for text in ("15 000,50", "15,000.50", "15.000,50", "15000", "1,5", 12.5)] == [
        "15000.50", "15000.50", "15000.50", "15000", "1.5", "12.5"]  # fmt: skip
    assert importer._date("2027-03-01") == date(2027, 3, 1) == importer._date("01/03/2027")
    assert importer._date("1.3.2027") == date(2027, 3, 1) and importer._date("31/02/2027") == "31/02/2027"


SPANISH = ["Título de la actividad", "Tipo", "Organizaciones responsables", "Países", "Regiones",
           "Convenios", "Fecha de inicio", "Fecha de fin", "Donantes", "Monto", "Moneda"]  # fmt: skip


def test_a_spanish_roadmap_with_plural_headers_is_imported(cast, net):
    content = workbook([
        ["Hoja de ruta de la red ENFORCE"],
        SPANISH,
        ["Taller sobre residuos plásticos", "Taller", "KRA", "Côte d'Ivoire, Senegal", "África occidental",
         "Basilea", datetime(2027, 4, 1), datetime(2027, 4, 3), "Unión Europea", "2 000", "EUR"],
    ])  # fmt: skip
    response = post(signed_in(cast.member), content)
    assert response.status_code == 302, problems(response)
    workshop = Activity.objects.get(title="Taller sobre residuos plásticos")
    assert workshop.countries == ["CI", "SN"] and workshop.regions == ["011"]
    assert workshop.conventions == ["basel"] and workshop.funding_source == "Unión Europea"
    assert (workshop.amount, workshop.currency) == (Decimal("2000.00"), "EUR")


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("Países", "país"), ("Regiones", "región"), ("Organizaciones", "organización"), ("Titles", "title"),
     ("Codes", "code"), ("Statuses", "status"), ("Countries", "country"), ("Thèmes", "thème")],
)  # fmt: skip
def test_a_plural_header_reads_as_its_singular(plural, singular):
    assert importer.plain(plural) == importer.plain(singular)
