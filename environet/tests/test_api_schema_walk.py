"""Every operation of the API schema, called as the schema allows and as it does not (absurd ids, no body,
an empty body, a body of the wrong kind, junk query values), by a token with every scope and by an
unknown token: no answer is a server error. A small stand-in for a schemathesis run, which is not in the
locked dependencies (its lock could not be made offline)."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import ApiToken
from conftest import signed_in

BODIES: list[Any] = [
    None,
    {},
    [],
    {"record": "x", "lines": "y"},
    {"record": {"occurred_on": "🐘"}, "lines": [{"quantity": -1}]},
]
IDS = ["1", "0", "999999999", "-1"]
QUERIES = [{}, {"page": "-5", "q": "%", "date_from": "yesterday", "code": "x" * 500}]


def _calls(schema: dict):
    for path, operations in schema["paths"].items():
        for method in operations:
            for identifier in IDS if "{" in path else [None]:
                url = path
                if identifier is not None:
                    url = "/".join(identifier if part.startswith("{") else part for part in path.split("/"))
                yield method, url


@pytest.mark.parametrize("token_state", ["every scope", "unknown"])
def test_no_call_the_schema_describes_is_a_server_error(cast, token_state):
    schema = signed_in(cast.administrator).get("/api/v1/openapi.json").json()
    _token, text = account_actions.create_api_token(
        request=None,
        person=cast.member,
        name="Walker",
        scopes=list(ApiToken.Scope.values),
        expires_on=timezone.now().date() + timedelta(days=1),
    )
    if token_state == "unknown":
        text = "env_000000000000_" + "A" * 43
    client = Client()
    calls = list(_calls(schema))
    assert len(calls) > 10
    failures = []
    statuses: set[int] = set()
    for method, url in calls:
        for query in QUERIES if method == "get" else [{}]:
            for body in BODIES if method in ("post", "put", "patch") else [None]:
                kwargs = {"HTTP_AUTHORIZATION": f"Bearer {text}", "HTTP_IDEMPOTENCY_KEY": ""}
                if body is None:
                    response = getattr(client, method)(url, query or None, **kwargs)
                else:
                    response = getattr(client, method)(url, json.dumps(body), content_type="application/json", **kwargs)
                statuses.add(response.status_code)
                if response.status_code >= 500:
                    failures.append((method, url, query, body, response.status_code))
                if token_state == "unknown":
                    assert response.status_code == 401, (method, url)
    assert failures == []
    # The walk reached the endpoints themselves, not only the door.
    assert token_state == "unknown" or {200, 404, 422} <= statuses, statuses
