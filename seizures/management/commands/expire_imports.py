"""Expire the imports left waiting for their officer past ENVIRONET_IMPORT_WAIT_DAYS (seizures.import_jobs).

The task worker runs the same sweep every hour (environet/worker.py); this command is for an installation
without a worker running, or to sweep at once."""

from django.core.management.base import BaseCommand

from seizures import import_jobs


class Command(BaseCommand):
    help = (
        "Expire the imports that waited for their officer's answer longer than ENVIRONET_IMPORT_WAIT_DAYS: their "
        "files are deleted, nothing of them is saved, and each importer is told."
    )

    def handle(self, *args, **options) -> None:
        expired = import_jobs.expire_waiting()
        self.stdout.write(f"Imports expired: {expired}.")
