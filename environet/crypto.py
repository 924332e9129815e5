"""Encryption at rest: AES-256-GCM envelopes.

Each item gets its own random data key; the data key is itself encrypted ("wrapped") with the master
key from the environment. Rotating the master key only rewraps data keys (``rewrap``), so large files
never need re-encrypting, and old master keys stay readable from ENVIRONET_ENCRYPTION_KEY_FALLBACKS
until every envelope has been rewrapped.

Envelope layout: b"E1" | master key id (4) | wrap nonce (12) | wrapped data key (48) | nonce (12) | ciphertext
"""

import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"E1"
_HEADER = 2 + 4 + 12 + 48 + 12
HEADER_SIZE = _HEADER  # enough of an envelope to tell whether a key opens it (see ``opens``)


class DecryptionError(Exception):
    """The envelope is damaged, was moved to another context, or its master key is not configured."""


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


def _current_key() -> bytes:
    return settings.ENCRYPTION_KEYS[0]


def _key_by_id(wanted: bytes) -> bytes:
    for key in settings.ENCRYPTION_KEYS:
        if key_id(key) == wanted:
            return key
    raise DecryptionError("no configured master key matches this envelope")


def seal(plaintext: bytes, *, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. "totp:42") binds it to its place, so a copied value fails."""
    master = _current_key()
    data_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce, nonce = os.urandom(12), os.urandom(12)
    wrapped = AESGCM(master).encrypt(wrap_nonce, data_key, b"wrap")
    body = AESGCM(data_key).encrypt(nonce, plaintext, context.encode())
    return MAGIC + key_id(master) + wrap_nonce + wrapped + nonce + body


def _data_key(envelope: bytes) -> bytes:
    if len(envelope) < _HEADER or envelope[:2] != MAGIC:
        raise DecryptionError("not an ENVIRONET envelope")
    master = _key_by_id(envelope[2:6])
    try:
        return AESGCM(master).decrypt(envelope[6:18], envelope[18:66], b"wrap")
    except Exception as error:  # cryptography raises InvalidTag without detail
        raise DecryptionError("envelope failed authentication") from error


def opens(envelope: bytes) -> bool:
    """Whether a configured master key unwraps this envelope's data key: its first HEADER_SIZE bytes suffice."""
    try:
        _data_key(envelope)
    except DecryptionError:
        return False
    return True


def open_sealed(envelope: bytes, *, context: str) -> bytes:
    data_key = _data_key(envelope)
    try:
        return AESGCM(data_key).decrypt(envelope[66:78], envelope[78:], context.encode())
    except Exception as error:  # cryptography raises InvalidTag without detail
        raise DecryptionError("envelope failed authentication") from error


def needs_rewrap(envelope: bytes) -> bool:
    return envelope[2:6] != key_id(_current_key())


def rewrap(envelope: bytes) -> bytes:
    """Re-encrypt only the data key under the current master key; the body is left as it is."""
    data_key = _data_key(envelope)  # a damaged envelope raises DecryptionError, as when opening it
    current = _current_key()
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(current).encrypt(wrap_nonce, data_key, b"wrap")
    return MAGIC + key_id(current) + wrap_nonce + wrapped + envelope[66:]


def rewrap_column(queryset, field: str, *, check_only: bool = False) -> tuple[int, int]:
    """Rewrap the envelopes held in one binary column of ``queryset``'s rows (see ``rewrap``). Returns
    (rewrapped, or needing it when ``check_only``; already under the current key). A row whose value
    changed meanwhile keeps its new value (the update only applies to the value that was read)."""
    rewrapped = current = 0
    for pk, sealed in queryset.filter(**{f"{field}__isnull": False}).values_list("pk", field).iterator():
        envelope = bytes(sealed or b"")
        if not needs_rewrap(envelope):
            current += 1
        elif check_only:
            rewrapped += 1
        else:
            rewrapped += queryset.model.objects.filter(pk=pk, **{field: envelope}).update(**{field: rewrap(envelope)})
    return rewrapped, current
