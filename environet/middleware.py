"""Project-wide middleware: the client's address, no caching of signed-in pages, compressed pages and
static files."""

import ipaddress
import os
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from whitenoise.base import WhiteNoise
from whitenoise.middleware import WhiteNoiseMiddleware


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXIES]


def client_address(request: HttpRequest) -> str:
    """The address of the person's machine.

    X-Forwarded-For is believed only when the request came from a configured trusted proxy, and then
    only up to the first hop that is not itself a trusted proxy: a client can put anything in the
    header, so its left-most entries prove nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = _networks()
    if not trusted or not _is_in(remote, trusted):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return hop
    return hops[0] if hops else remote


def _is_in(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_address = client_address(request)  # type: ignore[attr-defined]
        return self.get_response(request)


class NoStoreMiddleware:
    """Signed-in pages hold information that must not stay in shared or browser caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.session.get("pending"):
            response["Cache-Control"] = "no-store"
        return response


# What is worth compressing: text. Images, archives and office files are compressed already.
_COMPRESSIBLE = re.compile(r"^(text/|application/(json|javascript|xml|manifest\+json)|image/svg\+xml)")


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip (since Django 4.2 with random padding in the compressed body against BREACH), for
    pages and other text only, and never for a streaming response: a live stream (Server-Sent Events) must
    reach the page frame by frame, and gzip would hold each frame back until its buffer fills."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.streaming or not _COMPRESSIBLE.match(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, which sends the gzip copy collectstatic wrote beside each file to browsers that accept it.

    Production serves only the collected files. In development (``make run`` collects them at start, and
    WhiteNoise looks the files up at each request) the collected copy is served while it is at least as
    new as the source, so it comes compressed; after an edit in ``static/`` the source is served, as it is,
    until the next collectstatic."""

    def candidate_paths_for_url(self, url: str) -> Iterator[str]:
        source = None
        if self.use_finders and url.startswith(self.static_prefix):
            source = finders.find(url[len(self.static_prefix) :])
        source = source if isinstance(source, str) else None
        for collected in WhiteNoise.candidate_paths_for_url(self, url):
            try:
                current = source is None or os.stat(collected).st_mtime >= os.stat(source).st_mtime
            except OSError:
                continue
            if current:
                yield collected
        if source:
            yield source
