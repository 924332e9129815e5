"""Nominal data: the persons and companies involved in a seizure, sealed at rest, matched by keyed hashes.

What names someone (name, identity and registration numbers, address, nationality, date of birth,
notes) is one JSON object sealed in an AES-GCM envelope (environet.crypto) bound to its entry. Nothing
of it is stored in the clear: not in the record, the search index, the audit trail or live events.

To find related records without nominal data crossing, each normalised name, number and address is
turned into a keyed hash (HMAC-SHA256, a "blind index"). Two organisations holding the same company get
the same hash, and learn only that; without the key, the hashes reveal nothing. The key is random,
made once, and kept sealed under the master key in the database (``IndexKey``): rotating the master key
rewraps it (``rotate_keys``) without changing any hash.
"""

import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import cache

from django.db import IntegrityError, transaction

from environet import crypto
from seizures.models import IndexKey, NominalEntry

DIGEST_BYTES = 16
_INDEX_KEY_CONTEXT = "seizures:index-key"

# Words that say what kind of company it is, not which one: "Acme Trading Ltd" and "ACME TRADING LIMITED"
# are the same company.
# fmt: off
LEGAL_FORMS = frozenset({
    "ltd", "limited", "llc", "inc", "incorporated", "co", "company", "corp", "corporation", "plc", "pty", "pte",
    "sdn", "bhd", "sa", "sarl", "sas", "srl", "spa", "gmbh", "ag", "kg", "bv", "nv", "oy", "ab", "as", "jsc",
    "ojsc", "pjsc", "llp", "lp", "fze", "fzco", "fzc", "fzllc", "sprl", "cv", "the", "and", "et", "cie", "y", "de",
})
# fmt: on


@dataclass
class Nominal:
    """What the reporting organisation knows of one person or company involved."""

    name: str = ""
    identifiers: list[str] = field(default_factory=list)  # "Passport: X1234567", "RC 12345"...
    address: str = ""
    nationality: str = ""  # ISO country code
    born_on: str = ""  # ISO date, persons only
    notes: str = ""

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Nominal":
        values = json.loads(data)
        return cls(**{name: values.get(name, default.default) for name, default in cls.__dataclass_fields__.items()})


def new_seal_id() -> str:
    return secrets.token_hex(16)


def _context(seal_id: str) -> str:
    return f"nominal:{seal_id}"


def seal(entry: NominalEntry, nominal: Nominal) -> None:
    """Put ``nominal`` into the entry, encrypted and bound to it (the entry is saved by the caller)."""
    if not entry.seal_id:
        entry.seal_id = new_seal_id()
    entry.sealed = crypto.seal(nominal.to_json(), context=_context(entry.seal_id))


def unseal(entry: NominalEntry) -> Nominal:
    """The entry's nominal data. Access must have been checked by the caller (seizures.access)."""
    return Nominal.from_json(crypto.open_sealed(bytes(entry.sealed), context=_context(entry.seal_id)))


def seal_text(text: str, *, context: str) -> bytes:
    """A short nominal text kept for its owner only (a followed company's name)."""
    return crypto.seal(text.encode(), context=context)


def unseal_text(sealed: bytes, *, context: str) -> str:
    return crypto.open_sealed(bytes(sealed), context=context).decode()


# --- Normalising -------------------------------------------------------------------------------------


def _folded_words(text: str) -> list[str]:
    """Lower-case words without accents or punctuation: "Société Générale S.A." -> société... -> societe."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.findall(r"[^\W_]+", plain)


def company_key(name: str) -> str:
    """The company's name as matched: folded, without legal forms ("Ltd", "S.A.", "GmbH")."""
    words = _folded_words(name.replace(".", ""))  # "S.A." is "SA", "Co." is "Co"
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)


def person_key(name: str) -> str:
    """The person's name as matched: folded words in alphabetical order, so "SMITH John" is "John Smith"."""
    return " ".join(sorted(_folded_words(name)))


def identifier_key(text: str) -> str:
    """An identity, passport, registration or tax number as matched: its letters and digits, upper case.
    A label before a colon ("Passport: X123") is left out."""
    number = text.split(":", 1)[1] if ":" in text else text
    return "".join(re.findall(r"[^\W_]", unicodedata.normalize("NFKC", number))).upper()


def address_key(text: str) -> str:
    return " ".join(_folded_words(text))


# --- The blind index ---------------------------------------------------------------------------------


@cache
def _index_key() -> bytes:
    row = IndexKey.objects.filter(pk=1).first()
    if row is None:
        try:
            with transaction.atomic():
                row = IndexKey.objects.create(pk=1, sealed=crypto.seal(os.urandom(32), context=_INDEX_KEY_CONTEXT))
        except IntegrityError:  # made meanwhile by another process
            row = IndexKey.objects.get(pk=1)
    return crypto.open_sealed(bytes(row.sealed), context=_INDEX_KEY_CONTEXT)


def forget_index_key() -> None:
    """For tests that empty the database: the next digest reads (or makes) the key again."""
    _index_key.cache_clear()


def derived_key(purpose: str, *, length: int = 32) -> bytes:
    """A key for another use than the blind index (``purpose`` names it), derived from the blind-index key:
    stable as long as that key is, and telling nothing of it (HMAC-SHA512 as the derivation function)."""
    if not 0 < length <= 64:
        raise ValueError("at most 64 bytes")
    return hmac.new(_index_key(), f"derived:{purpose}".encode(), hashlib.sha512).digest()[:length]


def digest(text: str) -> bytes:
    """The keyed hash of a normalised value (prefixed with what kind of value it is)."""
    return hmac.new(_index_key(), text.encode(), hashlib.sha256).digest()[:DIGEST_BYTES]
