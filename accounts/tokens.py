"""API tokens: how one is written, how it is checked, and ninja's Bearer authentication with it.

A personal token acts as its person. An organisation's service token acts as the organisation's service
identity (``Person.is_service``), so a national system's calls get exactly what a member of the
organisation with no personal grants gets, and what they make is the organisation's; the audit names the
token either way.

A token reads ``env_<prefix>_<secret>``. The prefix is public and finds the row; the secret is 32 random
bytes, kept only as its SHA-256. A slow password hash would add nothing here: the secret is random and
long, so it cannot be guessed from its hash, and a fast hash keeps every API call cheap.

What is audited: making and revoking a token (accounts.actions), and every call that may change something
(any method other than GET/HEAD/OPTIONS), here. Reads are not written to the trail one by one: a national
system polling the API would add a row per request to a hash chain that every writer queues on. Instead
the token keeps its last use (at most one write a minute), shown on the person's token page; reads of
nominal data are audited by the endpoints themselves, whoever calls them.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from accounts import access
from accounts.models import ApiToken, Person
from audit.actions import record

# The longest a token may live, and the lifetime offered by default.
MAX_DAYS = 365
DEFAULT_DAYS = 90
# Last use is written at most this often per token.
LAST_USE_PRECISION = timedelta(minutes=1)

_FORMAT = re.compile(r"env_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_text() -> tuple[str, str, str]:
    """A new token's full text, its prefix and the hash of its secret."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"env_{prefix}_{secret}", prefix, secret_hash(secret)


def find_usable(text: str) -> ApiToken | None:
    """The token this text is, if it is still usable and its person is in good standing (for a service
    token: its organisation is active); None for anything else, so a revoked, expired or unknown token are
    answered alike."""
    match = _FORMAT.fullmatch(text.strip())
    if match is None:
        return None
    prefix, secret = match.groups()
    token = ApiToken.objects.select_related("person", "person__organisation").filter(prefix=prefix).first()
    # Compared in constant time; a missing prefix is compared too, so timing says nothing either way.
    stored = token.secret_hash if token is not None else "0" * 64
    if not hmac.compare_digest(stored, secret_hash(secret)) or token is None:
        return None
    if not token.is_usable or not access.is_member_in_good_standing(token.person):
        return None
    return token


def _section(request: HttpRequest) -> str:
    root = reverse("api:api-root")
    return request.path[len(root) :].split("/", 1)[0] if request.path.startswith(root) else ""


class TokenBearer(HttpBearer):
    """``Authorization: Bearer env_...``: authenticates as the token's person, within the token's scopes.
    A browser never sends this header by itself, so these calls need no CSRF token."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        found = find_usable(token)
        if found is None:
            return None
        section = _section(request)
        if not access.token_allows(found, method=request.method or "GET", section=section):
            raise HttpError(403, _("This token's scopes do not allow this call."))
        person = found.person
        # The rest of the request is the person's, as if signed in: views and the audit trail read it.
        request.user = person
        request.api_token = found  # type: ignore[attr-defined]
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            record(
                "api_token.used",
                request=request,
                actor=person,
                target=found,
                changes={"method": request.method, "section": section},
                subject_organisation=person.organisation if person.is_service else None,
            )
        return person
