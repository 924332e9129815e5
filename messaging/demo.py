"""Demo conversations for `make run`, so a newcomer sees threads, alerts and markings at once."""

from accounts.models import Person
from messaging import actions
from messaging.models import Audience, Marking, Message, Thread
from topics.models import Topic

THREADS = [
    # author, subject, topic codes, kind, marking, audience, named people, body, replies (author, body)
    (
        "focal.kenya@demo.environet.test",
        "Ivory in declared 'wooden handicrafts', Mombasa to Haiphong",
        "B",
        Message.Kind.ALERT,
        Marking.AMBER,
        Audience.NETWORK,
        [],
        "Container **MSKU 123456-7**, 2.1 t of tusks cut into blocks, hidden behind carved panels.\n\n"
        "Transit: Colombo. Please check related bookings by the same consignee.",
        [
            (
                "member.philippines@demo.environet.test",
                "We have a booking by the same consignee arriving Friday. Will inspect.",
            )
        ],
    ),
    (
        "expert.brs@demo.environet.test",
        "HCFC-22 cylinders mislabelled as HFC-134a",
        "AD",
        Message.Kind.BEST_PRACTICE,
        Marking.GREEN,
        Audience.NETWORK,
        [],
        "Refrigerant identifiers catch most of these at the border. Check the valve type and the CAS number "
        "on the label (75-45-6 for HCFC-22).",
        [("member.france@demo.environet.test", "Merci : nous avons eu le même cas à Roissy le mois dernier.")],
    ),
    (
        "focal.france@demo.environet.test",
        "Operation planning: e-waste exports (named recipients only)",
        "A",
        Message.Kind.REQUEST,
        Marking.RED,
        Audience.PEOPLE,
        ["admin@demo.environet.test", "focal.rilo@demo.environet.test"],
        "Draft dates and ports for the joint operation. Do not share.",
        [],
    ),
]


def seed() -> int:
    """Create the demo threads once (matched by subject); returns how many were created."""
    created = 0
    for author_email, subject, codes, kind, marking, audience, named, body, replies in THREADS:
        if Thread.objects.filter(subject=subject).exists():
            continue
        author = Person.objects.get(email=author_email)
        draft = actions.Draft(
            subject=subject,
            topics=list(Topic.objects.filter(code__in=list(codes))),
            kind=kind,
            body=body,
            marking=marking,
            audience=audience,
            people=list(Person.objects.filter(email__in=named)),
        )
        thread = actions.start_thread(request=None, author=author, draft=draft)
        for reply_author, reply_body in replies:
            actions.reply(
                request=None,
                author=Person.objects.get(email=reply_author),
                thread=thread,
                kind=Message.Kind.INFORMATION,
                body=reply_body,
            )
        created += 1
    return created
