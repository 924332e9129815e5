"""The second factor: TOTP codes (RFC 6238) from an authenticator app, and single-use recovery codes."""

import hmac
import secrets
import time

import pyotp
import segno
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import Person, RecoveryCode
from environet import crypto

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def seal_secret(person: Person, secret: str) -> bytes:
    return crypto.seal(secret.encode(), context=f"totp:{person.pk}")


def rewrap_secrets(*, check_only: bool = False) -> tuple[int, int]:
    """Put every stored secret's data key under the current master key (see environet.crypto.rewrap).
    Returns (rewrapped, or needing it when ``check_only``; already under the current key). A person who
    enrolled again meanwhile keeps their new secret."""
    return crypto.rewrap_column(Person.objects.all(), "totp_secret", check_only=check_only)


def _secret_of(person: Person) -> str:
    return crypto.open_sealed(bytes(person.totp_secret or b""), context=f"totp:{person.pk}").decode()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="ENVIRONET")


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup, drawn here: the secret never goes to an outside service."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff", omitsize=False)


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code equals ``code`` (allowing one step of clock drift either way)."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    now_step = int((at if at is not None else time.time()) // STEP_SECONDS)
    totp = pyotp.TOTP(secret)
    found = None
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


def use_code(person: Person, code: str) -> bool:
    """Accept a TOTP code once: the step is claimed with a conditional update, so two requests racing
    with the same code cannot both win."""
    if not person.has_second_factor:
        return False
    step = matching_step(_secret_of(person), code)
    if step is None:
        return False
    claimed = Person.objects.filter(pk=person.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if claimed:
        person.totp_last_step = step
    return bool(claimed)


def current_code(person: Person) -> str:
    """Today's code for a demo account (the demo command prints it; never used for real people)."""
    return pyotp.TOTP(_secret_of(person)).now()


def _hash_recovery(person: Person, code: str, secret: str | None = None) -> str:
    return salted_hmac(
        "environet.recovery", f"{person.pk}:{_clean(code)}", secret=secret, algorithm="sha256"
    ).hexdigest()


def new_recovery_codes(person: Person) -> list[str]:
    """Replace the person's recovery codes with 10 fresh ones and return them (shown once, never stored)."""
    codes = [f"{part[:5]}-{part[5:]}" for part in (secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT))]
    RecoveryCode.objects.filter(person=person).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(person=person, code_hash=_hash_recovery(person, code)) for code in codes
    )
    return codes


def use_recovery_code(person: Person, code: str) -> bool:
    if len(_clean(code)) != 10:
        return False
    hashes = [_hash_recovery(person, code)] + [
        _hash_recovery(person, code, secret=old) for old in settings.SECRET_KEY_FALLBACKS
    ]
    claimed = RecoveryCode.objects.filter(person=person, code_hash__in=hashes, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return bool(claimed)


def remaining_recovery_codes(person: Person) -> int:
    return RecoveryCode.objects.filter(person=person, used_at__isnull=True).count()
