"""API tokens: a person's own, and an organisation's service tokens (made, listed and revoked by its focal
points and the administrators). A new token's text is shown once, on the page that answers."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, actions, confirmation, selectors
from accounts.forms import ApiTokenForm
from environet.http import SignedInRequest


def _shown_once(response: HttpResponse, new_text: str) -> HttpResponse:
    if new_text:
        response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@confirmation.fresh_confirmation_required
def api_tokens(request: SignedInRequest) -> HttpResponse:
    usable = access.token_scopes_usable_by(request.user)
    form = ApiTokenForm(request.POST or None, scopes=usable)
    new_text = ""
    if request.method == "POST" and form.is_valid():
        _token, new_text = actions.create_api_token(
            request=request,
            person=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_on=form.cleaned_data["expires_on"],
        )
        # Rendered, not redirected: the text must not travel through the session or a URL.
        form = ApiTokenForm(scopes=usable)
    context = {
        "form": form,
        "tokens": selectors.api_tokens(person=request.user),
        "new_text": new_text,
        "section": "tokens",
        "manages_service_tokens": access.can_manage_service_tokens(request.user, request.user.organisation),
    }
    return _shown_once(render(request, "accounts/api_tokens.html", context), new_text)


@require_POST
@confirmation.fresh_confirmation_required
def revoke_api_token(request: SignedInRequest, token_id: int) -> HttpResponse:
    token = access.token_of(request.user, token_id)
    actions.revoke_api_token(request=request, person=request.user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:api_tokens")


@require_http_methods(["GET", "POST"])
@confirmation.fresh_confirmation_required
def service_tokens(request: SignedInRequest, organisation_id: int) -> HttpResponse:
    organisation = access.service_tokens_organisation_for(request.user, organisation_id)
    may_make = access.can_make_service_token(request.user, organisation)
    form = ApiTokenForm(request.POST or None) if may_make else None
    new_text = ""
    if request.method == "POST" and form is not None and form.is_valid():
        _token, new_text = actions.create_service_token(
            request=request,
            actor=request.user,
            organisation=organisation,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_on=form.cleaned_data["expires_on"],
        )
        form = ApiTokenForm()
    context = {
        "organisation": organisation,
        "form": form,
        "tokens": selectors.service_tokens(person=request.user, organisation=organisation),
        "new_text": new_text,
    }
    return _shown_once(render(request, "accounts/service_tokens.html", context), new_text)


@require_POST
@confirmation.fresh_confirmation_required
def revoke_service_token(request: SignedInRequest, organisation_id: int, service_token_id: int) -> HttpResponse:
    organisation = access.service_tokens_organisation_for(request.user, organisation_id)
    token = access.service_token_of(request.user, organisation, service_token_id)
    actions.revoke_service_token(request=request, actor=request.user, token=token)
    messages.success(request, _("The service token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:service_tokens", organisation.pk)
