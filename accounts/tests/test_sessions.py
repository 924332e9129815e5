"""Sessions end when idle or too old, everywhere at once on suspension, and sensitive actions ask again."""

import time

import pytest
from django.test import Client

from accounts import totp
from accounts.models import Person
from accounts.tests.helpers import is_signed_in, sign_in
from conftest import current_code, signed_in


def _age(client: Client, **seconds_ago: float) -> None:
    """Move the session's time stamps into the past instead of waiting."""
    session = client.session
    for name, ago in seconds_ago.items():
        session[name] = time.time() - ago
    session.save()


@pytest.fixture
def member_client(cast) -> Client:
    client = Client()
    sign_in(client, cast.member)
    return client


def test_it_ends_a_session_idle_for_more_than_thirty_minutes(member_client):
    _age(member_client, seen_at=30 * 60 + 5)

    response = member_client.get("/accounts/profile/")

    assert response["Location"].startswith("/accounts/signin/")
    assert not is_signed_in(member_client)


def test_it_tells_the_person_why_they_were_signed_out(member_client):
    _age(member_client, seen_at=31 * 60)

    response = member_client.get("/accounts/profile/", follow=True)

    assert "Your session ended. Please sign in again." in [str(message) for message in response.context["messages"]]


def test_it_keeps_a_session_in_use(member_client):
    _age(member_client, seen_at=29 * 60)

    assert member_client.get("/accounts/profile/").status_code == 200
    # The visit counts as activity: the idle clock starts again.
    assert time.time() - member_client.session["seen_at"] < 60


def test_it_ends_a_session_older_than_twelve_hours_even_when_in_use(member_client):
    _age(member_client, signed_in_at=12 * 3600 + 5, seen_at=10)

    assert member_client.get("/accounts/profile/")["Location"].startswith("/accounts/signin/")


def test_it_keeps_a_session_younger_than_twelve_hours(member_client):
    _age(member_client, signed_in_at=11 * 3600, seen_at=10)

    assert member_client.get("/accounts/profile/").status_code == 200


def test_it_takes_the_limits_from_the_settings(member_client, settings):
    settings.SESSION_IDLE_SECONDS = 5 * 60
    _age(member_client, seen_at=6 * 60)

    assert not is_signed_in(member_client)


def test_it_takes_the_absolute_limit_from_the_settings(member_client, settings):
    settings.SESSION_MAX_SECONDS = 3600
    _age(member_client, signed_in_at=3600 + 5, seen_at=10)

    assert not is_signed_in(member_client)


def test_it_ends_every_session_of_a_suspended_person_at_once(cast):
    laptop, phone = signed_in(cast.member), signed_in(cast.member)
    assert is_signed_in(laptop) and is_signed_in(phone)

    signed_in(cast.focal_point).post(f"/accounts/people/{cast.member.pk}/suspend/", {"reason": "Left the service"})

    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_it_keeps_the_sessions_ended_after_reactivation(cast):
    # Reactivating someone lets them sign in again; it does not revive the sessions suspension ended.
    laptop = signed_in(cast.member)
    manager = signed_in(cast.focal_point)
    manager.post(f"/accounts/people/{cast.member.pk}/suspend/", {"reason": "Investigation"})
    manager.post(f"/accounts/people/{cast.member.pk}/reactivate/")

    assert Person.objects.get(pk=cast.member.pk).is_active
    assert not is_signed_in(laptop)


# --- Fresh confirmation -------------------------------------------------------------------------------


def _sensitive_actions(cast) -> list[tuple[str, dict]]:
    return [
        (f"/accounts/people/{cast.requested.pk}/approve/", {"role": "member"}),
        (f"/accounts/people/{cast.requested.pk}/reject/", {"reason": "Unknown to us"}),
        (f"/accounts/people/{cast.member.pk}/role/", {"role": "observer"}),
        (f"/accounts/people/{cast.member.pk}/suspend/", {"reason": "Left"}),
        (f"/accounts/people/{cast.suspended.pk}/reactivate/", {}),
    ]


def _state(cast) -> list[tuple[str, str]]:
    return [(person.state, person.role) for person in Person.objects.order_by("pk")]


def test_it_asks_for_a_fresh_code_before_deciding_on_people(cast):
    manager = signed_in(cast.focal_point, confirmed=False)
    before = _state(cast)

    for url, data in _sensitive_actions(cast):
        response = manager.post(url, data, headers={"referer": f"http://testserver/accounts/people/{cast.member.pk}/"})

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/confirm/?next="), url
    assert _state(cast) == before


def test_it_asks_for_a_fresh_code_before_making_new_recovery_codes(cast):
    codes = totp.new_recovery_codes(cast.member)
    client = signed_in(cast.member, confirmed=False)

    response = client.post("/accounts/security/recovery-codes/")

    assert response["Location"].startswith("/accounts/confirm/")
    assert totp.use_recovery_code(cast.member, codes[0])  # the old codes still work


def test_it_asks_for_a_fresh_code_before_showing_a_new_authenticator(cast):
    client = signed_in(cast.member, confirmed=False)

    response = client.get("/accounts/enrol/")

    assert response["Location"] == "/accounts/confirm/?next=%2Faccounts%2Fenrol%2F"
    assert "enrol_secret" not in client.session


def test_it_treats_a_confirmation_older_than_ten_minutes_as_stale(cast):
    manager = signed_in(cast.focal_point)
    _age(manager, confirmed_at=10 * 60 + 5)

    response = manager.post(f"/accounts/people/{cast.member.pk}/role/", {"role": "observer"})

    assert response["Location"].startswith("/accounts/confirm/")
    assert Person.objects.get(pk=cast.member.pk).role == "member"


def test_it_lets_the_action_through_after_a_fresh_code(cast):
    manager = signed_in(cast.focal_point, confirmed=False)
    person_page = f"/accounts/people/{cast.member.pk}/"
    asked = manager.post(
        f"{person_page}role/", {"role": "observer"}, headers={"referer": f"http://testserver{person_page}"}
    )

    confirmed = manager.post(asked["Location"], {"code": current_code(cast.focal_point)})
    assert confirmed["Location"].endswith(person_page)
    manager.post(f"{person_page}role/", {"role": "observer"})

    assert Person.objects.get(pk=cast.member.pk).role == "observer"


def test_it_refuses_a_wrong_confirmation_code(cast):
    manager = signed_in(cast.focal_point, confirmed=False)
    good = current_code(cast.focal_point)

    response = manager.post("/accounts/confirm/", {"code": f"{(int(good) + 1) % 1_000_000:06d}"})

    assert response.status_code == 200
    assert "confirmed_at" not in manager.session


def test_it_accepts_a_recovery_code_as_confirmation(cast):
    code = totp.new_recovery_codes(cast.focal_point)[0]
    manager = signed_in(cast.focal_point, confirmed=False)

    response = manager.post("/accounts/confirm/?next=/accounts/people/", {"code": code})

    assert response["Location"] == "/accounts/people/"
    assert time.time() - manager.session["confirmed_at"] < 60


def test_it_never_sends_back_to_another_site_after_confirming(cast):
    manager = signed_in(cast.focal_point, confirmed=False)

    response = manager.post("/accounts/confirm/?next=https://evil.example/", {"code": current_code(cast.focal_point)})

    assert response["Location"] == "/"


def test_it_does_not_ask_again_for_ordinary_pages(cast):
    client = signed_in(cast.member, confirmed=False)

    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/accounts/profile/topics/").status_code == 200
