"""One-time submission keys (environet/submissions.py): a post or reply sent again with the same key, as when
its answer was lost on a slow link, is stored once and answered with the first result."""

import re
import threading
import time
from typing import Any

import pytest
from django.db import connection

from conftest import signed_in
from environet.models import Submission
from messaging.models import Message, Thread
from messaging.tests.test_attachments import NEW_THREAD, thread_form

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def _key_on(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no submission key"
    return found[1]


def test_a_new_thread_sent_twice_with_its_key_is_stored_once(cast):
    author = signed_in(cast.member)
    key = _key_on(author.get(NEW_THREAD))
    before = Thread.objects.count()
    first = author.post(NEW_THREAD, thread_form(subject="Sent on a slow link", submission_key=key))
    again = author.post(NEW_THREAD, thread_form(subject="Sent on a slow link", submission_key=key))
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Thread.objects.count() == before + 1


def test_a_reply_sent_twice_with_its_key_is_stored_once(cast):
    author = signed_in(cast.member)
    created = author.post(NEW_THREAD, thread_form(subject="A thread"))
    thread_url = created["Location"]
    key = _key_on(author.get(thread_url))
    thread = Thread.objects.get(pk=int(thread_url.rstrip("/").rsplit("/", 1)[-1]))
    reply = f"/messages/threads/{thread.pk}/reply/"
    fields = {"kind": "information", "body": "Confirmed: 2,100 kg.", "submission_key": key}
    assert author.post(reply, fields).status_code == 302
    assert author.post(reply, fields).status_code == 302
    assert Message.objects.filter(thread=thread, body="Confirmed: 2,100 kg.").count() == 1


def test_two_sends_with_different_keys_are_two_messages(cast):
    author = signed_in(cast.member)
    for key in ("first-key", "second-key"):
        author.post(NEW_THREAD, thread_form(subject="Two on purpose", submission_key=key))
    assert Thread.objects.filter(subject="Two on purpose").count() == 2


def test_a_refused_send_keeps_its_key_so_the_corrected_one_counts_once(cast):
    author = signed_in(cast.member)
    key = _key_on(author.get(NEW_THREAD))
    refused = author.post(NEW_THREAD, thread_form(subject="", submission_key=key))
    assert refused.status_code == 400
    assert _key_on(refused) == key  # the corrected form is the same submission
    assert not Submission.objects.filter(key=key).exists()
    corrected = author.post(NEW_THREAD, thread_form(subject="Corrected", submission_key=key))
    again = author.post(NEW_THREAD, thread_form(subject="Corrected", submission_key=key))
    assert corrected["Location"] == again["Location"]
    assert Thread.objects.filter(subject="Corrected").count() == 1


def test_someone_else_sending_the_same_key_gets_their_own_result(cast):
    key = "shared-by-chance"
    signed_in(cast.member).post(NEW_THREAD, thread_form(subject="Mine", submission_key=key))
    other = signed_in(cast.focal_point).post(NEW_THREAD, thread_form(subject="Theirs", submission_key=key))
    assert other.status_code == 302
    assert Thread.objects.filter(subject="Theirs").count() == 1


@pytest.mark.django_db(transaction=True)  # two requests at once, each with its own connection
def test_two_sends_of_one_key_at_once_store_one_thread_and_answer_alike(cast, monkeypatch):
    # A double click: the second send arrives while the first is still being done.
    from messaging import actions

    started, finish = threading.Event(), threading.Event()
    start_thread = actions.start_thread

    def slow_start(**kwargs):
        started.set()
        assert finish.wait(20)
        return start_thread(**kwargs)

    monkeypatch.setattr(actions, "start_thread", slow_start)
    form = thread_form(subject="Double click", submission_key="clicked-twice")
    answers: dict[str, Any] = {}

    def send(name: str) -> None:
        try:
            answers[name] = signed_in(cast.member).post(NEW_THREAD, form)
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert started.wait(20)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    time.sleep(0.5)  # the second send is waiting on the first (or, before, doing the same work)
    finish.set()
    first.join(30)
    second.join(30)
    assert answers["first"].status_code == answers["second"].status_code == 302
    assert answers["first"]["Location"] == answers["second"]["Location"]
    assert Thread.objects.filter(subject="Double click").count() == 1


def test_a_send_whose_process_stopped_leaves_its_key_free_after_a_while(cast):
    from datetime import timedelta

    from django.utils import timezone

    from environet import submissions

    author = signed_in(cast.member)
    Submission.objects.create(person=cast.member, key="stopped", result_url=submissions.PENDING)
    Submission.objects.filter(key="stopped").update(created_at=timezone.now() - submissions.ABANDONED - timedelta(1))
    sent = author.post(NEW_THREAD, thread_form(subject="After a restart", submission_key="stopped"))
    assert sent.status_code == 302 and Thread.objects.filter(subject="After a restart").count() == 1
