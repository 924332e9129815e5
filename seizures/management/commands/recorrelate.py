"""Rebuild every link between related seizure records (after changing SEIZURE_WINDOW_DAYS or
SEIZURE_COMMON_LIMIT, or to check the stored links). Nobody is notified again."""

from django.core.management.base import BaseCommand

from audit.actions import record
from seizures import recorrelation


class Command(BaseCommand):
    help = "Forget every stored link between seizure records and find them again, as filing them again would."

    def handle(self, *args, **options) -> None:
        def progress(done: int) -> None:
            if done % 10_000 == 0:
                self.stdout.write(f"{done} records…")

        records, links = recorrelation.rebuild(progress=progress)
        record("seizures.recorrelated", changes={"records": records, "links": links})
        self.stdout.write(f"{records} records correlated; {links} links between related records.")
