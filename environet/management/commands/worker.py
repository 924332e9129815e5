"""``manage.py worker``: django-tasks-db's ``db_worker`` (same options) with leases, so a task left by a worker
that stopped is tried again (environet/worker.py). ``manage.py tasks`` lists and retries failed tasks."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from environet import worker


class Command(DatabaseWorker):
    help = "Run the task worker; a task left by a worker that stopped is tried again (see environet/worker.py)."

    def handle(self, *args, **options) -> None:
        heartbeat = worker.Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
