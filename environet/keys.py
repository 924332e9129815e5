"""Whether the master keys match what is stored.

A data folder restored without its ``encryption.key`` used to get a new key silently: the server said it was
healthy while every download failed and nobody's second factor could be read. Two guards stop that:

- ``holds_sealed_data`` is asked by the settings before they make a key of their own: if the embedded
  database or the files folder already holds encrypted data, making a new key is refused (it would open
  none of it), and the message says what to do;
- ``status`` opens a sample of the stored envelopes with the configured keys; ``/healthz`` and the
  database system check (run by ``migrate``, hence by ``make run``) report keys that open none of them.
"""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

# (table, column) pairs that hold AES-GCM envelopes (environet.crypto).
SEALED_COLUMNS = (
    ("seizures_indexkey", "sealed"),
    ("accounts_person", "totp_secret"),
    ("seizures_nominalentry", "sealed"),
    ("seizures_followedsearch", "company_sealed"),
    ("seizures_importjob", "sealed"),
)
# Envelopes tried per place: enough to tell a wrong key from a damaged envelope, cheap enough for /healthz.
SAMPLE = 3


def holds_sealed_data(database: Path | None, files: Path) -> bool:
    """Whether an embedded database or the files folder holds anything sealed. Read without Django (the
    settings are not made yet) and read-only, so asking changes nothing."""
    if files.is_dir() and any(path.is_file() for path in islice(files.glob("*/*"), 1)):
        return True
    if database is None or not database.is_file() or database.stat().st_size == 0:
        return False
    try:
        connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        for table, column in SEALED_COLUMNS:
            try:
                if connection.execute(f'SELECT 1 FROM "{table}" WHERE "{column}" IS NOT NULL LIMIT 1').fetchone():  # noqa: S608 (names from SEALED_COLUMNS)
                    return True
            except sqlite3.Error:  # not migrated that far
                continue
        return False
    finally:
        connection.close()


@dataclass(frozen=True)
class KeyStatus:
    sampled: int
    opened: int

    @property
    def ok(self) -> bool:
        """Keys that open nothing stored are the wrong keys. Some envelopes that fail among others that open
        are damage (or a file left by something else), reported in ``detail`` but not a reason to stop."""
        return self.opened > 0 or not self.sampled

    @property
    def detail(self) -> str:
        if not self.sampled:
            return "nothing encrypted stored yet"
        if self.opened == self.sampled:
            return f"the configured keys open all {self.sampled} sampled envelopes"
        if self.opened:
            return (
                f"the configured keys open {self.opened} of {self.sampled} sampled envelopes: the others are "
                "damaged or sealed with a key no longer configured (see manage.py rotate_keys --check)"
            )
        return (
            f"the configured keys open {self.opened} of {self.sampled} sampled envelopes: the data was sealed "
            "with a key that is not configured (restored without its encryption.key, or a rotated key "
            "missing from ENVIRONET_ENCRYPTION_KEY_FALLBACKS)"
        )


def _database_envelopes() -> Iterator[bytes]:
    from django.db import connection

    with connection.cursor() as cursor:
        for table, column in SEALED_COLUMNS:
            quoted_table, quoted_column = connection.ops.quote_name(table), connection.ops.quote_name(column)
            cursor.execute(
                f"SELECT {quoted_column} FROM {quoted_table} WHERE {quoted_column} IS NOT NULL "  # noqa: S608
                f"ORDER BY id DESC LIMIT {SAMPLE}"
            )
            for (value,) in cursor.fetchall():
                yield bytes(value)


def _file_envelopes() -> Iterator[bytes]:
    from django.conf import settings

    from environet.crypto import HEADER_SIZE

    for path in islice(Path(settings.ATTACHMENTS_DIR).glob("*/*"), SAMPLE):
        if path.is_file():
            with path.open("rb") as stored:
                yield stored.read(HEADER_SIZE)


def status() -> KeyStatus:
    """Open a sample of what is stored (database and files) with the configured keys. Raises the database's
    own error when it cannot be read."""
    from environet.crypto import opens

    sample = [*_database_envelopes(), *_file_envelopes()]
    return KeyStatus(sampled=len(sample), opened=sum(1 for envelope in sample if opens(envelope)))
