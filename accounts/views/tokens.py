"""A person's API tokens: make one (its text is shown once, on the page that answers), list, revoke."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, actions, confirmation, selectors
from accounts.forms import ApiTokenForm
from environet.http import SignedInRequest


@require_http_methods(["GET", "POST"])
@confirmation.fresh_confirmation_required
def api_tokens(request: SignedInRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
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
        form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": selectors.api_tokens(person=request.user), "new_text": new_text, "section": "tokens"},
    )
    if new_text:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@confirmation.fresh_confirmation_required
def revoke_api_token(request: SignedInRequest, token_id: int) -> HttpResponse:
    token = access.token_of(request.user, token_id)
    actions.revoke_api_token(request=request, person=request.user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:api_tokens")
