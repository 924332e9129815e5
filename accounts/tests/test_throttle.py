"""Slowing down guessing per account and per client address, without locking anyone out for good."""

import zoneinfo
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts import throttle
from accounts.models import Throttle
from accounts.tests.helpers import entries, is_signed_in, link_in, sign_in
from conftest import PASSWORD, Mailbox, current_code
from environet.middleware import client_address

TOO_MANY = "Too many attempts. Wait a few minutes, then try again."
STRANGER = "198.51.100.66"
OWNER = "203.0.113.10"


def _attempt(email: str, password: str = "not the password", **extra):
    return Client().post("/accounts/signin/", {"email": email, "password": password}, **extra)


def _refused(response) -> bool:
    return response.status_code == 200 and TOO_MANY in response.context["form"].non_field_errors()


def _wind_back(key_start: str, seconds: float) -> None:
    """Pretend the bucket was last touched ``seconds`` earlier, instead of waiting."""
    for bucket in Throttle.objects.filter(key__startswith=key_start):
        bucket.updated_at -= timedelta(seconds=seconds)
        bucket.save()


# --- The bucket itself ------------------------------------------------------------------------------------


def test_it_allows_the_capacity_then_refuses(db):
    results = [throttle.take("test:bucket", (3, 60)) for _ in range(4)]

    assert results == [True, True, True, False]


def test_it_refills_steadily(db):
    for _ in range(3):
        throttle.take("test:bucket", (3, 60))
    assert not throttle.is_open("test:bucket", (3, 60))

    _wind_back("test:bucket", 20)  # one third of the period gives back one of three attempts

    assert throttle.is_open("test:bucket", (3, 60))
    assert throttle.take("test:bucket", (3, 60))
    assert not throttle.take("test:bucket", (3, 60))


def test_it_never_holds_more_than_its_capacity(db):
    throttle.take("test:bucket", (3, 60))
    _wind_back("test:bucket", 24 * 3600)

    assert [throttle.take("test:bucket", (3, 60)) for _ in range(4)] == [True, True, True, False]


def test_it_spends_nothing_when_only_looking(db):
    for _ in range(5):
        assert throttle.is_open("test:bucket", (1, 60))

    assert throttle.take("test:bucket", (1, 60))


def test_it_keeps_no_email_address_in_the_table(cast):
    _attempt(cast.member.email)

    assert not any(cast.member.email in key for key in Throttle.objects.values_list("key", flat=True))


# --- Per account ------------------------------------------------------------------------------------------


def test_it_slows_down_guessing_one_account_from_one_address(cast):
    for _ in range(10):
        assert not _refused(_attempt(cast.member.email, REMOTE_ADDR=STRANGER))

    # The right password does not help now: the attacker would otherwise learn it was right.
    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR=STRANGER))


def test_it_lets_the_owner_in_from_another_address_while_a_stranger_guesses(cast):
    for _ in range(25):
        _attempt(cast.member.email, REMOTE_ADDR=STRANGER)

    owner = Client()
    assert sign_in(owner, cast.member, REMOTE_ADDR=OWNER)["Location"] == "/"
    assert is_signed_in(owner)
    # The stranger stays slowed down, even with the right password.
    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR=STRANGER))


def test_it_keeps_a_ceiling_per_account_against_many_addresses(cast):
    for number in range(100):
        assert not _refused(_attempt(cast.member.email, REMOTE_ADDR=f"198.51.{number // 250}.{number % 250 + 1}"))

    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR="203.0.113.200"))
    assert _refused(_attempt(cast.member.email, REMOTE_ADDR="203.0.113.201"))


def test_it_spares_the_owners_usual_address_from_the_ceiling(cast):
    assert sign_in(Client(), cast.member, REMOTE_ADDR=OWNER)["Location"] == "/"
    for number in range(110):
        _attempt(cast.member.email, REMOTE_ADDR=f"198.51.{number // 250}.{number % 250 + 1}")
    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR="203.0.113.200"))

    owner = Client()
    assert sign_in(owner, cast.member, REMOTE_ADDR=OWNER)["Location"] == "/"
    assert is_signed_in(owner)


def test_it_forgets_an_address_after_a_while(cast, monkeypatch):
    sign_in(Client(), cast.member, REMOTE_ADDR=OWNER)
    # The trail is append-only (PostgreSQL refuses to change it): time moves on instead.
    later = timezone.now() + timedelta(days=throttle.FAMILIAR_DAYS, minutes=1)
    assert throttle.is_familiar(email=cast.member.email, address=OWNER)
    monkeypatch.setattr(throttle.timezone, "now", lambda: later)

    assert not throttle.is_familiar(email=cast.member.email, address=OWNER)


