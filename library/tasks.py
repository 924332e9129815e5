"""Reading the text of an item's current files, in the task queue after the upload commits.

The item's ``extraction`` says how far it has got: waiting, extracting, done, or failed with a reason code
(library.extraction.FAILURES). Each file's text is stored on it and the item is indexed again for search;
the first page of each PDF becomes its preview, stored encrypted as the file's thumbnail.
"""

import logging

from django.db import transaction
from django.tasks import task

from audit.actions import record
from library import extraction, search
from library.models import Extraction, Item, LibraryFile
from messaging import attachments

logger = logging.getLogger(__name__)


@task()
def extract_text(*, item_id: int) -> str:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return "gone"
    Item.objects.filter(pk=item_id).update(extraction=Extraction.EXTRACTING, extraction_failure="")
    failure = ""
    # Every file not read yet, of any edition: a task that runs late (after a newer edition) still gives the
    # earlier files their previews. Only the current edition's text is indexed (library.search.index).
    for stored in LibraryFile.objects.filter(edition__item_id=item_id, text=""):
        try:
            _read(stored)
        except extraction.ExtractionFailed as failed:
            failure = failure or failed.code
        except Exception:
            logger.exception("library extraction failed for file %s", stored.pk)
            failure = failure or "internal"
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item_id)
        item.extraction = Extraction.FAILED if failure else Extraction.DONE
        item.extraction_failure = failure
        item.save(update_fields=["extraction", "extraction_failure"])
        search.index(item)
        # By the task, not a person: the state and the reason's code, nothing read from the files.
        record("library.text_read", target=item, changes={"state": item.extraction, "reason": failure})
    return item.extraction


def _read(stored: LibraryFile) -> None:
    content = attachments.content_of(stored)
    text = extraction.text_of(content, stored.content_type)
    preview = None
    if stored.content_type == attachments.PDF and not stored.has_thumbnail:
        preview = extraction.first_page_preview(content)
    with attachments.removed_on_failure() as written, transaction.atomic():
        stored.text = text
        fields = ["text"]
        if preview is not None:
            attachments.write_thumbnail(stored=stored, thumbnail=preview, written=written)
            stored.has_thumbnail = True
            fields.append("has_thumbnail")
        stored.save(update_fields=fields)
