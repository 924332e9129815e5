"""Enforcement networks (ENFORCE and others), who belongs to them, and their roadmap of activities.

Nothing here is deleted. A membership that ends gets a date left; joining again is a new row, so "who was
a member on DATE" is a query. Every change to an activity appends an ``ActivityChange`` (who, when, which
fields old → new); the roadmap as it stood on any past date is replayed from those rows alone
(network/history.py), never from the activity's current row.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from messaging.models import StoredFile

PERSON = settings.AUTH_USER_MODEL


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # In addresses (/network/ENFORCE/): letters, digits, hyphens.
    short_name = models.SlugField(_("short name"), max_length=40, unique=True, allow_unicode=False)
    mandate = models.TextField(_("mandate"), blank=True)
    secretariat = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="networks_served", verbose_name=_("secretariat")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class TermsOfReference(StoredFile):
    """The network's terms of reference, stored encrypted like every other file (messaging.attachments).
    A new upload adds a row; the latest is the one shown."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="terms")
    added_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")

    class Meta(StoredFile.Meta):
        pass


class Standing(models.TextChoices):
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class Membership(models.Model):
    """An organisation, or a named expert, in a network from ``joined_on`` until the day before ``left_on``."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="network_memberships"
    )
    expert = models.ForeignKey(PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    standing = models.CharField(_("standing"), max_length=10, choices=Standing.choices)
    joined_on = models.DateField(_("date joined"))
    left_on = models.DateField(_("date left"), null=True, blank=True)
    decision = models.CharField(_("decision that admitted them"), max_length=200, blank=True)
    focal_points: models.ManyToManyField = models.ManyToManyField(
        PERSON, blank=True, related_name="+", verbose_name=_("focal points")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["joined_on", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, expert__isnull=True)
                | models.Q(organisation__isnull=True, expert__isnull=False),
                name="membership_of_one_organisation_or_one_expert",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gt=models.F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.expert)


class ActivityType(models.TextChoices):
    TRAINING = "training", _("Training")
    WORKSHOP = "workshop", _("Workshop")
    JOINT_OPERATION = "joint_operation", _("Joint operation")
    TOOL = "tool", _("Tool or guidance development")
    AWARENESS = "awareness", _("Awareness raising")
    STUDY = "study", _("Study")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    FUNDED = "funded", _("Funded")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


# Our statuses on the IATI ActivityStatus codelist (IATI Standard 2.03,
# https://iatistandard.org/en/iati-standard/203/codelists/activitystatus/): 1 Pipeline/identification,
# 2 Implementation, 3 Finalisation, 4 Closed, 5 Cancelled, 6 Suspended. Proposed, planned and funded are
# all before anything happens (pipeline); completed is 4 Closed, as the roadmap does not follow financial
# sign-off, which is what separates 3 Finalisation from 4; postponed is 6 Suspended (stopped, may resume).
IATI_ACTIVITY_STATUS: dict[str, int] = {
    Status.PROPOSED: 1,
    Status.PLANNED: 1,
    Status.FUNDED: 1,
    Status.ONGOING: 2,
    Status.COMPLETED: 4,
    Status.CANCELLED: 5,
    Status.POSTPONED: 6,
}


class Funding(models.TextChoices):
    SECURED = "secured", _("Secured")
    SOUGHT = "sought", _("Sought")


def listed(codes: list[str]) -> str:
    """Codes stored as ",KE,FR," so that "holds KE" is one LIKE on every database."""
    return "," + ",".join(codes) + "," if codes else ""


def _unlisted(value: str) -> list[str]:
    return [code for code in value.split(",") if code]


class Activity(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=ActivityType.choices)
    leads = models.ManyToManyField(Organisation, related_name="activities_led", verbose_name=_("lead organisations"))
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="activities_partnered", verbose_name=_("partners")
    )
    countries_list = models.CharField(max_length=1000, blank=True)
    regions_list = models.CharField(max_length=400, blank=True)
    conventions_list = models.CharField(max_length=200, blank=True)
    topics_list = models.CharField(max_length=40, blank=True)
    commodity_focus = models.CharField(_("commodity focus"), max_length=300, blank=True)
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    funding_source = models.CharField(_("funding source or donor"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    funding = models.CharField(_("funding"), max_length=10, choices=Funding.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    expected_outputs = models.TextField(_("expected outputs"), blank=True)
    contact = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact person")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    # "Proposed at ENFORCE-7": set when the secretariat accepts a proposal made at a meeting.
    proposed_at = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed at")
    )
    # Title, leads and start in one key: the same proposal sent twice is refused, not stored twice.
    submission_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["starts_on", "pk"]
        verbose_name_plural = _("activities")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "submission_key"], name="one_activity_per_submission"),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | ~models.Q(currency=""), name="activity_amount_has_currency"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    countries = property(lambda self: _unlisted(self.countries_list))
    regions = property(lambda self: _unlisted(self.regions_list))
    conventions = property(lambda self: _unlisted(self.conventions_list))
    topics = property(lambda self: _unlisted(self.topics_list))

    @property
    def iati_status(self) -> int:
        return IATI_ACTIVITY_STATUS[self.status]


class ActivityChange(models.Model):
    """One dated, attributed change of an activity: append-only. ``changes`` maps each field that changed
    to ``[old, new]`` in the form network.history uses (the first row of an activity has every field, old
    None). Rows are ordered by ``at`` and then by id."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(PERSON, null=True, on_delete=models.PROTECT, related_name="+")
    created = models.BooleanField(default=False)
    changes = models.JSONField()

    class Meta:
        ordering: ClassVar = ["at", "pk"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("an activity's history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("an activity's history is append-only")


class Comment(models.Model):
    """Input on an activity from anyone in the network (observers included)."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]


class Edition(models.Model):
    """The secretariat published the roadmap "with updated status as of" this date."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="editions")
    as_of = models.DateField(_("status as of"))
    published_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-as_of", "-pk"]


# --- Coordination flags ------------------------------------------------------------------------------


class FlagKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Likely duplicate")
    FUNDER = "funder", _("Same funder sought")
    LEAD = "lead", _("Same lead organisation")


class Resolution(models.TextChoices):
    JOINED_UP = "joined_up", _("Joined up")
    DIFFERENT_AUDIENCES = "different_audiences", _("Different audiences")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
    OTHER = "other", _("Other")


class Flag(models.Model):
    """Two activities that may duplicate each other or compete for the same resources (network.coordination).

    Only references are kept: the pair (lower id first) and the kind. What the flag says is worked out from
    the activities when it is shown, so an edited or renamed activity never leaves a stale copy here. One
    flag per kind and pair, ever: once resolved, the same pair is not flagged again for the same reason.
    """

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(_("kind"), max_length=12, choices=FlagKind.choices)
    first = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    # Open until resolved by the secretariat, or closed when an edit means it no longer applies.
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering: ClassVar = ["-raised_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "first", "second"], name="one_flag_per_kind_and_pair"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="flag_pair_in_order"),
        ]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class FlagStep(models.Model):
    """The history of a flag, append-only: raised, resolved (with the reason), or no longer applying."""

    class What(models.TextChoices):
        RAISED = "raised", _("Raised")
        RESOLVED = "resolved", _("Resolved")
        LAPSED = "lapsed", _("No longer applies")

    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="steps")
    what = models.CharField(max_length=10, choices=What.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(PERSON, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("a flag's history is append-only")
        super().save(*args, **kwargs)


# --- Meetings ----------------------------------------------------------------------------------------


class Meeting(models.Model):
    """A meeting of the network ("ENFORCE-7"), from ``starts_on`` to ``ends_on`` (inclusive)."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="meetings")
    number = models.CharField(_("number"), max_length=40, help_text=_("For example ENFORCE-7."))
    title = models.CharField(_("title"), max_length=300)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online = models.BooleanField(_("online"), default=False)
    host = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("host")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-starts_on", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["network", "number"], name="one_meeting_per_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="meeting_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveIntegerField()
    title = models.CharField(_("agenda item"), max_length=300)

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "position"], name="one_agenda_item_per_position")
        ]


class MeetingDocument(StoredFile):
    """A meeting's document, stored encrypted like the terms of reference (messaging.attachments)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents")
    added_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")

    class Meta(StoredFile.Meta):
        pass


class Participation(models.TextChoices):
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("participation"), max_length=12, choices=Participation.choices)
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["person__full_name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_participant_per_person")
        ]


class Decision(models.Model):
    """A decision of the meeting, numbered in it (1, 2, ...), with its follow-up actions."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("decision"))

    class Meta:
        ordering: ClassVar = ["number"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["meeting", "number"], name="one_decision_per_number")]


class FollowUp(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.CharField(_("follow-up action"), max_length=500)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("due"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["pk"]


class InputKind(models.TextChoices):
    PROPOSAL = "proposal", _("New activity proposal")
    STATUS = "status", _("Status update on an activity")
    COMMENT = "comment", _("Comment on an activity")


class Review(models.TextChoices):
    PENDING = "pending", _("Waiting for the secretariat")
    ACCEPTED = "accepted", _("Accepted into the roadmap")
    DECLINED = "declined", _("Declined")


class RoadmapInput(models.Model):
    """Input to the roadmap given at a meeting; the secretariat accepts it into the roadmap or declines it.

    A proposal keeps what was typed in ``proposal`` (the few fields asked at the meeting) until accepted; then
    ``activity`` is the activity it became, which remembers the meeting (``Activity.proposed_at``). A status
    update or a comment is about ``activity`` from the start.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="inputs")
    kind = models.CharField(_("kind of input"), max_length=10, choices=InputKind.choices)
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="inputs")
    proposal = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("new status"), max_length=12, choices=Status.choices, blank=True)
    body = models.TextField(_("text"), blank=True)
    # The same input sent twice (a double click, a resent form) is refused, not stored twice.
    submission_key = models.CharField(max_length=64, editable=False)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "submission_key"], name="one_input_per_submission")
        ]


