"""Handles for related records: how a page, a form, the API or a conversation refers to the other record of a
link without saying anything the reader may not know.

The other record's id would say too much: ids follow one another (they tell how many records there are
and when one was filed), and the same id on two pages tells that two records are related to the same
one. So the other record is named by a handle: the pair (the record it is seen from, the other one),
encrypted with AES-SIV under a key derived from the blind-index key (seizures.nominal). Only the server
reads a handle; one cannot be made or changed without the key (it is authenticated); the same link seen
from each of its two records, or two links to the same record, have unrelated handles. Nothing is
stored, so links stay as small as they are (seizures.models.Link).
"""

import base64
import binascii
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from seizures import nominal

_PURPOSE = "seizures:link-handles"
_AAD = [b"link-handle:1"]
# Two four-byte record ids, and AES-SIV's 16-byte tag: 24 bytes, 39 letters of base 32.
LENGTH = 39
_SHAPE = re.compile(r"[a-z2-7]{39}")


def _cipher() -> AESSIV:
    return AESSIV(nominal.derived_key(_PURPOSE, length=64))


def handle(seizure_id: int, other_id: int) -> str:
    """The handle of record ``other_id`` as seen from record ``seizure_id``."""
    sealed = _cipher().encrypt(struct.pack(">II", seizure_id, other_id), _AAD)
    return base64.b32encode(sealed).decode().rstrip("=").lower()


def pair(text: str) -> tuple[int, int] | None:
    """(the record it is seen from, the other one), or None for anything the server did not make."""
    if not _SHAPE.fullmatch(text):
        return None
    try:
        sealed = base64.b32decode(text.upper() + "=" * (-len(text) % 8))
        seizure_id, other_id = struct.unpack(">II", _cipher().decrypt(sealed, _AAD))
    except (binascii.Error, InvalidTag, struct.error):
        return None
    return seizure_id, other_id
