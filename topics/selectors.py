from django.db import connection

from accounts.access import is_member_in_good_standing
from environet.compiled import Converted, Kept, builder
from topics.access import topics_visible_to
from topics.models import Topic, TopicChoice

_VISIBLE: Kept[Converted] = Kept(1024)


def visible_topics(person) -> list[Topic]:
    """``list(topics_visible_to(person))``, from a statement compiled once per person (which forums they are in,
    the database reads when it runs): home and the overview read it on every visit, and building the query cost
    more than running it."""
    if not is_member_in_good_standing(person):
        return []
    fields = Topic._meta.concrete_fields
    statement = _VISIBLE.statement(
        person.pk,
        lambda: Converted.of(topics_visible_to(person).values_list(*(field.attname for field in fields))),
    )
    make = builder(Topic, connection.alias, list(fields))
    return [make(row) for row in statement.run()]


def choices_for(*, person, visible: list[Topic] | None = None) -> list[tuple[Topic, str]]:
    """Every topic with the person's delivery choice ("none" where they have not ticked it); ``visible``: the
    topics the person may see (``topics_visible_to``), when the caller has read them already."""
    chosen = dict(TopicChoice.objects.filter(person=person).values_list("topic_id", "delivery"))
    topics = topics_visible_to(person) if visible is None else visible
    return [(topic, chosen.get(topic.pk, TopicChoice.Delivery.NONE)) for topic in topics]


def followed_topics(*, person, visible: list[Topic] | None = None) -> list[Topic]:
    chosen = choices_for(person=person, visible=visible)
    return [topic for topic, delivery in chosen if delivery != TopicChoice.Delivery.NONE]
