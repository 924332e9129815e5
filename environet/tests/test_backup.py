"""Backup and restore (environet/backup.py), as a system administrator runs them: ``manage.py backup`` on the
running site, the data folder lost, ``manage.py restore`` onto a fresh one, with and without the key."""

import base64
import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from messaging.tests.servers import ROOT, database_url
from messaging.tests.test_attachments import PDF_BYTES, posted, upload

pytestmark = pytest.mark.django_db(transaction=True)

# Run in the restored copy: every stored file opens to its checksum, every second factor opens, passwords work,
# and a focal point downloads the attachment through the site.
CHECK_RESTORED = """
import django, hashlib, json
django.setup()
from django.test import Client
from accounts import totp
from accounts.models import Person
from messaging import attachments
from messaging.models import Attachment
files = list(Attachment.objects.all())
opened = sum(hashlib.sha256(attachments.content_of(a)).hexdigest() == a.sha256 for a in files)
enrolled = [p for p in Person.objects.exclude(totp_secret=None)]
secrets = sum(bool(totp._secret_of(p)) for p in enrolled)
person = Person.objects.get(email="%(email)s")
client = Client()
client.force_login(Person.objects.get(email="%(reader)s"))
download = client.get("/messages/attachments/%%d/" %% files[0].pk)
print(json.dumps({"files": len(files), "opened": opened, "enrolled": len(enrolled), "secrets": secrets,
                  "password": person.check_password("%(password)s"), "download": download.status_code,
                  "same": hashlib.sha256(download.getvalue()).hexdigest() == files[0].sha256}))
"""


