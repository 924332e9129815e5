"""Small helpers shared by the accounts tests: following emailed links, signing in through the pages."""

import re
from email.message import Message
from typing import Any

import pyotp
from django.test import Client

from accounts.models import Person
from audit.models import Entry
from conftest import PASSWORD, Mailbox, current_code

_LINK = re.compile(r"https?://[^/\s]+(/\S+)")
# A masked CSRF token, in a form field or a <meta> tag: 64 letters and digits.
_CSRF = re.compile(rb'"[A-Za-z0-9]{64}"')


def link_in(message: Message) -> str:
    """The path of the (single) link in an email, ready for the test client."""
    found = _LINK.findall(Mailbox.body(message))
    assert len(found) == 1, found
    return found[0]


_SUBMISSION_KEY = re.compile(rb'(name="submission_key" value=)"[^"]*"')


def without_csrf(content: bytes) -> bytes:
    # The CSRF token is masked afresh on every page, and a form's one-time submission key is new on every page
    # (environet/submissions.py), so two renderings of one page differ only there.
    return _SUBMISSION_KEY.sub(rb'\1""', _CSRF.sub(b'""', content))


def entries(action: str) -> list[Entry]:
    return list(Entry.objects.filter(action=action).order_by("seq"))


def sign_in(client: Client, person: Person, *, password: str = PASSWORD, code: str | None = None, **extra):
    """Both steps of signing in through the pages; returns the answer to the code step."""
    response = client.post("/accounts/signin/", {"email": person.email, "password": password}, **extra)
    assert response.status_code == 302 and response["Location"] == "/accounts/signin/code/", response
    return client.post("/accounts/signin/code/", {"code": code or current_code(person)}, **extra)


def enrol(client: Client) -> tuple[str, Any]:
    """Read the new secret from the enrolment page, as a person typing it into an app, and confirm it.

    Returns the secret and the answer to the confirmation."""
    page = client.get("/accounts/enrol/")
    assert page.status_code == 200, page
    secret = page.context["secret"].replace(" ", "")
    return secret, client.post("/accounts/enrol/", {"code": pyotp.TOTP(secret).now()})


def is_signed_in(client: Client) -> bool:
    """Whether the client's session still opens a signed-in page (the home page greets by name)."""
    response = client.get("/")
    return response.status_code == 200 and response.context["user"].is_authenticated
