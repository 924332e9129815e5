"""``manage.py export_key FILE``: the master keys in use, to keep apart from the backups (a backup holds none).
The file is created readable by its owner only, and never overwritten."""

import base64
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Write the encryption keys in use to a new file (mode 0600), to keep apart from the backups."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        encoded = [base64.urlsafe_b64encode(key).decode() for key in settings.ENCRYPTION_KEYS]
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as error:
            raise CommandError(f"{file} exists: choose a new file.") from error
        with os.fdopen(descriptor, "w") as key_file:
            # The first line is the current key (ENVIRONET_ENCRYPTION_KEY, or encryption.key); the others
            # are fallbacks (ENVIRONET_ENCRYPTION_KEY_FALLBACKS).
            key_file.write("\n".join(encoded) + "\n")
        self.stderr.write(
            self.style.WARNING(
                f"{file} holds the encryption key: with it, a backup reveals everything. Keep it apart from the "
                "backups (another place, another person), and delete this copy once stored."
            )
        )
