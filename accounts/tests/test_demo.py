"""The demo network as the README promises it: `make run` seeds it, prints the accounts and the one password,
`manage.py demo_code` prints a code, and with both a newcomer signs in through the ordinary pages.

The password and the address are read from README.md itself, so the README and the code cannot drift apart.
"""

import io
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts import demo
from accounts.models import Person

README = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
WRONG = "The email address or the password is wrong."
State = Person.State
# The demo accounts refused for having no password yet, by state (an active one is invited, not yet in).
WITHOUT_PASSWORD: dict[str, str] = {State.REQUESTED: "requested", State.REJECTED: "rejected", State.ACTIVE: "invited"}


def readme_password() -> str:
    """The backquoted password after "the one password they all share" (it may wrap onto the next line)."""
    found = re.search(r"the one password they all share:\s*`([^`]+)`", README)
    assert found, "README.md no longer states the demo password after 'the one password they all share'"
    return found.group(1)


def readme_demo_code_email() -> str:
    """The account the README's `demo_code` example prints a code for."""
    found = re.search(r"manage\.py demo_code (\S+@demo\.environet\.test)", README)
    assert found, "README.md no longer shows `manage.py demo_code EMAIL`"
    return found.group(1)


def readme_address() -> str:
    """Where the README tells a newcomer to go after `make run`."""
    found = re.search(r"make run\s+# then open (http://\S+)", README)
    assert found, "README.md no longer says which address to open after `make run`"
    return found.group(1)


def run_command(*arguments: str, **overrides) -> str:
    """A management command as the Makefile runs it (ENVIRONET_DEBUG=1, i.e. DEBUG on); returns its output."""
    out = io.StringIO()
    with override_settings(DEBUG=True, **overrides):
        call_command(*arguments, stdout=out)
    return out.getvalue()


def demo_code(email: str) -> str:
    """The code `manage.py demo_code EMAIL` prints, as a newcomer would copy it from the terminal."""
    printed = run_command("demo_code", email).strip()
    assert re.fullmatch(r"\d{6}", printed), printed
    return printed


def meant_to_sign_in(email: str, state: str) -> bool:
    return state == State.ACTIVE and email not in demo.NOT_SIGNED_IN


def client_for(index: int) -> Client:
    # One address per account: the per-address sign-in throttle is about guessing, not about this test.
    return Client(REMOTE_ADDR=f"192.0.2.{index + 1}")


def test_it_signs_in_to_the_demo_as_the_readme_says(db):
    run_command("seed_demo")
    email, password = readme_demo_code_email(), readme_password()
    client = Client()

    step_one = client.post(reverse("accounts:signin"), {"email": email, "password": password})
    assert step_one.status_code == 302, step_one.context["form"].errors if step_one.context else step_one
    assert step_one["Location"] == reverse("accounts:signin_code")
    step_two = client.post(reverse("accounts:signin_code"), {"code": demo_code(email)})
    assert step_two.status_code == 302 and step_two["Location"] == "/", step_two

    # A page that needs signing in now opens, for that person.
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    assert profile.context["user"].email == email


def test_it_lets_in_every_demo_account_meant_to_sign_in_and_says_why_not_to_the_others(db):
    run_command("seed_demo")
    password = readme_password()
    # The answer to a wrong password: the refusals below must be word for word the same, so that the
    # sign-in page never tells anyone who is suspended, waiting, rejected or not yet in.
    wrong = client_for(len(demo.PEOPLE)).post(
        reverse("accounts:signin"), {"email": readme_demo_code_email(), "password": "not the demo password"}
    )
    assert wrong.context["form"].non_field_errors() == [WRONG]
    refused: list[str] = []

    for index, (email, _name, _organisation, _role, state, *_rest) in enumerate(demo.PEOPLE):
        client = client_for(index)
        step_one = client.post(reverse("accounts:signin"), {"email": email, "password": password})
        person = Person.objects.get(email=email)

        if meant_to_sign_in(email, state):
            assert step_one.status_code == 302, (email, step_one.context["form"].non_field_errors())
            assert step_one["Location"] == reverse("accounts:signin_code"), email
            step_two = client.post(reverse("accounts:signin_code"), {"code": demo_code(email)})
            assert step_two.status_code == 302 and step_two["Location"] == "/", (email, step_two)
            profile = client.get(reverse("accounts:profile"))
            assert (profile.status_code, profile.context["user"].email) == (200, email)
            continue

        assert step_one.status_code == 200, email
        assert step_one.context["form"].non_field_errors() == [WRONG], email
        assert not step_one.wsgi_request.user.is_authenticated, email
        # Why: the reason lies in the account, not in the password the README gives.
        if state == State.SUSPENDED:
            # The password is right and the authenticator is there: the state alone refuses them.
            assert person.check_password(password) and person.has_second_factor, email
            refused.append("suspended")
        else:
            # No password at all, and no authenticator, so no code either: an access request waits for a
            # focal point, a rejected person never gets one, an invited person chooses one through the
            # welcome link (not yet used).
            assert not person.has_usable_password(), email
            with pytest.raises(CommandError, match="No demo account with an authenticator"):
                demo_code(email)
            refused.append(WITHOUT_PASSWORD[state])

    # The README's list: access requests waiting for a decision, a suspended person, a rejected person,
    # an invitation not yet used.
    counts = Counter(refused)
    assert counts.pop("requested") >= 2
    assert counts == {"suspended": 1, "rejected": 1, "invited": 1}


def development_site_url(tmp_path) -> str:
    """SITE_URL as `make run` gets it: ENVIRONET_DEBUG=1, no address or port of its own."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ENVIRONET_", "DJANGO_")) and name not in ("DATABASE_URL", "REDIS_URL", "PORT")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="environet.settings", ENVIRONET_DEBUG="1", ENVIRONET_VAR_DIR=str(tmp_path)
    )
    script = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_it_prints_the_readme_password_the_address_and_accounts_that_take_them(db, tmp_path):
    site = development_site_url(tmp_path)
    assert site == readme_address()

    printed = run_command("seed_demo", SITE_URL=site)

    password = readme_password()
    assert f"Sign in at {site}{reverse('accounts:signin')}" in printed
    assert f"password (every demo account): {password}\n" in printed
    listed = re.findall(r"^\s+(\S+@demo\.environet\.test)\s", printed, flags=re.MULTILINE)
    expected = [email for email, _n, _o, _r, state, *_rest in demo.PEOPLE if meant_to_sign_in(email, state)]
    assert sorted(listed) == sorted(expected)
    # Every account printed takes the password printed beside it.
    for email in listed:
        assert authenticate(None, username=email, password=password) is not None, email


def test_a_second_seed_changes_no_password(db):
    run_command("seed_demo")
    before = dict(Person.objects.values_list("email", "password"))

    run_command("seed_demo")

    # Re-hashing the same password would still change the stored hash, and with it end every session.
    assert dict(Person.objects.values_list("email", "password")) == before


def test_it_repairs_demo_accounts_seeded_without_a_password(db):
    # Databases seeded before the fix hold an empty password, which no password matches.
    run_command("seed_demo")
    email = readme_demo_code_email()
    Person.objects.filter(email=email).update(password="")

    run_command("seed_demo")

    assert Person.objects.get(email=email).check_password(readme_password())
