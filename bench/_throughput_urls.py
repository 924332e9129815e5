"""The bench's URLconf (bench/_throughput_settings.py): ENVIRONET's own, plus ``/bench/bare/``, a view that
does nothing, reached through the same middleware with the same session, against which bench/throughput.py
compares the pages. The profiling middleware of ``throughput.py --profile`` is here too."""

import cProfile
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from environet.urls import handler400, handler500
from environet.urls import urlpatterns as site_patterns

BARE_PAGE = b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Bare</title></head><body>ok</body></html>"


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    """Nothing but the answer: what every page pays before its own work (middleware, session, person)."""
    return HttpResponse(BARE_PAGE)


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_patterns]

__all__ = ["handler400", "handler500", "urlpatterns"]


class ProfileMiddleware:
    """Profiles each request and adds it to the profile of its kind of page (the path, numbers replaced by
    "N"), written to ENVIRONET_BENCH_PROFILE_DIR when the server stops (and after every 20 requests)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.folder = Path(os.environ["ENVIRONET_BENCH_PROFILE_DIR"])
        self.profiles: dict[str, cProfile.Profile] = {}
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = re.sub(r"\d+", "N", request.path).strip("/").replace("/", "_") or "home"
        with self.lock:
            profile = self.profiles.setdefault(name, cProfile.Profile())
        profile.enable()
        try:
            response = self.get_response(request)
        finally:
            profile.disable()
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1
            if self.counts[name] % 20 == 0:
                profile.dump_stats(self.folder / f"{name}.prof")
        return response
