"""Files an officer chose on a record form that came back with errors, kept until the form is saved.

A browser never sends a chosen file twice, so a form sent back for correction would lose them. Each file
that passed inspection is written encrypted (environet.crypto, as attachments are) under
ATTACHMENTS_DIR/held/, with its name and type in a second envelope, and the form carries a signed token per
file: signed for the person who chose it, and valid for HOLD_SECONDS. On a successful save the files go with
the record and their held copies are removed; "remove" drops one at once. Tokens past their time no longer
open anything, and each new hold removes held files older than that.
"""

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing

from environet import crypto
from messaging import attachments
from messaging.attachments import Upload

HOLD_SECONDS = 24 * 60 * 60
SALT = "seizures.held_files"


@dataclass(frozen=True)
class Held:
    token: str
    upload: Upload

    @property
    def size(self) -> str:
        return attachments.human_size(len(self.upload.content))


def _folder() -> Path:
    return Path(settings.ATTACHMENTS_DIR) / "held"


def _paths(key: str) -> tuple[Path, Path]:
    return _folder() / key, _folder() / f"{key}.meta"


def _context(person_id: int, key: str, part: str) -> str:
    return f"held:{person_id}:{key}:{part}"


def hold(person, uploads: list[Upload]) -> list[str]:
    """Write ``uploads`` encrypted; their tokens, for the form's hidden field."""
    purge_expired()
    tokens = []
    for upload in uploads:
        key = secrets.token_hex(16)
        body, meta = _paths(key)
        details = json.dumps({"name": upload.name, "content_type": upload.content_type}).encode()
        try:
            attachments._write(body, crypto.seal(upload.content, context=_context(person.pk, key, "file")))
            attachments._write(meta, crypto.seal(details, context=_context(person.pk, key, "meta")))
        except BaseException:
            body.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            raise
        tokens.append(signing.dumps({"key": key, "person": person.pk}, salt=SALT))
    return tokens


def _key(person, token: str) -> str | None:
    """The file a token names, if it was signed for ``person`` and has not expired."""
    try:
        value = signing.loads(token, salt=SALT, max_age=HOLD_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("person") != person.pk:
        return None
    key = str(value.get("key", ""))
    return key if len(key) == 32 and all(char in "0123456789abcdef" for char in key) else None


def held(person, tokens: list[str]) -> list[Held]:
    """The files behind ``tokens`` that are still there for ``person`` (others are silently skipped)."""
    found = []
    for token in dict.fromkeys(tokens):
        key = _key(person, token)
        if key is None:
            continue
        body, meta = _paths(key)
        try:
            content = crypto.open_sealed(body.read_bytes(), context=_context(person.pk, key, "file"))
            details = json.loads(crypto.open_sealed(meta.read_bytes(), context=_context(person.pk, key, "meta")))
        except (OSError, ValueError, KeyError, crypto.DecryptionError):
            continue
        image = details["content_type"] in attachments.IMAGE_FORMATS.values()
        thumbnail = attachments.make_thumbnail(content) if image else None
        upload = Upload(
            name=details["name"], content=content, content_type=details["content_type"], thumbnail=thumbnail
        )
        found.append(Held(token=token, upload=upload))
    return found


def release(person, tokens: list[str]) -> None:
    """Remove the held files behind ``tokens`` (saved with the record, or removed by the officer)."""
    for token in tokens:
        key = _key(person, token)
        if key is not None:
            for path in _paths(key):
                path.unlink(missing_ok=True)


def purge_expired(now: float | None = None) -> int:
    """Remove held files older than HOLD_SECONDS; how many files were removed."""
    folder = _folder()
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - HOLD_SECONDS
    removed = 0
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
