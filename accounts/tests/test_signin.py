"""Signing in: a password, then a one-time code from the authenticator (or a recovery code)."""

import re
import time

from django.test import Client

from accounts import totp
from accounts.tests.helpers import is_signed_in, sign_in
from conftest import PASSWORD, current_code, make_person

WRONG = "The email address or the password is wrong."


def test_it_signs_in_with_the_password_then_a_code(cast):
    client = Client()

    response = sign_in(client, cast.member)

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["user"] == cast.member


def test_it_asks_for_the_code_before_letting_anyone_in(cast):
    client = Client()
    client.post("/accounts/signin/", {"email": cast.member.email, "password": PASSWORD})

    # The password alone opens nothing.
    assert not is_signed_in(client)
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/signin/")


def test_it_accepts_the_email_address_in_any_case(cast):
    response = Client().post("/accounts/signin/", {"email": cast.member.email.upper(), "password": PASSWORD})

    assert response["Location"] == "/accounts/signin/code/"


def test_it_gives_one_answer_for_a_wrong_password_and_an_unknown_address(cast):
    wrong_password = Client().post("/accounts/signin/", {"email": cast.member.email, "password": "not the password"})
    unknown = Client().post("/accounts/signin/", {"email": "nobody@kra.example", "password": PASSWORD})

    for response in (wrong_password, unknown):
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [WRONG]


def test_it_refuses_people_who_are_not_active(cast):
    cast.requested.set_password(PASSWORD)
    cast.requested.save()

    for person in (cast.suspended, cast.requested):
        response = Client().post("/accounts/signin/", {"email": person.email, "password": PASSWORD})

        # Same words as a wrong password: the page does not tell who is suspended.
        assert response.context["form"].non_field_errors() == [WRONG]


def test_it_refuses_a_wrong_code(cast):
    client = Client()
    client.post("/accounts/signin/", {"email": cast.member.email, "password": PASSWORD})
    good = current_code(cast.member)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/signin/code/", {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["That code is wrong or has already been used."]
    assert not is_signed_in(client)


def test_it_accepts_each_code_only_once(cast):
    code = current_code(cast.member)
    assert sign_in(Client(), cast.member, code=code)["Location"] == "/"

    # Someone who watched the code being typed cannot use it, even with the password.
    response = sign_in(Client(), cast.member, code=code)

    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_it_refuses_a_code_older_than_the_last_one_used(cast):
    earlier = current_code(cast.member)
    later = current_code(cast.member, offset_steps=1)
    assert sign_in(Client(), cast.member, code=later)["Location"] == "/"

    response = sign_in(Client(), cast.member, code=earlier)

    assert response.status_code == 200


def test_it_accepts_a_recovery_code_once(cast):
    codes = totp.new_recovery_codes(cast.member)

    first = sign_in(Client(), cast.member, code=codes[0])
    again = sign_in(Client(), cast.member, code=codes[0])

    assert first.status_code == 302 and first["Location"] == "/"
    assert again.status_code == 200
    assert totp.remaining_recovery_codes(cast.member) == 9


def test_it_accepts_a_recovery_code_typed_without_the_dash_in_capitals(cast):
    code = totp.new_recovery_codes(cast.member)[0]

    response = sign_in(Client(), cast.member, code=code.replace("-", "").upper())

    assert response["Location"] == "/"


def test_it_does_not_take_a_recovery_code_of_someone_else(cast):
    other_code = totp.new_recovery_codes(cast.focal_point)[0]

    response = sign_in(Client(), cast.member, code=other_code)

    assert response.status_code == 200


def test_it_sends_someone_without_an_authenticator_to_enrol(cast):
    person = make_person("new@kra.example", "New Person", cast.home, enrolled=False)

    response = Client().post("/accounts/signin/", {"email": person.email, "password": PASSWORD})

    assert response["Location"] == "/accounts/enrol/"


def test_it_forgets_the_password_step_after_five_minutes(cast):
    client = Client()
    client.post("/accounts/signin/", {"email": cast.member.email, "password": PASSWORD})
    session = client.session
    session["pending"] = {**session["pending"], "since": time.time() - 301}
    session.save()

    response = client.post("/accounts/signin/code/", {"code": current_code(cast.member)})

    assert response["Location"] == "/accounts/signin/"
    assert not is_signed_in(client)


def test_it_asks_for_the_password_when_the_code_page_is_opened_directly(db):
    assert Client().get("/accounts/signin/code/")["Location"] == "/accounts/signin/"


def test_it_goes_back_to_the_page_asked_for(cast):
    client = Client()
    client.post("/accounts/signin/?next=/accounts/security/", {"email": cast.member.email, "password": PASSWORD})

    response = client.post("/accounts/signin/code/", {"code": current_code(cast.member)})

    assert response["Location"] == "/accounts/security/"


def test_it_never_sends_people_to_another_site_after_signing_in(cast):
    client = Client()
    client.post("/accounts/signin/?next=https://evil.example/", {"email": cast.member.email, "password": PASSWORD})

    response = client.post("/accounts/signin/code/", {"code": current_code(cast.member)})

    assert response["Location"] == "/"


def test_it_gives_a_new_session_key_at_each_step(cast):
    # A session key planted before sign-in (session fixation) must not become a signed-in session.
    client = Client()
    client.get("/accounts/signin/")
    client.session.save()
    planted = client.session.session_key

    sign_in(client, cast.member)

    assert client.session.session_key != planted


def test_it_signs_out(cast):
    client = Client()
    sign_in(client, cast.member)

    response = client.post("/accounts/signout/")

    assert response["Location"] == "/accounts/signin/"
    assert not is_signed_in(client)


def test_it_signs_out_only_by_post(cast):
    # A link or an image on another page must not sign people out.
    client = Client()
    sign_in(client, cast.member)

    assert client.get("/accounts/signout/").status_code == 405
    assert is_signed_in(client)


def test_the_language_switcher_names_each_language_in_its_own_words(db, settings):
    for language in ("en", "fr", "es"):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get("/accounts/signin/").content.decode()
        [switcher] = re.findall(r'<select id="language-choice" name="language">(.*?)</select>', page, re.S)
        assert re.findall(r"<option [^>]*>([^<]*)</option>", switcher) == ["English", "Français", "Español"], language
