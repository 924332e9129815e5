"""The whole API fuzzed from its own OpenAPI schema by schemathesis: every operation, with values the schema
allows and values it does not, answers with no server error, with a status code the schema declares, a
body that matches the schema declared for that status, and the declared content type; a call without a
token, or with a wrong one, is refused (``ignored_auth``); a method the path does not take answers 405.

The calls are made in-process, through Django's WSGI handler in the test's own thread, so they see the
fixtures and everything they write is rolled back with the test. (Production serves the same middleware and
views through ASGI; what differs is only the body's size limit of environet/uploads.py, an ASGI wrapper.)
They are authenticated by a personal API token of the member, with every scope.

The schema is the one /api/v1/openapi.json serves (checked below), read from the application when the
module is collected: schemathesis builds its boundary cases then, before any database exists.

In CI each operation gets ``API_FUZZ_EXAMPLES`` (10) generated cases besides those boundary cases, derandomized
so that every run sends the same calls. ``make api-fuzz`` runs the long budget (README, "Testing")."""

import json
import os
import re
import typing
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from pydantic import BaseModel
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NOT_SET

from accounts import actions as account_actions
from accounts import tokens
from accounts.models import ApiToken
from assistance.tests import builders as assistance_builders
from conftest import signed_in
from environet.api import api
from library.tests import builders as library_builders
from seizures.tests import builders as seizure_builders

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))
# A seed for a long run to explore other calls (make api-fuzz SEED=...); without one, every run is the same.
SEED = os.environ.get("API_FUZZ_SEED")

# The token's text is fixed: schemathesis puts it on its boundary cases at collection, before the token exists.
# The fixture below makes it through the real action, with this text instead of a random one.
_PREFIX, _SECRET = "f0220f0220f0", "Fuzz" * 10 + "API"
TOKEN = f"env_{_PREFIX}_{_SECRET}"

# A search's filters are plain strings in the schema, and a record's fields an object, but the search form and
# the record page's forms check them further (a code must be of its convention, a container number must have
# its check digit...): a 400 with the filters' problems, or a 422 with the record's, is a declared answer to
# a call the schema allows. (The test checks that such a 422 is the record's problems, not ninja's report.)
CONFIG = f"""
seed = {SEED or 11}
headers = {{ "Accept-Encoding" = "identity" }}

[auth.openapi.TokenBearer]
bearer = "{TOKEN}"

[[operations]]
include-name-regex = "^GET .*(/search|/seizures/)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404"]

[[operations]]
include-name-regex = "^(POST|PUT) /api/v1/seizures/[^/]*$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "422"]
"""

SCHEMA = json.loads(json.dumps(api.get_openapi_schema()))  # as served: status codes as strings
schema = schemathesis.openapi.from_dict(SCHEMA, config=schemathesis.Config.from_str(CONFIG))
SCHEMA_OPERATIONS = [(method, path) for path, operations in SCHEMA["paths"].items() for method in operations]
schema.app = WSGIHandler()

RECORD = {
    "occurred_on": "2026-10-01",
    "country": "KE",
    "detection_method": "unknown",
    "transport_mode": "sea",
    "source_reliability": "A",
    "information_credibility": "1",
    "marking": "green",
    "audience": "network",
    "place": "Mombasa port",
    "containers": "CSQU3054383",
}
LINE = {"convention": "cites", "code": "Loxodonta africana", "quantity": "12", "unit": "KGM"}


@pytest.fixture(autouse=True)
def _one_connection():
    """Django closes the database connection when a request ends, and the test's transaction with it; its
    test client keeps it open by leaving these signals out during a request: so does this, for the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast, monkeypatch):
    """The member's token, and something behind every operation: two shared records linked by a container,
    the member's with a person involved; a library item with a file; a request for assistance linked to the
    record. Searches then answer with results, and the reads below find what they read."""
    monkeypatch.setattr(tokens, "new_token_text", lambda: (TOKEN, _PREFIX, tokens.secret_hash(_SECRET)))
    _token, text = account_actions.create_api_token(
        request=None,
        person=cast.member,
        name="Fuzz",
        scopes=list(ApiToken.Scope.values),
        expires_on=timezone.now().date() + timedelta(days=1),
    )
    assert text == TOKEN
    record = seizure_builders.file(
        cast.member,
        share=True,
        containers=["CSQU3054383"],
        involved=[seizure_builders.person("Jane Doe", nationality="KE")],
    )
    seizure_builders.file(cast.other_focal_point, share=True, containers=["CSQU3054383"], country="FR")
    item = library_builders.publish(cast.member)
    found = assistance_builders.ask(cast.member, seizure_id=record.pk)
    return {"seizure_id": record.pk, "item_id": item.pk, "request_id": found.pk}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=SEED is None,
    database=None,
    deadline=None,
    # ``world`` is made once per operation and shared by its calls, as a server's database is by its clients:
    # what one call files, the next may read (all of it rolled back with the test).
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation_answers_as_its_schema_says(case, world):
    response = case.call_and_validate()
    if response.status_code == 422 and case.meta is not None and case.meta.generation.mode.is_positive:
        assert "problems" in response.json(), "the schema allowed a value that ninja could not read"


def test_the_fuzzed_schema_is_the_one_served(cast):
    assert signed_in(cast.member).get("/api/v1/openapi.json").json() == SCHEMA


def _models(annotation) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for argument in typing.get_args(annotation):
        yield from _models(argument)


def test_no_two_answer_schemas_share_a_name():
    """The schema names each answer's schema by its class's name alone: two classes of one name (each app's
    ``SearchOut``) are one entry in it, and the schema then describes one app's answer with the other's."""
    named: dict[str, set[type]] = {}
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for wrapper in operation.response_models.values():
                    for model in _models(wrapper.model_fields["response"].annotation):
                        named.setdefault(model.__name__, set()).add(model)
    assert {name for name, models in named.items() if len(models) > 1} == set()
    assert {"SeizureOut", "ItemOut", "RequestOut", "MessageSearchOut", "InvalidOut"} <= set(named)


AS_DECLARED = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _call(world, method: str, path: str, expected: int, **values):
    """One call made by hand, with the member's token, checked as the fuzz checks its calls."""
    values.setdefault(
        "path_parameters", {name: world[name] for name in ("seizure_id", "item_id", "request_id") if name in path}
    )
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity", **values.pop("headers", {})}
    case = schema[path][method].Case(headers=headers, **values)
    response = case.call_and_validate(checks=AS_DECLARED)
    assert response.status_code == expected, response.content
    return response.json()


