"""Tasks queued for after a commit (environet.enqueue): with the database queue the task's row is part of the
transaction; any other backend gets the task only once the transaction has committed."""

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from environet import enqueue, wake
from environet.mail import deliver

pytestmark = pytest.mark.django_db

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

    # Nothing left for after the commit but, on SQLite, waking the worker (environet/wake.py).
    assert [callback for callback in waiting if callback is not wake._ring] == []
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
