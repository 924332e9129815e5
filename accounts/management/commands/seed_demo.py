from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import demo
from assistance import demo as assistance_demo
from library import demo as library_demo
from messaging import demo as messaging_demo
from network import demo as network_demo
from seizures import demo as seizures_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo network. Refuses to run against a production configuration."

    def handle(self, *args, **options):
        people = demo.seed()
        messaging_demo.seed()
        seizures_demo.seed()
        library_demo.seed()
        network_demo.seed()  # after the library: completed activities link demo library items as their outputs
        assistance_demo.seed()
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"\nDemo network ready. Sign in at {site}/accounts/signin/ with:\n")
        self.stdout.write(f"  password (every demo account): {demo.DEMO_PASSWORD}\n")
        self.stdout.write("  one-time code: ENVIRONET_DEBUG=1 .venv/bin/python manage.py demo_code EMAIL\n")
        self.stdout.write("  (a code works once: to sign in again, wait for the next 30-second code)\n\n")
        for person in people:
            if person.has_signed_in_once and person.is_active:
                self.stdout.write(f"  {person.email:44} {person.get_role_display():24} {person.organisation}\n")
        self.stdout.write(
            "\nAlso present: access requests waiting, a suspended and a rejected person, an invitation not yet used,"
            "\nthree conversations (one TLP:RED, for named people only), and seizure records: ivory seized in Kenya"
            "\nand in the Philippines found related, a refrigerant case in France, rosewood in Brazil, a closed"
            "\nwaste case, a Kenyan draft, and a followed search. The ENFORCE network (secretariat BRS: 12 members,"
            "\n6 observers, 7 meetings) has a roadmap of 60 demo activities from 2016 to 2027 edited over past years:"
            '\ntry its "roadmap as of" a date, its coordination flags and the outputs in its repository.'
            "\nThe library holds 32 demo items (guides, manuals, training slides...) with generated files, some"
            "\nlinked to the species and substances of the demo seizures. Requests for assistance in every state"
            "\n(open, accepted, answered, closed and in the library, withdrawn, expired, overdue) use the demo"
            "\nexperts expert.brazil@ and expert.brs@.\n"
        )
