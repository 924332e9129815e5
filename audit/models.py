"""The audit trail: append-only, each row chained to the previous one by a hash.

Rows outlive everyone: the actor is kept by name as well as by reference, and people are never deleted.
"""

import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class Entry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The actor's organisation.",
    )
    subject_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation of the thing acted on, when it has one.",
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes: ClassVar = [
            models.Index(fields=["organisation", "seq"]),
            models.Index(fields=["subject_organisation", "seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def content(self) -> dict[str, Any]:
        """What the hash covers: every field except the hash itself."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "organisation": self.organisation_id,
            "subject_organisation": self.subject_organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "changes": self.changes,
            "client_address": self.client_address,
            "user_agent": self.user_agent,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
