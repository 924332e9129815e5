"""Rating an item and commenting on it: POSTs from the item page, which they return to with a notice saying
what happened or why nothing was saved. Thin: access through library.access, writes through
library.feedback_actions."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from environet.http import SignedInRequest
from library import access, feedback_actions
from library.views import _reader


@require_POST
def rate(request: SignedInRequest, item_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.item_for(person, item_id)
    value = request.POST.get("stars", "")
    try:
        feedback_actions.rate(request=request, person=person, item=found, stars=int(value) if value.isdigit() else None)
    except feedback_actions.Refused as refused:
        notices.error(request, str(refused) or _("Nothing was saved."))
    else:
        notices.success(request, _("Thank you: your rating is saved."))
    return redirect("library:item", item_id=found.pk)


@require_POST
def comment(request: SignedInRequest, item_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.item_for(person, item_id)
    if not access.can_comment(person, found):
        raise Http404
    try:
        feedback_actions.comment(request=request, person=person, item=found, body=request.POST.get("body", ""))
    except feedback_actions.Refused as refused:
        notices.error(request, str(refused) or _("Nothing was saved."))
    else:
        notices.success(request, _("Your comment is in the item's conversation."))
    return redirect("library:item", item_id=found.pk)
