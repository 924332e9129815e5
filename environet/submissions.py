"""One-time submission keys: a post, reply, seizure record or upload sent twice is stored once.

A slow link loses the answer to a POST; the officer presses the button again (or the browser resends), and
the first version stored two messages. Each form carries a random key (``{% submission_key %}``); a view
decorated with ``@once`` records, when it succeeds (it answers with a redirect to the result, as every such
view here does), the key with that address. The same person sending the same key again is sent to the first
result, with nothing stored a second time. A key expires after ``KEEP``; without a key (an old page, the API)
the view runs as before.

Two sends of one key may also arrive together (a double click: the browser sends the second while the first
is still being done). The first send claims its key before its work (a row with no result yet); the second
finds it claimed and waits for the first to finish, then is sent to its result. A refused send (a form with a
mistake) or one that failed gives its key back, so the corrected send counts once; a claim left by a process
that stopped mid-way is taken over after ``ABANDONED``.
"""

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from environet.models import Submission

FIELD = "submission_key"
KEEP = timedelta(days=2)


def new_key() -> str:
    return secrets.token_urlsafe(24)


PENDING = ""  # the result of a claimed key while its first send is being done
ABANDONED = timedelta(minutes=2)  # longer than any send takes: its process stopped, the key is free again
WAIT_SECONDS = 15.0  # how long a second send waits for the first before saying it is still being done
_POLL_SECONDS = 0.1


def _earlier(person: Any, key: str) -> Submission | None:
    found = Submission.objects.filter(person=person, key=key, created_at__gte=timezone.now() - KEEP)
    return found.exclude(result_url=PENDING).first()


def _claimed(person: Any, key: str) -> bool:
    """Claim ``key`` for this send (True), unless another send holds it (False)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            Submission.objects.create(person=person, key=key, result_url=PENDING)
        return True
    except IntegrityError:
        pass
    # Expired, or left pending by a send whose process stopped: taken over, by one send only.
    stale = Q(created_at__lt=now - KEEP) | Q(result_url=PENDING, created_at__lt=now - ABANDONED)
    taken = Submission.objects.filter(stale, person=person, key=key).update(result_url=PENDING, created_at=now)
    return bool(taken)


def _answer_for_a_send_again(person: Any, key: str) -> HttpResponse | None:
    """None once this send holds ``key``; otherwise where the first send of it led, once it has finished."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not _claimed(person, key):
        earlier = _earlier(person, key)
        if earlier is not None:
            return redirect(earlier.result_url)
        if time.monotonic() > deadline:
            return HttpResponse(
                _("This form is still being sent. Wait a moment, then open the page again: it will be there once."),
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        time.sleep(_POLL_SECONDS)  # the first send is being done, or just gave the key back
    return None


def _give_back(person: Any, key: str) -> None:
    Submission.objects.filter(person=person, key=key, result_url=PENDING).delete()


def once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = request.POST.get(FIELD, "")[:64] if request.method == "POST" else ""
        if not key or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        person: Any = request.user
        answer = _answer_for_a_send_again(person, key)
        if answer is not None:
            return answer
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            _give_back(person, key)
            raise
        if isinstance(response, HttpResponseRedirect):
            Submission.objects.filter(person=person, key=key).update(result_url=response["Location"])
        else:
            _give_back(person, key)  # refused: the corrected send is the same submission
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
