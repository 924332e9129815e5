"""Reading the text of an item's current files, in the task queue after the upload commits.

The item's ``extraction`` says how far it has got: waiting, extracting, done, or failed with a reason code
(library.extraction.FAILURES). Each file's text is stored on it and the item is indexed again for search,
in one transaction; once that has committed, the first page of each PDF becomes its preview (drawn from the
content already decrypted for its text), stored encrypted as the file's thumbnail.
"""

import logging
from typing import cast

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.tasks import task

from audit.actions import record
from environet.compiled import Joined, Kept, Prepared, prepare
from library import extraction, search
from library.models import Edition, Extraction, Item, LibraryFile
from messaging import attachments

logger = logging.getLogger(__name__)


@task()
def extract_text(*, item_id: int) -> str:
    if not _mark_extracting(item_id):
        return "gone"
    failure = ""
    # Every file not read yet, of any edition: a task that runs late (after a newer edition) still gives the
    # earlier files their previews. Only the current edition's text is indexed (library.search.index).
    texts: list[tuple[LibraryFile, str]] = []
    to_draw: list[tuple[LibraryFile, bytes]] = []
    current = Edition.objects.filter(item_id=item_id).order_by("-number").values_list("pk", flat=True).first()
    # On PostgreSQL the files are read in the transaction that saves their texts, since the current edition's words
    # are parsed by the database meanwhile and wait in it (search.WordsAhead).
    with search.reading_transaction():
        ahead = search.WordsAhead()
        for stored in LibraryFile.objects.filter(edition__item_id=item_id, text=""):
            try:
                content = attachments.content_of(stored)
                pieces: list[str] = []
                with ahead:
                    for piece in extraction.pieces_of(content, stored.content_type):
                        pieces.append(piece)
                        if stored.edition_id == current:
                            ahead.add(piece)
                texts.append((stored, "\n".join(pieces)))
            except extraction.ExtractionFailed as failed:
                failure = failure or failed.code
                continue
            except Exception:
                logger.exception("library extraction failed for file %s", stored.pk)
                failure = failure or "internal"
                continue
            if stored.content_type == attachments.PDF and not stored.has_thumbnail:
                to_draw.append((stored, content))
        # The texts, the item's state, its index row and the audit entry in one transaction: once it commits,
        # the item is found by its words.
        with transaction.atomic(savepoint=False):
            item, current_now = _locked(item_id)
            for stored, text in texts:
                stored.text = text
                stored.save(update_fields=["text"])
            item.extraction = Extraction.FAILED if failure else Extraction.DONE
            item.extraction_failure = failure
            item.save(update_fields=["extraction", "extraction_failure"])
            # An edition added while the files were read (it locks the item too) makes what was read not current.
            body = _current_text(current, texts) if current == current_now else None
            search.index(item, body=body, ahead=ahead if body is not None else None)
            ahead.forget()  # words that were not the current text
            # By the task, not a person: the state and the reason's code, nothing read from the files.
            record("library.text_read", target=item, changes={"state": item.extraction, "reason": failure})
    draw_previews(to_draw)
    return item.extraction


def _mark_extracting(item_id: int) -> bool:
    """The item's "extracting" state, shown as progress, committed on its own; False if the item is gone. On
    PostgreSQL without waiting for the disk: a crash could lose only this state (the item then shows "waiting"
    again), never what the task saves, which is committed as usual. (Only in a transaction of its own: inside a
    caller's, the setting would hold for all of the caller's writes.)"""
    own = not connection.in_atomic_block
    with transaction.atomic():
        if own and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return bool(Item.objects.filter(pk=item_id).update(extraction=Extraction.EXTRACTING, extraction_failure=""))


def _locked(item_id: int) -> tuple[Item, int | None]:
    """The item, locked until the transaction ends, with its organisation (which the audit entry names), and the id
    of its current edition. Both statements are compiled once: building them took longer than running them."""
    lock = _LOCK.statement("lock", _lock_statement)
    rows = lock.rows(item_id) if lock is not None else []
    item = cast(Item | None, _ITEM.one(item_id) if rows else None)
    if item is None:
        raise Item.DoesNotExist(f"library item {item_id}")
    return item, rows[0][0]


def _lock_statement() -> Prepared | None:
    newest = Edition.objects.filter(item_id=OuterRef("pk")).order_by("-number").values("pk")[:1]
    locked = Item.objects.select_for_update(of=("self",)).filter(pk=_ITEM_ID)
    return prepare(locked.annotate(current_edition=Subquery(newest)).values_list("current_edition"), _ITEM_ID)


_ITEM_ID = -790_301  # stands for the item's id while the lock's statement is compiled (no id is negative)
_LOCK: Kept[Prepared | None] = Kept(2)
_ITEM = Joined(Item, {"": None, "organisation": None})


def _current_text(current: int | None, texts: list[tuple[LibraryFile, str]]) -> str | None:
    """The text of the current edition (id ``current``) for the index when this task has just read every one of
    its files (the usual case: the upload's own task), so that 185,000 characters just written are not read
    back; None otherwise (library.search.index then reads what is stored)."""
    if current is None:
        return None
    read = {stored.pk: text for stored, text in texts if stored.edition_id == current}
    if not read or set(read) != set(LibraryFile.objects.filter(edition_id=current).values_list("pk", flat=True)):
        return None
    # In the order library.search.index reads them (the files' own order), empty texts left out.
    return "\n".join(read[pk] for pk in sorted(read) if read[pk])


def draw_previews(files: list[tuple[LibraryFile, bytes]]) -> None:
    """The first page of each PDF (its decrypted content, still in hand from reading its text) as its
    preview, after the item is searchable. A page that cannot be drawn leaves the file without a preview
    (its text, already saved, is unaffected); the next task for the item tries again."""
    for stored, content in files:
        try:
            preview = extraction.first_page_preview(content)
            with attachments.removed_on_failure() as written, transaction.atomic():
                attachments.write_thumbnail(stored=stored, thumbnail=preview, written=written)
                LibraryFile.objects.filter(pk=stored.pk).update(has_thumbnail=True)
        except Exception:
            logger.exception("library preview failed for file %s", stored.pk)