def test_it_counts_only_full_sign_ins_as_usual_addresses(cast):
    # A right password without the code proves nothing about the address.
    _attempt(cast.member.email, PASSWORD, REMOTE_ADDR=OWNER)

    assert not throttle.is_familiar(email=cast.member.email, address=OWNER)
    sign_in(Client(), cast.member, REMOTE_ADDR=OWNER)
    assert throttle.is_familiar(email=cast.member.email.upper(), address=OWNER)
    assert not throttle.is_familiar(email=cast.member.email, address=STRANGER)
    assert not throttle.is_familiar(email=cast.focal_point.email, address=OWNER)


def test_it_does_not_slow_down_other_accounts(cast):
    for _ in range(10):
        _attempt(cast.member.email)

    assert _attempt(cast.focal_point.email, PASSWORD)["Location"] == "/accounts/signin/code/"


def test_it_lets_the_real_person_in_once_the_bucket_refills(cast):
    for _ in range(10):
        _attempt(cast.member.email)
    assert _refused(_attempt(cast.member.email, PASSWORD))

    # Ten attempts per fifteen minutes: one attempt comes back every ninety seconds.
    _wind_back("signin-pair:", 91)

    assert _attempt(cast.member.email, PASSWORD)["Location"] == "/accounts/signin/code/"


def test_it_does_not_spend_the_account_bucket_on_a_right_password(cast):
    for _ in range(12):
        assert _attempt(cast.member.email, PASSWORD)["Location"] == "/accounts/signin/code/"


def test_it_treats_unknown_addresses_like_known_ones(cast):
    # Otherwise the throttle itself would tell which addresses have accounts.
    for _ in range(10):
        _attempt("nobody@kra.example")

    assert _refused(_attempt("nobody@kra.example"))


def test_it_slows_down_guessing_the_code(cast):
    client = Client()
    client.post("/accounts/signin/", {"email": cast.member.email, "password": PASSWORD})
    good = current_code(cast.member)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _ in range(6):
        client.post("/accounts/signin/code/", {"code": wrong})

    response = client.post("/accounts/signin/code/", {"code": good})

    assert response.status_code == 200
    assert TOO_MANY in response.context["form"].non_field_errors()
    _wind_back("code-account:", 60)
    assert client.post("/accounts/signin/code/", {"code": good})["Location"] == "/"


def test_it_records_throttled_attempts(cast):
    for _ in range(11):
        _attempt(cast.member.email)

    [entry] = entries("signin.throttled")
    assert entry.object_label == cast.member.email


# --- Telling the owner -------------------------------------------------------------------------------------


def _guess(email: str, times: int, address: str = STRANGER) -> None:
    for _ in range(times):
        _attempt(email, REMOTE_ADDR=address)


def test_it_tells_the_owner_once_per_episode(cast, mailbox, django_capture_on_commit_callbacks):
    cast.member.time_zone = "Africa/Nairobi"
    cast.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        _guess(cast.member.email, 10)
    assert mailbox.to(cast.member.email) == []  # slowed down only from the 11th attempt on

    with django_capture_on_commit_callbacks(execute=True):
        _guess(cast.member.email, 15)  # refused, one after the other: one episode
        _guess(cast.member.email, 11, address="198.51.100.67")  # the same account, another machine: still one

    [message] = mailbox.to(cast.member.email)
    body = Mailbox.body(message)
    subject = " ".join(message["Subject"].split())  # a long header comes folded
    assert subject == "[ENVIRONET] Someone tried to sign in to your account and was slowed down"
    assert "Hello Mohamed Member," in body
    assert f"From the address: {STRANGER}" in body
    local = timezone.localtime(entries("signin.throttled")[0].at, zoneinfo.ZoneInfo("Africa/Nairobi"))
    assert f"When: {local:%Y-%m-%d %H:}" in body and "(Africa/Nairobi)" in body
    assert "Your password still works for you" in body
    assert link_in(message) == "/accounts/security/"
    [notified] = entries("signin.throttle_notified")
    assert (notified.object_id, notified.client_address) == (str(cast.member.pk), STRANGER)
    assert notified.changes == {"address": STRANGER}


