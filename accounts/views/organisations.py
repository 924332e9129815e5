"""Organisations: kept by the platform administrators (the secretariat)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import access, actions, selectors
from accounts.forms import OrganisationForm
from accounts.models import Organisation
from environet.http import SignedInRequest


def _administrator(request: SignedInRequest):
    if not access.can_manage_organisations(request.user):
        raise Http404
    return request.user


@require_safe
def organisations(request: SignedInRequest) -> HttpResponse:
    actor = _administrator(request)
    return render(request, "accounts/organisations.html", {"organisations": selectors.organisations_list(person=actor)})


@require_http_methods(["GET", "POST"])
def organisation_edit(request: SignedInRequest, organisation_id: int | None = None) -> HttpResponse:
    actor = _administrator(request)
    organisation = access.organisation_for_manager(actor, organisation_id) if organisation_id else Organisation()
    # The form gets its own copy: validating a ModelForm writes into its instance, and the action must
    # see the values from before to audit the change.
    copy = Organisation.objects.get(pk=organisation.pk) if organisation.pk else Organisation()
    form = OrganisationForm(request.POST or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        actions.save_organisation(request=request, actor=actor, organisation=organisation, data=form.cleaned_data)
        messages.success(request, _("The organisation %(name)s has been saved.") % {"name": organisation.name})
        return redirect("accounts:organisations")
    return render(request, "accounts/organisation_edit.html", {"form": form, "organisation": organisation})
