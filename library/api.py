"""The library part of the API: search with the page's filters, and one item with its editions and files.
Everything through library.access: results, counts and items only from what the signed-in person may read."""

from datetime import date
from typing import Any

from django.urls import reverse
from ninja import Query, Router, Schema

from environet.api_errors import FiltersRefusedOut, filters_refused, refusals
from library import access, extraction, links, search, selectors
from library.forms import SearchForm
from library.models import Extraction, Item, LibraryFile, ReferenceLink

router = Router(tags=["library"])
PAGE_SIZE = 20


class SearchIn(Schema):
    q: str = ""
    kind: str = ""
    topic: str = ""
    convention: str = ""
    language: str = ""
    organisation: str = ""
    year: str = ""
    page: int = 1


class ItemSummaryOut(Schema):
    id: int
    title: str
    kind: str
    marking: str
    marking_label: str
    organisation: str
    published_on: date
    languages: list[str]
    conventions: list[str]
    url: str


class LibrarySearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ItemSummaryOut]


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str
    preview_url: str | None
    # Whether reading found text in the file (a scanned PDF holds none: only the item's title and summary
    # can then be searched); null until it has been read, and for files that hold no text (images).
    text_found: bool | None


class EditionOut(Schema):
    number: int
    version: str
    changes: str
    published_on: date
    files: list[FileOut]


class ReferenceOut(Schema):
    table: str
    code: str
    label: str


class ItemOut(ItemSummaryOut):
    summary: str
    topics: list[str]
    authors: str
    licence: str
    external_url: str
    external_title: str
    external_checked_on: date | None
    extraction: str
    editions: list[EditionOut]
    references: list[ReferenceOut]


def _summary(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "kind": item.kind,
        "marking": item.marking,
        "marking_label": item.get_marking_display(),
        "organisation": str(item.organisation),
        "published_on": item.published_on,
        "languages": item.language_codes,
        "conventions": item.convention_codes,
        "url": reverse("library:item", args=[item.pk]),
    }


@router.get(
    "/search",
    response={200: LibrarySearchOut, **refusals(), 400: FiltersRefusedOut},
    summary="Library items the signed-in person may read that match words and filters, newest first",
)
def search_library(request, filters: Query[SearchIn]) -> Any:
    person = request.auth
    criteria = filters.dict(exclude={"page"})
    form = SearchForm({name: value for name, value in criteria.items() if value})
    if not form.is_valid():
        return filters_refused(form)
    page = search.page(person=person, filters=form.filters(), number=filters.page, size=PAGE_SIZE)
    return LibrarySearchOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        results=[ItemSummaryOut(**_summary(item)) for item in page],
    )


def _text_found(stored: LibraryFile, read: bool) -> bool | None:
    if not read or not extraction.has_reader(stored.content_type):
        return None
    return bool(stored.has_text)  # type: ignore[attr-defined]  # selectors.editions_of's annotation


@router.get(
    "/items/{item_id}",
    response={200: ItemOut, **refusals(missing=True)},
    summary="One library item with its editions and files",
)
def read_library_item(request, item_id: int) -> Any:
    item = access.item_for(request.auth, item_id)
    editions = selectors.editions_of(item)
    read = item.extraction == Extraction.DONE
    return ItemOut(
        **_summary(item),
        summary=item.summary,
        topics=list(item.topics.values_list("code", flat=True)),
        authors=item.authors,
        licence=item.licence,
        external_url=item.external_url,
        external_title=item.external_title,
        external_checked_on=item.external_checked_on,
        extraction=item.extraction,
        editions=[
            EditionOut(
                number=edition.number,
                version=edition.version,
                changes=edition.changes,
                published_on=edition.published_on,
                files=[
                    FileOut(
                        id=stored.pk,
                        name=stored.name,
                        content_type=stored.content_type,
                        size=stored.size,
                        url=reverse("library:file", args=[stored.pk]),
                        preview_url=reverse("library:preview", args=[stored.pk]) if stored.has_thumbnail else None,
                        text_found=_text_found(stored, read),
                    )
                    for stored in edition.files.all()
                ],
            )
            for edition in editions
        ],
        references=[
            ReferenceOut(table=link.table, code=link.code, label=links.label(link.table, link.code))
            for link in ReferenceLink.objects.filter(item=item)
        ],
    )
