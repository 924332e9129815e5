from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import TooManyFilesSent
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from environet import broker, keys, storage, worker


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status for load balancers and monitoring: 200 healthy, 503 not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok, database = True, connection.vendor
    except DatabaseError as error:
        database_ok, database = False, f"unreachable: {type(error).__name__}"
    broker_ok, broker_state = broker.status()
    keys_ok, keys_state = _keys_status() if database_ok else (False, "not checked: the database is unreachable")
    healthy = database_ok and broker_ok and keys_ok
    writable, storage_state = storage.status() if database_ok else (False, "not checked")
    tasks_run, worker_state = worker.status() if database_ok else (False, "not checked")
    body = {
        # Degraded: reads work, saving (or the work after it: emails, imports, files read) does not; the
        # process stays in rotation for the readers.
        "status": ("ok" if writable and tasks_run else "degraded") if healthy else "unhealthy",
        "database": {"ok": database_ok, "detail": database},
        "broker": {"ok": broker_ok, "detail": broker_state},
        "encryption": {"ok": keys_ok, "detail": keys_state},
        "storage": {"ok": writable, "detail": storage_state},
        "worker": {"ok": tasks_run, "detail": worker_state},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _keys_status() -> tuple[bool, str]:
    """A restored data folder whose key is not configured looks healthy otherwise, and fails every download."""
    try:
        found = keys.status()
    except DatabaseError as error:
        return False, f"not checked: {type(error).__name__}"
    return found.ok, found.detail


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        from accounts.selectors import home_summary

        return render(request, "home.html", home_summary(person=request.user))
    return render(request, "landing.html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400. What an officer can do something about is said plainly: too many files in one form (Django stopped
    reading at the first one too many), or a form Django could not read, of which the usual cause is a file
    with a very long name (its part's headers went past Django's limit)."""
    if isinstance(exception, TooManyFilesSent):
        reason = _(
            "Too many files at once: at most %(count)d can go with one message or record. Nothing was kept. "
            "Go back and choose fewer."
        ) % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    elif isinstance(exception, MultiPartParserError):
        reason = _(
            "The form could not be read, and nothing was kept. If you attached a file with a very long name, "
            "give it a shorter name and send the form again."
        )
    else:
        return defaults.bad_request(request, exception)
    return render(request, "400.html", {"reason": reason}, status=400)
