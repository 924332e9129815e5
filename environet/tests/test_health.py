"""GET /healthz for load balancers and monitoring, and the API's front door."""

import json

import pytest
from django.test import Client

from conftest import signed_in

HEALTHZ = "/healthz"


def test_it_is_healthy_with_one_process_and_no_broker(db, settings):
    settings.REDIS_URL = ""
    response = Client().get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "detail": response.json()["database"]["detail"]},
        "broker": {"ok": True, "detail": "in-process"},
    }
    assert response.json()["database"]["detail"] in ("sqlite", "postgresql")


def test_it_is_healthy_with_a_reachable_redis(db, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = Client().get(HEALTHZ)
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "detail": "redis"}


def test_it_is_unhealthy_when_redis_is_unreachable(db, settings):
    # Nothing listens on port 1: the load balancer must take this process out of rotation.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get(HEALTHZ)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["broker"]["ok"] is False
    assert body["broker"]["detail"].startswith("redis unreachable")
    assert body["database"]["ok"] is True
    # The address of the broker, or any password in it, is nobody's business outside.
    assert "127.0.0.1" not in response.content.decode()


def test_it_is_unhealthy_when_the_database_is_unreachable(db, settings, monkeypatch):
    from django.db.utils import OperationalError

    settings.REDIS_URL = ""

    class DownDatabase:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    # Only the health check's view of the database is cut: the test's own connection stays usable.
    monkeypatch.setattr("environet.views.connection", DownDatabase())
    response = Client().get(HEALTHZ)
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "unreachable: OperationalError"}


def test_it_answers_anyone_and_is_never_cached(db, settings):
    settings.REDIS_URL = ""
    response = Client().get(HEALTHZ)
    assert response.status_code == 200  # no sign-in for the load balancer
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_it_only_answers_reads(db):
    assert Client().post(HEALTHZ).status_code == 405


# --- The API ------------------------------------------------------------------------------------------


def test_it_serves_the_openapi_schema_to_signed_in_people(cast):
    response = signed_in(cast.member).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "ENVIRONET API"
    assert "/api/v1/people/me" in schema["paths"]
    assert "get" in schema["paths"]["/api/v1/people/me"]


@pytest.mark.parametrize("role", ["anonymous", "requested", "suspended"])
def test_it_shows_the_schema_to_nobody_outside(cast, role):
    # The schema names every endpoint and field: nothing an outsider needs.
    response = signed_in(cast.by_role[role]).get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert b"paths" not in response.content


@pytest.mark.parametrize("role", ["anonymous", "requested", "suspended"])
def test_it_answers_401_to_api_callers_not_signed_in(cast, role):
    # A status code, not a redirect to an HTML sign-in page: API clients cannot follow that.
    response = signed_in(cast.by_role[role]).get("/api/v1/people/me")
    assert response.status_code == 401
    assert cast.member.email.encode() not in response.content


def test_it_tells_signed_in_people_who_they_are(cast):
    response = signed_in(cast.focal_point).get("/api/v1/people/me")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "id": cast.focal_point.pk,
        "email": "fatou@kra.example",
        "full_name": "Fatou Focal",
        "organisation": "KRA",
        "role": "focal_point",
        "language": "en",
        "time_zone": "UTC",
        "is_expert": False,
    }
