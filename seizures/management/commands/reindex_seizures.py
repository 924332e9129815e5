"""Rebuild the words every seizure record is found by (after the indexed text changes, as when identifiers
came to be indexed in compact form too, so that records filed before are found by them as well)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from audit.actions import record
from seizures import search
from seizures.models import Seizure

BATCH = 500


class Command(BaseCommand):
    help = "Index every seizure record's non-nominal words again, in batches."

    def handle(self, *args, **options) -> None:
        done, last = 0, 0
        while True:
            batch = list(Seizure.objects.filter(pk__gt=last).order_by("pk").prefetch_related("lines")[:BATCH])
            if not batch:
                break
            with transaction.atomic():
                for seizure in batch:
                    search.index(seizure)
            done, last = done + len(batch), batch[-1].pk
            self.stdout.write(f"{done} records…")
        record("seizures.reindexed", changes={"records": done})
        self.stdout.write(f"{done} records indexed again.")
