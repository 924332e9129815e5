"""What an API operation answers instead of its result, declared in the schema as ninja and ENVIRONET send it,
so that a client generated from the schema (and the fuzz, environet/tests/test_api_schemathesis.py) knows
every answer it can get:

- 401: no session and no usable token (unknown, revoked, expired, or its person no longer active);
- 403: the token's scopes do not allow the call, or a session's call that changes something lacks its CSRF
  token;
- 404: missing, or not the caller's to read or change: the same answer, so that nobody can probe what exists;
- 422: a path, query or header value, or a body, that is not of the declared type (ninja's report: where,
  what);
- 400: a body that is not JSON at all; from a search, filters its search form refuses (``filters_refused``).

A record's problems (seizures/api.py) are declared beside its operations."""

from typing import Any

from django import forms
from ninja import Schema, Status
from pydantic import ConfigDict


class DetailOut(Schema):
    detail: str


class FiltersRefusedOut(Schema):
    """What is wrong with a search's filters, by filter, in the words of the search page."""

    detail: dict[str, list[str]]


def filters_refused(form: forms.Form) -> Status:
    return Status(
        400, FiltersRefusedOut(detail={name: [str(e) for e in errors] for name, errors in form.errors.items()})
    )


class InvalidValueOut(Schema):
    """One value that could not be read, as pydantic reports it (``ctx`` and other keys may follow)."""

    model_config = ConfigDict(extra="allow")

    type: str
    loc: list[str | int]  # where: "path", "query", "header" or "body", then the name (and index) within it
    msg: str


class InvalidOut(Schema):
    detail: list[InvalidValueOut]


def refusals(*, missing: bool = False, invalid: bool = True, unreadable_body: bool = False) -> dict[int, Any]:
    """The answers of the list above that an operation can give: 401 and 403 always; 404 when it reads or
    changes one object (``missing``); 422 when it takes any value (``invalid``); 400 when it takes a body."""
    answers: dict[int, Any] = {401: DetailOut, 403: DetailOut}
    if unreadable_body:
        answers[400] = DetailOut
    if missing:
        answers[404] = DetailOut
    if invalid:
        answers[422] = InvalidOut
    return answers
