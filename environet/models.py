"""What the platform keeps about itself rather than about its users."""

from django.db import models


class WorkerSeen(models.Model):
    """A task worker's sign of life, written every few seconds while its process lives (environet/worker.py).
    A task left running by a worker whose sign of life stopped is taken back and tried again."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