def test_what_exists_is_read_and_written_as_declared(world):
    """Random calls seldom name an object that exists, or send a record that passes the record page's checks:
    these do, so that the bodies of the successful answers are checked against the schema too."""
    record = _call(world, "GET", "/api/v1/seizures/{seizure_id}", 200)
    assert record["involved"][0]["name"] == "Jane Doe"
    assert record["related"] and record["lines"]
    assert _call(world, "GET", "/api/v1/library/items/{item_id}", 200)["editions"][0]["files"]
    assert _call(world, "GET", "/api/v1/assistance/requests/{request_id}", 200)["seizure"]["id"] == world["seizure_id"]
    assert _call(world, "GET", "/api/v1/assistance/requests", 200, query={"section": "mine"})["count"] == 1
    assert _call(world, "GET", "/api/v1/seizures/", 200, query={"q": "Loxodonta"})["count"] == 2
    assert _call(world, "GET", "/api/v1/messages/search", 200, query={"q": "pangolin"})["count"] >= 1
    assert _call(world, "GET", "/api/v1/library/search", 200, query={"q": "pangolin"})["count"] == 1
    assert _call(
        world, "GET", "/api/v1/reference/{name}", 200, query={"q": "Loxodonta"}, path_parameters={"name": "cites"}
    )
    body = {"record": RECORD, "lines": [LINE]}
    key = {"Idempotency-Key": "fuzz-create-1"}
    created = _call(world, "POST", "/api/v1/seizures/", 201, body=body, headers=key)
    assert _call(world, "POST", "/api/v1/seizures/", 201, body=body, headers=key) == created
    world["seizure_id"] = created["id"]
    changed = {"record": RECORD | {"place": "Kilindini"}, "lines": [LINE]}
    assert _call(world, "PUT", "/api/v1/seizures/{seizure_id}", 200, body=changed)["id"] == created["id"]
    assert _call(world, "POST", "/api/v1/seizures/{seizure_id}/share", 200)["status"] != created["status"]


@pytest.mark.parametrize("with_session", [False, True])
def test_a_token_call_needs_no_csrf_token(world, cast, with_session):
    """A browser never sends a Bearer token by itself, so a call carrying one is no cross-site forgery, whether
    or not the caller also has a session cookie (Django's test client skips CSRF checks unless told)."""
    client = Client(enforce_csrf_checks=True)
    if with_session:
        client.force_login(cast.member)
    body = json.dumps({"record": RECORD, "lines": [LINE]})
    response = client.post(
        "/api/v1/seizures/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert response.status_code == 201, response.content
    if with_session:
        assert client.post("/api/v1/seizures/", body, content_type="application/json").status_code == 403
    else:
        assert client.post("/api/v1/seizures/", body, content_type="application/json").status_code == 401


@pytest.mark.parametrize("authorization", [None, "Bearer env_000000000000_" + "A" * 43, "Bearer " + TOKEN[:-1]])
def test_every_operation_refuses_a_caller_without_a_usable_token(world, authorization):
    """No token, an unknown one, one a character short: 401 for every operation, reads and writes alike, whatever
    the call would do. (The fuzz probes this only after a call has succeeded, which a write seldom does.)"""
    headers = {"Accept-Encoding": "identity"} | ({"Authorization": authorization} if authorization else {})
    called = []
    for method, path in SCHEMA_OPERATIONS:
        operation = schema[path][method]
        names = re.findall(r"\{(\w+)\}", path)
        body: Any = {"record": RECORD, "lines": [LINE]} if operation.body else NOT_SET
        case = operation.Case(
            path_parameters={name: world.get(name, "cites") for name in names}, headers=headers, body=body
        )
        response = case.call_and_validate(checks=AS_DECLARED)
        assert response.status_code == 401, (operation.label, response.content)
        called.append(operation.label)
    assert len(called) == len(SCHEMA_OPERATIONS) and len(called) > 10
