"""Password rules beyond Django's own validators."""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAXIMUM_LENGTH = 1024


class MaximumLengthValidator:
    """Long passphrases are welcome; only absurd lengths (a denial-of-service on hashing) are refused."""

    def validate(self, password: str, user=None) -> None:
        if len(password) > MAXIMUM_LENGTH:
            raise ValidationError(
                _("This password is too long: at most %(max)d characters.") % {"max": MAXIMUM_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(max)d characters; a long passphrase is a good choice.") % {"max": MAXIMUM_LENGTH}


@cache
def _breached_hashes(path: str) -> frozenset[str]:
    lines = Path(path).read_text().splitlines()
    # One SHA-1 per line, optionally followed by ":count" (the layout of published breach corpora).
    return frozenset(line.split(":", 1)[0].strip().upper() for line in lines if line.strip())


class BreachedPasswordValidator:
    """Refuses passwords found in a breach corpus that the operator downloads beside the server
    (ENVIRONET_BREACHED_PASSWORDS_FILE): the platform runs in closed networks, so no online lookup."""

    def validate(self, password: str, user=None) -> None:
        path = settings.BREACHED_PASSWORDS_FILE
        if not path:
            return
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        if digest in _breached_hashes(path):
            raise ValidationError(
                _("This password appears in a list of breached passwords. Choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("It must not appear in lists of breached passwords.")
