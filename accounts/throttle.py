"""Slowing down guessing: token buckets shared by every server process through the database.

A bucket holds ``capacity`` attempts and refills steadily over ``seconds``; a bucket never stays empty,
so an attacker can slow a real person down for minutes at most, never lock them out for good.
"""

import hashlib

from django.db import transaction
from django.utils import timezone

from accounts.models import Throttle

SIGNIN_PER_ACCOUNT = (10, 15 * 60)
SIGNIN_PER_ADDRESS = (30, 15 * 60)
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
