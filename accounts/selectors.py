"""Reads about people and organisations, always through access."""

from django.db.models import QuerySet

from accounts import access
from accounts.models import Organisation, Person


def people_list(
    *, person: Person, query: str = "", state: str = "", organisation_id: int | None = None
) -> QuerySet[Person]:
    people = access.people_managed_by(person).select_related("organisation")
    if query:
        people = people.filter(full_name__icontains=query) | people.filter(email__icontains=query)
    if state:
        people = people.filter(state=state)
    if organisation_id:
        people = people.filter(organisation_id=organisation_id)
    return people.order_by("organisation__name", "full_name")


def waiting_requests(*, person: Person) -> QuerySet[Person]:
    return access.requests_decided_by(person).select_related("organisation").order_by("date_joined")


def organisations_list(*, person: Person) -> QuerySet[Organisation]:
    return access.organisations_managed_by(person).order_by("-proposed", "name")


def usual_topic_codes(*, organisation: Organisation | None, inviter: Person) -> list[str]:
    """The topics a newcomer of ``organisation`` is offered at first: those its active people follow (the
    organisation's remit as its officers see it), or, for an organisation nobody follows anything in yet,
    those the inviter follows. Only topics A–G: a forum is joined by being made a member of it."""
    from topics.models import TopicChoice

    followed = TopicChoice.objects.filter(topic__is_forum=False).exclude(delivery=TopicChoice.Delivery.NONE)
    if organisation is not None:
        codes = set(
            followed.filter(person__organisation=organisation, person__state=Person.State.ACTIVE).values_list(
                "topic__code", flat=True
            )
        )
        if codes:
            return sorted(codes)
    return sorted(set(followed.filter(person=inviter).values_list("topic__code", flat=True)))


def home_summary(*, person: Person) -> dict:
    from topics.selectors import followed_topics

    return {
        "topics": followed_topics(person=person),
        "waiting_count": waiting_requests(person=person).count() if access.can_manage_people(person) else 0,
    }
