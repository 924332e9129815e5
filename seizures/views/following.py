"""Searches a person follows: each new shared record matching one is announced to them."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from environet.http import SignedInRequest
from seizures import access, actions, nominal
from seizures.forms import FollowForm, country_label


def _reader(request: SignedInRequest):
    if not access.can_read(request.user):
        raise Http404
    return request.user


def _described(followed) -> dict:
    company = ""
    if followed.company_sealed:
        company = nominal.unseal_text(followed.company_sealed, context=f"followed-company:{followed.person_id}")
    return {
        "followed": followed,
        "convention": followed.get_convention_display() if followed.convention else "",
        "country": country_label(followed.country) if followed.country else "",
        "company": company,
    }


@require_http_methods(["GET", "POST"])
def following(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.follow_search(
            request=request,
            person=person,
            name=data["name"],
            convention=data["convention"],
            code=data["code"],
            country=data["country"],
            company=data["company"].strip(),
            by_email=data["by_email"],
        )
        notices.success(
            request, _("You will be told of each new record that matches “%(name)s”.") % {"name": data["name"]}
        )
        return redirect("seizures:following")
    searches = [_described(followed) for followed in access.followed_searches_of(person)]
    return render(
        request,
        "seizures/following.html",
        {"form": form, "searches": searches},
        status=400 if form.errors else 200,
    )


@require_POST
def unfollow(request: SignedInRequest, search_id: int) -> HttpResponse:
    person = _reader(request)
    followed = access.followed_search_for(person, search_id)
    actions.unfollow_search(request=request, person=person, followed=followed)
    notices.success(request, _("You no longer follow “%(name)s”.") % {"name": followed.name})
    return redirect("seizures:following")
