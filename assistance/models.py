"""Experts and requests for assistance.

An expert is a person with ``accounts.models.Person.is_expert``; their conventions, topics, languages and
regions stay on the person (set by their focal point on the person's page, ``accounts:expertise``). This app
adds what only the expert knows: the commodity groups they know (``Area``, a fixed list documented below) and
their availability, in ``ExpertProfile``.

A request for assistance is a conversation: its ``thread`` (messaging) carries the subject, the question,
the topics, the audience and the marking, so live delivery, receipts, search and email work as for any
thread. The request adds what a thread does not have: conventions, areas, urgency, deadline, the experts
invited, its state and the dated history of that state.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERSON = settings.AUTH_USER_MODEL


class Area(models.TextChoices):
    """Commodity groups an expert may know, besides the conventions and topics A–G: the goods officers
    actually meet. Fixed in the code so that requests and profiles match on the same words; add a line here
    (and its translation) to offer a new one."""

    IVORY = "ivory", _("Ivory")
    RHINO_HORN = "rhino_horn", _("Rhino horn")
    PANGOLIN = "pangolin", _("Pangolin scales and meat")
    LIVE_ANIMALS = "live_animals", _("Live animals (reptiles, birds, primates)")
    PLANTS = "plants", _("Plants and orchids")
    TIMBER = "timber", _("Timber and wood products")
    FISH = "fish", _("Fish and marine products")
    E_WASTE = "e_waste", _("E-waste")
    PLASTIC_WASTE = "plastic_waste", _("Plastic waste")
    WASTE_OTHER = "waste_other", _("Other hazardous waste (batteries, oils, ships)")
    ODS_REFRIGERANTS = "ods_refrigerants", _("ODS and HFC refrigerants")
    PESTICIDES = "pesticides", _("Pesticides and chemicals")
    MERCURY = "mercury", _("Mercury")
    LMO = "lmo", _("Living modified organisms")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited availability")
    AWAY = "away", _("Away")


class ExpertProfile(models.Model):
    person = models.OneToOneField(PERSON, on_delete=models.CASCADE, related_name="expert_profile")
    # Codes as ",ivory,e_waste," so "knows this one" is one portable LIKE on every database.
    areas = models.CharField(_("commodity groups"), max_length=400, blank=True, default="")
    availability = models.CharField(
        _("availability"), max_length=12, choices=Availability.choices, default=Availability.AVAILABLE
    )
    away_until = models.DateField(_("away until"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    @property
    def area_codes(self) -> list[str]:
        return [code for code in self.areas.split(",") if code]


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    IMMEDIATE = "immediate", _("Immediate (goods held now)")


class State(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATES = (State.OPEN, State.ACCEPTED)


class Request(models.Model):
    thread = models.OneToOneField("messaging.Thread", on_delete=models.PROTECT, related_name="assistance_request")
    asker = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="assistance_requests")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    conventions = models.CharField(_("conventions"), max_length=200, blank=True, default="")
    areas = models.CharField(_("commodity groups"), max_length=400, blank=True, default="")
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="")
    region = models.CharField(_("region"), max_length=20, blank=True, default="")
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    deadline = models.DateField(_("deadline"))
    # Open to every expert of its topics who may read it, besides those invited by name.
    open_to_all = models.BooleanField(_("open to all experts of its topics"), default=False)
    invited: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        PERSON, through="Invitation", through_fields=("request", "expert"), related_name="assistance_invitations"
    )
    seizure = models.ForeignKey(
        "seizures.Seizure", null=True, blank=True, on_delete=models.PROTECT, related_name="assistance_requests"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    expert = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="assistance_accepted"
    )
    useful = models.BooleanField(_("was this useful"), null=True, blank=True)
    consent_to_publish = models.BooleanField(_("may be published in the library"), default=False)
    library_item = models.ForeignKey(
        "library.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="assistance_requests"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Told once each: the reminder before the deadline, and the flag to focal points once overdue.
    reminded_on = models.DateField(null=True, blank=True)
    overdue_flagged_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["deadline", "pk"]

    def codes(self, field: str) -> list[str]:
        return [code for code in getattr(self, field).split(",") if code]

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def is_overdue(self, today=None) -> bool:
        return self.is_active and self.deadline < (today or timezone.localdate())


class Invitation(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="invitations")
    expert = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["request", "expert"], name="one_invitation_each")]


class StateChange(models.Model):
    """The dated history of a request's state: one row per change, never edited."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="history")
    state = models.CharField(max_length=12, choices=State.choices)
    by = models.ForeignKey(PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["at", "pk"]
