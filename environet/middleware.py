"""Project-wide middleware: the client's address, and no caching of signed-in pages."""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
