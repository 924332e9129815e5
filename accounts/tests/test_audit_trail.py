"""Every write the issue names leaves an audit entry: who, what, on what, from which address and browser."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts import totp
from accounts.models import Person
from accounts.tests.helpers import enrol, link_in, sign_in
from audit.models import Entry
from conftest import PASSWORD, Cast, Mailbox, current_code, signed_in

ADDRESS = "203.0.113.7"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
PASSPHRASE = "forty sacks of charcoal on the Lamu ferry"


def _office(person: Person | None = None, *, confirmed: bool = True) -> Client:
    """A browser at a known address, signed in as ``person`` (or nobody)."""
    client = signed_in(person, confirmed=confirmed)
    client.defaults.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    return client


@dataclass
class Kit:
    cast: Cast
    capture: Callable
    mailbox: Mailbox


# Each scenario does one write through the pages and returns who should be recorded as the actor and
# what the entry should point at.
Scenario = Callable[[Kit], tuple[Person | None, Any]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(action: str) -> Callable[[Scenario], Scenario]:
    def register(function: Scenario) -> Scenario:
        SCENARIOS[action] = function
        return function

    return register


@scenario("signin.succeeded")
def _signin_succeeded(kit: Kit):
    sign_in(_office(), kit.cast.member)
    return kit.cast.member, kit.cast.member


@scenario("signin.failed")
def _signin_failed(kit: Kit):
    # Nobody is signed in yet: the entry names the account that was tried, not an actor.
    _office().post("/accounts/signin/", {"email": kit.cast.member.email, "password": "guess"})
    return None, kit.cast.member


@scenario("access.requested")
def _access_requested(kit: Kit):
    with kit.capture(execute=True):
        _office().post(
            "/accounts/request-access/",
            {
                "full_name": "Nia Newcomer",
                "email": "nia@kra.example",
                "position": "Inspector",
                "organisation_name": "KRA",
                "organisation_kind": "customs",
                "country": "KE",
                "language": "en",
                "reason": "Port of Mombasa",
            },
        )
    return None, Person.objects.get(email="nia@kra.example")


@scenario("person.approved")
def _approved(kit: Kit):
    with kit.capture(execute=True):
        _office(kit.cast.focal_point).post(f"/accounts/people/{kit.cast.requested.pk}/approve/", {"role": "member"})
    return kit.cast.focal_point, kit.cast.requested


@scenario("person.rejected")
def _rejected(kit: Kit):
    with kit.capture(execute=True):
        _office(kit.cast.focal_point).post(f"/accounts/people/{kit.cast.requested.pk}/reject/", {"reason": "Unknown"})
    return kit.cast.focal_point, kit.cast.requested


@scenario("person.invited")
def _invited(kit: Kit):
    with kit.capture(execute=True):
        _office(kit.cast.focal_point).post(
            "/accounts/people/invite/",
            {
                "full_name": "Ivy Invited",
                "email": "ivy@kra.example",
                "organisation": kit.cast.home.pk,
                "role": "member",
                "language": "en",
            },
        )
    return kit.cast.focal_point, Person.objects.get(email="ivy@kra.example")


@scenario("person.role_changed")
def _role_changed(kit: Kit):
    _office(kit.cast.focal_point).post(f"/accounts/people/{kit.cast.member.pk}/role/", {"role": "observer"})
    return kit.cast.focal_point, kit.cast.member


@scenario("person.suspended")
def _suspended(kit: Kit):
    _office(kit.cast.administrator).post(f"/accounts/people/{kit.cast.member.pk}/suspend/", {"reason": "Left"})
    return kit.cast.administrator, kit.cast.member


@scenario("person.reactivated")
def _reactivated(kit: Kit):
    _office(kit.cast.focal_point).post(f"/accounts/people/{kit.cast.suspended.pk}/reactivate/")
    return kit.cast.focal_point, kit.cast.suspended


@scenario("password.changed")
def _password_changed(kit: Kit):
    with kit.capture(execute=True):
        _office(kit.cast.member).post(
            "/accounts/security/password/", {"current": PASSWORD, "password1": PASSPHRASE, "password2": PASSPHRASE}
        )
    return kit.cast.member, kit.cast.member


@scenario("password.reset")
def _password_reset(kit: Kit):
    client = _office()
    with kit.capture(execute=True):
        client.post("/accounts/password-reset/", {"email": kit.cast.member.email})
    form_page = client.get(link_in(kit.mailbox.to(kit.cast.member.email)[-1]), follow=True)
    with kit.capture(execute=True):
        client.post(form_page.request["PATH_INFO"], {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    return kit.cast.member, kit.cast.member


def _welcomed(kit: Kit) -> tuple[Client, Person]:
    """Ivy is invited and opens her welcome link; returns her browser, on the enrolment page."""
    _invited(kit)
    client = _office()
    client.post(link_in(kit.mailbox.to("ivy@kra.example")[0]), {"password1": PASSPHRASE, "password2": PASSPHRASE})
    return client, Person.objects.get(email="ivy@kra.example")


@scenario("password.set")
def _password_set(kit: Kit):
    _client, ivy = _welcomed(kit)
    return ivy, ivy


@scenario("second_factor.enrolled")
def _second_factor_enrolled(kit: Kit):
    client, ivy = _welcomed(kit)
    enrol(client)
    return ivy, ivy


@scenario("second_factor.changed")
def _second_factor_changed(kit: Kit):
    with kit.capture(execute=True):
        enrol(_office(kit.cast.member))
    return kit.cast.member, kit.cast.member


@scenario("recovery_codes.regenerated")
def _recovery_codes(kit: Kit):
    _office(kit.cast.member).post("/accounts/security/recovery-codes/")
    return kit.cast.member, kit.cast.member


@scenario("confirmation.succeeded")
def _confirmed(kit: Kit):
    _office(kit.cast.member, confirmed=False).post("/accounts/confirm/", {"code": current_code(kit.cast.member)})
    return kit.cast.member, kit.cast.member


@scenario("settings.profile_changed")
def _profile(kit: Kit):
    _office(kit.cast.member).post(
        "/accounts/profile/",
        {"full_name": "Mohamed Member", "position": "Inspector", "language": "fr", "time_zone": "Africa/Nairobi"},
    )
    return kit.cast.member, kit.cast.member


@scenario("settings.topics_changed")
def _topics(kit: Kit):
    _office(kit.cast.member).post("/accounts/profile/topics/", {"topic-B": "live_email"})
    return kit.cast.member, kit.cast.member


@scenario("settings.email_change_requested")
def _email_requested(kit: Kit):
    with kit.capture(execute=True):
        _office(kit.cast.member).post("/accounts/profile/email/", {"email": "mm@kra.example"})
    return kit.cast.member, kit.cast.member


@scenario("settings.email_changed")
def _email_changed(kit: Kit):
    client = _office(kit.cast.member)
    with kit.capture(execute=True):
        client.post("/accounts/profile/email/", {"email": "mm@kra.example"})
    client.post(link_in(kit.mailbox.to("mm@kra.example")[0]))
    return kit.cast.member, kit.cast.member


@scenario("organisation.changed")
def _organisation_changed(kit: Kit):
    _office(kit.cast.administrator).post(
        f"/accounts/organisations/{kit.cast.other.pk}/",
        {"name": "Direction générale des douanes", "short_name": "DGDDI", "kind": "customs", "country": "FR"}
        | {"standing": "member", "is_active": "on"},
    )
    return kit.cast.administrator, kit.cast.other


@pytest.mark.parametrize("action", SCENARIOS)
def test_it_records_who_did_what_from_where(cast, mailbox, django_capture_on_commit_callbacks, action):
    actor, target = SCENARIOS[action](Kit(cast, django_capture_on_commit_callbacks, mailbox))

    [entry] = Entry.objects.filter(action=action)
    assert entry.actor == actor
    assert (entry.object_type, entry.object_id) == (target._meta.label_lower, str(target.pk))
    assert (entry.client_address, entry.user_agent) == (ADDRESS, BROWSER)
    if actor is not None:
        # The name is kept beside the reference, so the entry still reads right if the person changes.
        assert actor.full_name in entry.actor_name
        assert entry.organisation_id == actor.organisation_id
    # Focal points see their organisation's part of the trail through this.
    assert entry.subject_organisation_id == getattr(target, "organisation_id", target.pk)


def test_it_keeps_old_and_new_values(cast):
    _office(cast.focal_point).post(f"/accounts/people/{cast.member.pk}/role/", {"role": "observer"})

    [entry] = Entry.objects.filter(action="person.role_changed")
    assert entry.changes == {"role": ["member", "observer"]}


def test_it_keeps_the_organisation_change_as_old_and_new_values(cast):
    _organisation_changed(Kit(cast, None, Mailbox()))  # type: ignore[arg-type]

    [entry] = Entry.objects.filter(action="organisation.changed")
    assert entry.changes == {"name": ["French Customs", "Direction générale des douanes"]}


def test_it_never_writes_secrets_into_the_trail(cast, mailbox, django_capture_on_commit_callbacks):
    kit = Kit(cast, django_capture_on_commit_callbacks, mailbox)
    code = current_code(cast.member)
    recovery = totp.new_recovery_codes(cast.member)
    sign_in(_office(), cast.member, code=code)
    sign_in(_office(), cast.member, code=recovery[0])
    _password_changed(kit)
    _password_reset(kit)

    trail = json.dumps(list(Entry.objects.values("changes", "object_label")))
    for secret in (PASSWORD, PASSPHRASE, code, recovery[0], recovery[1]):
        assert secret not in trail
