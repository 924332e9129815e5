"""Getting in: requesting access, decisions by focal points and administrators, invitations, the welcome
link, enrolling the authenticator and the recovery codes."""

from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from accounts import totp
from accounts.models import AccessLink, Organisation, Person
from accounts.tests.helpers import enrol, is_signed_in, link_in, sign_in
from conftest import current_code, signed_in
from environet import crypto

NEW_PASSWORD = "a river runs past the old customs house"


def _request(**overrides) -> dict[str, str]:
    return {
        "full_name": "Nia Newcomer",
        "email": "nia@kra.example",
        "position": "Wildlife inspector",
        "organisation_name": "KRA",
        "organisation_kind": "customs",
        "country": "KE",
        "language": "en",
        "reason": "I handle ivory seizures at the port of Mombasa.",
    } | overrides


def _ask(client: Client, capture, **overrides):
    with capture(execute=True):
        return client.post("/accounts/request-access/", _request(**overrides))


def _invite(client: Client, capture, organisation: Organisation, **overrides):
    data = {
        "full_name": "Ivy Invited",
        "email": "ivy@kra.example",
        "position": "Analyst",
        "organisation": organisation.pk,
        "role": "member",
        "language": "en",
    } | overrides
    with capture(execute=True):
        return client.post("/accounts/people/invite/", data)


# --- Requesting access --------------------------------------------------------------------------------


def test_it_records_a_request_for_a_known_organisation_and_tells_its_focal_points(
    cast, mailbox, django_capture_on_commit_callbacks
):
    response = _ask(Client(), django_capture_on_commit_callbacks)

    assert response["Location"] == "/accounts/request-access/sent/"
    person = Person.objects.get(email="nia@kra.example")
    assert (person.state, person.organisation, person.has_usable_password()) == ("requested", cast.home, False)
    [message] = mailbox.to(cast.focal_point.email)
    assert "Nia Newcomer" in message["Subject"]
    assert link_in(message) == f"/accounts/people/{person.pk}/"
    assert mailbox.to(cast.other_focal_point.email) == []
    assert mailbox.to(cast.administrator.email) == []


def test_it_sends_requests_for_an_unknown_organisation_to_the_administrators(
    cast, mailbox, django_capture_on_commit_callbacks
):
    _ask(
        Client(),
        django_capture_on_commit_callbacks,
        organisation_name="Uganda Wildlife Authority",
        organisation_kind="agency",
        country="UG",
    )

    person = Person.objects.get(email="nia@kra.example")
    assert person.organisation.proposed and not person.organisation.is_active
    assert len(mailbox.to(cast.administrator.email)) == 1
    assert mailbox.to(cast.focal_point.email) == []


def test_it_answers_the_same_whether_the_address_is_known_or_not(cast, mailbox, django_capture_on_commit_callbacks):
    unknown = _ask(Client(), django_capture_on_commit_callbacks, email="nobody@kra.example")
    known = _ask(Client(), django_capture_on_commit_callbacks, email=cast.member.email.upper())

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # Only the owner of the known address hears about it, and nothing new is created for it.
    assert Person.objects.filter(email__iexact=cast.member.email).count() == 1
    [notice] = mailbox.to(cast.member.email)
    assert notice["Subject"] == "[ENVIRONET] Someone asked for access with your address"


def test_it_answers_the_same_whether_the_organisation_is_known_or_not(cast, django_capture_on_commit_callbacks):
    known = _ask(Client(), django_capture_on_commit_callbacks, email="a@kra.example")
    unknown = _ask(
        Client(), django_capture_on_commit_callbacks, email="b@uwa.example", organisation_name="Uganda Wildlife"
    )

    assert known["Location"] == unknown["Location"] == "/accounts/request-access/sent/"


def test_it_asks_for_a_country_except_for_international_bodies(db):
    national = Client().post("/accounts/request-access/", _request(country=""))
    international = Client().post(
        "/accounts/request-access/",
        _request(country="", organisation_name="Interpol", organisation_kind="international"),
    )

    assert "country" in national.context["form"].errors
    assert international.status_code == 302


# --- Decisions ------------------------------------------------------------------------------------------


def _approve(client: Client, capture, person: Person, **data):
    with capture(execute=True):
        return client.post(f"/accounts/people/{person.pk}/approve/", {"role": "member"} | data)


