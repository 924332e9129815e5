from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo network. Refuses to run against a production configuration."

    def handle(self, *args, **options):
        people = demo.seed()
        from messaging import demo as messaging_demo

        messaging_demo.seed()
        self.stdout.write("\nDemo network ready. Sign in at http://127.0.0.1:<PORT>/accounts/signin/ with:\n")
        self.stdout.write(f"  password (every demo account): {demo.DEMO_PASSWORD}\n")
        self.stdout.write("  one-time code: .venv/bin/python manage.py demo_code EMAIL   (prints the current code)\n")
        self.stdout.write(
            "  (run with ENVIRONET_DEBUG=1; a code works once, so wait for the next one to sign in again)\n\n"
        )
        for person in people:
            if person.has_signed_in_once and person.is_active:
                self.stdout.write(f"  {person.email:44} {person.get_role_display():24} {person.organisation}\n")
        self.stdout.write(
            "\nAlso present: access requests waiting, a suspended and a rejected person, an invitation not yet used.\n"
        )
