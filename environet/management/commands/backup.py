"""``manage.py backup DEST``: the database, the encrypted files and a manifest with checksums, in one new
folder (environet/backup.py). The master key is not in it: ``manage.py export_key`` writes it apart."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from environet import backup
from messaging.attachments import human_size


class Command(BaseCommand):
    help = "Back up the database and the encrypted files into a new folder, with a manifest of checksums."

    def add_arguments(self, parser) -> None:
        parser.add_argument("destination", type=Path, help="A new (or empty) folder.")

    def handle(self, *args, destination: Path, **options) -> None:
        try:
            summary = backup.backup(destination)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the database, {summary.files} files and {summary.audit_entries} audit entries "
            f"({human_size(summary.size)}) into {destination}."
        )
        self.stdout.write(
            "The encryption key is NOT in the backup. Without it the backup cannot be read: keep it apart, "
            "exported with manage.py export_key, or in your secret store."
        )
