"""Password rules, resetting a forgotten password by email, and changing it."""

import hashlib

import pytest
from django.test import Client

from accounts.models import Person
from accounts.tests.helpers import entries, is_signed_in, link_in, without_csrf
from conftest import PASSWORD, signed_in

PASSPHRASE = "the ferry to Lamu leaves at dawn with forty sacks of charcoal"


def _change(client: Client, new: str, *, current: str = PASSWORD):
    return client.post("/accounts/security/password/", {"current": current, "password1": new, "password2": new})


# --- Rules --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Tr0pic-Ga1e", "11 characters: one short of the minimum"),
        ("password1234", "in the list of common passwords"),
        ("qwertyqwerty", "in the list of common passwords"),
        ("482915736048271", "only digits"),
        ("mohamed@kra.example", "the person's own email address"),
        ("x" * 1025, "absurdly long (hashing it would be a denial of service)"),
    ],
)
def test_it_refuses_weak_passwords(cast, password, why):
    response = _change(signed_in(cast.member), password)

    assert response.status_code == 200, why
    assert "password1" in response.context["form"].errors, why
    assert Person.objects.get(pk=cast.member.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["Tr0pic-Gale!", PASSPHRASE, " ".join(["mangrove"] * 100) + " and a heron"],
    ids=["twelve characters", "passphrase", "very long passphrase"],
)
def test_it_accepts_good_passwords_and_long_passphrases(cast, password):
    response = _change(signed_in(cast.member), password)

    assert response["Location"] == "/accounts/security/"
    assert Person.objects.get(pk=cast.member.pk).check_password(password)


def test_it_refuses_a_password_found_in_the_breach_list(cast, settings, tmp_path):
    # The operator downloads the corpus beside the server: one SHA-1 per line, optionally ":count".
    corpus = tmp_path / "breached.txt"
    sha1 = hashlib.sha1(PASSPHRASE.encode()).hexdigest().upper()
    corpus.write_text(f"0000000000000000000000000000000000000000:3\n{sha1}:12\n")
    settings.BREACHED_PASSWORDS_FILE = str(corpus)

    refused = _change(signed_in(cast.member), PASSPHRASE)
    accepted = _change(signed_in(cast.member), PASSPHRASE + " again")

    assert "password1" in refused.context["form"].errors
    assert accepted.status_code == 302


def test_it_stores_passwords_with_argon2(cast):
    assert Person.objects.get(pk=cast.member.pk).password.startswith("argon2")


# --- Changing the password -----------------------------------------------------------------------------


def test_it_asks_for_the_current_password(cast):
    response = _change(signed_in(cast.member), PASSPHRASE, current="not my password")

    assert "current" in response.context["form"].errors
    assert Person.objects.get(pk=cast.member.pk).check_password(PASSWORD)


def test_it_ends_the_other_sessions_and_keeps_this_one(cast, mailbox, django_capture_on_commit_callbacks):
    here, elsewhere = signed_in(cast.member), signed_in(cast.member)

    with django_capture_on_commit_callbacks(execute=True):
        _change(here, PASSPHRASE)

    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    [notice] = mailbox.to(cast.member.email)
    assert notice["Subject"] == "[ENVIRONET] Your password was changed"


def test_it_does_not_end_the_sessions_of_others(cast):
    colleague = signed_in(cast.focal_point)

    _change(signed_in(cast.member), PASSPHRASE)

    assert is_signed_in(colleague)


# --- Resetting a forgotten password -------------------------------------------------------------------


def _ask_reset(email: str, capture):
    client = Client()
    with capture(execute=True):
        response = client.post("/accounts/password-reset/", {"email": email})
    return response, client.get(response["Location"])


def test_it_says_the_same_whether_or_not_the_account_exists(cast, mailbox, django_capture_on_commit_callbacks):
    known, known_page = _ask_reset(cast.member.email, django_capture_on_commit_callbacks)
    unknown, unknown_page = _ask_reset("nobody@kra.example", django_capture_on_commit_callbacks)

    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    assert without_csrf(known_page.content) == without_csrf(unknown_page.content)
    assert len(mailbox.messages) == 1
    assert mailbox.to(cast.member.email)[0]["Subject"] == "[ENVIRONET] Choose a new password"


@pytest.mark.parametrize("who", ["suspended", "requested"])
def test_it_sends_no_reset_link_to_people_who_may_not_sign_in(cast, who, mailbox, django_capture_on_commit_callbacks):
    response, _page = _ask_reset(getattr(cast, who).email, django_capture_on_commit_callbacks)

    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mailbox.messages == []


def _follow_reset_link(client: Client, mailbox, email: str):
    # Django moves the token from the address into the session, then shows the form.
    return client.get(link_in(mailbox.to(email)[-1]), follow=True)


def test_it_resets_the_password_and_ends_every_session(cast, mailbox, django_capture_on_commit_callbacks):
    open_session = signed_in(cast.member)
    _ask_reset(cast.member.email.upper(), django_capture_on_commit_callbacks)
    client = Client()
    form_page = _follow_reset_link(client, mailbox, cast.member.email)
    assert form_page.context["validlink"]

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(form_page.request["PATH_INFO"], {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})

    assert done["Location"] == "/accounts/signin/"
    assert Person.objects.get(pk=cast.member.pk).check_password(PASSPHRASE)
    assert not is_signed_in(open_session)
    assert not is_signed_in(client)  # the reset does not sign anyone in: the second factor is still needed
    assert [entry.actor for entry in entries("password.reset")] == [cast.member]
    assert mailbox.to(cast.member.email)[-1]["Subject"] == "[ENVIRONET] Your password was changed"


def test_it_applies_the_password_rules_to_a_reset(cast, mailbox, django_capture_on_commit_callbacks):
    _ask_reset(cast.member.email, django_capture_on_commit_callbacks)
    client = Client()
    form_page = _follow_reset_link(client, mailbox, cast.member.email)

    response = client.post(
        form_page.request["PATH_INFO"], {"new_password1": "password1234", "new_password2": "password1234"}
    )

    assert "new_password2" in response.context["form"].errors
    assert Person.objects.get(pk=cast.member.pk).check_password(PASSWORD)


def test_it_lets_a_reset_link_work_once(cast, mailbox, django_capture_on_commit_callbacks):
    _ask_reset(cast.member.email, django_capture_on_commit_callbacks)
    client = Client()
    form_page = _follow_reset_link(client, mailbox, cast.member.email)
    client.post(form_page.request["PATH_INFO"], {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})

    again = _follow_reset_link(Client(), mailbox, cast.member.email)

    assert not again.context["validlink"]