def test_it_lets_the_focal_point_approve_and_sends_a_welcome_link(cast, mailbox, django_capture_on_commit_callbacks):
    response = _approve(signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.requested)

    assert response["Location"] == f"/accounts/people/{cast.requested.pk}/"
    person = Person.objects.get(pk=cast.requested.pk)
    assert (person.state, person.role, person.decided_by) == ("active", "member", cast.focal_point)
    [message] = mailbox.to(person.email)
    assert message["Subject"] == "[ENVIRONET] Your access to ENVIRONET has been approved"
    assert Client().get(link_in(message)).status_code == 200


def test_it_lets_the_focal_point_choose_the_role_when_approving(cast, django_capture_on_commit_callbacks):
    _approve(signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.requested, role="observer")

    assert Person.objects.get(pk=cast.requested.pk).role == "observer"


def test_it_does_not_let_a_focal_point_make_an_administrator(cast, django_capture_on_commit_callbacks):
    response = _approve(
        signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.requested, role="administrator"
    )

    assert response.status_code == 400
    assert Person.objects.get(pk=cast.requested.pk).state == "requested"


@pytest.mark.parametrize("who", ["other_focal_point", "member", "observer"])
def test_it_answers_not_found_to_people_who_may_not_decide(cast, who, django_capture_on_commit_callbacks):
    response = _approve(signed_in(getattr(cast, who)), django_capture_on_commit_callbacks, cast.requested)

    assert response.status_code == 404
    assert Person.objects.get(pk=cast.requested.pk).state == "requested"


def test_it_leaves_new_organisations_to_the_administrators(cast, django_capture_on_commit_callbacks):
    _ask(Client(), django_capture_on_commit_callbacks, organisation_name="Kenya Forest Service")
    newcomer = Person.objects.get(email="nia@kra.example")
    # The home focal point cannot vouch for an organisation nobody has confirmed, even in their country.
    assert newcomer.organisation != cast.home

    refused = _approve(signed_in(cast.focal_point), django_capture_on_commit_callbacks, newcomer)
    approved = _approve(signed_in(cast.administrator), django_capture_on_commit_callbacks, newcomer)

    assert refused.status_code == 404
    assert approved.status_code == 302
    organisation = Organisation.objects.get(pk=newcomer.organisation_id)
    assert organisation.is_active and not organisation.proposed


def test_it_lets_an_administrator_move_a_request_to_an_existing_organisation(cast, django_capture_on_commit_callbacks):
    _ask(Client(), django_capture_on_commit_callbacks, organisation_name="Kenya Revenue Auth.")
    newcomer = Person.objects.get(email="nia@kra.example")

    _approve(signed_in(cast.administrator), django_capture_on_commit_callbacks, newcomer, organisation=cast.home.pk)

    assert Person.objects.get(pk=newcomer.pk).organisation == cast.home


