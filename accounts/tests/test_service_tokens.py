"""Organisation service tokens (issue 11): a national system calls the API for its organisation, as the
organisation's service identity. Made and revoked by the organisation's focal points and the administrators
behind a fresh confirmation, shown once, kept hashed, listed with their last use; the identity reads exactly
what a member of the organisation with no personal grants reads, never signs in, and is never told, named,
listed or counted."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import access, actions, selectors
from accounts.models import ApiToken, Person
from accounts.tests.helpers import entries
from conftest import PASSWORD, signed_in
from messaging import actions as messaging_actions
from messaging.models import Audience, Event, Message
from messaging.tests.builders import choose, thread_form
from seizures.models import Seizure
from seizures.tests import builders
from topics.models import Topic

ME = "/api/v1/people/me"
SEIZURES = "/api/v1/seizures/"
SEARCH = "/api/v1/messages/search"
_TOKEN = re.compile(r"env_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def page_of(organisation) -> str:
    return f"/accounts/organisations/{organisation.pk}/tokens/"


def _make(cast, *, organisation=None, actor=None, scopes=("read",), days: int = 30) -> tuple[ApiToken, str]:
    return actions.create_service_token(
        request=None,
        actor=actor or cast.focal_point,
        organisation=organisation or cast.home,
        name="Customs risk system",
        scopes=list(scopes),
        expires_on=timezone.now().date() + timedelta(days=days),
    )


def _call(text: str, path: str = ME, method: str = "get", body: dict | None = None):
    if body is None:
        return getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {text}")
    return getattr(Client(), method)(
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {text}"
    )


def _form(**changes) -> dict:
    return {
        "name": "Customs risk system",
        "scopes": ["read", "seizures:write"],
        "expires_on": (timezone.now().date() + timedelta(days=60)).isoformat(),
    } | changes


def post(author: Person, *, body: str, audience: str = Audience.NETWORK, organisations=(), people=()) -> Message:
    draft = messaging_actions.Draft(
        subject="Seizure at the port", topics=[Topic.objects.get(code="B")], kind=Message.Kind.INFORMATION,
        body=body, marking="green", audience=audience, organisations=list(organisations), countries=[],
        people=list(people),
    )  # fmt: skip
    return messaging_actions.start_thread(request=None, author=author, draft=draft).messages.get()


def identity(organisation) -> Person:
    return Person.objects.get(organisation=organisation, state=Person.State.SERVICE)


# --- Making, showing once, keeping hashed ----------------------------------------------------------------


def test_it_shows_a_new_service_token_once_and_keeps_only_its_hash(cast):
    client = signed_in(cast.focal_point)

    response = client.post(page_of(cast.home), _form())

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    [text] = _TOKEN.findall(response.content.decode())
    token = ApiToken.objects.get()
    _env, prefix, secret = text.split("_", 2)
    assert token.prefix == prefix and token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))
    assert (token.person, token.made_by, token.scopes) == (
        identity(cast.home),
        cast.focal_point,
        ["read", "seizures:write"],
    )
    again = client.get(page_of(cast.home)).content.decode()
    assert prefix in again and secret not in again and cast.focal_point.full_name in again


def test_the_organisation_has_one_service_identity_with_no_way_to_sign_in(cast):
    _make(cast)
    _make(cast, actor=cast.administrator)

    [service] = Person.objects.filter(state=Person.State.SERVICE)
    assert (service.organisation, service.full_name, service.role) == (cast.home, cast.home.name, Person.Role.MEMBER)
    assert service.is_service and not service.is_active and not service.has_usable_password()
    assert not service.is_focal_point and not service.is_administrator
    assert [entry.actor for entry in entries("person.service_identity_made")] == [cast.focal_point]


def test_an_observer_organisations_system_reads_as_its_observers_do(cast):
    cast.other.standing = "observer"
    cast.other.save()

    _make(cast, organisation=cast.other, actor=cast.other_focal_point)

    assert identity(cast.other).role == Person.Role.OBSERVER


def test_it_audits_making_a_service_token_for_the_organisation_without_its_secret(cast):
    token, text = _make(cast)

    [entry] = entries("api_token.created")
    assert (entry.actor, entry.object_id, entry.subject_organisation) == (cast.focal_point, str(token.pk), cast.home)
    assert entry.changes["scopes"] == ["read"] and entry.changes["service"] is True
    assert text.rsplit("_", 1)[1] not in str(entry.changes) + entry.object_label


def test_it_refuses_a_last_day_beyond_the_longest_lifetime_and_a_token_without_scope(cast):
    too_late = timezone.now().date() + timedelta(days=366)
    client = signed_in(cast.focal_point)

    response = client.post(page_of(cast.home), _form(expires_on=too_late.isoformat()))
    assert response.status_code == 200 and b"at most 365 days" in response.content
    assert client.post(page_of(cast.home), _form(scopes=["admin"])).status_code == 200
    assert not ApiToken.objects.exists()
    with pytest.raises(ValueError):
        _make(cast, days=366)
    with pytest.raises(ValueError):
        _make(cast, scopes=())


def test_it_asks_for_a_fresh_confirmation_before_making_a_service_token(cast):
    response = signed_in(cast.focal_point, confirmed=False).post(page_of(cast.home), _form())

    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    assert not ApiToken.objects.exists()


def test_only_the_organisations_focal_points_and_administrators_make_its_tokens(cast):
    # The action's own guard, not only the page's.
    for someone in (cast.member, cast.observer, cast.other_focal_point):
        with pytest.raises(actions.NotAllowed):
            _make(cast, actor=someone)
    assert not Person.objects.filter(state=Person.State.SERVICE).exists()
    for someone in (cast.focal_point, cast.administrator):
        _make(cast, actor=someone)


def test_no_token_is_made_for_a_deactivated_organisation(cast):
    cast.home.is_active = False
    cast.home.save()

    with pytest.raises(actions.NotAllowed):
        _make(cast, actor=cast.administrator)
    page = signed_in(cast.administrator).get(page_of(cast.home))
    assert page.status_code == 200 and b"Make the token" not in page.content


# --- Calling the API as the organisation -----------------------------------------------------------------


def test_a_call_acts_as_the_organisation_and_records_the_last_use(cast):
    token, text = _make(cast)

    response = _call(text)

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["organisation"]) == (identity(cast.home).pk, str(cast.home))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_what_it_files_is_the_organisations_and_the_trail_names_the_token(cast):
    token, text = _make(cast, scopes=["read", "seizures:write"])
    body = {
        "record": {
            "occurred_on": "2026-10-01", "country": "KE", "detection_method": "unknown", "transport_mode": "unknown",
            "source_reliability": "A", "information_credibility": "1", "marking": "green", "audience": "network",
        },
        "lines": [{"convention": "cites", "code": "Loxodonta africana", "quantity": "12", "unit": "KGM"}],
    }  # fmt: skip

    response = _call(text, SEIZURES, "post", body)

    assert response.status_code == 201, response.content
    seizure = Seizure.objects.get(pk=response.json()["id"])
    assert (seizure.officer, seizure.organisation) == (identity(cast.home), cast.home)
    [used] = entries("api_token.used")
    assert (used.actor, used.object_id, used.subject_organisation) == (identity(cast.home), str(token.pk), cast.home)
    assert str(token) in used.object_label
    assert [entry.actor for entry in entries("seizure.filed")] == [identity(cast.home)]
    # The organisation's focal point sees the call in the organisation's part of the trail.
    assert str(token) in signed_in(cast.focal_point).get("/audit/").content.decode()


def test_the_scopes_hold_for_a_service_token(cast):
    _read, read_text = _make(cast, scopes=["read"])
    _messages, messages_text = _make(cast, scopes=["messages"])

    assert _call(read_text, SEARCH + "?q=pangolin").status_code == 403
    assert _call(messages_text, SEARCH + "?q=pangolin").status_code == 200
    assert _call(messages_text, ME).status_code == 403
    assert _call(read_text, SEIZURES, "post", {"record": {}, "lines": []}).status_code == 403
    assert not Seizure.objects.exists()


@pytest.mark.parametrize("state", ["revoked", "expired", "organisation deactivated"])
def test_a_dead_service_token_answers_exactly_like_an_unknown_one(cast, state):
    token, text = _make(cast)
    assert _call(text).status_code == 200
    nobody = _call("env_000000000000_" + "A" * 43)
    if state == "revoked":
        actions.revoke_service_token(request=None, actor=cast.administrator, token=token)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.now().date() - timedelta(days=1))
    else:
        signed_in(cast.administrator).post(
            f"/accounts/organisations/{cast.home.pk}/",
            {"name": cast.home.name, "short_name": cast.home.short_name, "kind": cast.home.kind,
             "country": cast.home.country, "standing": cast.home.standing},
        )  # fmt: skip
        cast.home.refresh_from_db()
        assert not cast.home.is_active

    response = _call(text)

    assert response.status_code == 401
    assert response.content == nobody.content


def test_a_service_token_works_through_its_last_day(cast):
    _token, text = _make(cast, days=0)

    assert _call(text).status_code == 200


# --- Access parity: the organisation's view, no personal grants -------------------------------------------


def test_it_reads_the_records_its_organisation_may_and_no_others(cast):
    for_home = builders.file(cast.member, share=True, audience="organisations", organisations=[cast.home])
    for_mohamed = builders.file(
        cast.other_focal_point, share=True, country="FR", audience="people", people=[cast.member]
    )
    for_france = builders.file(
        cast.other_focal_point, share=True, country="FR", audience="organisations", organisations=[cast.other]
    )
    _token, text = _make(cast)

    assert _call(text, f"{SEIZURES}{for_home.pk}").status_code == 200
    assert _call(text, f"{SEIZURES}{for_mohamed.pk}").status_code == 404
    assert _call(text, f"{SEIZURES}{for_france.pk}").status_code == 404
    listed = {row["id"] for row in _call(text, SEIZURES).json()["results"]}
    assert listed == {for_home.pk}
    # Mohamed himself reads the one named for him: the token has the organisation's rights, not his.
    assert signed_in(cast.member).get(f"{SEIZURES}{for_mohamed.pk}").status_code == 200


def test_it_reads_the_same_record_as_a_member_without_grants_does(cast):
    seizure = builders.file(cast.focal_point, share=True, audience="organisations", organisations=[cast.home])
    _token, text = _make(cast)

    by_token = _call(text, f"{SEIZURES}{seizure.pk}")
    by_member = signed_in(cast.member).get(f"{SEIZURES}{seizure.pk}")

    assert (by_token.status_code, by_token.json()) == (by_member.status_code, by_member.json())


def test_it_finds_the_messages_its_organisation_may_read_and_no_others(cast):
    for_home = post(
        cast.member, body="Pangolin scales for KRA.", audience=Audience.ORGANISATIONS, organisations=[cast.home]
    )
    for_fatou = post(
        cast.member, body="Pangolin scales for Fatou.", audience=Audience.PEOPLE, people=[cast.focal_point]
    )
    for_france = post(
        cast.other_focal_point,
        body="Pangolin scales for DGDDI.",
        audience=Audience.ORGANISATIONS,
        organisations=[cast.other],
    )
    _token, text = _make(cast, scopes=["messages"])

    response = _call(text, SEARCH + "?q=pangolin")

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {for_home.pk}
    assert for_fatou.pk != for_france.pk


# --- Listing and revoking ----------------------------------------------------------------------------------


def test_the_page_lists_the_organisations_tokens_with_who_made_them_and_their_last_use(cast):
    mine, text = _make(cast)
    theirs, _theirs = _make(cast, organisation=cast.other, actor=cast.other_focal_point)
    personal, _personal = actions.create_api_token(
        request=None, person=cast.focal_point, name="Own", scopes=["read"],
        expires_on=timezone.now().date() + timedelta(days=5),
    )  # fmt: skip
    _call(text)

    page = signed_in(cast.focal_point).get(page_of(cast.home)).content.decode()

    assert mine.prefix in page and theirs.prefix not in page and personal.prefix not in page
    assert cast.focal_point.full_name in page and "Never" not in page


def test_a_member_of_another_organisation_cannot_list_or_revoke_its_tokens(cast):
    token, text = _make(cast)
    revoke = f"{page_of(cast.home)}{token.pk}/revoke/"

    for someone in (cast.other_focal_point, cast.member, cast.observer):
        client = signed_in(someone)
        assert client.get(page_of(cast.home)).status_code == 404
        assert client.post(revoke).status_code == 404
        with pytest.raises(actions.NotAllowed):
            actions.revoke_service_token(request=None, actor=someone, token=token)
        assert not selectors.service_tokens(person=someone, organisation=cast.home).exists()
    # Nor through another organisation's page, nor as a personal token.
    assert signed_in(cast.other_focal_point).post(f"{page_of(cast.other)}{token.pk}/revoke/").status_code == 404
    assert signed_in(cast.focal_point).post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert _call(text).status_code == 200 and not entries("api_token.revoked")


def test_a_personal_token_is_not_revoked_through_the_organisation_page(cast):
    personal, text = actions.create_api_token(
        request=None, person=cast.member, name="Own", scopes=["read"],
        expires_on=timezone.now().date() + timedelta(days=5),
    )  # fmt: skip

    assert signed_in(cast.focal_point).post(f"{page_of(cast.home)}{personal.pk}/revoke/").status_code == 404
    assert _call(text).status_code == 200


def test_it_revokes_a_service_token_at_once_and_audits_it(cast):
    token, text = _make(cast, actor=cast.administrator)
    client = signed_in(cast.focal_point)

    response = client.post(f"{page_of(cast.home)}{token.pk}/revoke/")

    assert response.status_code == 302
    assert _call(text).status_code == 401
    [entry] = entries("api_token.revoked")
    assert (entry.actor, entry.object_id, entry.subject_organisation) == (cast.focal_point, str(token.pk), cast.home)
    client.post(f"{page_of(cast.home)}{token.pk}/revoke/")
    assert len(entries("api_token.revoked")) == 1


def test_revoking_asks_for_a_fresh_confirmation(cast):
    token, text = _make(cast)

    response = signed_in(cast.focal_point, confirmed=False).post(f"{page_of(cast.home)}{token.pk}/revoke/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    assert _call(text).status_code == 200


def test_the_tokens_outlive_the_focal_point_who_made_them(cast):
    _token, text = _make(cast)

    signed_in(cast.administrator).post(f"/accounts/people/{cast.focal_point.pk}/suspend/", {"reason": "Left"})
    cast.focal_point.refresh_from_db()
    assert cast.focal_point.state == Person.State.SUSPENDED

    assert _call(text).status_code == 200


# --- Never a person: no sign-in, no notices, no emails, in no list -----------------------------------------


def test_the_service_identity_cannot_sign_in_even_with_a_password_set_by_mistake(cast, mailbox, settings):
    settings.REDIS_URL = ""
    _make(cast)
    service = identity(cast.home)
    service.set_password(PASSWORD)
    service.save()

    response = Client().post("/accounts/signin/", {"email": service.email, "password": PASSWORD})
    assert response.status_code == 200 and b"is wrong" in response.content
    Client().post("/accounts/password-reset/", {"email": service.email})
    assert mailbox.to(service.email) == []
    # A session forged for it counts for nothing either.
    assert signed_in(service).get("/").context["user"].is_anonymous


def test_the_service_identity_is_never_told_of_a_related_record(cast, django_capture_on_commit_callbacks, mailbox):
    capture = django_capture_on_commit_callbacks
    _make(cast)
    service = identity(cast.home)
    choose(service, "B")  # as if it followed topics: it still is told nothing
    choose(cast.other_focal_point, "B")

    builders.file(service, share=True, capture=capture, containers=["CSQU3054383"])
    builders.file(cast.other_focal_point, share=True, capture=capture, country="FR", containers=["CSQU3054383"])

    assert Event.objects.filter(kind="notice", person=cast.other_focal_point).exists()  # the other side is told
    assert not Event.objects.filter(kind="notice", person=service).exists()
    assert mailbox.to(service.email) == []


def test_the_service_identity_gets_no_email_of_a_topic_it_follows(cast, django_capture_on_commit_callbacks, mailbox):
    _make(cast)
    service = identity(cast.home)
    choose(service, "B")
    choose(cast.focal_point, "B")

    with django_capture_on_commit_callbacks(execute=True):
        post(cast.member, body="Pangolin scales at Mombasa.")

    assert mailbox.to(cast.focal_point.email) and mailbox.to(service.email) == []


def test_the_service_identity_is_in_no_list_of_people(cast):
    _make(cast)
    service = identity(cast.home)
    Person.objects.filter(pk=service.pk).update(is_expert=True)  # even if someone marked it so

    for manager in (cast.focal_point, cast.administrator):
        page = signed_in(manager).get("/accounts/people/").content.decode()
        assert service.email not in page and f"/accounts/people/{service.pk}/" not in page
        assert signed_in(manager).get(f"/accounts/people/{service.pk}/").status_code == 404
        assert service not in access.people_managed_by(manager)
    experts = signed_in(cast.member).get("/assistance/experts/").content.decode()
    assert f"/assistance/experts/{service.pk}/" not in experts
    assert access.named_people([service.email]) == ([], [service.email])
    assert service not in access.decision_makers_for(cast.member)


def test_a_message_naming_the_service_identity_does_not_reach_it(cast):
    _make(cast)
    service = identity(cast.home)

    response = signed_in(cast.member).post(
        "/messages/new/", thread_form(audience=Audience.PEOPLE, people=[service.email, cast.focal_point.email])
    )

    # Refused with the form shown again, as for an address nobody has.
    assert response.status_code == 400
    assert response.context["form"].errors["people"] == [f"No active member has these addresses: {service.email}"]
    assert not Event.objects.filter(person=service).exists()


def test_the_service_identity_follows_its_organisations_name_and_standing(cast):
    _make(cast)

    signed_in(cast.administrator).post(
        f"/accounts/organisations/{cast.home.pk}/",
        {"name": "Kenya Revenue Authority (Customs)", "short_name": "KRA", "kind": "customs", "country": "KE",
         "standing": "observer", "is_active": "on"},
    )  # fmt: skip

    service = identity(cast.home)
    assert (service.full_name, service.role) == ("Kenya Revenue Authority (Customs)", Person.Role.OBSERVER)


def test_asking_for_access_with_its_address_answers_as_usual_and_writes_to_nobody(
    cast, mailbox, django_capture_on_commit_callbacks
):
    _make(cast)
    service = identity(cast.home)
    form = {
        "full_name": "Nia Newcomer", "email": service.email.upper(), "position": "Inspector",
        "organisation_name": "KRA", "organisation_kind": "customs", "country": "KE", "language": "en",
        "reason": "Ivory at Mombasa.",
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/request-access/", form)

    assert response["Location"] == "/accounts/request-access/sent/"
    assert mailbox.messages == [] and Person.objects.filter(email=service.email).get() == service


def test_the_database_keeps_one_service_identity_per_organisation(cast):
    from django.db import IntegrityError, transaction

    _make(cast)

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            email="second@service.environet.invalid", full_name="Second", organisation=cast.home, state="service"
        )
    # A person of the organisation, and another organisation's identity, are no second one.
    _make(cast, organisation=cast.other, actor=cast.other_focal_point)
    assert Person.objects.filter(state=Person.State.SERVICE).count() == 2
