"""Demo requests for assistance, in every state, with the demo experts (João Lima of IBAMA on wildlife and
timber, Rolph Payet of BRS on waste and ozone-depleting substances). Everything here is demonstration
content: each subject starts with "Demo:" and each question says it is not real. Seeding twice adds nothing.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Person
from assistance import actions
from assistance.models import Availability, ExpertProfile, Request, State
from library.demo import NOTICE
from messaging.models import Audience, Marking
from topics.models import Topic

# asker, subject, topics, conventions, areas, languages, region, expert invited, state it ends in
REQUESTS = [
    ("member.kenya", "Pangolin scales: which species?", "B", ["cites"], ["pangolin"], ["en"], "africa",
     "expert.brazil", State.OPEN),
    ("member.philippines", "Unlabelled refrigerant cylinders: R-22 or a blend?", "D", ["montreal"],
     ["ods_refrigerants"], ["en"], "asia_pacific", "", State.OPEN),
    ("member.france", "Used laptops declared as second-hand goods: waste or not?", "A", ["basel"], ["e_waste"],
     ["fr"], "europe", "expert.brs", State.ACCEPTED),
    ("member.kenya", "Rosewood logs declared as another timber", "E", ["cites", "timber"], ["timber"], ["en"],
     "africa", "expert.brazil", State.ANSWERED),
    ("member.philippines", "Worked ivory carvings: telling ivory from resin", "B", ["cites"], ["ivory"], ["en"],
     "asia_pacific", "expert.brazil", State.CLOSED),
    ("member.france", "Halon fire extinguishers in a container", "D", ["montreal"], ["ods_refrigerants"], ["fr"],
     "europe", "expert.brs", State.WITHDRAWN),
    ("member.rilo", "Plastic waste bales with mixed content", "A", ["basel"], ["plastic_waste"], ["en"],
     "asia_pacific", "", State.EXPIRED),
    ("member.kenya", "Lead-acid batteries declared as scrap metal", "A", ["basel"], ["waste_other"], ["en"],
     "africa", "expert.brs", "overdue"),
]  # fmt: skip


def _person(short: str) -> Person:
    return Person.objects.get(email=f"{short}@demo.environet.test")


def seed() -> int:
    """Create the demo expert profiles and requests once (matched by subject); returns how many requests."""
    today = timezone.localdate()
    ExpertProfile.objects.update_or_create(
        person=_person("expert.brazil"),
        defaults={"areas": ",pangolin,ivory,live_animals,timber,", "availability": Availability.AVAILABLE},
    )
    ExpertProfile.objects.update_or_create(
        person=_person("expert.brs"),
        defaults={"areas": ",e_waste,plastic_waste,waste_other,ods_refrigerants,mercury,", "availability": "limited"},
    )
    created = 0
    for asker, subject, topics, conventions, areas, languages, region, invited, state in REQUESTS:
        full_subject = f"Demo: {subject}"
        if Request.objects.filter(thread__subject=full_subject).exists():
            continue
        person, expert = _person(asker), (_person(invited) if invited else None)
        found = actions.ask(
            request=None,
            asker=person,
            draft=actions.RequestDraft(
                subject=full_subject,
                question=f"{NOTICE}\n\nA demo question about *{subject.lower()}*: what should we look at first?",
                topics=list(Topic.objects.filter(code__in=list(topics))),
                deadline=today + timedelta(days=10),
                urgency="urgent" if state == "overdue" else "routine",
                conventions=conventions,
                areas=areas,
                languages=languages,
                region=region,
                open_to_all=not invited,
                experts=[expert] if expert else [],
                marking=Marking.GREEN,
                audience=Audience.NETWORK,
            ),
        )
        created += 1
        if state in (State.ACCEPTED, State.ANSWERED, State.CLOSED, "overdue") and expert:
            found = actions.accept(request=None, expert=expert, found=found)
        if state in (State.ANSWERED, State.CLOSED) and expert:
            found = actions.mark_answered(
                request=None, expert=expert, found=found, answer=f"{NOTICE}\n\nA demo answer: compare with the guide."
            )
        if state == State.CLOSED:
            found = actions.close(request=None, asker=person, found=found, useful=True, consent=True)
            actions.publish_to_library(request=None, person=person, found=found)
        if state == State.WITHDRAWN:
            actions.withdraw(request=None, asker=person, found=found)
        if state in (State.EXPIRED, "overdue"):
            # The deadline passed long ago: as if asked weeks back (an action refuses a past deadline).
            Request.objects.filter(pk=found.pk).update(deadline=today - timedelta(days=10))
        if state == State.EXPIRED:
            actions.expire(found=Request.objects.get(pk=found.pk))
    return created
