"""Finding the text of library files and drawing a PDF's first page, with kept libraries only.

PDF: pypdfium2 (text and rendering). DOCX: python-docx. XLSX: openpyxl. PPTX: python-pptx. ODT and ODS: odfpy.
Plain text and CSV are decoded. Images have no text. The type is the one found from the content when the
file was stored (messaging.attachments.sniff), never the name.

Office files are zip archives: one whose parts would unpack to more than ``MAX_UNPACKED_BYTES`` is refused
before any library opens it (a small file that would unpack into gigabytes). At most ``MAX_TEXT`` characters
are kept per file: enough for search, bounded whatever the file holds.

A failure is reported as one of ``FAILURES``' codes, worded in the reader's language when shown: nothing of
the file's content goes into the reason.
"""

import zipfile
from collections.abc import Iterator
from concurrent.futures import Future
from io import BytesIO

from django.utils.translation import gettext_lazy as _

from library import pdf_helpers, pdf_pages
from messaging import attachments

MAX_TEXT = 2_000_000
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
# The longer side of the rendered first page, whatever size the page claims to be: the thumbnail's (pdfium
# draws it smoothed at that size; anything larger would only be thrown away).
PREVIEW_PIXELS = attachments.THUMBNAIL_SIZE

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ZIPPED = {DOCX, XLSX, PPTX, ODT, ODS}

FAILURES = {
    "unreadable": _("A file could not be read: it may be damaged or protected by a password."),
    "too_large_unpacked": _("A file would unpack to more than the library reads; its text is not searchable."),
    "internal": _("Reading the files stopped because of an error on our side. The files can still be downloaded."),
}


class ExtractionFailed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def text_of(content: bytes, content_type: str) -> str:
    """The text of a file of an accepted type ('' for images); ExtractionFailed if it cannot be read."""
    return "\n".join(pieces_of(content, content_type))


def pieces_of(content: bytes, content_type: str) -> Iterator[str]:
    """The text of a file as it is read, piece by piece (a PDF's pages, a document's paragraphs), stripped, empty
    pieces left out, at most ``MAX_TEXT`` characters once joined by newlines (``text_of``): the search index can
    take its words while the rest is still being read (library.search.WordsAhead). ExtractionFailed, possibly
    after some pieces, if the file cannot be read."""
    if content_type in ZIPPED:
        _check_unpacked_size(content)
    reader = _READERS.get(content_type)
    if reader is None:
        return
    try:
        yield from _bounded(reader(content))
    except ExtractionFailed:
        raise
    except Exception as error:  # every library raises its own kinds for a damaged file
        raise ExtractionFailed("unreadable") from error


def has_reader(content_type: str) -> bool:
    """Whether files of this type hold text to read (documents, not images): one of them read without any text
    found is a scanned page, whose words search cannot find."""
    return content_type in _READERS


def first_page_preview(content: bytes) -> bytes:
    """The first page of a PDF as a thumbnail (drawn again from the pixels, as attachment thumbnails are)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(content)
        try:
            page = document[0]
            try:
                return _preview(page)
            finally:
                page.close()
        finally:
            document.close()
    except Exception as error:
        raise ExtractionFailed("unreadable") from error


def _preview(page) -> bytes:
    width, height = page.get_size()  # in points (1/72 in); a page may claim to be metres wide
    scale = min(1.0, PREVIEW_PIXELS / max(width, height, 1))
    image = page.render(scale=scale).to_pil()
    # Handed over uncompressed (BMP): make_thumbnail decodes it and draws the thumbnail from its pixels.
    pixels = BytesIO()
    image.save(pixels, format="BMP")
    return attachments.make_thumbnail(pixels.getvalue())


def _bounded(parts: Iterator[str]) -> Iterator[str]:
    left = MAX_TEXT + 1  # the first piece has no newline before it
    for part in parts:
        part = part.strip()
        if not part:
            continue
        yield part[: left - 1]
        left -= len(part) + 1
        if left <= 1:
            return


def _check_unpacked_size(content: bytes) -> None:
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ExtractionFailed("unreadable") from error
    if total > MAX_UNPACKED_BYTES:
        raise ExtractionFailed("too_large_unpacked")


def _pdf(content: bytes) -> Iterator[str]:
    """A long PDF's later pages are read by helper processes meanwhile (library.pdf_helpers)."""
    import pypdfium2 as pdfium

    others: list[Future[list[str]]] = []
    try:
        document = pdfium.PdfDocument(content)
        try:
            own, *shared = pdf_helpers.shares(len(document))
            others = [pdf_helpers.read(content, start, stop) for start, stop in shared]
            yield from pdf_pages.each_page(document, *own)
        finally:
            document.close()
        for future in others:
            yield from pdf_helpers.texts(future)
    finally:
        for future in others:  # the text was long enough already, or a page could not be read
            future.cancel()


def _docx(content: bytes) -> Iterator[str]:
    import docx

    document = docx.Document(BytesIO(content))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


def _xlsx(content: bytes) -> Iterator[str]:
    import openpyxl

    workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield " ".join(str(value) for value in row if value is not None)
    finally:
        workbook.close()


def _pptx(content: bytes) -> Iterator[str]:
    import pptx

    presentation = pptx.Presentation(BytesIO(content))
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                yield shape.text_frame.text
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    yield " ".join(cell.text for cell in row.cells)
        if slide.has_notes_slide:
            yield slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame else ""


def _opendocument(content: bytes) -> Iterator[str]:
    from odf import opendocument, teletype
    from odf.text import H, P

    document = opendocument.load(BytesIO(content))
    for element in document.getElementsByType(H) + document.getElementsByType(P):
        yield teletype.extractText(element)


def _text(content: bytes) -> Iterator[str]:
    yield content.decode("utf-8-sig", errors="replace")


_READERS = {
    attachments.PDF: _pdf,
    DOCX: _docx,
    XLSX: _xlsx,
    PPTX: _pptx,
    ODT: _opendocument,
    ODS: _opendocument,
    attachments.TEXT: _text,
    attachments.CSV: _text,
}
