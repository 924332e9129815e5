from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exits non-zero if any row was altered, removed or reordered."

    def handle(self, *args, **options):
        checked, problems = verify_chain()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            # The first problem goes in the error itself: it is what a cron mail or a CI log shows.
            raise CommandError(
                f"Audit trail damaged: {len(problems)} problem(s) in {checked} entries, first {problems[0]}."
            )
        self.stdout.write(f"Audit trail intact: {checked} entries checked.")
