"""Reads for the library pages, always through library.access."""

from typing import Any

from django.db.models import Count, Max

from library import access, extraction, links
from library.models import Download, Edition, Item, ReferenceLink
from seizures.models import Convention


def item_page(*, person, item: Item) -> dict[str, Any]:
    """What the item page shows ``person``, who may read ``item`` (access.item_for)."""
    editions = list(Edition.objects.filter(item=item).prefetch_related("files").select_related("added_by"))
    figures = download_figures(person=person, item=item) if access.can_see_figures(person, item) else None
    return {
        "item": item,
        "current": editions[0] if editions else None,
        "earlier": editions[1:],
        "references": [(link, links.label(link.table, link.code)) for link in ReferenceLink.objects.filter(item=item)],
        "topics": list(item.topics.all()),
        "conventions": [str(Convention(code).label) for code in item.convention_codes if code in Convention.values],
        "can_add_edition": access.can_add_edition(person, item),
        "figures": figures,
        "failure": str(extraction.FAILURES.get(item.extraction_failure, "")) if item.extraction_failure else "",
    }


def download_figures(*, person, item: Item) -> dict[str, Any] | None:
    """How many downloads, of which file, and who: for the publishing organisation only (None for others)."""
    if not access.can_see_figures(person, item):
        return None
    downloads = Download.objects.filter(item=item)
    by_person = (
        downloads.values("person__full_name", "person__organisation__name")
        .annotate(count=Count("pk"), last=Max("at"))
        .order_by("-last")
    )
    by_file = (
        downloads.values("file__name", "file__edition__number")
        .annotate(count=Count("pk"))
        .order_by("-file__edition__number", "file__name")
    )
    return {"total": downloads.count(), "people": list(by_person), "files": list(by_file)}


def year_choices(person) -> list[int]:
    return sorted(
        {day.year for day in access.items_visible_to(person).values_list("published_on", flat=True)}, reverse=True
    )
