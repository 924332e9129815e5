"""Queueing a task that must run only once the writes it follows have committed.

With the database queue (django-tasks-db, the backend deployments and ``make run`` use) the task's row is
written inside the transaction itself: it commits with those writes or not at all. The worker cannot see it
before the commit, and a crash just after the commit can no longer lose it, as it could when the row was
written afterwards (an item left "waiting" for ever, an email never sent). It also saves a commit per task:
on PostgreSQL each is a wait for the disk.

Any other backend is given the task after the commit (``transaction.on_commit``): the tests' immediate
backend runs a task as soon as it is queued, and a queue outside the database would let a worker start it
before the commit.
"""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.tasks import Task
from django_tasks_db.backend import DatabaseBackend

from environet import wake


def after_commit(task: Task, /, **kwargs: Any) -> None:
    """Run ``task`` with ``kwargs`` once the current transaction commits (at once outside any); a worker waiting
    on the database queue is woken then (environet/wake.py)."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        transaction.on_commit(lambda: task.enqueue(**kwargs))
        return

    def queued() -> None:
        task.enqueue(**kwargs)
        wake.ring_after_commit()

    if _in_the_transaction():
        queued()
    else:
        transaction.on_commit(queued)  # outside any transaction: at once; in one that must roll back: never


def _in_the_transaction() -> bool:
    """Whether the queue's rows are written by the connection whose transaction is open, and it can still commit."""
    from django_tasks_db.models import DBTaskResult  # not at import: models load after the apps

    alias = router.db_for_write(DBTaskResult) or DEFAULT_DB_ALIAS
    connection = connections[alias]
    return alias == DEFAULT_DB_ALIAS and connection.in_atomic_block and not connection.needs_rollback
