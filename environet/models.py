"""What the platform keeps about itself rather than about its users."""

from typing import ClassVar

from django.db import models


class WorkerSeen(models.Model):
    """A task worker's sign of life, written every few seconds while its process lives (environet/worker.py).
    A task left running by a worker whose sign of life stopped is taken back and tried again."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class Submission(models.Model):
    """A form sent once: its one-time key and where its result is (environet/submissions.py). A post whose
    answer was lost and is sent again with the same key gets that result instead of a second copy."""

    person = models.ForeignKey("accounts.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["person", "key"], name="one_result_per_submission")]

    def __str__(self) -> str:
        return self.key
