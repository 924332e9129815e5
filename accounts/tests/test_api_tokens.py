"""Personal API tokens: made behind a fresh confirmation and shown once, kept hashed, listed with their last
use, revoked; a token calls the API as its person, within its scopes, and nothing else gets in."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import access, actions
from accounts.models import ApiToken, Person
from accounts.tests.helpers import entries
from conftest import signed_in
from seizures.tests import builders

PAGE = "/accounts/profile/tokens/"
ME = "/api/v1/people/me"
_TOKEN = re.compile(r"env_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def _make(person: Person, *, scopes=("read",), days: int = 30) -> tuple[ApiToken, str]:
    return actions.create_api_token(
        request=None,
        person=person,
        name="Customs system",
        scopes=list(scopes),
        expires_on=timezone.now().date() + timedelta(days=days),
    )


def _call(text: str, path: str = ME, method: str = "get"):
    return getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {text}")


def _form(**changes) -> dict:
    return {
        "name": "National seizure database",
        "scopes": ["read", "seizures:write"],
        "expires_on": (timezone.now().date() + timedelta(days=60)).isoformat(),
    } | changes


# --- Making, showing once, keeping hashed ----------------------------------------------------------------


def test_it_shows_a_new_token_once_and_keeps_only_its_hash(cast):
    client = signed_in(cast.member)

    response = client.post(PAGE, _form())

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    [text] = _TOKEN.findall(response.content.decode())
    token = ApiToken.objects.get(person=cast.member)
    _env, prefix, secret = text.split("_", 2)
    assert token.prefix == prefix and token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))
    assert token.scopes == ["read", "seizures:write"]
    again = client.get(PAGE).content.decode()
    assert prefix in again and secret not in again


def test_it_audits_making_a_token_without_its_secret(cast):
    token, text = _make(cast.member)

    [entry] = entries("api_token.created")
    assert (entry.actor, entry.object_id) == (cast.member, str(token.pk))
    assert entry.changes["scopes"] == ["read"]
    assert text.rsplit("_", 1)[1] not in str(entry.changes) + entry.object_label


def test_it_refuses_a_last_day_beyond_the_longest_lifetime(cast):
    too_late = timezone.now().date() + timedelta(days=366)

    response = signed_in(cast.member).post(PAGE, _form(expires_on=too_late.isoformat()))

    assert response.status_code == 200 and b"at most 365 days" in response.content
    assert not ApiToken.objects.exists()
    with pytest.raises(ValueError):
        _make(cast.member, days=366)


def test_it_refuses_a_token_without_scope_or_with_an_unknown_one(cast):
    response = signed_in(cast.member).post(PAGE, _form(scopes=["admin"]))

    assert response.status_code == 200 and not ApiToken.objects.exists()
    with pytest.raises(ValueError):
        _make(cast.member, scopes=())


def test_it_asks_for_a_fresh_confirmation_before_making_a_token(cast):
    response = signed_in(cast.member, confirmed=False).post(PAGE, _form())

    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    assert not ApiToken.objects.exists()


# --- Calling the API with a token ------------------------------------------------------------------------


def test_it_calls_the_api_as_the_tokens_person_and_records_the_last_use(cast):
    token, text = _make(cast.focal_point)
    assert token.last_used_at is None

    response = _call(text)

    assert response.status_code == 200 and response.json()["email"] == cast.focal_point.email
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Reads do not write to the trail one by one (see accounts/tokens.py).
    assert not entries("api_token.used")


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "wrong secret", "suspended person"])
def test_it_answers_a_dead_token_exactly_like_an_unknown_one(cast, state):
    token, text = _make(cast.member)
    nobody = _call("env_000000000000_" + "A" * 43)
    if state == "revoked":
        actions.revoke_api_token(request=None, person=cast.member, token=token)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.now().date() - timedelta(days=1))
    elif state == "unknown":
        text = "env_123456789abc_" + text.rsplit("_", 1)[1]
    elif state == "wrong secret":
        text = text[:-1] + ("B" if text[-1] != "B" else "C")
    else:
        Person.objects.filter(pk=cast.member.pk).update(state=Person.State.SUSPENDED)

    response = _call(text)

    assert response.status_code == 401
    assert response.content == nobody.content


def test_a_token_works_through_its_last_day(cast):
    _token, text = _make(cast.member, days=0)

    assert _call(text).status_code == 200


def test_a_read_token_does_not_reach_messages_and_a_messages_token_does(cast):
    _read, read_text = _make(cast.member, scopes=["read"])
    _messages, messages_text = _make(cast.member, scopes=["messages"])

    assert _call(read_text, "/api/v1/messages/search?q=pangolin").status_code == 403
    assert _call(messages_text, "/api/v1/messages/search?q=pangolin").status_code == 200
    assert _call(messages_text, ME).status_code == 403


def test_the_scope_rule_lets_only_a_write_token_change_seizures(cast):
    read, _text = _make(cast.member, scopes=["read"])
    write, _text = _make(cast.member, scopes=["read", "seizures:write"])

    assert not access.token_allows(read, method="POST", section="seizures")
    assert access.token_allows(write, method="POST", section="seizures")
    assert access.token_allows(read, method="GET", section="seizures")
    # No token changes anything else, whatever its scopes.
    assert not access.token_allows(write, method="POST", section="library")


def test_a_token_reads_a_record_exactly_as_its_person_does(cast):
    seizure = builders.file(cast.member, share=True, audience="organisations", organisations=[cast.home])
    path = f"/api/v1/seizures/{seizure.pk}"
    for person in (cast.member, cast.focal_point, cast.other_focal_point, cast.administrator):
        _token, text = _make(person)
        by_session = signed_in(person).get(path)
        by_token = _call(text, path)
        assert (by_token.status_code, by_token.json()) == (by_session.status_code, by_session.json()), person
    assert _call(_make(cast.other_focal_point)[1], path).status_code == 404


# --- Listing and revoking ----------------------------------------------------------------------------------


def test_it_lists_only_the_persons_own_tokens_with_their_last_use(cast):
    mine, text = _make(cast.member)
    theirs, _theirs = _make(cast.focal_point)
    _call(text)

    page = signed_in(cast.member).get(PAGE).content.decode()

    assert mine.prefix in page and theirs.prefix not in page
    assert "Never" not in page


def test_it_revokes_a_token_at_once_and_audits_it(cast):
    token, text = _make(cast.member)
    client = signed_in(cast.member)

    response = client.post(f"{PAGE}{token.pk}/revoke/")

    assert response.status_code == 302
    assert _call(text).status_code == 401
    [entry] = entries("api_token.revoked")
    assert (entry.actor, entry.object_id) == (cast.member, str(token.pk))
    client.post(f"{PAGE}{token.pk}/revoke/")
    assert len(entries("api_token.revoked")) == 1


def test_nobody_else_revokes_a_token(cast):
    token, text = _make(cast.member)

    for person in (cast.focal_point, cast.administrator):
        assert signed_in(person).post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    assert _call(text).status_code == 200


def test_the_page_says_what_each_token_may_do_in_words(cast):
    _make(cast.member, scopes=["read", "messages"])

    page = signed_in(cast.member).get(PAGE).content.decode()

    assert str(ApiToken.Scope.MESSAGES.label) in page and str(ApiToken.Scope.SEIZURES_WRITE.label) in page
    assert page.count(f"<li>{ApiToken.Scope.READ.label}</li>") == 1
    assert f"<li>{ApiToken.Scope.SEIZURES_WRITE.label}</li>" not in page


def test_the_trail_names_the_token_made_by_its_name_and_prefix(cast):
    token, _text = _make(cast.focal_point)

    trail = signed_in(cast.administrator).get("/audit/").content.decode()

    assert str(token) in trail and token.prefix in str(token)
