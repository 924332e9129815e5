from django.core.management.base import BaseCommand

from assistance import reminders, tasks


class Command(BaseCommand):
    help = (
        "Send the daily reminders of requests for assistance, flag overdue ones to focal points and expire "
        "stale ones: enqueues the task, or runs it at once with --now. Schedule it once a day."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="Run it here instead of in the task queue.")

    def handle(self, *args, **options) -> None:
        if options["now"]:
            counts = reminders.run()
            self.stdout.write(
                f"Reminded {counts['reminded']}, flagged overdue {counts['overdue']}, expired {counts['expired']}.\n"
            )
        else:
            result = tasks.daily.enqueue()
            self.stdout.write(f"Enqueued the daily round of requests for assistance ({result.id}).\n")
