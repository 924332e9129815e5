"""The first platform administrator of a new installation (nobody else can approve anyone yet)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from accounts import actions
from accounts.models import AccessLink, Organisation, Person
from audit.actions import record
from environet.mail import absolute


class Command(BaseCommand):
    help = "Create a platform administrator and print a single-use link to choose a password and enrol TOTP."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--organisation", required=True, help="Name of the secretariat's organisation.")
        parser.add_argument("--short-name", default="")
        parser.add_argument("--country", default="", help="ISO 3166 alpha-2 code; empty for an international body.")

    @transaction.atomic
    def handle(self, *args, email, name, organisation, short_name, country, **options):
        if Person.objects.filter(email__iexact=email).exists():
            raise CommandError(f"Someone already has the address {email}.")
        kind = Organisation.Kind.CUSTOMS if country else Organisation.Kind.INTERNATIONAL
        body, _created = Organisation.objects.get_or_create(
            name=organisation, defaults={"short_name": short_name, "country": country.upper(), "kind": kind}
        )
        person = Person.objects.create_user(
            email=email, full_name=name, organisation=body, role=Person.Role.ADMINISTRATOR, state=Person.State.ACTIVE
        )
        person.set_unusable_password()
        person.save(update_fields=["password"])
        token = actions.new_link(person, AccessLink.Purpose.WELCOME, created_by=None, days=2)
        record("person.administrator_created", target=person, changes={"role": [None, person.role]})
        self.stdout.write(f"Administrator {name} <{email}> created. Open this link within 2 days to finish:\n")
        self.stdout.write(absolute(reverse("accounts:welcome", args=[token])) + "\n")