def test_it_lets_the_focal_point_reject_with_a_reason_sent_to_the_applicant(
    cast, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(
            f"/accounts/people/{cast.requested.pk}/reject/", {"reason": "Not a KRA officer."}
        )

    assert response["Location"] == "/accounts/people/"
    person = Person.objects.get(pk=cast.requested.pk)
    assert (person.state, person.decision_reason, person.decided_by) == (
        "rejected",
        "Not a KRA officer.",
        cast.focal_point,
    )
    [message] = mailbox.to(person.email)
    assert "Not a KRA officer." in message.get_payload()


def test_it_requires_a_reason_to_reject(cast):
    response = signed_in(cast.focal_point).post(f"/accounts/people/{cast.requested.pk}/reject/", {"reason": ""})

    assert response.status_code == 400
    assert Person.objects.get(pk=cast.requested.pk).state == "requested"


def test_it_answers_not_found_when_deciding_twice(cast, django_capture_on_commit_callbacks):
    manager = signed_in(cast.focal_point)
    _approve(manager, django_capture_on_commit_callbacks, cast.requested)

    response = manager.post(f"/accounts/people/{cast.requested.pk}/reject/", {"reason": "Changed my mind"})

    assert response.status_code == 404
    assert Person.objects.get(pk=cast.requested.pk).state == "active"


# --- Invitations ------------------------------------------------------------------------------------------


def test_it_lets_a_focal_point_invite_into_their_organisation(cast, mailbox, django_capture_on_commit_callbacks):
    response = _invite(signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.home)

    person = Person.objects.get(email="ivy@kra.example")
    assert response["Location"] == f"/accounts/people/{person.pk}/"
    assert (person.state, person.organisation, person.role) == ("active", cast.home, "member")
    assert not person.has_usable_password()
    [message] = mailbox.to("ivy@kra.example")
    assert message["Subject"] == "[ENVIRONET] You are invited to ENVIRONET"
    assert "Fatou Focal" in message.get_payload()


def test_it_does_not_let_a_focal_point_invite_into_another_organisation(cast, django_capture_on_commit_callbacks):
    response = _invite(signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.other)

    assert "organisation" in response.context["form"].errors
    assert not Person.objects.filter(email="ivy@kra.example").exists()


def test_it_does_not_let_a_focal_point_invite_an_administrator(cast, django_capture_on_commit_callbacks):
    response = _invite(signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.home, role="administrator")

    assert "role" in response.context["form"].errors
    assert not Person.objects.filter(email="ivy@kra.example").exists()


def test_it_lets_an_administrator_invite_anyone_anywhere(cast, django_capture_on_commit_callbacks):
    _invite(signed_in(cast.administrator), django_capture_on_commit_callbacks, cast.other, role="administrator")

    person = Person.objects.get(email="ivy@kra.example")
    assert (person.organisation, person.role) == (cast.other, "administrator")


def test_it_does_not_invite_an_address_that_already_has_an_account(cast, django_capture_on_commit_callbacks):
    response = _invite(
        signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.home, email=cast.requested.email.upper()
    )

    assert "email" in response.context["form"].errors


@pytest.mark.parametrize("who", ["member", "observer"])
def test_it_answers_not_found_to_people_who_may_not_invite(cast, who):
    assert signed_in(getattr(cast, who)).get("/accounts/people/invite/").status_code == 404


# --- The welcome link ----------------------------------------------------------------------------------


@pytest.fixture
def invitation(cast, mailbox, django_capture_on_commit_callbacks) -> str:
    """The path of the welcome link Ivy received."""
    _invite(signed_in(cast.focal_point), django_capture_on_commit_callbacks, cast.home)
    [message] = mailbox.to("ivy@kra.example")
    return link_in(message)


def _choose_password(client: Client, link: str, password: str = NEW_PASSWORD):
    return client.post(link, {"password1": password, "password2": password})


def test_it_takes_a_newcomer_from_the_link_to_signed_in(invitation):
    client = Client()
    assert client.get(invitation).status_code == 200

    chosen = _choose_password(client, invitation)
    assert chosen["Location"] == "/accounts/enrol/"
    secret, enrolled = enrol(client)

    assert enrolled["Location"] == "/accounts/recovery-codes/"
    assert is_signed_in(client)
    ivy = Person.objects.get(email="ivy@kra.example")
    assert ivy.check_password(NEW_PASSWORD) and ivy.has_second_factor
    # The authenticator now holds the secret that the next sign-in checks.
    ivy.test_secret = secret  # type: ignore[attr-defined]
    assert sign_in(Client(), ivy, password=NEW_PASSWORD)["Location"] == "/"


def test_it_works_only_once(invitation):
    _choose_password(Client(), invitation)

    again = Client().get(invitation)
    replay = _choose_password(Client(), invitation, "someone else's long passphrase")

    assert again.status_code == replay.status_code == 404
    assert Person.objects.get(email="ivy@kra.example").check_password(NEW_PASSWORD)


def test_it_expires_after_the_invitation_days(invitation, settings):
    link = AccessLink.objects.get(person__email="ivy@kra.example")
    assert round((link.expires_at - link.created_at) / timedelta(days=1)) == settings.INVITATION_DAYS

    AccessLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().get(invitation)
    assert response.status_code == 404
    assert response.templates[0].name == "accounts/link_invalid.html"


def test_it_stops_an_earlier_link_once_a_new_one_is_sent(cast, invitation, mailbox, django_capture_on_commit_callbacks):
    ivy = Person.objects.get(email="ivy@kra.example")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(cast.focal_point).post(f"/accounts/people/{ivy.pk}/resend/")

    newest = link_in(mailbox.to("ivy@kra.example")[-1])
    assert newest != invitation
    assert Client().get(invitation).status_code == 404
    assert Client().get(newest).status_code == 200


def test_it_does_not_work_for_a_person_suspended_meanwhile(cast, invitation):
    Person.objects.filter(email="ivy@kra.example").update(state=Person.State.SUSPENDED)

    assert Client().get(invitation).status_code == 404


def test_it_refuses_a_weak_password_and_keeps_the_link_usable(invitation):
    client = Client()

    response = _choose_password(client, invitation, "short1")

    assert "password1" in response.context["form"].errors
    assert Client().get(invitation).status_code == 200


def test_it_refuses_two_different_passwords(invitation):
    response = Client().post(invitation, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "!"})

    assert "password2" in response.context["form"].errors


def test_it_answers_not_found_to_a_made_up_link(db):
    assert Client().get("/accounts/welcome/made-up-token/").status_code == 404


