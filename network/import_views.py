"""Importing a roadmap from a spreadsheet (network.importer): for whoever may propose activities."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from environet.http import SignedInRequest
from messaging.actions import Refused
from network import access, importer
from network.import_forms import ImportForm, keep


@require_http_methods(["GET", "POST"])
def roadmap_import(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    if not access.can_propose(request.user, found):
        raise Http404
    ids = {"person_id": request.user.pk, "network_id": found.pk}
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None, **ids)
    report, kept_name = None, ""
    if posted and form.is_valid():
        name, content = form.cleaned_data["name"], form.cleaned_data["content"]
        try:
            created = importer.import_roadmap(
                request=request, person=request.user, network=found, name=name, content=content
            )
        except Refused:
            raise Http404 from None
        except importer.Rejected as rejected:
            report, kept_name = rejected.report, name
            form = ImportForm(initial={"kept": keep(name, content, **ids)}, **ids)
        else:
            notices.success(
                request,
                ngettext(
                    "%(count)d activity has been added to the roadmap.",
                    "%(count)d activities have been added to the roadmap.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("network:roadmap", network=found.short_name)
    failed = report is not None or bool(form.errors)
    return render(
        request,
        "network/roadmap_import.html",
        {"network": found, "form": form, "report": report, "kept_name": kept_name},
        status=400 if failed else 200,
    )
