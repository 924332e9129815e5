"""Writes about people and organisations: validate, change, audit, notify after commit."""

import hashlib
import secrets
import zoneinfo
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import access, selectors, throttle, tokens, totp
from accounts.models import AccessLink, ApiToken, Organisation, Person
from audit.actions import record
from environet import broker
from environet.mail import absolute, send_after_commit
from topics.models import Topic, TopicChoice


class NotAllowed(Exception):
    """The actor may not do this; views answer as if the object did not exist."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(person: Person, purpose: str, *, created_by: Person | None, days: int, new_email: str = "") -> str:
    # A new link replaces any unused one of the same purpose: only the latest email works.
    AccessLink.objects.filter(person=person, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        person=person,
        purpose=purpose,
        token_hash=_token_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
        new_email=new_email,
    )
    return token


def find_link(token: str, purpose: str) -> AccessLink | None:
    """A usable link for this token, or None (used, expired or never issued look the same)."""
    link = AccessLink.objects.select_related("person").filter(token_hash=_token_hash(token), purpose=purpose).first()
    if link is None or not link.is_usable or (purpose == AccessLink.Purpose.WELCOME and not link.person.is_active):
        return None
    return link


def _end_live_streams(person: Person) -> None:
    """Open live streams outlive the session checks of their first request: close them after commit."""
    person_id = person.pk
    broker.after_commit({"kind": "person.ended", "person": person_id})


def _changes(instance: Any, fields: list[str], before: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before[name], getattr(instance, name)] for name in fields if before[name] != getattr(instance, name)}


def _snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _send_welcome(person: Person, token: str, template: str, actor: Person | None) -> None:
    send_after_commit(
        to=person.email,
        template=template,
        language=person.language,
        context={
            "person": person,
            "actor": actor,
            "days": settings.INVITATION_DAYS,
            "link": absolute(reverse("accounts:welcome", args=[token])),
        },
    )


# --- Getting in -------------------------------------------------------------------------------------


def _match_organisation(name: str, country: str) -> Organisation | None:
    candidates = Organisation.objects.filter(is_active=True, proposed=False, country=country)
    wanted = name.strip().casefold()
    for organisation in candidates:
        if wanted in {organisation.name.casefold(), organisation.short_name.casefold()}:
            return organisation
    return None


@transaction.atomic
def request_access(*, request: HttpRequest, data: dict[str, Any]) -> None:
    """Record an access request. The caller shows the same answer whatever happens here, so the page
    never tells whether the email or the organisation is already known."""
    email = data["email"].lower()
    existing = Person.objects.filter(email__iexact=email).first()
    if existing is not None and existing.is_service:
        # An organisation's service identity has no mailbox: nothing to tell, nobody to make.
        record("access.requested_again", request=request, target=existing)
        return
    if existing is not None:
        # Tell the address's owner instead of the requester: only they can read it.
        send_after_commit(
            to=existing.email,
            template="accounts/email/already_known",
            language=existing.language,
            context={"person": existing, "reset_link": absolute(reverse("accounts:password_reset"))},
        )
        record("access.requested_again", request=request, target=existing)
        return
    organisation = _match_organisation(data["organisation_name"], data["country"])
    if organisation is None:
        organisation = Organisation.objects.create(
            name=data["organisation_name"].strip(),
            kind=data["organisation_kind"],
            country=data["country"],
            is_active=False,
            proposed=True,
            standing=Organisation.Standing.OBSERVER
            if data["organisation_kind"] == Organisation.Kind.OBSERVER
            else Organisation.Standing.MEMBER,
        )
    person = Person.objects.create_user(
        email=email,
        full_name=data["full_name"],
        organisation=organisation,
        position=data["position"],
        language=data.get("language") or "en",
        request_reason=data["reason"],
        state=Person.State.REQUESTED,
        role=Person.Role.MEMBER,
    )
    person.set_unusable_password()
    person.save(update_fields=["password"])
    record("access.requested", request=request, actor=None, target=person, changes={"reason": data["reason"]})
    reviewers = list(access.decision_makers_for(person))
    for reviewer in reviewers:
        send_after_commit(
            to=reviewer.email,
            template="accounts/email/request_waiting",
            language=reviewer.language,
            context={
                "reviewer": reviewer,
                "person": person,
                "link": absolute(reverse("accounts:person", args=[person.pk])),
            },
        )


def _follow_at_the_usual_level(person: Person, codes: list[str]) -> list[str]:
    """A newcomer follows these topics (A–G) on the platform and in a daily email, the calm usual level;
    returns the codes followed, in topic order."""
    topics = list(Topic.objects.filter(is_forum=False, code__in=codes))
    TopicChoice.objects.bulk_create(
        [TopicChoice(person=person, topic=topic, delivery=TopicChoice.Delivery.LIVE_AND_DIGEST) for topic in topics]
    )
    return [topic.code for topic in topics]


@transaction.atomic
def approve(
    *,
    request: HttpRequest,
    actor: Person,
    person: Person,
    role: str,
    organisation: Organisation | None = None,
) -> None:
    if not access.can_decide(actor, person):
        raise NotAllowed
    changes: dict[str, Any] = {"state": [person.state, Person.State.ACTIVE]}
    if organisation is not None and organisation.pk != person.organisation_id:
        if not actor.is_administrator:
            raise NotAllowed
        changes["organisation"] = [str(person.organisation), str(organisation)]
        person.organisation = organisation
    if person.organisation.proposed:
        # An administrator approving someone from an organisation nobody knew confirms it as well.
        Organisation.objects.filter(pk=person.organisation_id).update(proposed=False, is_active=True)
        record("organisation.confirmed", request=request, actor=actor, target=person.organisation)
    if role not in access.invitable_roles(actor):
        raise NotAllowed
    if role != person.role:
        changes["role"] = [person.role, role]
    person.role = role
    person.state = Person.State.ACTIVE
    person.decided_by, person.decided_at = actor, timezone.now()
    person.save()
    if not TopicChoice.objects.filter(person=person).exists():
        # As for an invitation: what their organisation's people follow, shown on the welcome page.
        topics = _follow_at_the_usual_level(
            person, selectors.usual_topic_codes(organisation=person.organisation, inviter=actor)
        )
        if topics:
            changes["topics"] = [None, topics]
    token = new_link(person, AccessLink.Purpose.WELCOME, created_by=actor, days=settings.INVITATION_DAYS)
    record("person.approved", request=request, actor=actor, target=person, changes=changes)
    _send_welcome(person, token, "accounts/email/approved", actor)


@transaction.atomic
def reject(*, request: HttpRequest, actor: Person, person: Person, reason: str) -> None:
    if not access.can_decide(actor, person):
        raise NotAllowed
    person.state = Person.State.REJECTED
    person.decided_by, person.decided_at, person.decision_reason = actor, timezone.now(), reason
    person.save()
    record(
        "person.rejected",
        request=request,
        actor=actor,
        target=person,
        changes={"state": [Person.State.REQUESTED, Person.State.REJECTED], "reason": reason},
    )
    send_after_commit(
        to=person.email,
        template="accounts/email/rejected",
        language=person.language,
        context={"person": person, "reason": reason},
    )


@transaction.atomic
def invite(*, request: HttpRequest, actor: Person, data: dict[str, Any]) -> Person:
    organisation = data["organisation"]
    if organisation not in access.organisations_for_invitations(actor) or data["role"] not in access.invitable_roles(
        actor
    ):
        raise NotAllowed
    person = Person.objects.create_user(
        email=data["email"].lower(),
        full_name=data["full_name"],
        organisation=organisation,
        position=data.get("position", ""),
        role=data["role"],
        state=Person.State.ACTIVE,
        language=data.get("language") or "en",
        decided_by=actor,
        decided_at=timezone.now(),
    )
    person.set_unusable_password()
    person.save(update_fields=["password"])
    topics = _follow_at_the_usual_level(person, [topic.code for topic in data.get("topics") or []])
    token = new_link(person, AccessLink.Purpose.WELCOME, created_by=actor, days=settings.INVITATION_DAYS)
    changes: dict[str, list[Any]] = {"role": [None, person.role]}
    if topics:
        changes["topics"] = [None, topics]
    record("person.invited", request=request, actor=actor, target=person, changes=changes)
    _send_welcome(person, token, "accounts/email/invited", actor)
    return person


@transaction.atomic
def resend_welcome(*, request: HttpRequest, actor: Person, person: Person) -> None:
    if not access.can_resend_welcome(actor, person):
        raise NotAllowed
    token = new_link(person, AccessLink.Purpose.WELCOME, created_by=actor, days=settings.INVITATION_DAYS)
    record("person.welcome_resent", request=request, actor=actor, target=person)
    _send_welcome(person, token, "accounts/email/invited", actor)


@transaction.atomic
def set_first_password(*, request: HttpRequest, link: AccessLink, password: str) -> Person:
    """The welcome link's work: the link is spent and the password set together, or neither."""
    spent = AccessLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not spent:
        raise NotAllowed
    person = link.person
    person.set_password(password)
    person.session_epoch = F("session_epoch") + 1
    person.save(update_fields=["password", "session_epoch"])
    person.refresh_from_db()
    record("password.set", request=request, actor=person, target=person)
    return person


