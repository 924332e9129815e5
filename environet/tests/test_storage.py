"""A full or read-only data folder (environet/storage.py): reads keep answering, saving says why and keeps
nothing half-saved, /healthz says "degraded" and why."""

from collections import namedtuple

import pytest
from django.db import OperationalError
from django.test import Client

from conftest import signed_in
from messaging.models import Thread
from messaging.tests.test_attachments import NEW_THREAD, thread_form

READ_ONLY = "attempt to write a readonly database"
FULL = "database or disk is full"


@pytest.fixture
def every_request_writes_the_session(monkeypatch):
    # The "last seen" stamp is normally rewritten once a minute: here, at every request.
    monkeypatch.setattr("accounts.middleware._SEEN_RESOLUTION", -1)


def sessions_cannot_be_saved(monkeypatch) -> None:
    def refuse(self, must_create=False):
        raise OperationalError(READ_ONLY)

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.save", refuse)


def test_pages_that_only_read_still_answer_when_the_session_cannot_be_saved(
    cast, every_request_writes_the_session, monkeypatch
):
    reader = signed_in(cast.member)
    sessions_cannot_be_saved(monkeypatch)
    for page in ("/", "/messages/", "/seizures/"):
        response = reader.get(page)
        assert response.status_code == 200, page


def test_saving_when_the_disk_is_full_says_so_and_keeps_nothing(cast, monkeypatch):
    def full(*args, **kwargs):
        raise OperationalError(FULL)

    monkeypatch.setattr("audit.actions.record", full)
    monkeypatch.setattr("messaging.actions.record", full, raising=False)
    author = signed_in(cast.member)
    author.raise_request_exception = False
    before = Thread.objects.count()
    response = author.post(NEW_THREAD, thread_form(subject="Saved when the disk is full?"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "Cannot save at the moment" in text
    assert "Nothing of what you sent was saved" in text
    assert Thread.objects.count() == before


def test_other_errors_are_still_plain_500s(cast, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such column: nonsense")

    monkeypatch.setattr("audit.actions.record", broken)
    monkeypatch.setattr("messaging.actions.record", broken, raising=False)
    author = signed_in(cast.member)
    author.raise_request_exception = False
    response = author.post(NEW_THREAD, thread_form(subject="Another failure"))
    assert response.status_code == 500
    assert "Cannot save" not in response.content.decode()


def test_healthz_says_degraded_when_the_data_folder_is_read_only(db, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr("environet.storage._mounted_read_only", lambda folder: True)
    response = Client().get("/healthz")
    assert response.status_code == 200  # readers are still served
    body = response.json()
    assert body["status"] == "degraded"
    assert body["storage"]["ok"] is False
    assert "read-only" in body["storage"]["detail"]


def test_healthz_says_degraded_when_the_disk_is_nearly_full(db, settings, monkeypatch):
    settings.REDIS_URL = ""
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr("environet.storage.shutil.disk_usage", lambda path: Usage(10**9, 10**9 - 10**6, 10**6))
    body = Client().get("/healthz").json()
    assert body["status"] == "degraded"
    assert "nearly full (0 MB free)" in body["storage"]["detail"]


def test_healthz_says_the_storage_is_writable(db, settings):
    settings.REDIS_URL = ""
    body = Client().get("/healthz").json()
    assert body["storage"]["ok"] is True
    assert body["storage"]["detail"].startswith("writable")
