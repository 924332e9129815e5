from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit import access, labels, selectors
from audit.forms import AuditFilterForm
from environet.http import SignedInRequest


@require_safe
def trail(request: SignedInRequest) -> HttpResponse:
    """The audit trail, filtered; administrators see all of it, focal points their organisation's part."""
    if not access.can_browse(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.search_entries(
        person=request.user,
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        organisation_id=filters["organisation"].pk if filters.get("organisation") else None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Labels are made now, for this viewer: what they may not read today shows as "thread #9 (restricted)".
    rows = labels.show(request.user, page.object_list)
    return render(request, "audit/trail.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()})
