"""``manage.py tasks --failed`` lists the tasks that failed (newest first, with the reason);
``manage.py tasks --retry ID`` puts one back in the queue (environet/worker.py)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from environet import worker


class Command(BaseCommand):
    help = "List the failed tasks, or put one back in the queue."

    def add_arguments(self, parser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--failed", action="store_true", help="List the tasks that failed.")
        action.add_argument("--retry", metavar="ID", help="Put the failed task ID back in the queue.")

    def handle(self, *args, failed: bool, retry: str | None, **options) -> None:
        if failed:
            self._list_failed()
        elif retry:
            self._retry(retry)

    def _list_failed(self) -> None:
        failed = DBTaskResult.objects.failed().order_by("-finished_at")[:100]
        if not failed:
            self.stdout.write("No failed tasks.")
        for result in failed:
            reason = (result.traceback.strip().splitlines() or [result.exception_class_path])[-1]
            self.stdout.write(f"{result.id}  {result.finished_at:%Y-%m-%d %H:%M}  {result.task_name}  {reason}")

    def _retry(self, task_id: str) -> None:
        try:
            result = worker.retry(task_id)
        except (DBTaskResult.DoesNotExist, ValidationError, ValueError) as error:
            raise CommandError(f"No failed task {task_id}.") from error
        status = TaskResultStatus(result.status).label
        self.stdout.write(f"Task {result.id} ({result.task_name}) is queued again: {status}.")