def test_it_tells_the_owner_again_after_a_quiet_while(cast, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _guess(cast.member.email, 11)
    Throttle.objects.filter(refused_at__isnull=False).update(
        refused_at=timezone.now() - timedelta(seconds=throttle.EPISODE_SECONDS + 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        _guess(cast.member.email, 1)

    assert len(mailbox.to(cast.member.email)) == 2
    assert len(entries("signin.throttle_notified")) == 2


def test_it_writes_in_the_owners_language(cast, mailbox, django_capture_on_commit_callbacks):
    cast.member.language = "fr"
    cast.member.save()

    with django_capture_on_commit_callbacks(execute=True):
        _guess(cast.member.email, 11)

    [message] = mailbox.to(cast.member.email)
    assert "Bonjour Mohamed Member," in Mailbox.body(message)


def test_it_tells_nobody_when_the_address_is_unknown_or_only_the_machine_is_slowed(
    cast, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _guess("nobody@kra.example", 12)
        # One machine going through many accounts: the machine is slowed, no account is under attack.
        for number in range(31):
            _attempt(f"guess{number}@kra.example", REMOTE_ADDR="198.51.100.7")
        _attempt(cast.focal_point.email, REMOTE_ADDR="198.51.100.7")
        _guess(cast.suspended.email, 11)

    assert mailbox.messages == []
    assert entries("signin.throttle_notified") == []


# --- Per client address ------------------------------------------------------------------------------------


def test_it_slows_down_one_address_trying_many_accounts(cast):
    for number in range(30):
        assert not _refused(_attempt(f"guess{number}@kra.example", REMOTE_ADDR="198.51.100.7"))

    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR="198.51.100.7"))
    assert _attempt(cast.member.email, PASSWORD, REMOTE_ADDR="198.51.100.8")["Location"] == "/accounts/signin/code/"


def test_it_lets_an_address_try_again_once_its_bucket_refills(cast):
    for number in range(31):
        _attempt(f"guess{number}@kra.example", REMOTE_ADDR="198.51.100.7")

    # Thirty per fifteen minutes: one comes back every thirty seconds.
    _wind_back("signin-address:", 31)

    assert _attempt(cast.member.email, PASSWORD, REMOTE_ADDR="198.51.100.7")["Location"] == "/accounts/signin/code/"


def test_it_ignores_a_forwarded_header_without_a_trusted_proxy(cast, settings):
    settings.TRUSTED_PROXIES = []
    # A client cannot escape its bucket by writing a new X-Forwarded-For on every try.
    for number in range(30):
        _attempt(f"guess{number}@kra.example", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9"))


def test_it_believes_a_trusted_proxy_about_the_client_address(cast, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for number in range(30):
        _attempt(f"guess{number}@kra.example", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    # Behind the proxy, each client has its own bucket: the guesser is slowed, a colleague is not.
    assert _refused(_attempt(cast.member.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"))
    response = _attempt(cast.member.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response["Location"] == "/accounts/signin/code/"


def test_it_limits_request_access_forms_per_address(db):
    data = {
        "full_name": "Nia Newcomer",
        "position": "Inspector",
        "organisation_name": "Somewhere",
        "organisation_kind": "international",
        "country": "",
        "language": "en",
        "reason": "Work",
    }
    answers = [
        Client().post("/accounts/request-access/", data | {"email": f"n{number}@example.org"}).status_code
        for number in range(11)
    ]

    assert answers == [302] * 10 + [200]


# --- Where a request comes from ---------------------------------------------------------------------------


def _from(remote: str, forwarded: str | None = None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "198.51.100.7", "203.0.113.5", "198.51.100.7"),
        (["10.0.0.0/8"], "198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not from the proxy: header ignored
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (["10.0.0.0/8"], "10.0.0.2", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # left-most entry is the client's say
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.5, 10.0.0.9", "203.0.113.5"),  # two proxies of ours
        (["10.0.0.0/8"], "10.0.0.2", None, "10.0.0.2"),
        (["10.0.0.1"], "10.0.0.1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_it_finds_the_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies

    assert _from(remote, forwarded) == expected


def test_it_records_the_forwarded_address_in_the_audit_trail(cast, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    _attempt(cast.member.email, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")

    [entry] = entries("signin.failed")
    assert entry.client_address == "203.0.113.5"


def test_it_keeps_a_bucket_per_key(db):
    assert throttle.key("signin-account", "A@x.example ") == throttle.key("signin-account", "a@x.example")
    assert throttle.key("signin-account", "a@x.example") != throttle.key("signin-address", "a@x.example")
