"""The daily digest, for cron: ``manage.py send_digests`` once a day."""

from django.core.management.base import BaseCommand

from messaging.notify import send_digests


class Command(BaseCommand):
    help = "Email each person who chose a daily digest the last day's messages they may see (run once a day)."

    def handle(self, *args, **options) -> None:
        sent = send_digests()
        self.stdout.write(f"Daily digests sent: {sent}.")
