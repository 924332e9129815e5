"""Seizure records created, changed and shared through the API: the record page's checks, the importer's
problem report, nothing half-saved, a retried request done once, and the person's access within the
token's scopes."""

import json
import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts import actions as account_actions
from audit.models import Entry
from conftest import signed_in
from seizures.models import Seizure
from seizures.tests import builders

LIST = "/api/v1/seizures/"
RECORD = {
    "occurred_on": "2026-10-01",
    "country": "KE",
    "detection_method": "unknown",
    "transport_mode": "unknown",
    "source_reliability": "A",
    "information_credibility": "1",
    "marking": "green",
    "audience": "network",
    "place": "Mombasa port",
}
LINE = {"convention": "cites", "code": "Loxodonta africana", "quantity": "12", "unit": "KGM"}


def _token(person, scopes=("read", "seizures:write")) -> str:
    _made, text = account_actions.create_api_token(
        request=None,
        person=person,
        name="National database",
        scopes=list(scopes),
        expires_on=timezone.now().date() + timedelta(days=30),
    )
    return text


def _send(text: str, method: str, path: str, body: dict | None = None, **headers):
    return getattr(Client(), method)(
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {text}",
        **headers,
    )


def _body(record=None, lines=None) -> dict:
    return {"record": RECORD | (record or {}), "lines": [LINE] if lines is None else lines}


def test_it_files_a_draft_with_a_write_token_and_audits_the_call(cast):
    response = _send(_token(cast.member), "post", LIST, _body())

    assert response.status_code == 201, response.content
    seizure = Seizure.objects.get(pk=response.json()["id"])
    assert (seizure.officer, seizure.status, seizure.place) == (cast.member, "draft", "Mombasa port")
    assert [(line.convention, line.code) for line in seizure.lines.all()] == [("cites", "Loxodonta africana")]
    assert Entry.objects.filter(action="api_token.used", actor=cast.member).count() == 1
    assert Entry.objects.filter(action="seizure.filed", actor=cast.member).count() == 1


def test_it_reports_problems_as_the_importer_does_and_saves_nothing(cast):
    body = _body(record={"country": "Atlantis"}, lines=[LINE, LINE | {"convention": "nonsense"}])

    response = _send(_token(cast.member), "post", LIST, body)

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {(problem["row"], problem["column"]) for problem in problems} >= {(None, "country"), (2, "convention")}
    assert all(problem["message"] for problem in problems)
    assert not Seizure.objects.exists()


def test_it_refuses_what_the_record_page_refuses(cast):
    # The oracle is the page itself: each field the form refuses, the API refuses, and nothing else.
    bad = {"occurred_on": "2999-01-01", "source_reliability": "Z"}
    page = builders.post_record(cast.member, **bad)
    refused_by_page = set(page.context["editor"].record.errors)

    response = _send(_token(cast.member), "post", LIST, _body(record=bad))

    assert page.status_code == 400 and response.status_code == 422
    assert {problem["column"] for problem in response.json()["problems"]} == refused_by_page


def test_a_field_the_forms_do_not_take_is_refused_not_left_out(cast):
    # People involved, a status or another organisation were dropped without a word, and the record filed.
    body = _body(
        record={"involved": [{"name": "X"}], "status": "shared", "organisation": 7},
        lines=[LINE | {"weight": "12 kg"}],
    )

    response = _send(_token(cast.member), "post", LIST, body)

    assert response.status_code == 422
    problems = {(problem["row"], problem["column"]): problem["message"] for problem in response.json()["problems"]}
    assert set(problems) == {(None, "involved"), (None, "status"), (None, "organisation"), (1, "weight")}
    assert "occurred_on" in problems[(None, "status")] and "quantity" in problems[(1, "weight")]
    assert not Seizure.objects.exists()


def test_a_list_where_one_value_is_taken_is_said_so_not_shown_as_python(cast):
    body = _body(record={"country": ["KE"]}, lines=[LINE | {"unit": ["KGM"]}])

    response = _send(_token(cast.member), "post", LIST, body)

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {(problem["row"], problem["column"]) for problem in problems} == {(None, "country"), (1, "unit")}
    assert all(problem["message"] == "Give one value here, not a list." for problem in problems)
    assert not Seizure.objects.exists()


