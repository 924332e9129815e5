"""The daily task of requests for assistance: reminders, overdue flags and expiry (assistance.reminders)."""

from django.tasks import task

from assistance import reminders


@task()
def daily() -> dict[str, int]:
    return reminders.run()
