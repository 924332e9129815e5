"""What the audit trail calls library items and files: only what the viewer may read today (library.access),
so a title or a file name never reaches someone outside the item's audience."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from audit import labels
from library import access, extraction
from library.models import Extraction, Item


def items(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.items_visible_to(viewer).filter(pk__in=ids).values_list("pk", "title"))


def files(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.files_visible_to(viewer).filter(pk__in=ids).values_list("pk", "name"))


def collections(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.collections_visible_to(viewer).filter(pk__in=ids).values_list("pk", "name"))


def register() -> None:
    labels.register("library.item", name=gettext_lazy("library item"), labels=items)
    labels.register("library.libraryfile", name=gettext_lazy("library file"), labels=files)
    labels.register("library.collection", name=gettext_lazy("library collection"), labels=collections)
    # Reading a file's text records the item's extraction state and the failure's code (library.tasks).
    labels.register_changes(
        "library.item",
        {
            "state": labels.Words(name=gettext_lazy("state"), values=dict(Extraction.choices)),
            "reason": labels.Words(name=gettext_lazy("reason"), values=extraction.FAILURES),
            "fields": labels.Words(name=gettext_lazy("fields changed"), values=labels.field_names(Item), listed=True),
        },
    )
    # A file's edition is recorded by its number, not by the id its field holds.
    labels.register_changes("library.libraryfile", {"edition": labels.Words(name=gettext_lazy("edition"))})
