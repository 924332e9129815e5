"""The topics every message is filed under (A–G), and how each person hears about each one."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Names as in the ENVIRONET terms of reference; translated at display time.
TOPIC_NAMES = {
    "A": _("Hazardous waste, chemicals and pesticides, persistent organic pollutants (POPs)"),
    "B": _("Wildlife (fauna and flora)"),
    "C": _("Living modified organisms (LMO)"),
    "D": _("Ozone-depleting substances (ODS)"),
    "E": _("Illegal logging"),
    "F": _("Illegal fishing"),
    "G": _("Other / general interest"),
}


class Topic(models.Model):
    """A topic (A–G, for everyone) or a forum: a discussion an administrator opened for an operation or
    a working group, which only its members see."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    is_forum = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="forums")
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name}"

    @property
    def display_name(self) -> str:
        return str(TOPIC_NAMES.get(self.code, self.name))


class TopicChoice(models.Model):
    """How a person hears about one topic. No row means "not at all": nothing arrives unticked."""

    class Delivery(models.TextChoices):
        LIVE_AND_EMAIL = "live_email", _("On the platform and by email at once")
        LIVE_AND_DIGEST = "live_digest", _("On the platform and in a daily email")
        LIVE = "live", _("On the platform only")
        NONE = "none", _("Nothing")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_choices")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="choices")
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.LIVE_AND_EMAIL)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["person", "topic"], name="one_choice_per_topic")]
