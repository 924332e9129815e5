"""Exporting a search as CSV or XLSX: one row per commodity line, facts only, the marking on the file,
formulas made harmless, only what the person may read."""

import csv
import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest

from audit.models import Entry
from conftest import signed_in
from seizures import exporter
from seizures.tests.builders import company, file, line, person

pytestmark = pytest.mark.django_db
EXPORT = "/seizures/export/"


def exported_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_column(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *data = rows[1:]
    return [dict(zip(header, row, strict=True)) for row in data]


def test_it_exports_one_csv_row_per_commodity_line(cast):
    two = file(
        cast.member,
        lines=[line(quantity="12.5", unit="KGM"), line("basel", "Y46")],
        transport_mode="sea",
        containers=["CSQU3054383", "MSCU1234566"],
        transit_countries=["AE", "QA"],
    )
    one = file(cast.member, occurred_on=two.occurred_on.replace(day=2))

    response = signed_in(cast.member).get(EXPORT, {"format": "csv"})

    rows = by_column(exported_csv(response))
    assert [(row["reference"], row["code"]) for row in rows] == [
        (one.reference, "Loxodonta africana"),
        (two.reference, "Loxodonta africana"),
        (two.reference, "Y46"),
    ]
    first = rows[1]
    assert (first["date"], first["country"], first["transport_mode"], first["marking"]) == (
        "2026-10-01",
        "KE",
        "sea",
        "TLP:GREEN",
    )
    assert (first["containers"], first["transit_countries"], first["quantity"], first["unit"]) == (
        "CSQU3054383 MSCU1234566",
        "AE, QA",
        "12.500",
        "KGM",
    )
    assert re.fullmatch(
        r'attachment; filename="environet-seizures-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    assert Entry.objects.get(action="seizures.exported").changes == {"format": "csv", "records": 2, "lines": 3}


def test_it_marks_the_file_with_the_strictest_marking_of_its_rows(cast):
    file(cast.member, marking="green")
    file(cast.member, marking="amber_strict", audience="organisations", organisations=[cast.secretariat])
    file(cast.member, marking="amber")

    rows = exported_csv(signed_in(cast.member).get(EXPORT, {"format": "csv"}))

    assert rows[0][0].startswith("TLP:AMBER+STRICT — handle according to the Traffic Light Protocol;")
    assert sorted(row["marking"] for row in by_column(rows)) == ["TLP:AMBER", "TLP:AMBER+STRICT", "TLP:GREEN"]


def test_it_exports_only_the_search_of_the_records_page(cast):
    file(cast.member, country="KE", place="Mombasa")
    wanted = file(cast.member, country="TZ", place="Dar es Salaam")

    rows = by_column(exported_csv(signed_in(cast.member).get(EXPORT, {"format": "csv", "country": "TZ"})))

    assert [row["reference"] for row in rows] == [wanted.reference]


FORMULAS: dict[str, Any] = {
    "summary": '=HYPERLINK("http://evil.example","click")',
    "place": "+254 quay",
    "vessel_name": "@SUM(A1)",
    "sanction": "-1+2",
    "legal_basis": "\tTab first",
}


def test_it_neutralises_formulas_in_csv(cast):
    file(cast.member, lines=[line(description="=1+1")], **FORMULAS)

    (row,) = by_column(exported_csv(signed_in(cast.member).get(EXPORT, {"format": "csv"})))

    for name, value in {**FORMULAS, "description": "=1+1"}.items():
        assert row[name] == "'" + value, name


def _workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == exporter.FORMATS["xlsx"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_it_exports_xlsx_with_the_marking_in_the_sheet_header_footer_and_properties(cast):
    seizure = file(cast.member, marking="amber", lines=[line(quantity="3", unit="KGM")])

    workbook = _workbook(signed_in(cast.member).get(EXPORT, {"format": "xlsx"}))

    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("TLP:AMBER — handle according to the Traffic Light Protocol;")
    assert list(rows[1]) == list(exporter.HEADER)
    data = dict(zip(rows[1], rows[2], strict=True))
    assert (data["reference"], data["marking"], data["code"], data["quantity"]) == (
        seizure.reference,
        "TLP:AMBER",
        "Loxodonta africana",
        3,
    )
    assert sheet.oddHeader.center.text == "TLP:AMBER" and sheet.oddFooter.center.text.startswith("TLP:AMBER —")
    assert (workbook.properties.subject, workbook.properties.keywords) == ("TLP:AMBER", "TLP:AMBER")
    assert workbook.properties.creator == "ENVIRONET"
    assert workbook.custom_doc_props["TLP"].value == "TLP:AMBER"


def test_it_writes_formulas_as_text_in_xlsx(cast):
    file(cast.member, **FORMULAS)

    response = signed_in(cast.member).get(EXPORT, {"format": "xlsx"})

    sheet = _workbook(response).active
    header, values = [cell.value for cell in sheet[2]], list(sheet[3])
    cells = dict(zip(header, values, strict=True))
    for name, value in FORMULAS.items():
        assert (cells[name].data_type, cells[name].value) == ("s", value), name
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_it_never_exports_persons_or_companies(cast):
    file(cast.member, involved=[company("Zebulon Marker"), person("Quentin Xylander", identifiers=["P-778899"])])

    for kind in ("csv", "xlsx"):
        content = signed_in(cast.member).get(EXPORT, {"format": kind}).content
        parts = [content]
        if kind == "xlsx":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                parts = [archive.read(name) for name in archive.namelist()]
        for part in parts:
            for secret in (b"Zebulon", b"Marker", b"Xylander", b"778899", b"Mohamed Member", b"mohamed@kra"):
                assert secret not in part, (kind, secret)


def test_it_exports_only_records_the_person_may_read(cast):
    own = file(cast.member)
    elsewhere = file(cast.other_focal_point, country="FR")  # a draft of another organisation
    shared = file(cast.other_focal_point, country="FR", share=True)

    rows = by_column(exported_csv(signed_in(cast.member).get(EXPORT, {"format": "csv"})))

    references = {row["reference"] for row in rows}
    assert references == {own.reference, shared.reference} and elsewhere.reference not in references


def test_observers_may_export_what_they_read(cast):
    file(cast.member, share=True)

    assert len(by_column(exported_csv(signed_in(cast.observer).get(EXPORT, {"format": "csv"})))) == 1


def test_it_refuses_an_export_over_the_cap_with_a_clear_message(cast, monkeypatch):
    monkeypatch.setattr(exporter, "MAX_LINES", 2)
    file(cast.member, lines=[line(), line("basel", "Y46")])
    file(cast.member)

    response = signed_in(cast.member).get(EXPORT, {"format": "xlsx", "convention": "cites"}, follow=True)

    assert response.redirect_chain == [("/seizures/?convention=cites", 302)]
    assert "This search gives 3 lines; an export holds at most 2." in response.content.decode()
    assert not Entry.objects.filter(action="seizures.exported").exists()


def test_it_refuses_an_unknown_format(cast):
    assert signed_in(cast.member).get(EXPORT, {"format": "pdf"}).status_code == 400


def test_the_records_page_links_exports_of_the_current_search(cast):
    file(cast.member, country="TZ")

    page = signed_in(cast.member).get("/seizures/", {"country": "TZ"}).content.decode()

    assert 'href="/seizures/export/?country=TZ&amp;format=csv"' in page
    assert 'href="/seizures/export/?country=TZ&amp;format=xlsx"' in page
    assert 'href="/seizures/import/"' in page
