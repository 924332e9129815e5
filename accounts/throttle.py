"""Slowing down guessing: token buckets shared by every server process through the database.

A bucket holds ``capacity`` attempts and refills steadily over ``seconds``; a bucket never stays empty,
so an attacker can slow a real person down for minutes at most, never lock them out for good.

Signing in draws on three buckets, so that a stranger who knows someone's address cannot keep them out:

- the client address, whatever accounts it tries (``SIGNIN_PER_ADDRESS``): one machine going through
  many accounts;
- the account from that client address (``SIGNIN_PER_ACCOUNT_AND_ADDRESS``): one machine guessing one
  account. The owner, at any other address, draws on a bucket of their own and is not slowed;
- the account from every address it has not signed in from (password and code) in the last
  ``FAMILIAR_DAYS`` days, together (``SIGNIN_PER_ACCOUNT``): a guesser at one account from many
  machines. The ceiling is ten times the per-address one, and the owner's usual addresses never draw on
  it, so however many machines guess, the owner still gets in from their usual place; from a new place
  they may have to wait a few minutes.

Only a wrong password spends the two account buckets (a right one must not, or an attacker would learn
it was right from the next answer). A right password alone never signs anyone in: the one-time code
comes next, with its own bucket per account (``CODE_PER_ACCOUNT``), and reaching it needs the password.

When an account's own buckets refuse an attempt, its owner is told by email, once per episode: an
episode ends once ``EPISODE_SECONDS`` pass without a refused attempt on the account (accounts.actions).
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Throttle
from audit.models import Entry

SIGNIN_PER_ADDRESS = (30, 15 * 60)
SIGNIN_PER_ACCOUNT_AND_ADDRESS = (10, 15 * 60)
SIGNIN_PER_ACCOUNT = (100, 15 * 60)
FAMILIAR_DAYS = 30
EPISODE_SECONDS = 15 * 60
CODE_PER_ACCOUNT = (6, 5 * 60)
FORM_PER_ADDRESS = (10, 60 * 60)


def key(kind: str, value: str) -> str:
    # Hashed so the table never holds email addresses, and unknown addresses look like known ones.
    return f"{kind}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]}"


def take(bucket_key: str, limit: tuple[int, int]) -> bool:
    """Spend one attempt; False when the bucket is empty."""
    capacity, seconds = limit
    now = timezone.now()
    with transaction.atomic():
        bucket, _created = Throttle.objects.select_for_update().get_or_create(
            key=bucket_key, defaults={"tokens": float(capacity), "updated_at": now}
        )
        elapsed = (now - bucket.updated_at).total_seconds()
        tokens = min(float(capacity), bucket.tokens + elapsed * capacity / seconds)
        allowed = tokens >= 1.0
        bucket.tokens = tokens - 1.0 if allowed else tokens
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])
    return allowed


def is_open(bucket_key: str, limit: tuple[int, int]) -> bool:
    """Whether an attempt would be allowed now, without spending one."""
    capacity, seconds = limit
    bucket = Throttle.objects.filter(key=bucket_key).first()
    if bucket is None:
        return True
    elapsed = (timezone.now() - bucket.updated_at).total_seconds()
    return min(float(capacity), bucket.tokens + elapsed * capacity / seconds) >= 1.0


# --- Signing in -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The buckets one password attempt draws on."""

    address: str
    account_and_address: str
    account: str
    familiar: bool  # the account signed in from this client address lately: the account ceiling is spared


def signin(*, email: str, address: str) -> SignIn:
    return SignIn(
        address=key("signin-address", address),
        account_and_address=key("signin-pair", f"{email.strip().lower()} {address}"),
        account=key("signin-account", email),
        familiar=is_familiar(email=email, address=address),
    )


def is_familiar(*, email: str, address: str) -> bool:
    """Whether the account with this email signed in (both factors) from this client address lately.

    The audit trail is the record of successful sign-ins. One query whether the account exists or not,
    so the answer's path does not tell which addresses have accounts."""
    since = timezone.now() - timedelta(days=FAMILIAR_DAYS)
    return Entry.objects.filter(
        action="signin.succeeded", actor__email__iexact=email.strip(), client_address=address, at__gte=since
    ).exists()


def signin_refusal(attempt: SignIn) -> str:
    """Spend the address's attempt and look at the account's buckets: "" when the attempt may go on,
    "address" when the client address is slowed down, "account" when this account is (from there)."""
    if not take(attempt.address, SIGNIN_PER_ADDRESS):
        return "address"
    if not is_open(attempt.account_and_address, SIGNIN_PER_ACCOUNT_AND_ADDRESS):
        return "account"
    if not attempt.familiar and not is_open(attempt.account, SIGNIN_PER_ACCOUNT):
        return "account"
    return ""


def signin_failed(attempt: SignIn) -> None:
    """A wrong password: spend the account's attempts."""
    take(attempt.account_and_address, SIGNIN_PER_ACCOUNT_AND_ADDRESS)
    if not attempt.familiar:
        take(attempt.account, SIGNIN_PER_ACCOUNT)


def refusal_starts_episode(attempt: SignIn) -> bool:
    """Note that an attempt on the account was refused. True when none was in the ``EPISODE_SECONDS``
    before: a new episode begins (its owner is told once)."""
    capacity, _seconds = SIGNIN_PER_ACCOUNT
    now = timezone.now()
    with transaction.atomic():
        bucket, _created = Throttle.objects.select_for_update().get_or_create(
            key=attempt.account, defaults={"tokens": float(capacity), "updated_at": now}
        )
        new = bucket.refused_at is None or (now - bucket.refused_at).total_seconds() >= EPISODE_SECONDS
        bucket.refused_at = now
        bucket.save(update_fields=["refused_at"])
    return new
