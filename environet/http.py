"""Request types as our middleware leaves them, so views are type-checked against what they really get."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import Person


class Request(HttpRequest):
    client_address: str  # set by ClientAddressMiddleware


class SignedInRequest(Request):
    user: "Person"  # SignInRequiredMiddleware lets no one else through
