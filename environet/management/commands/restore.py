"""``manage.py restore SRC``: onto a fresh database and data folder, after checking every file of the backup
against its manifest; then the audit chain is verified and the configured keys must open a sample of what
was restored, or it is removed again (environet/backup.py). Run ``migrate`` afterwards for a newer version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from environet import backup
from messaging.attachments import human_size


class Command(BaseCommand):
    help = "Restore a backup made by manage.py backup onto a fresh database and data folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, help="The backup folder.")

    def handle(self, *args, source: Path, **options) -> None:
        try:
            summary = backup.restore(source)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database, {summary.files} files ({human_size(summary.size)}): every checksum matched, "
            f"the audit trail verifies and the configured keys open what was restored."
        )
