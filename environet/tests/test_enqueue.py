"""Tasks queued for after a commit (environet.enqueue): with the database queue the task's row is part of the
transaction; any other backend gets the task only once the transaction has committed. A worker waiting between
looks at the queue is woken when a task is queued and committed (environet.wake), on SQLite through a socket
beside the database, on PostgreSQL by NOTIFY."""

import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from environet import enqueue, wake
from environet.mail import deliver
from environet.models import WorkerSeen
from messaging.tests.servers import ROOT, database_url, eventually, free_port

pytestmark = pytest.mark.django_db
# The bell rings at a real commit: its tests commit (``committing``).
committing = pytest.mark.django_db(transaction=True)

EMAIL = {"to": ["officer@example.org"], "subject": "Seizure", "body": "A record was shared."}


class Refused(Exception):
    pass


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.usefixtures("database_queue")
def test_with_the_database_queue_the_task_is_written_with_the_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as waiting, transaction.atomic():
        enqueue.after_commit(deliver, **EMAIL)
        [queued] = DBTaskResult.objects.all()  # already there, in the transaction

    # Nothing left for after the commit but the worker's wake-up (environet/wake.py).
    assert [callback for callback in waiting if callback not in (wake._ring, wake._notified)] == []
    assert queued.task_path == "environet.mail.deliver"
    assert queued.args_kwargs == {"args": [], "kwargs": EMAIL}


@pytest.mark.usefixtures("database_queue")
def test_with_the_database_queue_a_rolled_back_transaction_takes_its_task_along():
    with pytest.raises(Refused), transaction.atomic():
        enqueue.after_commit(deliver, **EMAIL)
        raise Refused

    assert not DBTaskResult.objects.exists()


@pytest.mark.usefixtures("database_queue")
def test_a_transaction_that_must_roll_back_is_not_written_to(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as waiting, transaction.atomic():
        connection.needs_rollback = True  # as after an error caught inside the block
        try:
            enqueue.after_commit(deliver, **EMAIL)
        finally:
            connection.needs_rollback = False
        assert not DBTaskResult.objects.exists()

    assert len(waiting) == 1


def test_another_backend_gets_the_task_only_after_the_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as waiting, transaction.atomic():
        enqueue.after_commit(deliver, **EMAIL)
        assert mailoutbox == []  # the immediate backend would have sent it at once

    assert len(waiting) == 1
    assert [message.subject for message in mailoutbox] == ["Seizure"]


@pytest.mark.usefixtures("database_queue")
def test_a_transaction_rings_once_however_many_tasks_it_queues(django_capture_on_commit_callbacks):
    from django.test.utils import CaptureQueriesContext

    with (
        django_capture_on_commit_callbacks() as waiting,
        CaptureQueriesContext(connection) as statements,
        transaction.atomic(),
    ):
        for _ in range(3):
            enqueue.after_commit(deliver, **EMAIL)

    assert DBTaskResult.objects.count() == 3
    notified = [statement for statement in statements if statement["sql"].startswith("NOTIFY")]
    if connection.vendor == "postgresql":
        assert len(notified) == 1
    else:
        assert notified == [] and [callback for callback in waiting if callback is wake._ring] == [wake._ring]


@committing
@pytest.mark.usefixtures("database_queue")
def test_a_task_queued_and_committed_rings_the_bell():
    with wake.listening() as bell:
        assert not isinstance(bell, wake._Sleep)  # it listens, on either database
        with transaction.atomic():
            enqueue.after_commit(deliver, **EMAIL)
            enqueue.after_commit(deliver, **EMAIL)
        assert bell.wait(30) is True
        assert bell.wait(0.2) is False  # both rings taken by the one wake-up


@committing
@pytest.mark.usefixtures("database_queue")
def test_a_task_rolled_back_rings_nothing():
    with wake.listening() as bell:
        with pytest.raises(Refused), transaction.atomic():
            enqueue.after_commit(deliver, **EMAIL)
            raise Refused
        assert bell.wait(0.5) is False


@committing
def test_a_task_for_another_backend_rings_nothing():
    with wake.listening() as bell:
        with transaction.atomic():
            enqueue.after_commit(deliver, **EMAIL)  # the tests' immediate backend
        assert bell.wait(0.5) is False


@committing
def test_a_second_worker_on_the_same_sqlite_database_looks_every_interval():
    if wake.socket_path() is None:
        pytest.skip("SQLite only: on PostgreSQL every worker listens")
    with wake.listening() as first, wake.listening() as second:
        assert isinstance(first, wake._Socket) and isinstance(second, wake._Sleep)


@committing
def test_a_socket_left_by_a_worker_that_stopped_is_taken_over():
    path = wake.socket_path()
    if path is None:
        pytest.skip("SQLite only")
    left = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    left.bind(str(path))
    left.close()  # killed: the file stays, no one listens
    assert path.exists()
    with wake.listening() as bell:
        assert isinstance(bell, wake._Socket)
    assert not path.exists()


@committing
@pytest.mark.usefixtures("database_queue")
def test_a_worker_waiting_for_minutes_starts_a_queued_task_at_once(tmp_path):
    """The worker looks at the queue every 300 s here: the email goes out long before its next look."""
    from aiosmtpd.controller import Controller

    class Received:
        def __init__(self) -> None:
            self.subjects: list[str] = []

        async def handle_DATA(self, server, session, envelope):
            self.subjects.append(envelope.content.decode().split("Subject: ", 1)[1].splitlines()[0])
            return "250 OK"

    received = Received()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    environment = {
        "DJANGO_SETTINGS_MODULE": "environet.test_settings",
        "ENVIRONET_TEST_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATABASE_URL": database_url(),
        "ENVIRONET_EMAIL_HOST": "127.0.0.1",
        "ENVIRONET_EMAIL_PORT": str(port),
        "ENVIRONET_EMAIL_USE_TLS": "0",
        "ENVIRONET_WORKER_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryFile() as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "300", "--no-startup-delay"],
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            eventually(WorkerSeen.objects.exists, "the worker's first sign of life")
            time.sleep(1)  # its first look at the empty queue done: it waits on its bell
            with transaction.atomic():
                enqueue.after_commit(deliver, **EMAIL)
            eventually(lambda: received.subjects == [EMAIL["subject"]], "the email, sent by the woken worker", 60)
        finally:
            worker.terminate()
            worker.wait(10)
            controller.stop()
