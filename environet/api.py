"""The HTTP API (django-ninja): authenticated by the session or by a personal API token (Bearer), every
endpoint denied to anonymous callers."""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import SessionAuth

from accounts.api import router as accounts_router
from accounts.tokens import TokenBearer
from assistance.api import router as assistance_router
from library.api import router as library_router
from messaging.api import router as messaging_router
from reference.api import router as reference_router
from seizures.api import router as seizures_router
from topics.api import router as topics_router


def _signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema too: it lists every endpoint and field, which is nobody's business outside the network.
    (Ninja's ``auth`` covers the operations only; its schema view would otherwise answer anyone.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        signed_in = request.user.is_authenticated and request.user.is_active
        try:
            # A national system's token with the read scope may read the schema it is written against.
            if not signed_in and TokenBearer()(request) is None:
                return JsonResponse({"detail": "Unauthorized"}, status=401)
        except HttpError as refused:
            return JsonResponse({"detail": refused.message}, status=refused.status_code)
        return view(request, *args, **kwargs)

    return wrapper


class _Session(SessionAuth):
    """ninja's session authentication, with its CSRF check only for a request that has a session: ninja
    checks first, so a call with no session cookie (a token's, or nobody's) would be refused as a forgery
    (403) before the token was read, or before it could be told it is not signed in (401).

    It reads the body before that check, which reads a form post's fields and so consumes a multipart body
    that ninja reads afterwards (a session POST of a form would otherwise be a server error, not a 422)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.body  # noqa: B018  (cached on the request for the CSRF check and for ninja)
        return super()._get_key(request)


# No interactive docs page: it would load scripts from a CDN, which closed networks cannot reach.
api = NinjaAPI(
    title="ENVIRONET API",
    version="1",
    # The token first: a browser never sends it by itself, so a call with one needs no CSRF token, even from
    # someone who also has a session cookie.
    auth=[TokenBearer(), _Session()],
    docs_url=None,
    docs_decorator=_signed_in_only,
    urls_namespace="api",
)


@api.exception_handler(Http404)
def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same words whatever is missing (ninja adds the exception's text, empty here, under DEBUG).
    return api.create_response(request, {"detail": "Not Found"}, status=404)


api.add_router("/people", accounts_router)
api.add_router("/topics", topics_router)
api.add_router("/messages", messaging_router)
api.add_router("/seizures", seizures_router)
api.add_router("/reference", reference_router)
api.add_router("/library", library_router)
api.add_router("/assistance", assistance_router)
