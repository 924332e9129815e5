"""Reference tables, for officers to look codes up: which tables, their version and source, their rows."""

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
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = f"q={text}" if text else ""
    return render(request, "reference/table.html", {"table": chosen, "page": page, "q": text, "query": query})
