"""The demo network that `make run` seeds, so a newcomer can try ENVIRONET without a phone."""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts import totp
from accounts.models import Organisation, Person
from topics.models import Topic, TopicChoice

DEMO_PASSWORD = "demo passphrase for a closed network"

ORGANISATIONS = [
    # short name, name, kind, country, standing
    ("WCO", "World Customs Organization Secretariat", "international", "", "member"),
    ("BRS", "Secretariat of the Basel, Rotterdam and Stockholm Conventions", "international", "", "member"),
    ("KRA", "Kenya Revenue Authority, Customs and Border Control", "customs", "KE", "member"),
    ("DGDDI", "Direction générale des douanes et droits indirects", "customs", "FR", "member"),
    ("BOC", "Bureau of Customs", "customs", "PH", "member"),
    ("IBAMA", "Brazilian Institute of Environment and Renewable Natural Resources", "agency", "BR", "member"),
    ("RILO AP", "Regional Intelligence Liaison Office for Asia and the Pacific", "regional", "KR", "member"),
    ("EIA", "Environmental Investigation Agency", "observer", "GB", "observer"),
]

ROLE, STATE = Person.Role, Person.State
PEOPLE: list[tuple[str, str, str | None, str, str, str, str, str, bool]] = [
    # email, name, organisation, role, state, position, language, topics, expert
    (
        "admin@demo.environet.test",
        "Amina Diallo",
        "WCO",
        ROLE.ADMINISTRATOR,
        STATE.ACTIVE,
        "Programme manager, environment",
        "en",
        "ABCDEFG",
        False,
    ),
    (
        "sven.larsen@demo.environet.test",
        "Sven Larsen",
        "WCO",
        ROLE.ADMINISTRATOR,
        STATE.ACTIVE,
        "Technical officer",
        "en",
        "AG",
        False,
    ),
    (
        "focal.kenya@demo.environet.test",
        "Grace Wanjiru",
        "KRA",
        ROLE.FOCAL_POINT,
        STATE.ACTIVE,
        "Head of enforcement",
        "en",
        "BDF",
        False,
    ),
    (
        "focal.france@demo.environet.test",
        "Marie Dubois",
        "DGDDI",
        ROLE.FOCAL_POINT,
        STATE.ACTIVE,
        "Cheffe de bureau",
        "fr",
        "ABD",
        False,
    ),
    (
        "focal.philippines@demo.environet.test",
        "Luis Reyes",
        "BOC",
        ROLE.FOCAL_POINT,
        STATE.ACTIVE,
        "Intelligence officer",
        "en",
        "BF",
        False,
    ),
    (
        "focal.brazil@demo.environet.test",
        "Ana Souza",
        "IBAMA",
        ROLE.FOCAL_POINT,
        STATE.ACTIVE,
        "Coordenadora",
        "es",
        "BE",
        False,
    ),
    (
        "focal.rilo@demo.environet.test",
        "Min-jun Park",
        "RILO AP",
        ROLE.FOCAL_POINT,
        STATE.ACTIVE,
        "Analyst",
        "en",
        "ABCDEFG",
        False,
    ),
    (
        "member.kenya@demo.environet.test",
        "Peter Otieno",
        "KRA",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Customs officer, Mombasa port",
        "en",
        "BF",
        False,
    ),
    (
        "member.france@demo.environet.test",
        "Claire Martin",
        "DGDDI",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Agent des douanes, Roissy",
        "fr",
        "AD",
        False,
    ),
    (
        "expert.brazil@demo.environet.test",
        "João Lima",
        "IBAMA",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Wildlife inspector",
        "es",
        "BE",
        True,
    ),
    (
        "member.philippines@demo.environet.test",
        "Maria Santos",
        "BOC",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Port examiner",
        "en",
        "BF",
        False,
    ),
    (
        "expert.brs@demo.environet.test",
        "Rolph Payet",
        "BRS",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Legal officer",
        "fr",
        "AD",
        True,
    ),
    (
        "member.brs@demo.environet.test",
        "Carlos Ruiz",
        "BRS",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Programme officer",
        "es",
        "A",
        False,
    ),
    (
        "member.rilo@demo.environet.test",
        "Hana Sato",
        "RILO AP",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Intelligence analyst",
        "en",
        "BD",
        False,
    ),
    (
        "observer@demo.environet.test",
        "Emma Clarke",
        "EIA",
        ROLE.OBSERVER,
        STATE.ACTIVE,
        "Investigator",
        "en",
        "BE",
        False,
    ),
    (
        "observer.rilo@demo.environet.test",
        "Ji-woo Kim",
        "RILO AP",
        ROLE.OBSERVER,
        STATE.ACTIVE,
        "Trainee",
        "en",
        "G",
        False,
    ),
    (
        "requested.france@demo.environet.test",
        "Fatima Benali",
        "DGDDI",
        ROLE.MEMBER,
        STATE.REQUESTED,
        "Contrôleuse, Le Havre",
        "fr",
        "",
        False,
    ),
    (
        "requested.newbody@demo.environet.test",
        "Diego Paredes",
        None,
        ROLE.MEMBER,
        STATE.REQUESTED,
        "Inspector",
        "es",
        "",
        False,
    ),
    (
        "suspended.kenya@demo.environet.test",
        "Tom Baker",
        "KRA",
        ROLE.MEMBER,
        STATE.SUSPENDED,
        "Former officer",
        "en",
        "B",
        False,
    ),
    (
        "rejected@demo.environet.test",
        "Sam Unverified",
        "BOC",
        ROLE.MEMBER,
        STATE.REJECTED,
        "Unknown",
        "en",
        "",
        False,
    ),
    (
        "invited.france@demo.environet.test",
        "Nadia Haddad",
        "DGDDI",
        ROLE.MEMBER,
        STATE.ACTIVE,
        "Inspectrice",
        "fr",
        "",
        False,
    ),
]
NOT_SIGNED_IN = {"invited.france@demo.environet.test"}


