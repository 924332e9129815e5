"""One consistent backup of what ENVIRONET keeps, and a restore that proves it before it finishes.

A backup is a folder:

- ``database.sqlite3`` (SQLite's online backup, consistent while the site runs, WAL included) or
  ``database.pgdump`` (``pg_dump`` custom format, one transaction-consistent snapshot);
- ``files/``: the encrypted files (attachments, library files, thumbnails) as they are stored, copied
  *after* the database snapshot, so every file the database names is there (a file written meanwhile is
  extra, and harmless);
- ``manifest.json``: the SHA-256 and size of every file above, the ids of the master keys that sealed them
  (never the keys) and the audit trail's length when the snapshot began.

The master key is not in it: whoever holds a backup and its key reads everything, so the key is exported
apart, on purpose (``manage.py export_key``), and kept elsewhere.

``restore`` writes onto a fresh data folder and database only. Before it touches anything it checks every
file against the manifest; after, it verifies the audit chain and opens a sample of envelopes with the
configured keys. If either fails, what it restored is removed again and it says why.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from environet import crypto, keys

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
SQLITE_NAME = "database.sqlite3"
POSTGRES_NAME = "database.pgdump"


class BackupError(Exception):
    """What went wrong, in words a system administrator can act on."""


@dataclass(frozen=True)
class Summary:
    files: int
    size: int
    audit_entries: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _postgres_environment() -> dict[str, str]:
    database = connection.settings_dict
    environment = {**os.environ, "PGHOST": str(database.get("HOST") or "127.0.0.1")}
    environment["PGPORT"] = str(database.get("PORT") or 5432)
    environment["PGUSER"] = str(database.get("USER") or "postgres")
    environment["PGDATABASE"] = str(database["NAME"])
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    return environment


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, env=_postgres_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools.") from error
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _audit_entries() -> int:
    from audit.models import Entry

    return Entry.objects.count()


def _key_ids() -> list[str]:
    return [crypto.key_id(key).hex() for key in settings.ENCRYPTION_KEYS]


def backup(destination: Path) -> Summary:
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: back up into a new folder.")
    destination.mkdir(parents=True, exist_ok=True)
    # Counted before the snapshot: the trail only grows, so the snapshot holds at least this many entries.
    audit_entries = _audit_entries()
    if connection.vendor == "sqlite":
        database = destination / SQLITE_NAME
        connection.ensure_connection()
        target = sqlite3.connect(database)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        database = destination / POSTGRES_NAME
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(database)])
    else:
        raise BackupError(f"No backup for a {connection.vendor} database.")
    source = Path(settings.ATTACHMENTS_DIR)
    if source.is_dir():
        shutil.copytree(source, destination / FILES)
    else:
        (destination / FILES).mkdir()
    entries: dict[str, dict[str, Any]] = {
        path.relative_to(destination).as_posix(): {"sha256": _sha256(path), "size": path.stat().st_size}
        for path in sorted([database, *(destination / FILES).rglob("*")])
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "key_ids": _key_ids(),
        "audit_entries": audit_entries,
        "files": entries,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return _summary(entries, audit_entries)


def _summary(files: dict[str, dict[str, Any]], audit_entries: int) -> Summary:
    # The database is one of the files listed; "files" counts the stored files.
    return Summary(
        files=len(files) - 1, size=sum(int(entry["size"]) for entry in files.values()), audit_entries=audit_entries
    )


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{source} has no {MANIFEST}: it is not an ENVIRONET backup.") from error
    except ValueError as error:
        raise BackupError(f"{source / MANIFEST} is damaged: {error}.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is a backup of format {manifest.get('format')}; this version reads {FORMAT}.")
    return manifest


def check_files(source: Path, manifest: dict) -> list[str]:
    """Every file the manifest lists, present with its checksum; nothing is said to match that does not."""
    problems = []
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            problems.append(f"{name} does not match its checksum")
    return problems


def restore(source: Path) -> Summary:
    manifest = read_manifest(source)
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']} database; the configured database is {connection.vendor}."
        )
    problems = check_files(source, manifest)
    if problems:
        raise BackupError(
            f"The backup is damaged ({len(problems)} problems), nothing was restored: " + "; ".join(problems[:10])
        )
    missing = set(manifest["key_ids"]) - set(_key_ids())
    if missing:
        raise BackupError(
            "The key the backup was sealed with is not configured (key id "
            + ", ".join(sorted(missing))
            + "): set ENVIRONET_ENCRYPTION_KEY (or put the exported encryption.key in the data folder) first. "
            "Nothing was restored."
        )
    if connection.introspection.table_names():
        raise BackupError("The configured database is not empty: restore onto a fresh database. Nothing was restored.")
    files = Path(settings.ATTACHMENTS_DIR)
    if files.is_dir() and any(files.iterdir()):
        raise BackupError(f"{files} is not empty: restore onto a fresh data folder. Nothing was restored.")

    _restore_database(source)
    shutil.copytree(source / FILES, files, dirs_exist_ok=True)
    try:
        _prove(manifest)
    except BackupError:
        _undo(files)
        raise
    return _summary(manifest["files"], manifest["audit_entries"])


def _restore_database(source: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        backup_copy = sqlite3.connect(f"{(source / SQLITE_NAME).as_uri()}?mode=ro", uri=True)
        try:
            backup_copy.backup(connection.connection)
        finally:
            backup_copy.close()
    else:
        connection.close()  # pg_restore needs the tables free of this process's transaction
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(source / POSTGRES_NAME),
            ]
        )


def _prove(manifest: dict) -> None:
    from audit.verify import verify_chain

    checked, problems = verify_chain()
    if problems or checked < manifest["audit_entries"]:
        raise BackupError(
            f"The restored audit trail does not verify ({checked} entries, at least {manifest['audit_entries']} "
            f"expected, {len(problems)} problems): what was restored has been removed."
        )
    found = keys.status()
    if found.opened != found.sampled:
        raise BackupError(f"Encryption keys: {found.detail}. What was restored has been removed.")


def _undo(files: Path) -> None:
    shutil.rmtree(files, ignore_errors=True)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            tables = connection.introspection.table_names()
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
        else:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
