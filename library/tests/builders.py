"""Files made in the tests, with the libraries the project already depends on, and items published through
the action."""

from datetime import date
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Person
from library import actions
from library.models import Item
from messaging import attachments
from topics.models import Topic

DAY = date(2026, 3, 1)


def pdf(*pages: str) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.set_font("helvetica", size=12)
    for text in pages or ("Pangolin scales",):
        document.add_page()
        document.multi_cell(0, 10, text)
    return bytes(document.output())


def docx(text: str) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Guide", level=1)
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "cell"
    table.rows[0].cells[1].text = "table" + text.split()[0]
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(text: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Code", "Name"])
    sheet.append(["HCFC-22", text])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx(text: str) -> bytes:
    import pptx as python_pptx

    presentation = python_pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "Training"
    slide.placeholders[1].text = text
    out = BytesIO()
    presentation.save(out)
    return out.getvalue()


def odt(text: str) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    out = BytesIO()
    document.write(out)
    return out.getvalue()


def ods(text: str) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Sheet1")
    row = TableRow()
    cell = TableCell()
    cell.addElement(P(text=text))
    row.addElement(cell)
    table.addElement(row)
    document.spreadsheet.addElement(table)
    out = BytesIO()
    document.write(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> attachments.Upload:
    return attachments.inspect(SimpleUploadedFile(name, content))


def draft(**fields: Any) -> actions.ItemDraft:
    base: dict[str, Any] = {
        "title": "Identifying pangolin scales",
        "kind": "guide",
        "summary": "How to tell pangolin scales from look-alikes.",
        "topics": [Topic.objects.get(code="B")],
        "languages": ["en"],
        "published_on": DAY,
        "conventions": ["cites"],
        "references": [("cites", "Manis spp.")],
    }
    base.update(fields)
    if "files" not in fields and not base.get("external_url"):
        base["files"] = [upload("guide.pdf", pdf("Pangolin scales are made of keratin."))]
    return actions.ItemDraft(**base)


def publish(person: Person, **fields: Any) -> Item:
    return actions.publish_item(request=None, publisher=person, draft=draft(**fields))
