"""Text is read from each accepted format by its kept library, after upload, in a task; the item says how far
it has got; the first page of a PDF becomes its preview."""

import re

import pytest

from library import extraction, search
from library.models import Extraction, Item, LibraryFile
from library.tests import builders
from messaging import attachments

FORMATS = [
    ("guide.pdf", builders.pdf, attachments.PDF),
    ("guide.docx", builders.docx, extraction.DOCX),
    ("guide.xlsx", builders.xlsx, extraction.XLSX),
    ("guide.pptx", builders.pptx, extraction.PPTX),
    ("guide.odt", builders.odt, extraction.ODT),
    ("guide.ods", builders.ods, extraction.ODS),
    ("guide.txt", lambda text: text.encode(), attachments.TEXT),
]


@pytest.mark.parametrize(("name", "make", "content_type"), FORMATS)
def test_it_reads_the_text_of_each_format(name, make, content_type):
    content = make("Zebrawood veneer declared as plywood")
    assert attachments.sniff(content, name=name) == content_type
    assert "Zebrawood veneer declared as plywood" in extraction.text_of(content, content_type)


@pytest.mark.parametrize(("name", "make", "content_type"), FORMATS)
def test_it_makes_uploaded_text_searchable_after_the_task(
    cast, django_capture_on_commit_callbacks, name, make, content_type
):
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(
            cast.member, title="A guide", summary="Short.", files=[builders.upload(name, make("Okoume zebrawood"))]
        )
    item.refresh_from_db()
    assert item.extraction == Extraction.DONE
    found = search.search(person=cast.member, filters=search.Filters(text="zebrawood"))
    assert list(found) == [item]


def test_it_waits_until_the_task_runs(cast):
    item = builders.publish(cast.member)  # the commit never comes: the task is not run
    assert item.extraction == Extraction.WAITING
    assert not search.search(person=cast.member, filters=search.Filters(text="keratin")).exists()


def test_it_draws_the_first_page_of_a_pdf_as_an_encrypted_preview(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, files=[builders.upload("g.pdf", builders.pdf("one", "two"))])
    stored = LibraryFile.objects.get(edition__item=item)
    assert stored.has_thumbnail
    preview = attachments.content_of(stored, thumbnail=True)
    assert preview.startswith(b"\x89PNG") or preview.startswith(b"\xff\xd8")
    on_disk = attachments.stored_files(stored)["thumbnail"].read_bytes()
    assert preview not in on_disk  # sealed


def test_it_says_why_when_a_file_cannot_be_read(cast, django_capture_on_commit_callbacks):
    broken = builders.pdf("fine")[:400]  # a PDF's start, cut off: its type is known, its content unreadable
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, files=[builders.upload("broken.pdf", broken)])
    item.refresh_from_db()
    assert item.extraction == Extraction.FAILED
    assert item.extraction_failure == "unreadable"
    from audit.models import Entry

    entry = Entry.objects.get(action="library.text_read")
    assert entry.actor is None and entry.changes == {"state": "failed", "reason": "unreadable"}
    assert str(extraction.FAILURES["unreadable"])
    # The title and summary are still found.
    assert list(search.search(person=cast.member, filters=search.Filters(text="pangolin"))) == [item]


