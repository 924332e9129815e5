"""``manage.py worker``: django-tasks-db's ``db_worker`` (same options) with leases, so a task left by a worker
that stopped is tried again (environet/worker.py), and woken when a task is queued (environet/wake.py).
``manage.py tasks`` lists and retries failed tasks."""

from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from environet import worker


class Command(DatabaseWorker):
    help = "Run the task worker; a task left by a worker that stopped is tried again (see environet/worker.py)."

    def handle(self, *args, **options) -> None:
        heartbeat = worker.Heartbeat(options["worker_id"])
        heartbeat.start()
        # The library's command makes its worker by that name, with no way to give another class: ours, which
        # wakes when a task is queued (environet/wake.py), for this run.
        library_worker, db_worker.Worker = db_worker.Worker, worker.WakingWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = library_worker  # type: ignore[misc]
            heartbeat.stop()
