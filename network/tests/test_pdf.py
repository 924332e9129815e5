"""The roadmap as of a date as a PDF (title, as-of date, sections by status, accented names in the reader's
language), and the repository as XLSX and PDF with the page's filters."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from accounts.models import Organisation
from audit.models import Entry
from conftest import signed_in
from library.tests import builders as library_builders
from messaging.models import Audience, Marking
from network import actions, output_actions, pdf
from network.models import Activity, Status
from network.output_actions import OutputsDraft, TrainedRow
from network.tests.builders import build, draft


def text_of(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return " ".join(" ".join(pages).split())
    finally:
        document.close()


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def dated(cast, net):
    return make_dated(cast, net)


def make_dated(cast, net):
    """A training in Côte d'Ivoire led by the Direction générale des douanes: proposed 2020-01-15, planned
    2020-03-01, held 5-9 October, completed 2020-11-20. A study led by the home organisation, proposed 2020-06-01."""
    douanes = Organisation.objects.create(name="Direction générale des douanes", short_name="DGD-CI",
                                          kind="customs", country="CI")  # fmt: skip
    fields = {"title": "Formation sur les déchets électroniques", "leads": [douanes], "partners": [cast.home],
              "countries": ["CI", "SN"], "regions": ["011"], "amount": Decimal("15000"), "currency": "EUR",
              "funding": "secured", "funding_source": "Union européenne",
              "starts_on": date(2020, 10, 5), "ends_on": date(2020, 10, 9)}  # fmt: skip
    training = actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                        draft=draft(cast, **fields),
                                        at=datetime(2020, 1, 15, 10, tzinfo=UTC))  # fmt: skip
    actions.update_activity(request=None, person=net.clerk, activity=training,
                            draft=draft(cast, **fields, status=Status.PLANNED),
                            at=datetime(2020, 3, 1, 10, tzinfo=UTC))  # fmt: skip
    actions.update_activity(request=None, person=net.clerk, activity=training,
                            draft=draft(cast, **fields, status=Status.COMPLETED),
                            at=datetime(2020, 11, 20, 10, tzinfo=UTC))  # fmt: skip
    study = actions.propose_activity(request=None, person=cast.member, network=net.network,
                                     draft=draft(cast, title="Study of port controls", kind="study",
                                                 starts_on=date(2021, 1, 1), ends_on=date(2021, 6, 30)),
                                     at=datetime(2020, 6, 1, 10, tzinfo=UTC))  # fmt: skip
    return training, study


def test_the_roadmap_pdf_has_the_title_the_date_the_sections_and_accented_names(cast, net, dated):
    response = signed_in(cast.member).get("/network/ENFORCE/roadmap.pdf?as_of=2020-10-01")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "ENFORCE-roadmap-2020-10-01.pdf" in response["Content-Disposition"]
    text = text_of(response.content)
    assert net.network.name in text
    assert "Status as of October 1, 2020" in text
    assert "Planned (1)" in text and "Proposed (1)" in text and "Completed" not in text
    assert "Formation sur les déchets électroniques" in text
    assert "DGD-CI" in text and "Côte d’Ivoire" in text and "Western Africa" in text
    assert "€15,000.00" in text and "Union européenne" in text and "Secured" in text
    assert "January 1, 2021 – June 30, 2021" in text
    assert "Page 1 of 1" in text
    assert Entry.objects.get(action="network.roadmap_exported").changes == {"as_of": "2020-10-01", "format": "pdf"}


def test_the_roadmap_pdf_is_in_the_readers_language(cast, net, dated):
    cast.member.language = "fr"
    cast.member.save()
    text = text_of(signed_in(cast.member).get("/network/ENFORCE/roadmap.pdf?as_of=2020-12-31").content)
    assert "31 décembre 2020" in text and "1 janvier 2021 – 30 juin 2021" in text
    assert "Terminée (1)" in text and "Proposée (1)" in text
    assert "Côte d’Ivoire" in text and "Sénégal" in text and "Afrique occidentale" in text
    assert "15 000,00 €" in text.replace("\u202f", " ").replace("\xa0", " ")


def test_an_empty_roadmap_says_so(cast, net):
    text = text_of(pdf.roadmap_pdf(net.network, date(2019, 1, 1)))
    assert "Status as of January 1, 2019" in text and "No activity." in text


def test_a_long_roadmap_runs_over_pages_with_numbers(cast, net):
    for number in range(30):
        actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                 draft=draft(cast, title=f"Training number {number}", description="x" * 400),
                                 at=datetime(2020, 1, 1, 10, tzinfo=UTC))  # fmt: skip
    content = pdf.roadmap_pdf(net.network, date(2020, 12, 31))
    document = pdfium.PdfDocument(content)
    pages = len(document)
    document.close()
    text = text_of(content)
    assert pages > 2 and f"Page {pages} of {pages}" in text and "Training number 29" in text


def test_the_repository_as_xlsx_follows_the_filters(cast, net, dated):
    client = signed_in(net.watcher)
    response = client.get("/network/ENFORCE/repository.xlsx")
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert rows[0][0].startswith("ENFORCE repository of activities, as of ")
    header = rows[1]
    titles = [row[header.index("Title")] for row in rows[2:]]
    # Completed, and the study whose planned end has passed.
    assert sorted(titles) == ["Formation sur les déchets électroniques", "Study of port controls"]
    training = next(row for row in rows[2:] if row[header.index("Title")].startswith("Formation"))
    assert training[header.index("Status")] == "Completed" and training[header.index("IATI status code")] == 4
    filtered = client.get("/network/ENFORCE/repository.xlsx?kind=study")
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(filtered.content)).active.iter_rows()]
    assert [row[1] for row in rows[2:]] == ["Study of port controls"]
    assert Entry.objects.filter(action="network.repository_exported", changes={"format": "xlsx"}).count() == 2


def test_the_repository_as_pdf_names_the_filters(cast, net, dated):
    response = signed_in(cast.member).get("/network/ENFORCE/repository.pdf?country=CI")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "Repository of activities" in text and "Country: Côte d’Ivoire" in text
    assert "Formation sur les déchets électroniques" in text and "Study of port controls" not in text
    assert "Completed (1)" in text


def test_the_links_are_on_the_pages(cast, net, dated):
    client = signed_in(cast.member)
    roadmap = client.get("/network/ENFORCE/roadmap/?as_of=2020-10-01").content.decode()
    assert "/network/ENFORCE/roadmap.pdf?as_of=2020-10-01" in roadmap
    assert "/network/ENFORCE/roadmap-iati.xml?as_of=2020-10-01" in roadmap
    repository = client.get("/network/ENFORCE/repository/?kind=study").content.decode()
    assert "/network/ENFORCE/repository.pdf?kind=study" in repository
    assert "/network/ENFORCE/repository.xlsx?kind=study" in repository


@pytest.mark.parametrize("path", ["roadmap.pdf", "repository.pdf", "repository.xlsx", "roadmap-iati.xml"])
def test_outsiders_get_404(cast, net, dated, path):
    assert signed_in(cast.other_focal_point).get(f"/network/ENFORCE/{path}").status_code == 404


def test_the_repository_exports_carry_the_outputs_each_reader_may_see(cast, net, dated):
    training = Activity.objects.get(title="Formation sur les déchets électroniques")
    manual = library_builders.publish(cast.member, title="Manual for port officers on e-waste")
    secret = library_builders.publish(cast.member, title="Courier names", marking=Marking.RED,
                                      audience=Audience.PEOPLE, people=[cast.focal_point, net.clerk])  # fmt: skip
    output_actions.record_outputs(
        request=None, person=net.clerk, activity=training,
        draft=OutputsDraft(items=[manual.pk, secret.pk], lessons="Book the port early.",
                           trained=[TrainedRow("KE", 12, 18, 0), TrainedRow("TZ", 3, 4, 2)]),
    )  # fmt: skip
    client = signed_in(net.watcher)
    book = load_workbook(io.BytesIO(client.get("/network/ENFORCE/repository.xlsx").content)).active
    rows = [[cell.value for cell in row] for row in book.iter_rows()]
    header = rows[1]
    row = next(row for row in rows[2:] if row[header.index("Title")] == training.title)
    assert row[header.index("Outputs in the library")] == "Manual for port officers on e-waste"
    assert [row[header.index(name)] for name in ("Participants trained", "Women trained", "Men trained",
                                                 "Sex not reported")] == [39, 15, 22, 2]  # fmt: skip
    assert row[header.index("Trained by country")] == (
        "Kenya: 30 (12 women, 18 men); Tanzania: 9 (3 women, 4 men, 2 not reported)"
    )
    assert row[header.index("Lessons learned")] == "Book the port early."
    study = next(row for row in rows[2:] if row[header.index("Title")] == "Study of port controls")
    assert study[header.index("Participants trained")] is None
    text = text_of(client.get("/network/ENFORCE/repository.pdf").content)
    assert "Manual for port officers on e-waste" in text and "Book the port early." in text
    assert "39 (15 women, 22 men, 2 not reported)" in text
    assert "Courier names" not in text  # the RED item is for the focal point and the clerk only
    shown_to_focal_point = text_of(signed_in(cast.focal_point).get("/network/ENFORCE/repository.pdf").content)
    assert "Courier names" in shown_to_focal_point


def test_the_pdf_says_amounts_with_the_pages_money_filter():
    """One formatter for money: the PDF calls the template filter the pages use, so they cannot drift apart."""
    from seizures.templatetags import quantities

    assert pdf.money is quantities.money
    assert not hasattr(pdf, "_amount")
