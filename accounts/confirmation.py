"""Fresh confirmation ("sudo mode") for sensitive actions, and the half-finished sign-in between steps."""

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Person

PENDING_SECONDS = 5 * 60


def is_fresh(request: HttpRequest) -> bool:
    return time.time() - request.session.get("confirmed_at", 0) < settings.CONFIRMATION_SECONDS


def mark_confirmed(request: HttpRequest) -> None:
    request.session["confirmed_at"] = time.time()


def fresh_confirmation_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ask for a one-time code again before the view runs, if the last one is more than 10 minutes old."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_fresh(request):
            back = request.get_full_path() if request.method == "GET" else request.headers.get("Referer", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = reverse("home")
            return redirect(reverse("accounts:confirm") + "?" + urlencode({"next": back}))
        return view(request, *args, **kwargs)

    return wrapper


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def begin(request: HttpRequest, person: Person, *, stage: str, next_url: str = "") -> None:
    """Remember who proved their password, for the next step only (a few minutes)."""
    request.session.cycle_key()
    request.session["pending"] = {"person": person.pk, "stage": stage, "since": time.time(), "next": next_url}


def pending_person(request: HttpRequest, stage: str) -> Person | None:
    pending = request.session.get("pending")
    if not pending or pending.get("stage") != stage or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    person = Person.objects.filter(pk=pending["person"]).select_related("organisation").first()
    return person if person is not None and person.is_active else None


def finish(request: HttpRequest) -> str:
    pending = request.session.pop("pending", {}) or {}
    return pending.get("next", "")
