"""One-time submission keys: a post, reply, seizure record or upload sent twice is stored once.

A slow link loses the answer to a POST; the officer presses the button again (or the browser resends), and
the first version stored two messages. Each form carries a random key (``{% submission_key %}``); a view
decorated with ``@once`` records, when it succeeds (it answers with a redirect to the result, as every such
view here does), the key with that address. The same person sending the same key again is sent to the first
result, with nothing stored a second time. A key expires after ``KEEP``; without a key (an old page, the API)
the view runs as before.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from environet.models import Submission

FIELD = "submission_key"
KEEP = timedelta(days=2)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def _earlier(person: Any, key: str) -> Submission | None:
    return Submission.objects.filter(person=person, key=key, created_at__gte=timezone.now() - KEEP).first()


def once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = request.POST.get(FIELD, "")[:64] if request.method == "POST" else ""
        if not key or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        earlier = _earlier(request.user, key)
        if earlier is not None:
            return redirect(earlier.result_url)
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseRedirect):
            try:
                with transaction.atomic():
                    person: Any = request.user
                    Submission.objects.create(person=person, key=key, result_url=response["Location"])
            except IntegrityError:  # the same key, sent twice at once, finished first elsewhere
                pass
        return response

    return wrapper


def forget_old() -> int:
    """Remove keys past ``KEEP`` (the task worker's heartbeat does, environet/worker.py)."""
    deleted, _ = Submission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted


def earlier_result(person: Any, key: str) -> str | None:
    """Where the first request sent with this key led (the API's Idempotency-Key), if it succeeded."""
    earlier = _earlier(person, key[:64])
    return earlier.result_url if earlier is not None else None


def remember(person: Any, key: str, result_url: str) -> None:
    """Record a success under its key, inside the caller's transaction: a second request with the same key
    finishing first makes this raise IntegrityError, and the caller's work is rolled back with it."""
    Submission.objects.create(person=person, key=key[:64], result_url=result_url)
