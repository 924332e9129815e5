"""The page that records the outputs of a completed activity (network.output_actions): thin (parse, call,
render). Anyone who may edit the activity records its outputs; anything else answers 404."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from environet.http import SignedInRequest
from messaging.actions import Refused
from network import access, output_actions
from network.forms import refuse
from network.output_forms import OutputsForm, row_count


@require_http_methods(["GET", "POST"])
def outputs(request: SignedInRequest, network: str, activity_id: int) -> HttpResponse:
    found = access.network_for(request.user, network)
    item = access.activity_for(request.user, found, activity_id)
    if not access.can_edit(request.user, item):
        raise Http404
    form = OutputsForm(
        request.POST if request.method == "POST" else None,
        initial=OutputsForm.initial_of(request.user, item),
        person=request.user,
        rows=row_count(item),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = output_actions.record_outputs(
                request=request, person=request.user, activity=item, draft=form.draft()
            )
        except output_actions.Invalid as error:
            refuse(form, error)
        except Refused:
            raise Http404 from None
        else:
            notices.success(request, _("The outputs have been saved.") if changed else _("Nothing has changed."))
            return redirect(reverse("network:activity", args=[found.short_name, item.pk]) + "#outputs")
    return render(
        request,
        "network/outputs_form.html",
        {
            "network": found,
            "activity": item,
            "form": form,
            "takes_outputs": item.status in output_actions.TAKES_OUTPUTS,
        },
        status=400 if form.errors else 200,
    )
