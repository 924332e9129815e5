"""Reference tables, for officers to look codes up: which tables, their version and source, their rows."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from environet.http import SignedInRequest
from messaging.access import is_reader
from reference import tables

PAGE_SIZE = 100


@require_safe
def overview(request: SignedInRequest) -> HttpResponse:
    if not is_reader(request.user):
        raise Http404
    return render(request, "reference/overview.html", {"tables": tables.manifest()})


@require_safe
def table(request: SignedInRequest, name: str) -> HttpResponse:
    if not is_reader(request.user) or name not in tables.TABLES:
        raise Http404
    chosen = tables.table(name)
    text = request.GET.get("q", "").strip()[:100]
    entries = tables.search(name, text, limit=len(chosen.entries)) if text else list(chosen.entries)
    taxon = _higher_taxon(name, text)
    if taxon is not None:
        # A genus, family, order... named by the CITES table's rank columns: its rows below it come first.
        below = tables.members(text, name)
        entries = [*below, *(entry for entry in entries if entry not in below)]
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": text}) if text else ""
    return render(
        request,
        "reference/table.html",
        {"table": chosen, "page": page, "q": text, "query": query, "taxon": taxon},
    )


def _higher_taxon(name: str, text: str) -> dict | None:
    """The higher taxon a search names in a taxon table ("manidae" -> family Manidae), with the ranks above it."""
    if name not in ("cites", "timber", "fish") or not text or not tables.rank_of(text):
        return None
    spelled = tables.higher_taxon_name(text)
    return {
        "name": spelled,
        "code": f"{spelled} spp.",
        "rank": tables.rank_name(tables.rank_of(text)),
        "lineage": [(tables.rank_name(rank), higher) for rank, higher in tables.lineage(spelled)],
    }