def test_it_refuses_an_office_file_that_unpacks_too_large(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(extraction.ExtractionFailed) as failed:
        extraction.text_of(builders.docx("many words here"), extraction.DOCX)
    assert failed.value.code == "too_large_unpacked"


def test_it_keeps_no_text_of_an_image(cast):
    from io import BytesIO

    from PIL import Image

    image = BytesIO()
    Image.new("RGB", (4, 4)).save(image, format="PNG")
    assert extraction.text_of(image.getvalue(), "image/png") == ""
    assert Item.objects.count() == 0


def test_it_draws_a_huge_page_at_a_bounded_size():
    from io import BytesIO

    from fpdf import FPDF
    from PIL import Image

    document = FPDF(format=(5000, 5000))  # millimetres: five metres square
    document.add_page()
    preview = extraction.first_page_preview(bytes(document.output()))
    with Image.open(BytesIO(preview)) as image:
        assert max(image.size) <= attachments.THUMBNAIL_SIZE


def test_the_item_page_says_why_reading_failed(cast, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from conftest import signed_in

    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, files=[builders.upload("broken.pdf", builders.pdf("fine")[:400])])
    page = signed_in(cast.observer).get(reverse("library:item", args=[item.pk]))
    assert b"could not be read for search" in page.content
    assert b"damaged or protected by a password" in page.content


# --- The words read ahead (PostgreSQL) and the text read piece by piece ------------------------------------


def test_the_pieces_of_a_pdf_are_its_pages_and_join_into_its_text():
    content = builders.pdf("Pangolin scales", "Keratin plates", "Ivory")
    pieces = list(extraction.pieces_of(content, attachments.PDF))
    assert [" ".join(piece.split()) for piece in pieces] == ["Pangolin scales", "Keratin plates", "Ivory"]
    assert "\n".join(pieces) == extraction.text_of(content, attachments.PDF)


@pytest.mark.parametrize("bound", [1, 7, 15, 16, 17, 40])
def test_the_pieces_stop_at_the_bound_of_the_text(monkeypatch, bound):
    monkeypatch.setattr(extraction, "MAX_TEXT", bound)
    text = extraction.text_of(b"  first line  \n\n second line\nthird\n", attachments.TEXT)
    assert text == "first line  \n\n second line\nthird"[:bound]


def _document(item: Item) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT document::text FROM library_search WHERE item_id = %s", [item.pk])
        return cursor.fetchone()[0]


def _parts_left() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM library_search_part")
        return cursor.fetchone()[0]


def _indexed_as_if_whole(item: Item) -> None:
    """No part is left, and the item's index row is what indexing its current text whole makes."""
    assert _parts_left() == 0
    kept = _document(item)
    search.index(item)  # the current edition's text read back whole
    assert _document(item) == kept


def test_on_postgresql_the_words_parsed_ahead_make_the_same_document_as_the_whole_text(
    postgres_only, cast, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(search.WordsAhead, "CHUNK", 40)  # several chunks, each cut between two pages
    pages = [f"Page {number}: pangolin scales, keratin plates and zebrawood number {number}." for number in range(9)]
    sent: list[str] = []
    real_send = search.WordsAhead._send

    def counted(self):
        sent.extend(self._chunk)
        real_send(self)

    monkeypatch.setattr(search.WordsAhead, "_send", counted)
    indexed_with: list = []
    real_index = search.index

    def index(item, **given):
        ahead = given.get("ahead")
        indexed_with.append(ahead.parts if ahead is not None else None)
        real_index(item, **given)

    monkeypatch.setattr(search, "index", index)
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(
            cast.member, title="Scales", summary="Pangolins.", files=[builders.upload("g.pdf", builders.pdf(*pages))]
        )
    assert len(sent) == 9  # every page went through the words read ahead
    assert indexed_with[-1] == 9  # and the index took them, one part a page
    assert _parts_left() == 0  # taken by the index row's statement
    ahead = _document(item)
    real_index(item)  # the whole text read back from the files and parsed at once
    assert _document(item) == ahead
    found = search.search(person=cast.member, filters=search.Filters(text='"keratin plates and zebrawood number 8"'))
    assert list(found) == [item]


def test_on_postgresql_words_parsed_ahead_that_are_not_the_whole_text_are_not_kept(
    postgres_only, cast, django_capture_on_commit_callbacks, monkeypatch
):
    # The first file's pages are parsed ahead, the second file cannot be read: the index takes the texts saved.
    monkeypatch.setattr(search.WordsAhead, "CHUNK", 40)
    pages = [f"Page {number}: pangolin scales and zebrawood number {number}." for number in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(
            cast.member,
            title="Scales",
            summary="Pangolins.",
            files=[
                builders.upload("g.pdf", builders.pdf(*pages)),
                builders.upload("broken.pdf", builders.pdf("fine")[:400]),
            ],
        )
    item.refresh_from_db()
    assert item.extraction == Extraction.FAILED
    _indexed_as_if_whole(item)
    assert list(search.search(person=cast.member, filters=search.Filters(text="zebrawood"))) == [item]


def test_on_postgresql_the_text_is_indexed_whole_when_parsing_ahead_fails(
    postgres_only, cast, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(search.WordsAhead, "CHUNK", 40)
    # Each part's statement fails in the database (a number divided by zero): the file's parts are rolled back.
    failing = search.WordsAhead._SQL.replace("VALUES (%s, %s,", "VALUES (%s, %s / 0,")
    monkeypatch.setattr(search.WordsAhead, "_SQL", failing)
    pages = [f"Page {number}: pangolin scales and zebrawood number {number}." for number in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(
            cast.member, title="Scales", summary="Pangolins.", files=[builders.upload("g.pdf", builders.pdf(*pages))]
        )
    item.refresh_from_db()
    assert item.extraction == Extraction.DONE
    _indexed_as_if_whole(item)
    found = search.search(person=cast.member, filters=search.Filters(text='"zebrawood number 3"'))
    assert list(found) == [item]


def test_a_new_editions_text_replaces_the_earlier_one_in_the_index(cast, django_capture_on_commit_callbacks):
    from datetime import date

    from django.db import connection

    from library import actions, tasks

    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(
            cast.member, files=[builders.upload("g.pdf", builders.pdf("Zebrawood veneer", "declared as plywood"))]
        )
    draft = actions.EditionDraft(
        published_on=date(2026, 6, 1),
        changes="Okoume instead.",
        files=[builders.upload("g2.pdf", builders.pdf("Okoume logs", "declared as poplar"))],
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_edition(request=None, person=cast.member, item=item, draft=draft)

    def found(words: str) -> list[Item]:
        return list(search.search(person=cast.member, filters=search.Filters(text=words)))

    assert found("zebrawood") == [] and found("plywood") == []
    assert found("okoume") == [item] and found('"declared as poplar"') == [item]
    if connection.vendor == "postgresql":
        _indexed_as_if_whole(item)
    # A task that runs again (nothing left to read) keeps the current text in the index.
    tasks.extract_text.call(item_id=item.pk)
    assert found("okoume") == [item] and found("zebrawood") == []


def test_the_task_locks_the_item_and_finds_its_current_edition(cast, django_assert_num_queries):
    """``tasks._locked``, compiled once: the same item the ORM reads, with its organisation, the newest edition's
    id, the row locked on PostgreSQL; an item that is not there is said to be gone."""
    from datetime import date

    from django.db import connection, transaction

    from library import actions, tasks

    item = builders.publish(cast.member, files=[builders.upload("g.txt", b"Zebrawood")])
    draft = actions.EditionDraft(
        published_on=date(2026, 6, 1), changes="Okoume.", files=[builders.upload("g2.txt", b"Okoume")]
    )
    newest = actions.add_edition(request=None, person=cast.member, item=item, draft=draft)
    expected = Item.objects.select_related("organisation").get(pk=item.pk)
    with transaction.atomic():
        tasks._locked(item.pk)  # compiled here, inside a transaction, as in the task
        with django_assert_num_queries(2):
            locked, current = tasks._locked(item.pk)
            assert locked.organisation == expected.organisation and locked.organisation.name == cast.home.name

    assert current == newest.pk
    fields = [field.attname for field in Item._meta.concrete_fields]
    assert [getattr(locked, name) for name in fields] == [getattr(expected, name) for name in fields]
    statement = tasks._LOCK.statement("lock", tasks._lock_statement)
    assert statement is not None and ("FOR UPDATE" in statement.sql) is (connection.vendor == "postgresql")
    with pytest.raises(Item.DoesNotExist), transaction.atomic():
        tasks._locked(item.pk + 1000)


# --- A document without text (a scanned PDF) -------------------------------------------------------------------


def _scanned_pdf() -> bytes:
    """A PDF of pictures only, as a scanner makes: shapes drawn, no text layer."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_fill_color(90, 90, 90)
    document.rect(20, 20, 120, 160, style="F")
    return bytes(document.output())


def _page(person, item) -> str:
    from django.urls import reverse

    from conftest import signed_in

    return signed_in(person).get(reverse("library:item", args=[item.pk])).content.decode()


def test_a_pdf_without_text_is_read_and_the_item_page_says_nothing_was_found(cast, django_capture_on_commit_callbacks):
    content = _scanned_pdf()
    assert extraction.text_of(content, attachments.PDF) == ""
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, files=[builders.upload("scan.pdf", content)])
    item.refresh_from_db()
    assert item.extraction == Extraction.DONE  # read without error: it simply holds no text
    said = "No text was found in this file: it may be a scanned image. Only the item's title and summary can be"
    advice = "To make it searchable, add a new edition with a file whose text can be selected"
    reader = _page(cast.observer, item)
    assert said in reader and advice not in reader  # in plain words; only the publisher can add an edition
    publisher = _page(cast.member, item)
    assert said in publisher and advice in publisher
    cast.observer.language = "fr"
    cast.observer.save(update_fields=["language"])
    assert "Aucun texte n'a été trouvé dans ce fichier" in _page(cast.observer, item)


def test_the_item_page_names_the_files_without_text_among_others(cast, django_capture_on_commit_callbacks):
    files = [builders.upload("guide.pdf", builders.pdf("Pangolin scales")), builders.upload("scan.pdf", _scanned_pdf())]
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, files=files)
    page = _page(cast.observer, item)
    assert "No text was found in scan.pdf: it may be a scanned image, so its words cannot be searched." in page
    assert "Only the item" not in page


def test_the_item_page_says_nothing_of_text_while_waiting_or_for_a_file_with_text(
    cast, django_capture_on_commit_callbacks
):
    waiting = builders.publish(cast.member, files=[builders.upload("scan.pdf", _scanned_pdf())])  # not read yet
    with django_capture_on_commit_callbacks(execute=True):
        read = builders.publish(cast.member)
    for item in (waiting, read):
        assert "No text was found" not in _page(cast.observer, item)


def test_the_item_page_does_not_read_the_files_text(cast, django_capture_on_commit_callbacks):
    # A manual's text runs to millions of characters a file: the search index reads it, the page only whether
    # reading found any.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member)
    with CaptureQueriesContext(connection) as queries:
        page = _page(cast.observer, item)
    assert "No text was found" not in page
    read = re.compile(rf'"{LibraryFile._meta.db_table}"\."text"(,| FROM)')  # a column read, not compared
    assert not [query["sql"] for query in queries if read.search(query["sql"])]


def test_while_no_worker_runs_a_waiting_item_says_reading_is_paused_and_nothing_is_lost(cast):
    from environet import worker

    item = builders.publish(cast.member)  # its reading queued, not run (no commit callbacks here)
    paused = "Work after sending is paused:"
    assert paused in _page(cast.member, item)
    worker.beat("a worker")
    assert paused not in _page(cast.member, item)


def test_the_api_says_which_files_hold_no_text_once_read(cast, django_capture_on_commit_callbacks):
    from conftest import signed_in

    files = [builders.upload("guide.pdf", builders.pdf("Pangolin scales")), builders.upload("scan.pdf", _scanned_pdf())]
    waiting = builders.publish(cast.member, files=files)
    with django_capture_on_commit_callbacks(execute=True):
        read = builders.publish(cast.member, files=files)

    def found(item) -> dict[str, bool | None]:
        answer = signed_in(cast.observer).get(f"/api/v1/library/items/{item.pk}").json()
        return {stored["name"]: stored["text_found"] for stored in answer["editions"][0]["files"]}

    assert found(read) == {"guide.pdf": True, "scan.pdf": False}
    assert found(waiting) == {"guide.pdf": None, "scan.pdf": None}


def test_a_long_pdf_read_with_helpers_is_indexed_as_if_whole(
    cast, django_capture_on_commit_callbacks, helpers, monkeypatch
):
    """The worker reads the first pages and helper processes the rest (library.pdf_helpers); on PostgreSQL the
    words are parsed ahead in chunks meanwhile: the index row is what the whole text makes, and a phrase across
    the pages two processes read is found."""
    from django.db import connection

    monkeypatch.setattr(search.WordsAhead, "CHUNK", 200)
    pages = [f"Page {number}: pangolin scales, keratin plates and zebrawood number {number}." for number in range(40)]
    pages[12] += " Okoume"
    pages[13] = "veneer " + pages[13]  # "Okoume veneer": the worker's last page and a helper's first
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(
            cast.member, title="Scales", summary="Pangolins.", files=[builders.upload("g.pdf", builders.pdf(*pages))]
        )
    assert helpers == [(13, 26), (26, 40)]
    item.refresh_from_db()
    assert item.extraction == Extraction.DONE
    if connection.vendor == "postgresql":  # where the words were parsed ahead
        _indexed_as_if_whole(item)
    assert list(search.search(person=cast.member, filters=search.Filters(text='"okoume veneer"'))) == [item]
    assert list(search.search(person=cast.member, filters=search.Filters(text='"zebrawood number 39"'))) == [item]
