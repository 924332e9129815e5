"""GET /healthz for load balancers and monitoring, and the API's front door."""

import json
import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import signed_in
from environet import checks

HEALTHZ = "/healthz"


@pytest.fixture(autouse=True)
def own_files_folder(settings, tmp_path):
    # What other tests stored (some under keys they made up) is not this data folder's business.
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


def test_it_is_healthy_with_one_process_and_no_broker(db, settings):
    settings.REDIS_URL = ""
    response = Client().get(HEALTHZ)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "detail": response.json()["database"]["detail"]},
        "broker": {"ok": True, "detail": "in-process"},
        "encryption": {"ok": True, "detail": "nothing encrypted stored yet"},
        "storage": {"ok": True, "detail": response.json()["storage"]["detail"]},
        "worker": {"ok": True, "detail": "no worker seen, and no task waiting"},
    }
    assert response.json()["database"]["detail"] in ("sqlite", "postgresql")


def _a_task_queued(seconds_ago: int):
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from environet.mail import deliver

    arguments = {"to": ["nobody@example.org"], "subject": "A notice", "body": "Hello."}
    result = DatabaseBackend("default", {}).enqueue(deliver, (), arguments)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_tasks_waiting_with_no_worker_are_said_and_the_process_stays_in_rotation(db, settings):
    # Emails, notices, imports and library files wait: the readers' pages work, and nothing is lost.
    from environet import worker

    settings.REDIS_URL = ""
    _a_task_queued(seconds_ago=5)  # just queued: a worker starting may not have beaten yet
    assert Client().get(HEALTHZ).json()["worker"]["ok"] is True
    _a_task_queued(seconds_ago=worker.LEASE + 5)
    response = Client().get(HEALTHZ)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == {
        "ok": False,
        "detail": f"no worker seen for {worker.LEASE} s: 1 tasks waiting (manage.py worker runs them)",
    }
    worker.beat("a worker")
    assert Client().get(HEALTHZ).json()["worker"] == {"ok": True, "detail": "running"}
    assert Client().get(HEALTHZ).json()["status"] == "ok"


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


def _store_sealed_things(person) -> None:
    from accounts import totp
    from messaging import attachments

    person.totp_secret = totp.seal_secret(person, totp.new_secret())
    person.save(update_fields=["totp_secret"])
    upload = attachments.Upload(name="guide.pdf", content=b"%PDF-1.4 a stored file", content_type="application/pdf")
    attachments.write(upload=upload, written=[])


def test_it_says_the_keys_open_what_is_stored(cast, settings):
    settings.REDIS_URL = ""
    _store_sealed_things(cast.member)
    response = Client().get(HEALTHZ)
    assert response.status_code == 200
    encryption = response.json()["encryption"]
    assert encryption["ok"] is True
    assert encryption["detail"].startswith("the configured keys open all")


def test_it_is_unhealthy_when_the_keys_open_nothing_stored(cast, settings):
    # A data folder restored without its key, on a server that made itself a new one.
    settings.REDIS_URL = ""
    _store_sealed_things(cast.member)
    settings.ENCRYPTION_KEYS = [os.urandom(32)]
    response = Client().get(HEALTHZ)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["encryption"]["ok"] is False
    assert "open 0 of" in body["encryption"]["detail"]
    assert body["database"]["ok"] is True


def test_the_old_key_kept_as_a_fallback_still_opens_everything(cast, settings):
    settings.REDIS_URL = ""
    _store_sealed_things(cast.member)
    settings.ENCRYPTION_KEYS = [os.urandom(32), *settings.ENCRYPTION_KEYS]
    assert Client().get(HEALTHZ).json()["encryption"]["ok"] is True


def test_the_database_check_stops_migrate_when_the_keys_open_nothing(cast, settings):
    _store_sealed_things(cast.member)
    assert checks.check_keys_open_data(None, databases=["default"]) == []
    settings.ENCRYPTION_KEYS = [os.urandom(32)]
    problems = checks.check_keys_open_data(None, databases=["default"])
    assert [problem.id for problem in problems] == ["environet.E006"]
    assert "restored without its encryption.key" in problems[0].msg
    # Checks run without a database (runserver, the test run's own) do not touch it.
    assert checks.check_keys_open_data(None) == []


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


def test_a_token_with_the_read_scope_reads_the_schema_and_a_token_without_it_does_not(cast):
    # A national system is written against the schema; its token is how it calls, not a session.
    from accounts import actions as account_actions

    def made(scopes: list[str]) -> str:
        expires_on = timezone.now().date() + timedelta(days=30)
        return account_actions.create_api_token(
            request=None, person=cast.member, name="System", scopes=scopes, expires_on=expires_on
        )[1]

    reader = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {made(['read'])}")
    assert reader.status_code == 200 and "/api/v1/people/me" in reader.json()["paths"]
    writer = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {made(['messages'])}")
    assert writer.status_code == 403 and b"paths" not in writer.content
    unknown = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer env_000000000000_nothing")
    assert unknown.status_code == 401 and b"paths" not in unknown.content


def test_a_missing_object_is_said_the_same_way_with_debug_on(cast, settings):
    settings.DEBUG = True  # ninja's own answer then added the exception's text: "Not Found: "
    response = signed_in(cast.member).get("/api/v1/seizures/999999")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


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


def test_a_damaged_file_among_others_that_open_is_reported_but_not_unhealthy(cast, settings):
    settings.REDIS_URL = ""
    _store_sealed_things(cast.member)
    damaged = settings.ATTACHMENTS_DIR / "zz" / "zz00"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"E1" + os.urandom(100))
    response = Client().get(HEALTHZ)
    assert response.status_code == 200
    encryption = response.json()["encryption"]
    assert encryption["ok"] is True
    assert " of " in encryption["detail"] and "damaged" in encryption["detail"]