def _environment(**changes: str | None) -> dict[str, str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "environet.test_settings",
        "ENVIRONET_VAR_DIR": str(settings.VAR_DIR),
        "DATABASE_URL": database_url(),
        "ENVIRONET_ATTACHMENTS_DIR": str(settings.ATTACHMENTS_DIR),
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("ENVIRONET_ENCRYPTION_KEY", None)
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def _manage(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def stored_files(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "site-files"
    return settings.ATTACHMENTS_DIR


@pytest.fixture
def fresh_database(tmp_path):
    """A new, empty database of the same kind as the test run's, as the restore's target."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'environet.sqlite3'}"
        return
    import psycopg

    name = f"environet_restore_{uuid.uuid4().hex[:12]}"
    database = connection.settings_dict
    admin = psycopg.connect(
        host=database.get("HOST") or "127.0.0.1",
        port=database.get("PORT") or 5432,
        user=database.get("USER") or "postgres",
        password=database.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url().rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _site_with_data(cast) -> None:
    posted(cast.member, upload("report.pdf", PDF_BYTES, "application/pdf"), marking="green")


def test_backup_wipe_restore_gives_back_every_file_the_audit_trail_and_working_keys(
    cast, stored_files, fresh_database, tmp_path
):
    _site_with_data(cast)
    site = _environment()
    backup = tmp_path / "backup"
    made = _manage("backup", str(backup), environment=site)
    assert made.returncode == 0, made.stderr
    assert "NOT in the backup" in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    stored = [path for path in stored_files.rglob("*") if path.is_file()]
    assert len(manifest["files"]) == len(stored) + 1  # the files, and the database
    assert not any("encryption" in name or name.endswith(".key") for name in manifest["files"])

    key_file = tmp_path / "exported.key"
    exported = _manage("export_key", str(key_file), environment=site)
    assert exported.returncode == 0, exported.stderr
    assert "keep it apart" in exported.stderr.lower()
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().split()[0]
    assert base64.urlsafe_b64decode(key) == settings.ENCRYPTION_KEYS[0]

    # The machine is lost: a fresh data folder and database, with the exported key configured.
    restored_files = tmp_path / "restored" / "attachments"
    fresh = _environment(
        ENVIRONET_VAR_DIR=str(tmp_path / "restored"),
        DATABASE_URL=fresh_database,
        ENVIRONET_ATTACHMENTS_DIR=str(restored_files),
        ENVIRONET_ENCRYPTION_KEY=key,
    )
    done = _manage("restore", str(backup), environment=fresh)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "every checksum matched" in done.stdout
    copied = {path.relative_to(restored_files).as_posix() for path in restored_files.rglob("*") if path.is_file()}
    assert copied == {path.relative_to(stored_files).as_posix() for path in stored}

    check = _manage(
        "shell",
        "-c",
        CHECK_RESTORED
        % {"email": cast.member.email, "reader": cast.focal_point.email, "password": "correct horse battery staple"},
        environment={**fresh, "ENVIRONET_ALLOWED_HOSTS": "testserver"},
    )
    assert check.returncode == 0, check.stderr
    found = json.loads(check.stdout.strip().splitlines()[-1])
    assert found["files"] >= 1 and found["opened"] == found["files"]
    assert found["enrolled"] >= 1 and found["secrets"] == found["enrolled"]
    assert found["password"] is True
    assert (found["download"], found["same"]) == (200, True)
    verified = _manage("audit_verify", environment=fresh)
    assert verified.returncode == 0, verified.stderr


def test_restore_without_the_key_refuses_and_restores_nothing(cast, stored_files, fresh_database, tmp_path):
    _site_with_data(cast)
    backup = tmp_path / "backup"
    assert _manage("backup", str(backup), environment=_environment()).returncode == 0
    # A fresh folder and no key configured: the server makes itself a new one, which opens nothing.
    fresh = _environment(
        ENVIRONET_VAR_DIR=str(tmp_path / "restored"),
        DATABASE_URL=fresh_database,
        ENVIRONET_ATTACHMENTS_DIR=str(tmp_path / "restored" / "attachments"),
    )
    refused = _manage("restore", str(backup), environment=fresh)
    assert refused.returncode != 0
    assert "The key the backup was sealed with is not configured" in refused.stderr
    assert "Nothing was restored" in refused.stderr
    assert not (tmp_path / "restored" / "attachments").exists()


def test_a_damaged_backup_is_refused_before_anything_is_restored(cast, stored_files, fresh_database, tmp_path):
    _site_with_data(cast)
    backup = tmp_path / "backup"
    assert _manage("backup", str(backup), environment=_environment()).returncode == 0
    victim = next(path for path in (backup / "files").rglob("*") if path.is_file())
    content = victim.read_bytes()
    # Its last byte changed, whatever it was (set to "!", an encrypted file that already ended in one, about one
    # in 256, came out unchanged and the restore rightly found nothing wrong).
    victim.write_bytes(content[:-1] + bytes([content[-1] ^ 0xFF]))
    fresh = _environment(
        ENVIRONET_VAR_DIR=str(tmp_path / "restored"),
        DATABASE_URL=fresh_database,
        ENVIRONET_ATTACHMENTS_DIR=str(tmp_path / "restored" / "attachments"),
        ENVIRONET_ENCRYPTION_KEY=base64.urlsafe_b64encode(settings.ENCRYPTION_KEYS[0]).decode(),
    )
    refused = _manage("restore", str(backup), environment=fresh)
    assert refused.returncode != 0
    assert "does not match its checksum" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert not (tmp_path / "restored" / "attachments").exists()


def test_backup_refuses_a_folder_that_is_not_empty(cast, stored_files, tmp_path):
    target = tmp_path / "used"
    target.mkdir()
    (target / "something").write_text("kept")
    refused = _manage("backup", str(target), environment=_environment())
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr
    assert (target / "something").read_text() == "kept"


def test_restore_refuses_a_database_that_is_not_empty(cast, stored_files, tmp_path):
    backup = tmp_path / "backup"
    assert _manage("backup", str(backup), environment=_environment()).returncode == 0
    # The site's own database, full: a restore must never land on top of live data.
    refused = _manage("restore", str(backup), environment=_environment(ENVIRONET_ATTACHMENTS_DIR=str(tmp_path / "x")))
    assert refused.returncode != 0
    assert "not empty" in refused.stderr
