"""Session limits and the signed-in person's language and time zone."""

import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# How often the "last seen" stamp is rewritten: often enough for the idle limit, rarely enough that
# every page view is not a database write.
_SEEN_RESOLUTION = 60
_LIVE_PATH = "/messages/live/"


class SessionLimitsMiddleware:
    """Ends a session idle for too long (default 30 minutes) or open for too long (default 12 hours)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault("signed_in_at", now)
            seen = request.session.get("seen_at", now)
            if now - started > settings.SESSION_MAX_SECONDS or now - seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
            elif request.path_info == _LIVE_PATH:
                pass  # an open page's live stream is not activity: the idle limit still applies
            elif now - seen > _SEEN_RESOLUTION or "seen_at" not in request.session:
                request.session["seen_at"] = now
        return self.get_response(request)


class PersonPreferencesMiddleware:
    """Pages speak the person's chosen language and show times in their time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = request.user
        if person.is_authenticated:
            translation.activate(person.language)
            request.LANGUAGE_CODE = person.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(person.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        if person.is_authenticated:
            response.setdefault("Content-Language", person.language)
        timezone.deactivate()
        return response
