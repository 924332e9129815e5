from django.db import transaction

from audit.actions import record
from topics.models import Topic, TopicChoice


@transaction.atomic
def choose_deliveries(*, request, person, choices: dict[str, str]) -> None:
    """Save how the person hears about each topic (topic code → delivery); audited as a settings change."""
    current = dict(TopicChoice.objects.filter(person=person).values_list("topic__code", "delivery"))
    changes = {}
    for topic in Topic.objects.all():
        new = choices.get(topic.code, TopicChoice.Delivery.NONE)
        old = current.get(topic.code, TopicChoice.Delivery.NONE)
        if new == old:
            continue
        changes[topic.code] = [old, new]
        if new == TopicChoice.Delivery.NONE:
            TopicChoice.objects.filter(person=person, topic=topic).delete()
        else:
            TopicChoice.objects.update_or_create(person=person, topic=topic, defaults={"delivery": new})
    if changes:
        record("settings.topics_changed", request=request, actor=person, target=person, changes=changes)
