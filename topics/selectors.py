from topics.access import topics_visible_to
from topics.models import Topic, TopicChoice


def choices_for(*, person, visible: list[Topic] | None = None) -> list[tuple[Topic, str]]:
    """Every topic with the person's delivery choice ("none" where they have not ticked it); ``visible``: the
    topics the person may see (``topics_visible_to``), when the caller has read them already."""
    chosen = dict(TopicChoice.objects.filter(person=person).values_list("topic_id", "delivery"))
    topics = topics_visible_to(person) if visible is None else visible
    return [(topic, chosen.get(topic.pk, TopicChoice.Delivery.NONE)) for topic in topics]


def followed_topics(*, person, visible: list[Topic] | None = None) -> list[Topic]:
    chosen = choices_for(person=person, visible=visible)
    return [topic for topic, delivery in chosen if delivery != TopicChoice.Delivery.NONE]