# --- Enrolling the authenticator --------------------------------------------------------------------------


def test_it_draws_the_qr_code_on_our_own_server(invitation):
    client = Client()
    _choose_password(client, invitation)

    page = client.get("/accounts/enrol/")

    qr = page.context["qr"]
    assert qr.startswith("<svg") and "<img" not in qr
    assert len(page.context["secret"].replace(" ", "")) >= 16


def test_it_keeps_the_same_secret_while_the_page_is_reloaded(invitation):
    client = Client()
    _choose_password(client, invitation)

    first = client.get("/accounts/enrol/").context["secret"]
    second = client.get("/accounts/enrol/").context["secret"]

    assert first == second


def test_it_refuses_a_code_from_another_secret(invitation):
    client = Client()
    _choose_password(client, invitation)
    client.get("/accounts/enrol/")

    response = client.post("/accounts/enrol/", {"code": pyotp.TOTP(totp.new_secret()).now()})

    assert "code" in response.context["form"].errors
    assert not Person.objects.get(email="ivy@kra.example").has_second_factor
    assert not is_signed_in(client)


def test_it_asks_to_sign_in_again_when_enrolment_waits_too_long(invitation):
    client = Client()
    _choose_password(client, invitation)
    session = client.session
    session["pending"] = {**session["pending"], "since": session["pending"]["since"] - 301}
    session.save()

    assert client.get("/accounts/enrol/")["Location"] == "/accounts/signin/"


def test_it_sends_strangers_from_the_enrolment_page_to_sign_in(db):
    assert Client().get("/accounts/enrol/")["Location"] == "/accounts/signin/"


# --- Recovery codes ------------------------------------------------------------------------------------


def test_it_shows_ten_distinct_recovery_codes_once(invitation):
    client = Client()
    _choose_password(client, invitation)
    enrol(client)

    page = client.get("/accounts/recovery-codes/")
    again = client.get("/accounts/recovery-codes/")

    codes = page.context["codes"]
    assert len(set(codes)) == 10
    assert all(code in page.content.decode() for code in codes)
    assert again["Location"] == "/accounts/security/"


def test_it_keeps_only_a_keyed_hash_of_the_recovery_codes(cast):
    codes = totp.new_recovery_codes(cast.member)

    stored = list(cast.member.recovery_codes.values_list("code_hash", flat=True))
    assert not {code.replace("-", "") for code in codes} & {value[:10] for value in stored}
    assert not set(codes) & set(stored)


def test_it_replaces_the_recovery_codes_on_demand(cast):
    old = totp.new_recovery_codes(cast.member)
    client = signed_in(cast.member)

    response = client.post("/accounts/security/recovery-codes/")

    assert response["Location"] == "/accounts/recovery-codes/"
    new = client.get("/accounts/recovery-codes/").context["codes"]
    assert not totp.use_recovery_code(cast.member, old[0])
    assert totp.use_recovery_code(cast.member, new[0])
    assert totp.remaining_recovery_codes(cast.member) == 9


def test_it_replaces_the_authenticator_and_stops_the_old_one(cast, mailbox, django_capture_on_commit_callbacks):
    old_codes = totp.new_recovery_codes(cast.member)
    old_code = current_code(cast.member)
    client = signed_in(cast.member)

    with django_capture_on_commit_callbacks(execute=True):
        secret, response = enrol(client)

    assert response["Location"] == "/accounts/recovery-codes/"
    assert is_signed_in(client)
    assert not totp.use_code(cast.member, old_code)
    assert not totp.use_recovery_code(cast.member, old_codes[0])
    cast.member.test_secret = secret
    assert sign_in(Client(), cast.member)["Location"] == "/"
    [notice] = mailbox.to(cast.member.email)
    assert notice["Subject"] == "[ENVIRONET] Your authenticator was changed"


def test_it_keeps_the_old_authenticator_when_the_new_code_is_wrong(cast):
    client = signed_in(cast.member)
    client.get("/accounts/enrol/")

    client.post("/accounts/enrol/", {"code": "000000"})

    assert totp.use_code(cast.member, current_code(cast.member))


def test_it_does_not_share_secrets_between_people(cast):
    # The sealed secret is bound to its owner: copied into another person's row it does not open.
    Person.objects.filter(pk=cast.focal_point.pk).update(totp_secret=cast.member.totp_secret)
    focal_point = Person.objects.get(pk=cast.focal_point.pk)

    with pytest.raises(crypto.DecryptionError):
        totp.use_code(focal_point, current_code(cast.member))
