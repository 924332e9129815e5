"""Tasks survive their worker: leases, bounded tries and a visible failure.

django-tasks-db (0.13) marks a task RUNNING when a worker claims it and only picks READY tasks, so a worker
killed mid-task (out of memory, a deploy, a power cut) left its task RUNNING for ever: the email it was
sending never went, and nothing said so. ``manage.py worker`` runs django-tasks-db's worker with a thread
beside it that, every ``HEARTBEAT`` seconds,

- writes the worker's sign of life (``WorkerSeen``), and
- takes back tasks RUNNING under a worker with no sign of life for ``LEASE`` seconds: they are made READY
  again for the next worker, up to ``MAX_TRIES`` claims in all; after that they are marked FAILED with a
  reason administrators can read, and ``manage.py tasks --retry ID`` puts one back in the queue;
- every ``SWEEP_EVERY`` seconds, does the platform's periodic clean-up (``sweep``): imports left waiting for
  their officer too long expire.

A retried task runs again from its start. Each email is its own task (environet/mail.py ``deliver``), so a
worker killed before the mail server accepted the message leaves it to be sent once, by the retry; only a
kill in the milliseconds between the server's acceptance and the task's completion could send it twice.
"""

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import OperationalError, close_old_connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from environet import database_pool, env, submissions, wake
from environet.models import WorkerSeen
from library import pdf_helpers

logger = logging.getLogger(__name__)

HEARTBEAT = env.number("ENVIRONET_WORKER_HEARTBEAT_SECONDS", 5)
LEASE = env.number("ENVIRONET_TASK_LEASE_SECONDS", 60)
MAX_TRIES = env.number("ENVIRONET_TASK_MAX_TRIES", 3)
STOPPED = "environet.worker.WorkerStopped"
SWEEP_EVERY = 60 * 60


@dataclass(frozen=True)
class Recovered:
    retried: int
    failed: int


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerSeen.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerSeen.objects.create(worker_id=worker_id, started_at=now, seen_at=now)


def working(now=None) -> bool:
    """Whether a worker has given a sign of life within ``LEASE`` seconds: tasks queued are being run."""
    now = now or timezone.now()
    return WorkerSeen.objects.filter(seen_at__gte=now - timedelta(seconds=LEASE)).exists()


def status() -> tuple[bool, str]:
    """(ok, detail) for /healthz: not ok when tasks have waited longer than ``LEASE`` with no worker to run
    them (emails, notices, imports and library files then wait; nothing is lost, all run once one is back)."""
    now = timezone.now()
    if working(now):
        return True, "running"
    cutoff = now - timedelta(seconds=LEASE)
    waiting = DBTaskResult.objects.ready().filter(enqueued_at__lt=cutoff).count()
    if not waiting:
        return True, "no worker seen, and no task waiting"
    return False, f"no worker seen for {LEASE} s: {waiting} tasks waiting (manage.py worker runs them)"


def recover_abandoned() -> Recovered:
    """Take back the tasks whose worker stopped: READY again, or FAILED after ``MAX_TRIES`` claims."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=LEASE)
    alive = set(WorkerSeen.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    retried = failed = 0
    with transaction.atomic():
        # A task claimed less than a lease ago may belong to a worker that has not beaten yet.
        running = DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True)
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            if len(result.worker_ids) >= MAX_TRIES:
                _fail(result, now)
                failed += 1
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                retried += 1
    WorkerSeen.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    submissions.forget_old()
    if retried or failed:
        logger.warning("Tasks left by stopped workers: %d queued again, %d failed for good", retried, failed)
    return Recovered(retried=retried, failed=failed)


def _fail(result: DBTaskResult, now) -> None:
    result.status = TaskResultStatus.FAILED
    result.finished_at = now
    result.exception_class_path = STOPPED
    result.traceback = (
        f"The worker running this task stopped {len(result.worker_ids)} times before it finished "
        f"(workers: {', '.join(result.worker_ids)}). Retry it with: manage.py tasks --retry {result.id}"
    )
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])


def retry(task_id: str) -> DBTaskResult:
    """Put a FAILED task back in the queue, with its tries counted afresh."""
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().get(pk=task_id, status=TaskResultStatus.FAILED)
        result.status = TaskResultStatus.READY
        result.started_at = result.finished_at = None
        result.worker_ids = []
        result.exception_class_path = result.traceback = ""
        result.save(
            update_fields=["status", "started_at", "finished_at", "worker_ids", "exception_class_path", "traceback"]
        )
    return result


def sweep() -> None:
    """The periodic clean-up (several workers may sweep at once: each job is expired under its row's lock)."""
    from seizures import import_jobs  # an app's module: imported once the apps are ready

    expired = import_jobs.expire_waiting()
    if expired:
        logger.info("Imports left waiting expired: %d", expired)


class Heartbeat(threading.Thread):
    """Beside the worker's loop, so a long task does not stop the sign of life."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        swept_at: float | None = None  # at the first beat, then every SWEEP_EVERY
        while not self.stopping.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                recover_abandoned()
                if swept_at is None or time.monotonic() - swept_at >= SWEEP_EVERY:
                    swept_at = time.monotonic()  # first: a sweep that fails waits for the next turn
                    sweep()
            except Exception:  # the database may be away for a moment; the next beat tries again
                logger.exception("Worker heartbeat failed")
            self.stopping.wait(HEARTBEAT)
        close_old_connections()

    def stop(self) -> None:
        self.stopping.set()
        self.join(HEARTBEAT + 5)


class WakingWorker(Worker):
    """django-tasks-db's worker, which waits between looks at an empty queue on the bell (environet/wake.py)
    instead of sleeping: a task queued meanwhile starts at once, not at the next look. The loop is the library's
    (0.13), with that one change: it has no other place to wait."""

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        # One thread runs every task for the worker's whole life, so its connection is kept between them (the
        # web processes' CONN_MAX_AGE of 0 would close it after every look at the queue: on PostgreSQL a new
        # server process for each task). Django still closes one that failed or has lived this long. A pooled
        # connection (PostgreSQL, settings.py) goes back to the pool instead, open, and Django refuses both.
        database_pool.keep_connections()
        pdf_helpers.start_soon()  # so that the first long PDF need not wait for them (library/pdf_helpers.py)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreading workers started together
        with wake.listening() as bell:
            while self.running:
                close_old_connections()
                found, task_result = self._claim()
                if task_result is not None:
                    self.run_task(task_result)
                if self.batch and found and task_result is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    bell.wait(self.interval)

    def _claim(self) -> tuple[bool, DBTaskResult | None]:
        """(whether the queue could be read, the task claimed from it if any)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
            except OperationalError as error:
                if is_locked_database_exception(error):  # SQLite busy: try again at the next look
                    return False, None
                raise
            if task_result is not None:
                task_result.claim(self.worker_id)  # so that no other worker runs it
        return True, task_result
