"""Organisations and the people in them.

People are never deleted: a person who leaves is suspended, so the record of what they did stays whole.
"""

from functools import cache
from importlib import resources
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import places


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CUSTOMS = "customs", _("Customs administration")
        AGENCY = "agency", _("Competent national agency")
        INTERNATIONAL = "international", _("International organisation")
        REGIONAL = "regional", _("Regional network")
        OBSERVER = "observer", _("Observer organisation")

    class Standing(models.TextChoices):
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    class State(models.TextChoices):
        """Where an organisation stands on the platform, as ``proposed`` and ``is_active`` say (not a column)."""

        # With a context: French and Spanish agree the word with "organisation" (feminine), not with a person.
        PROPOSED = "proposed", pgettext_lazy("organisation", "Proposed in a request")
        ACTIVE = "active", pgettext_lazy("organisation", "Active")
        INACTIVE = "inactive", pgettext_lazy("organisation", "Inactive")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("None for international bodies."))
    standing = models.CharField(_("network standing"), max_length=10, choices=Standing.choices, default=Standing.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    # Set when someone named an organisation we did not know on the request-access page; an
    # administrator confirms it (making it active) or moves the request to an existing organisation.
    proposed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def country_name(self) -> str:
        return places.country_name(self.country)

    @property
    def name_with_short_name(self) -> str:
        """The name with the short name in brackets, "Kenya Revenue Authority (KRA)"; the name alone when it has
        no short name or already says it ("Human Environment and Transport Inspectorate (ILT)")."""
        short = self.short_name.strip()
        if not short or f"({short})".casefold() in self.name.casefold():
            return self.name
        return f"{self.name} ({short})"

    @property
    def state(self) -> "Organisation.State":
        if self.proposed:
            return self.State.PROPOSED
        return self.State.ACTIVE if self.is_active else self.State.INACTIVE

    def get_state_display(self) -> str:
        """The state's label in the active language ("Active"), as ``get_FOO_display`` gives a column's."""
        return str(self.state.label)


class PersonManager(BaseUserManager["Person"]):
    def get_by_natural_key(self, username: str | None) -> "Person":
        return self.get(email__iexact=username or "")

    def create_user(self, email: str, password: str | None = None, **fields) -> "Person":
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """The time zones a person chooses from: UTC and those of the tz database's zone.tab, one or more for each
    country under today's name. Not every name zoneinfo knows: those also hold the old spellings kept so that
    old data still reads (Africa/Asmera, Asia/Chungking) and legacy ones (US/Eastern, Etc/GMT+3)."""
    listed = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    names = {"UTC"} | {line.split("\t")[2] for line in listed.splitlines() if line and not line.startswith("#")}
    return [(name, time_zone_label(name)) for name in sorted(names)]


def time_zone_label(name: str) -> str:
    return name.replace("_", " ")


class Person(AbstractBaseUser):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REJECTED = "rejected", _("Rejected")
        # An organisation's service identity (see ``Person.is_service``): never "active", so every
        # list, directory and recipient query that asks for active people leaves it out by itself.
        SERVICE = "service", _("Service account")

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Platform administrator")
        FOCAL_POINT = "focal_point", _("Focal point")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", verbose_name=_("organisation")
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    languages_spoken = models.JSONField(_("languages spoken"), default=list, blank=True)
    language = models.CharField(_("interface language"), max_length=8, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REQUESTED)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    is_expert = models.BooleanField(_("expert"), default=False)
    is_moderator = models.BooleanField(
        _("moderator"), default=False, help_text=_("May hide messages and lock threads.")
    )
    expert_conventions = models.JSONField(default=list, blank=True)
    expert_topics = models.JSONField(default=list, blank=True)
    expert_languages = models.JSONField(default=list, blank=True)
    expert_regions = models.JSONField(default=list, blank=True)

    request_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    # Incremented to end every session of this person at once (suspension, password change).
    session_epoch = models.PositiveIntegerField(default=0)
    totp_secret = models.BinaryField(null=True, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last TOTP time step accepted: a code is good once, and never for an earlier step.
    totp_last_step = models.BigIntegerField(default=0)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering: ClassVar = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(state="service"), name="one_service_identity_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        # Addresses are kept in lower case so that uniqueness holds whatever case people type.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.state == self.State.ACTIVE

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.role == self.Role.ADMINISTRATOR

    @property
    def is_focal_point(self) -> bool:
        return self.is_active and self.role == self.Role.FOCAL_POINT

    @property
    def is_service(self) -> bool:
        """The identity an organisation's service tokens act as: a national system calling the API for the
        organisation, not a named officer. It has no password and no second factor, so it never signs in to
        the pages; it is not ``is_active``, so it is never told anything, named, listed or counted; and while
        one of its tokens calls the API, accounts.access lets it read and write as a member of its
        organisation with no personal grants (see ``is_member_in_good_standing``)."""
        return self.state == self.State.SERVICE

    @property
    def is_observer(self) -> bool:
        return self.role == self.Role.OBSERVER

    @property
    def has_second_factor(self) -> bool:
        return self.totp_confirmed_at is not None and self.totp_secret is not None

    @property
    def has_signed_in_once(self) -> bool:
        return self.has_usable_password() and self.has_second_factor

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        return session_auth_hash(self.password, self.session_epoch, secret)


def session_auth_hash(password: str, session_epoch: int, secret: str | None = None) -> str:
    """The hash a session keeps of its person (``Person.get_session_auth_hash``), from the two values it is
    made of (opening a live stream checks it without making a Person: messaging.stream)."""
    # Django ends sessions whose stored hash no longer matches; adding the epoch lets us end all of a person's
    # sessions without touching their password.
    key_salt = "environet.accounts.Person.session"
    return salted_hmac(key_salt, f"{password}:{session_epoch}", secret=secret, algorithm="sha256").hexdigest()


class RecoveryCode(models.Model):
    """A single-use code for signing in without the authenticator; only a keyed hash is kept."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class AccessLink(models.Model):
    """A single-use link sent by email: welcome (set a first password) or confirming a new address."""

    class Purpose(models.TextChoices):
        WELCOME = "welcome", _("Welcome")
        EMAIL_CHANGE = "email_change", _("Email change")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_links")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    new_email = models.EmailField(blank=True)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class Throttle(models.Model):
    """A token bucket per account or client address, kept in the database so all processes share it."""

    key = models.CharField(max_length=100, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()
    # The last refused attempt on an account: refusals closer together than accounts.throttle's
    # EPISODE_SECONDS are one episode, about which the owner is told once.
    refused_at = models.DateTimeField(null=True, blank=True)


class ApiToken(models.Model):
    """An API token: it authenticates as its person, limited to its scopes, until it expires or is revoked.
    A personal token's person is the one who made it; an organisation's service token's person is the
    organisation's service identity, and ``made_by`` the focal point or administrator who made it. Only a
    short public prefix (to find the row) and a hash of the secret are kept; the whole token is shown once,
    when it is made."""

    class Scope(models.TextChoices):
        READ = "read", _("Read what you may read (seizures, library, requests for assistance, topics)")
        SEIZURES_WRITE = "seizures:write", _("Create, change and share seizure records")
        MESSAGES = "messages", _("Read and search messages")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="api_tokens")
    # Who made an organisation's service token (its ``person`` is then the organisation's service identity);
    # empty for a personal token, which its person made.
    made_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    # The last day (UTC) on which the token works.
    expires_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        # How the audit trail names the kind of thing an entry concerns.
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_expired(self) -> bool:
        return timezone.now().date() > self.expires_on

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]
