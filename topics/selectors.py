from topics.access import topics_visible_to
from topics.models import Topic, TopicChoice


def choices_for(*, person) -> list[tuple[Topic, str]]:
    """Every topic with the person's delivery choice ("none" where they have not ticked it)."""
    chosen = dict(TopicChoice.objects.filter(person=person).values_list("topic_id", "delivery"))
    return [(topic, chosen.get(topic.pk, TopicChoice.Delivery.NONE)) for topic in topics_visible_to(person)]


def followed_topics(*, person) -> list[Topic]:
    return [topic for topic, delivery in choices_for(person=person) if delivery != TopicChoice.Delivery.NONE]