# --- Second factor ------------------------------------------------------------------------------------


@transaction.atomic
def enrol_second_factor(*, request: HttpRequest, person: Person, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it. Returns the new recovery codes, or None when the
    code is wrong (nothing changes then)."""
    step = totp.matching_step(secret, code)
    if step is None:
        return None
    replacing = person.has_second_factor
    person.totp_secret = totp.seal_secret(person, secret)
    person.totp_confirmed_at = timezone.now()
    person.totp_last_step = step
    person.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    codes = totp.new_recovery_codes(person)
    record(
        "second_factor.changed" if replacing else "second_factor.enrolled",
        request=request,
        actor=person,
        target=person,
    )
    if replacing:
        send_after_commit(
            to=person.email,
            template="accounts/email/security_change",
            language=person.language,
            context={"person": person, "what": "second_factor"},
        )
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, request: HttpRequest, person: Person) -> list[str]:
    codes = totp.new_recovery_codes(person)
    record("recovery_codes.regenerated", request=request, actor=person, target=person)
    return codes


@transaction.atomic
def signin_throttled(*, request: HttpRequest, email: str, attempt: throttle.SignIn, refusal: str) -> None:
    """A password attempt refused by the throttle (``refusal`` as ``throttle.signin_refusal`` says).

    When the account's own buckets refused it and this begins an episode, the account's owner is told by
    email (once per episode: see accounts.throttle). The same steps run for unknown addresses."""
    person = Person.objects.filter(email__iexact=email).first()
    record("signin.throttled", request=request, target=person, label=email, changes={"step": "password"})
    if refusal != "account" or not throttle.refusal_starts_episode(attempt) or person is None or not person.is_active:
        return
    address = getattr(request, "client_address", "")
    when = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(person.time_zone))
    send_after_commit(
        to=person.email,
        template="accounts/email/signin_throttled",
        language=person.language,
        context={
            "person": person,
            "when": f"{when:%Y-%m-%d %H:%M} ({person.time_zone})",
            "address": address,
            "link": absolute(reverse("accounts:security")),
        },
    )
    record("signin.throttle_notified", request=request, actor=None, target=person, changes={"address": address})


# --- People management ------------------------------------------------------------------------------


@transaction.atomic
def change_role(*, request: HttpRequest, actor: Person, person: Person, role: str) -> None:
    if role not in access.roles_assignable_by(actor, person):
        raise NotAllowed
    if role == person.role:
        return
    old = person.role
    person.role = role
    person.save(update_fields=["role"])
    record("person.role_changed", request=request, actor=actor, target=person, changes={"role": [old, role]})


@transaction.atomic
def set_moderator(*, request: HttpRequest, actor: Person, person: Person, moderator: bool) -> None:
    if not access.can_set_moderator(actor, person):
        raise NotAllowed
    if person.is_moderator == moderator:
        return
    person.is_moderator = moderator
    person.save(update_fields=["is_moderator"])
    record(
        "person.moderator_changed",
        request=request,
        actor=actor,
        target=person,
        changes={"is_moderator": [not moderator, moderator]},
    )


@transaction.atomic
def set_expertise(*, request: HttpRequest, actor: Person, person: Person, data: dict[str, Any]) -> None:
    if not access.people_managed_by(actor).filter(pk=person.pk).exists():
        raise NotAllowed
    fields = ["is_expert", "expert_conventions", "expert_topics", "expert_languages", "expert_regions"]
    before = _snapshot(person, fields)
    for name in fields:
        setattr(person, name, data[name])
    changes = _changes(person, fields, before)
    if changes:
        person.save(update_fields=fields)
        record("person.expertise_changed", request=request, actor=actor, target=person, changes=changes)


@transaction.atomic
def suspend(*, request: HttpRequest, actor: Person, person: Person, reason: str) -> None:
    if not access.can_suspend(actor, person):
        raise NotAllowed
    person.state = Person.State.SUSPENDED
    person.session_epoch = F("session_epoch") + 1  # ends every open session at once
    person.save(update_fields=["state", "session_epoch"])
    person.refresh_from_db()
    record(
        "person.suspended",
        request=request,
        actor=actor,
        target=person,
        changes={"state": [Person.State.ACTIVE, Person.State.SUSPENDED], "reason": reason},
    )
    _end_live_streams(person)


@transaction.atomic
def reactivate(*, request: HttpRequest, actor: Person, person: Person) -> None:
    if not access.can_reactivate(actor, person):
        raise NotAllowed
    person.state = Person.State.ACTIVE
    person.save(update_fields=["state"])
    record(
        "person.reactivated",
        request=request,
        actor=actor,
        target=person,
        changes={"state": [Person.State.SUSPENDED, Person.State.ACTIVE]},
    )


# --- Own profile ------------------------------------------------------------------------------------

PROFILE_FIELDS = ["full_name", "position", "languages_spoken", "language", "time_zone"]


@transaction.atomic
def update_profile(*, request: HttpRequest, person: Person, data: dict[str, Any]) -> None:
    before = _snapshot(person, PROFILE_FIELDS)
    for name in PROFILE_FIELDS:
        setattr(person, name, data[name])
    changes = _changes(person, PROFILE_FIELDS, before)
    if changes:
        person.save(update_fields=PROFILE_FIELDS)
        record("settings.profile_changed", request=request, actor=person, target=person, changes=changes)


@transaction.atomic
def change_password(*, request: HttpRequest, person: Person, password: str) -> None:
    """A new password ends every other session of the person; this one stays signed in."""
    person.set_password(password)
    person.session_epoch = F("session_epoch") + 1
    person.save(update_fields=["password", "session_epoch"])
    person.refresh_from_db()
    update_session_auth_hash(request, person)
    record("password.changed", request=request, actor=person, target=person)
    _end_live_streams(person)  # this session's page reconnects; the others' cannot
    send_after_commit(
        to=person.email,
        template="accounts/email/security_change",
        language=person.language,
        context={"person": person, "what": "password"},
    )


def after_password_reset(*, request: HttpRequest, person: Person) -> None:
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(session_epoch=F("session_epoch") + 1)
        record("password.reset", request=request, actor=person, target=person)
        _end_live_streams(person)
        send_after_commit(
            to=person.email,
            template="accounts/email/security_change",
            language=person.language,
            context={"person": person, "what": "password"},
        )


@transaction.atomic
def request_email_change(*, request: HttpRequest, person: Person, new_email: str) -> None:
    """The person is answered alike whether or not the address already has an account (the page must not
    tell who has one); a taken address gets a word for its owner instead of a confirmation link."""
    record(
        "settings.email_change_requested",
        request=request,
        actor=person,
        target=person,
        changes={"email": [person.email, new_email.lower()]},
    )
    owner = Person.objects.filter(email__iexact=new_email).exclude(pk=person.pk).first()
    if owner is not None and owner.is_service:
        pass  # the address is taken, by a service identity, which has no mailbox to tell
    elif owner is not None:
        send_after_commit(
            to=owner.email, template="accounts/email/address_taken", language=owner.language, context={"person": owner}
        )
    else:
        token = new_link(
            person, AccessLink.Purpose.EMAIL_CHANGE, created_by=person, days=1, new_email=new_email.lower()
        )
        send_after_commit(
            to=new_email,
            template="accounts/email/confirm_email",
            language=person.language,
            context={"person": person, "link": absolute(reverse("accounts:confirm_email", args=[token]))},
        )
    send_after_commit(
        to=person.email,
        template="accounts/email/email_change_notice",
        language=person.language,
        context={"person": person, "new_email": new_email},
    )


@transaction.atomic
def confirm_email_change(*, request: HttpRequest, person: Person, link: AccessLink) -> bool:
    """False when the address was taken meanwhile (then nothing changes)."""
    if Person.objects.filter(email__iexact=link.new_email).exclude(pk=person.pk).exists():
        return False
    if not AccessLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()):
        return False
    old = person.email
    person.email = link.new_email
    person.save(update_fields=["email"])
    record(
        "settings.email_changed",
        request=request,
        actor=person,
        target=person,
        changes={"email": [old, person.email]},
    )
    return True


# --- Organisations ------------------------------------------------------------------------------------

ORGANISATION_FIELDS = ["name", "short_name", "kind", "country", "standing", "is_active"]


@transaction.atomic
def save_organisation(
    *, request: HttpRequest, actor: Person, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    if not access.can_manage_organisations(actor):
        raise NotAllowed
    creating = organisation.pk is None
    before = _snapshot(organisation, ORGANISATION_FIELDS)
    for name in ORGANISATION_FIELDS:
        setattr(organisation, name, data[name])
    organisation.proposed = False
    changes = _changes(organisation, ORGANISATION_FIELDS, before)
    organisation.save()
    if {"name", "standing"} & changes.keys():
        Person.objects.filter(organisation=organisation, state=Person.State.SERVICE).update(
            full_name=organisation.name, role=_service_role(organisation)
        )
    if "country" in changes:
        # Streams open for its people judge country audiences by the country they had at connection.
        broker.readers_changed(organisation.people.values_list("pk", flat=True))
    if creating or changes:
        record(
            "organisation.created" if creating else "organisation.changed",
            request=request,
            actor=actor,
            target=organisation,
            changes=changes,
        )
    return organisation


def _checked_token_terms(scopes: list[str], expires_on: date) -> None:
    if not scopes or not set(scopes) <= set(ApiToken.Scope.values):
        raise ValueError(f"unknown or no scopes: {scopes!r}")
    today = timezone.now().date()
    if not today <= expires_on <= today + timedelta(days=tokens.MAX_DAYS):
        raise ValueError("a token expires between today and the longest lifetime allowed")


def create_api_token(
    *, request: HttpRequest | None, person: Person, name: str, scopes: list[str], expires_on: date
) -> tuple[ApiToken, str]:
    """Make a personal API token and return it with its full text, which is shown once and never stored."""
    _checked_token_terms(scopes, expires_on)
    if not set(scopes) <= set(access.token_scopes_usable_by(person)):
        raise NotAllowed
    text, prefix, secret_hash = tokens.new_token_text()
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=person, name=name, prefix=prefix, secret_hash=secret_hash, scopes=sorted(scopes),
            expires_on=expires_on,
        )  # fmt: skip
        record(
            "api_token.created",
            request=request,
            actor=person,
            target=token,
            changes={"scopes": token.scopes, "expires_on": expires_on.isoformat()},
        )
    return token, text


def revoke_api_token(*, request: HttpRequest | None, person: Person, token: ApiToken) -> None:
    """Stop a token working at once; revoking it again changes nothing."""
    _revoke(request=request, actor=person, token=token)


def _revoke(*, request: HttpRequest | None, actor: Person, token: ApiToken) -> None:
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if changed:
            record(
                "api_token.revoked",
                request=request,
                actor=actor,
                target=token,
                subject_organisation=token.person.organisation if token.person.is_service else None,
            )
    token.refresh_from_db()


# --- Organisation service tokens ------------------------------------------------------------------------

# Where service identities' addresses live: ``.invalid`` can never be delivered to (RFC 2606), and the
# address is unique per organisation as every person's must be. Nothing is ever sent there: the identity
# is not active, so no notice or email chooses it.
SERVICE_EMAIL_DOMAIN = "service.environet.invalid"


def _service_role(organisation: Organisation) -> str:
    # As a person of the organisation with no grants of their own: an observer organisation's system reads.
    return Person.Role.OBSERVER if organisation.standing == Organisation.Standing.OBSERVER else Person.Role.MEMBER


def service_identity_of(*, request: HttpRequest | None, actor: Person, organisation: Organisation) -> Person:
    """The organisation's service identity, made the first time a service token is made for it. Its name is
    the organisation's: what it files reads as filed by the organisation."""
    existing = Person.objects.filter(organisation=organisation, state=Person.State.SERVICE).first()
    if existing is not None:
        return existing
    identity = Person(
        email=f"organisation-{organisation.pk}@{SERVICE_EMAIL_DOMAIN}",
        full_name=organisation.name,
        organisation=organisation,
        state=Person.State.SERVICE,
        role=_service_role(organisation),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    identity.set_unusable_password()
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError:
        # Two first tokens made at the same moment: the other one made the identity (one per organisation).
        return Person.objects.get(organisation=organisation, state=Person.State.SERVICE)
    record("person.service_identity_made", request=request, actor=actor, target=identity)
    return identity


def create_service_token(
    *,
    request: HttpRequest | None,
    actor: Person,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    expires_on: date,
) -> tuple[ApiToken, str]:
    """Make a service token of ``organisation`` (its calls act as the organisation's service identity) and
    return it with its full text, which is shown once and never stored."""
    if not access.can_make_service_token(actor, organisation):
        raise NotAllowed
    _checked_token_terms(scopes, expires_on)
    text, prefix, secret_hash = tokens.new_token_text()
    with transaction.atomic():
        identity = service_identity_of(request=request, actor=actor, organisation=organisation)
        token = ApiToken.objects.create(
            person=identity, made_by=actor, name=name, prefix=prefix, secret_hash=secret_hash,
            scopes=sorted(scopes), expires_on=expires_on,
        )  # fmt: skip
        record(
            "api_token.created",
            request=request,
            actor=actor,
            target=token,
            subject_organisation=organisation,
            changes={"scopes": token.scopes, "expires_on": expires_on.isoformat(), "service": True},
        )
    return token, text


def revoke_service_token(*, request: HttpRequest | None, actor: Person, token: ApiToken) -> None:
    """Stop one of an organisation's service tokens at once; revoking it again changes nothing."""
    if not token.person.is_service or not access.can_manage_service_tokens(actor, token.person.organisation):
        raise NotAllowed
    _revoke(request=request, actor=actor, token=token)
