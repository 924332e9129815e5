from django.core.management.base import BaseCommand, CommandError

from accounts import demo, totp
from accounts.models import Person


class Command(BaseCommand):
    help = "Print the current one-time code of a demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        demo.refuse_in_production()
        if not email.lower().endswith("@demo.environet.test"):
            raise CommandError("Only demo accounts (…@demo.environet.test) have codes printed.")
        person = Person.objects.filter(email__iexact=email).first()
        if person is None or not person.has_second_factor:
            raise CommandError(f"No demo account with an authenticator has the address {email}.")
        self.stdout.write(totp.current_code(person))