def test_a_record_without_lines_is_refused(cast):
    response = _send(_token(cast.member), "post", LIST, _body(lines=[]))

    assert response.status_code == 422 and response.json()["problems"][0]["column"] == "lines"
    assert not Seizure.objects.exists()


def test_a_retried_request_with_its_key_files_one_record_and_answers_as_the_first(cast):
    text = _token(cast.member)

    first = _send(text, "post", LIST, _body(), HTTP_IDEMPOTENCY_KEY="batch-7-row-1")
    again = _send(text, "post", LIST, _body(), HTTP_IDEMPOTENCY_KEY="batch-7-row-1")
    other = _send(text, "post", LIST, _body(), HTTP_IDEMPOTENCY_KEY="batch-7-row-2")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert other.json()["id"] != first.json()["id"]
    assert Seizure.objects.count() == 2


def test_a_read_token_files_nothing(cast):
    response = _send(_token(cast.member, scopes=("read",)), "post", LIST, _body())

    assert response.status_code == 403
    assert not Seizure.objects.exists()


def test_an_observer_is_not_given_a_write_token(cast):
    with pytest.raises(account_actions.NotAllowed):
        _token(cast.observer)
    page = signed_in(cast.observer).get("/accounts/profile/tokens/")
    offered = [value for value, _label in page.context["form"].fields["scopes"].choices]
    assert offered == ["read", "messages"]


def test_an_observer_may_not_file_even_with_a_write_token(cast):
    # A token made while they could file (a member then made an observer) still files nothing.
    text = _token(cast.member)
    cast.member.role = cast.observer.role
    cast.member.save(update_fields=["role"])
    response = _send(text, "post", LIST, _body())

    assert response.status_code == 404
    assert not Seizure.objects.exists()


def test_it_changes_a_record_as_the_edit_page_allows(cast):
    seizure = builders.file(cast.member)
    path = f"{LIST}{seizure.pk}"

    changed = _send(_token(cast.focal_point), "put", path, _body(record={"place": "Kilindini"}))
    refused = _send(_token(cast.other_focal_point), "put", path, _body(record={"place": "Calais"}))
    invalid = _send(_token(cast.member), "put", path, _body(record={"occurred_on": "not a date"}))

    assert changed.status_code == 200 and refused.status_code == 404 and invalid.status_code == 422
    seizure.refresh_from_db()
    assert seizure.place == "Kilindini"


def test_it_shares_a_draft(cast):
    seizure = builders.file(cast.member)

    response = _send(_token(cast.member), "post", f"{LIST}{seizure.pk}/share")
    by_other = _send(_token(cast.other_focal_point), "post", f"{LIST}{seizure.pk}/share")

    assert response.status_code == 200 and response.json()["status"] == "shared"
    assert by_other.status_code == 404


def test_a_signed_in_session_files_with_its_csrf_token_only(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    bare = client.post(LIST, json.dumps(_body()), content_type="application/json")
    assert bare.status_code == 403 and not Seizure.objects.exists()

    secret = secrets.token_hex(16)  # a CSRF secret, also accepted unmasked as the token
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    carried = client.post(LIST, json.dumps(_body()), content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert carried.status_code == 201 and Seizure.objects.count() == 1


def test_the_schema_declares_every_answer_the_write_calls_give(cast):
    schema = signed_in(cast.member).get("/api/v1/openapi.json").json()
    operations = {
        ("post", "/api/v1/seizures/"): "201",
        ("put", "/api/v1/seizures/{seizure_id}"): "200",
        ("post", "/api/v1/seizures/{seizure_id}/share"): "200",
    }
    for (method, path), success in operations.items():
        declared = set(schema["paths"][path][method]["responses"])
        assert declared >= {success, "401", "403", "404", "422"}, (method, path, declared)
    assert {"type": "http", "scheme": "bearer"}.items() <= next(
        scheme for scheme in schema["components"]["securitySchemes"].values() if scheme.get("type") == "http"
    ).items()


def test_a_body_that_is_not_a_record_is_refused_as_the_schema_says(cast):
    response = _send(_token(cast.member), "post", LIST, {"lines": []})

    assert response.status_code == 422 and isinstance(response.json()["detail"], list)
    assert not Seizure.objects.exists()
