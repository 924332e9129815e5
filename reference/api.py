"""Reference tables in the API: look up codes as officers type them."""

from typing import Any

from django.http import Http404
from ninja import Query, Router, Schema

from environet.api_errors import refusals
from reference import tables

router = Router(tags=["reference"])


class LookupIn(Schema):
    q: str = ""
    limit: int = 20


class EntryOut(Schema):
    code: str
    label: str
    source: str
    as_of: str


class TableOut(Schema):
    name: str
    title: str
    version: str
    source: str
    as_of: str
    results: list[EntryOut]


@router.get(
    "/{name}",
    response={200: TableOut, **refusals(missing=True)},
    summary="Entries of a reference table whose code or name matches",
)
def lookup(request, name: str, query: Query[LookupIn]) -> Any:
    if name not in tables.TABLES:
        raise Http404
    table = tables.table(name)
    found = tables.search(name, query.q, limit=max(1, min(query.limit, 100))) if query.q else []
    return TableOut(
        name=table.name,
        title=table.title,
        version=table.version,
        source=table.source,
        as_of=table.as_of,
        results=[
            EntryOut(code=entry.code, label=entry.label, source=entry.source, as_of=entry.as_of) for entry in found
        ],
    )
