"""Tasks survive their worker (environet/worker.py): a task left RUNNING by a worker that stopped is taken
back after the lease, tried again a bounded number of times, and then marked FAILED for administrators."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from environet import mail, worker
from environet.models import WorkerSeen
from messaging.tests.servers import ROOT, database_url, eventually

pytestmark = pytest.mark.django_db(transaction=True)


def _queued(**kwargs) -> DBTaskResult:
    backend = DatabaseBackend("default", {})
    arguments = {"to": ["officer@example.org"], "subject": "[ENVIRONET] A notice", "body": "Hello.", **kwargs}
    result = backend.enqueue(mail.deliver, (), arguments)
    return DBTaskResult.objects.get(pk=result.id)


def _running(result: DBTaskResult, *, workers: list[str], minutes_ago: int) -> DBTaskResult:
    result.status = TaskResultStatus.RUNNING
    result.worker_ids = workers
    result.started_at = timezone.now() - timedelta(minutes=minutes_ago)
    result.save()
    return result


def test_a_task_of_a_stopped_worker_is_queued_again():
    left = _running(_queued(), workers=["gone"], minutes_ago=10)
    assert worker.recover_abandoned() == worker.Recovered(retried=1, failed=0)
    left.refresh_from_db()
    assert left.status == TaskResultStatus.READY
    assert left.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=left.pk).exists()


def test_a_task_of_a_living_worker_is_left_alone():
    worker.beat("alive")
    busy = _running(_queued(), workers=["alive"], minutes_ago=10)
    assert worker.recover_abandoned() == worker.Recovered(retried=0, failed=0)
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING


def test_a_task_claimed_less_than_a_lease_ago_is_left_alone():
    # Its worker may not have written its first sign of life yet.
    fresh = _running(_queued(), workers=["just-started"], minutes_ago=0)
    assert worker.recover_abandoned().retried == 0
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING


def test_a_worker_whose_sign_of_life_is_older_than_the_lease_counts_as_stopped():
    WorkerSeen.objects.create(
        worker_id="silent",
        started_at=timezone.now() - timedelta(hours=1),
        seen_at=timezone.now() - timedelta(minutes=5),
    )
    left = _running(_queued(), workers=["silent"], minutes_ago=10)
    assert worker.recover_abandoned().retried == 1
    left.refresh_from_db()
    assert left.status == TaskResultStatus.READY


def test_after_the_last_try_the_task_fails_visibly_and_can_be_retried(capsys):
    tries = [f"worker-{number}" for number in range(worker.MAX_TRIES)]
    left = _running(_queued(), workers=tries, minutes_ago=10)
    assert worker.recover_abandoned() == worker.Recovered(retried=0, failed=1)
    left.refresh_from_db()
    assert left.status == TaskResultStatus.FAILED
    assert left.exception_class_path == worker.STOPPED
    assert f"stopped {worker.MAX_TRIES} times" in left.traceback

    call_command("tasks", "--failed")
    listed = capsys.readouterr().out
    assert str(left.pk) in listed and "deliver" in listed

    call_command("tasks", "--retry", str(left.pk))
    assert "is queued again" in capsys.readouterr().out
    left.refresh_from_db()
    assert (left.status, left.worker_ids, left.traceback) == (TaskResultStatus.READY, [], "")


def test_only_a_failed_task_can_be_retried():
    from django.core.management.base import CommandError

    ready = _queued()
    with pytest.raises(CommandError, match="No failed task"):
        call_command("tasks", "--retry", str(ready.pk))
    with pytest.raises(CommandError, match="No failed task"):
        call_command("tasks", "--retry", "not-an-id")


# --- A real worker killed mid-task --------------------------------------------------------------------


class SlowFirstDelivery:
    """An SMTP server that holds the first delivery at RCPT until released, as a slow relay would: the
    worker sending it is killed there, before anything was accepted."""

    def __init__(self) -> None:
        self.messages: list = []
        self.first_reached = False
        self.release = asyncio.Event()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if not self.first_reached:
            self.first_reached = True
            await self.release.wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _worker_process(smtp_port: int, log) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "environet.test_settings",
        "ENVIRONET_TEST_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATABASE_URL": database_url(),
        "ENVIRONET_EMAIL_HOST": "127.0.0.1",
        "ENVIRONET_EMAIL_PORT": str(smtp_port),
        "ENVIRONET_EMAIL_USE_TLS": "0",
        "ENVIRONET_WORKER_HEARTBEAT_SECONDS": "1",
        "ENVIRONET_TASK_LEASE_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_worker_killed_mid_task_leaves_the_email_to_the_next_one_which_sends_it_once():
    from aiosmtpd.controller import Controller

    handler = SlowFirstDelivery()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    task = _queued(subject="[ENVIRONET] Seizure shared with you")
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryFile() as log:
        try:
            processes.append(_worker_process(port, log))
            eventually(lambda: handler.first_reached, "the first worker to be sending the email")
            task.refresh_from_db()
            assert task.status == TaskResultStatus.RUNNING
            processes[0].send_signal(signal.SIGKILL)
            processes[0].wait(10)
            controller.loop.call_soon_threadsafe(handler.release.set)

            processes.append(_worker_process(port, log))
            eventually(
                lambda: DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL,
                "the next worker to take the task back and send it",
                timeout=40,
            )
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(10)
            controller.stop()
            log.seek(0)
            output = log.read().decode(errors="replace")
    task.refresh_from_db()
    assert len(task.worker_ids) == 2, output
    assert [message["Subject"] for message in handler.messages] == ["[ENVIRONET] Seizure shared with you"]
