"""Threads and messages under topics and forums, who they are for, and the live event log.

Nothing here is ever purged: an edit keeps the earlier text, a retraction or a hidden message stays in
the database (shown as such), so the record of what was said stays whole.
"""

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERSON = settings.AUTH_USER_MODEL
if TYPE_CHECKING:
    from accounts.models import Person


class Marking(models.TextChoices):
    """Traffic Light Protocol 2.0: how far the reader may share what they read."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# Markings whose content never travels by email, only a notice that something is waiting.
CONFIDENTIAL_MARKINGS = {Marking.AMBER, Marking.AMBER_STRICT, Marking.RED}


class Audience(models.TextChoices):
    NETWORK = "network", _("The whole network")
    ORGANISATIONS = "organisations", _("Chosen organisations")
    COUNTRIES = "countries", _("Chosen countries")
    PEOPLE = "people", _("Named people")


class Shared(models.Model):
    """Who may read something and how far they may share it: a thread, or a seizure record once shared.

    The one audience rule reads these fields (messaging.access.audience_rule)."""

    marking = models.CharField(_("handling"), max_length=16, choices=Marking.choices, default=Marking.GREEN)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.NETWORK)
    audience_organisations = models.ManyToManyField("accounts.Organisation", blank=True, related_name="+")
    # Countries as ",KE,FR," so "is this country in it" is one portable LIKE on every database.
    audience_countries = models.CharField(max_length=1000, blank=True, default="")
    audience_people: "models.ManyToManyField[Person, Any]" = models.ManyToManyField(
        PERSON, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def country_codes(self) -> list[str]:
        return [code for code in self.audience_countries.split(",") if code]


class Thread(Shared):
    subject = models.CharField(_("subject"), max_length=200)
    topics = models.ManyToManyField("topics.Topic", related_name="threads", verbose_name=_("topics"))
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="threads_started")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["-last_message_at"]

    def __str__(self) -> str:
        return self.subject

    @property
    def shown_subject(self) -> str:
        """The subject in the reader's language where the platform wrote it: a seizure record's thread says
        "Saisie KE-2026-0001 (Kenya)" to a French reader whoever filed it. Other subjects are as written.
        Lists should ``select_related("seizure")`` and prefetch ``seizure__lines``."""
        try:
            seizure = self.seizure  # the seizures app's reverse one-to-one
        except models.ObjectDoesNotExist:
            return self.subject
        return seizure.thread_subject() if seizure is not None else self.subject

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Message(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        ALERT = "alert", _("Alert")
        REQUEST = "request", _("Request for assistance")
        BEST_PRACTICE = "best_practice", _("Best practice")
        SEIZURE_NOTICE = "seizure_notice", _("Seizure notice")

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INFORMATION)
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(PERSON, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mentions: "models.ManyToManyField[Person, Any]" = models.ManyToManyField(
        PERSON, blank=True, related_name="mentioned_in"
    )

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        # A thread's page, its first unread message and its windows walk one thread's messages in time order
        # and stop after a page: with this index they read those rows alone instead of sorting the thread.
        indexes: ClassVar = [
            models.Index(fields=["thread", "created_at", "id"], name="message_thread_in_order"),
            # Home's unread alerts and the overview's latest ones look at the alerts alone, a few among
            # thousands of messages a month.
            models.Index(fields=["kind", "created_at"], name="message_kind_in_order"),
            # The unread counts (home, the overview) look at the last weeks' messages and at what this index
            # holds of each: read from the index alone, not from the messages' rows with their texts (SQLite,
            # 3,000 messages a month: home's counts 5.8 ms → 4.2 ms).
            models.Index(
                fields=["created_at", "thread", "author", "kind", "hidden_at", "retracted_at", "id"],
                name="message_unread_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.thread}: {self.pk}"

    @property
    def is_visible_text(self) -> bool:
        return self.retracted_at is None and self.hidden_at is None


class StoredFile(models.Model):
    """A file stored encrypted under ATTACHMENTS_DIR (see messaging/attachments.py).

    The type is what the content is, found by reading it, never what the name or the browser claimed.
    """

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)  # of the plaintext, to recognise the same file elsewhere
    storage_key = models.CharField(max_length=64, unique=True, editable=False)  # random: names nothing
    has_thumbnail = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering: ClassVar = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Attachment(StoredFile):
    """A file on a message."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")

    class Meta(StoredFile.Meta):
        pass


class Revision(models.Model):
    """The text a message had before an edit."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)


class Follow(models.Model):
    """A person's choice for one thread, over their topic choices: follow it, or mute it."""

    class State(models.TextChoices):
        FOLLOW = "follow", _("Following")
        MUTE = "mute", _("Muted")

    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="thread_follows")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    state = models.CharField(max_length=8, choices=State.choices)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["person", "thread"], name="one_follow_per_thread")]


class Reading(models.Model):
    """That a person has read a message (the author of an alert sees who has)."""

    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="readings")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="readings")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["person", "message"], name="one_reading")]


class Event(models.Model):
    """The live event log. Its id is the Server-Sent Events id a stream resumes from, so ids are handed
    out in commit order (see messaging.events)."""

    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    thread = models.ForeignKey(Thread, null=True, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, null=True, on_delete=models.PROTECT, related_name="+")
    # The one person a notice or a receipt is for.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Ids and codes only (what a notice is about), never content: see messaging.events.
    data = models.JSONField(default=dict)

    class Meta:
        ordering: ClassVar = ["pk"]