# --- Outputs of completed activities -----------------------------------------------------------------


class Output(models.Model):
    """A library item a completed activity produced (a manual, a report, a training tool). Only the reference
    is kept: whoever reads the activity sees the items they may read in the library (library.access), and
    nothing of the others, not even their titles."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="outputs")
    item = models.ForeignKey("library.Item", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["activity", "item"], name="one_output_per_item")]


class Trained(models.Model):
    """How many participants a completed activity trained in one country, by sex where it was reported."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="trained")
    country = models.CharField(_("country"), max_length=2)
    women = models.PositiveIntegerField(_("women"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)
    not_reported = models.PositiveIntegerField(_("sex not reported"), default=0)

    class Meta:
        ordering: ClassVar = ["country", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["activity", "country"], name="one_trained_row_per_country"),
            models.CheckConstraint(
                condition=models.Q(women__gte=0, men__gte=0, not_reported__gte=0), name="trained_counts_not_negative"
            ),
        ]

    @property
    def total(self) -> int:
        return self.women + self.men + self.not_reported


class Lessons(models.Model):
    """What a completed activity taught those who ran it (text), one per activity, changed in place: each change
    is in the audit trail by reference."""

    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="lessons")
    text = models.TextField(_("lessons learned"), max_length=10000, blank=True)
    updated_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
