"""Put every encrypted item under the current master key, while ENVIRONET keeps running.

Rotating the master key, without downtime:
  1. make a new key; set ENVIRONET_ENCRYPTION_KEY to it and move the old one to
     ENVIRONET_ENCRYPTION_KEY_FALLBACKS; restart. New items use the new key, old ones still open.
  2. run ``manage.py rotate_keys``: each item's data key is re-encrypted under the new key (the files
     themselves are not re-encrypted, and each is replaced in one step, so downloads go on meanwhile).
  3. ``manage.py rotate_keys --check`` reports nothing left; remove the old key from the fallbacks.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from accounts import totp
from audit.actions import record
from environet import crypto
from messaging import attachments
from messaging.models import Attachment
from seizures.models import FollowedSearch, ImportJob, IndexKey, NominalEntry, SeizureFile

# Encrypted values kept in database columns besides the second-factor secrets: (part, label, model, column).
COLUMNS = (
    ("nominal", "Persons and companies involved in seizures", NominalEntry, "sealed"),
    ("followed", "Followed companies", FollowedSearch, "company_sealed"),
    ("import", "Imports waiting", ImportJob, "sealed"),
    ("index", "Seizure matching key", IndexKey, "sealed"),
)


class Command(BaseCommand):
    help = (
        "Rewrap every encrypted item (attachments, seizure files, thumbnails, second-factor secrets, nominal data) "
        "under the current key."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only count what is not under the current key yet; change nothing."
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        counts: Counter[str] = Counter()
        failed: list[str] = []
        for model in (Attachment, SeizureFile):
            for stored in model.objects.only("pk", "storage_key", "has_thumbnail").iterator():
                for part, path in attachments.stored_files(stored).items():
                    try:
                        changed = crypto.needs_rewrap(path.read_bytes()) if check else attachments.rewrap_file(path)
                    except (OSError, crypto.DecryptionError) as error:
                        failed.append(f"{model._meta.model_name} {stored.pk} ({part}): {error}")
                        continue
                    counts[f"{part}_{'rewrapped' if changed else 'current'}"] += 1
        counts["secret_rewrapped"], counts["secret_current"] = totp.rewrap_secrets(check_only=check)
        for part, _label, column_model, column in COLUMNS:
            rewrapped, current = crypto.rewrap_column(column_model.objects.all(), column, check_only=check)
            counts[f"{part}_rewrapped"], counts[f"{part}_current"] = rewrapped, current

        done = "to rewrap" if check else "rewrapped"
        labels = {"file": "Attachment files", "thumbnail": "Thumbnails", "secret": "Second-factor secrets"}
        labels |= {part: label for part, label, *_ in COLUMNS}
        for part, label in labels.items():
            rewrapped, current = counts[f"{part}_rewrapped"], counts[f"{part}_current"]
            self.stdout.write(f"{label}: {rewrapped} {done}, {current} already under the current key.")
        for problem in failed:
            self.stderr.write(f"Could not rewrap {problem}")
        if not check:
            record("encryption.rewrapped", changes={**counts, "failed": len(failed)})
        pending = sum(counts[f"{part}_rewrapped"] for part in labels)
        if failed:
            raise CommandError(f"{len(failed)} item(s) could not be rewrapped: keep the old keys until they are fixed.")
        if check and pending:
            raise CommandError(f"{pending} item(s) are not under the current key yet: run rotate_keys.")
