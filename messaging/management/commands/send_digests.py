"""The daily digests, for cron: ``manage.py send_digests`` once a day. It sends the digest of messages and
queues the library's own (library.notify.send_digests)."""

from django.core.management.base import BaseCommand

from library import notify as library_notify
from messaging.notify import send_digests


class Command(BaseCommand):
    help = "Email each person who chose a daily digest the last day's messages they may see (run once a day)."

    def handle(self, *args, **options) -> None:
        sent = send_digests()
        library_notify.send_digests.enqueue()
        self.stdout.write(f"Daily digests sent: {sent}.")