def refuse_in_production() -> None:
    if not settings.DEBUG:
        raise CommandError(
            "Demo data is for development only, and this is a production configuration (ENVIRONET_DEBUG is not set)."
        )


@transaction.atomic
def seed() -> list[Person]:
    """Create or refresh the demo network; running it twice changes nothing the second time."""
    refuse_in_production()
    organisations = {}
    for short, name, kind, country, standing in ORGANISATIONS:
        organisations[short], _created = Organisation.objects.update_or_create(
            short_name=short,
            defaults={"name": name, "kind": kind, "country": country, "standing": standing},
        )
    proposed, _created = Organisation.objects.get_or_create(
        name="Ministerio del Ambiente, Agua y Transición Ecológica",
        country="EC",
        defaults={"kind": "agency", "is_active": False, "proposed": True},
    )
    topics = {topic.code: topic for topic in Topic.objects.all()}
    people = []
    for email, name, short_name, role, state, position, language, codes, expert in PEOPLE:
        person = Person.objects.filter(email=email).first() or Person(email=email)
        person.full_name, person.role, person.state, person.position, person.language = (
            name,
            role,
            state,
            position,
            language,
        )
        person.organisation = organisations[short_name] if short_name else proposed
        person.is_expert = expert
        if expert:
            person.expert_topics = list(codes)
            person.expert_languages = [language, "en"]
        if state == STATE.REQUESTED:
            person.request_reason = "I investigate shipments for my unit and need the alerts."
        # A new Person's password is "": Django counts it as usable, yet no password matches it, so "" is
        # tested for itself. A password already set, or already made unusable, is left alone: setting it
        # again stores a new hash (ending the person's sessions), and a second run must change nothing.
        if email in NOT_SIGNED_IN or state in (STATE.REQUESTED, STATE.REJECTED):
            if person.has_usable_password():
                person.set_unusable_password()
        elif not person.password or not person.has_usable_password():
            person.set_password(DEMO_PASSWORD)
        person.save()
        if person.has_usable_password() and not person.has_second_factor:
            person.totp_secret = totp.seal_secret(person, totp.new_secret())
            person.totp_confirmed_at = timezone.now()
            person.save(update_fields=["totp_secret", "totp_confirmed_at"])
        for code in codes:
            TopicChoice.objects.get_or_create(person=person, topic=topics[code])
        people.append(person)
    return people
