from django.db import transaction
from django.utils import timezone

from audit.actions import record
from environet import broker
from topics.access import can_open_forums, topics_visible_to
from topics.models import Topic, TopicChoice


@transaction.atomic
def choose_deliveries(*, request, person, choices: dict[str, str]) -> None:
    """Save how the person hears about each topic (topic code → delivery); audited as a settings change."""
    current = dict(TopicChoice.objects.filter(person=person).values_list("topic__code", "delivery"))
    changes = {}
    for topic in topics_visible_to(person):
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
        broker.readers_changed([person.pk])


@transaction.atomic
def open_forum(*, request, actor, name: str, description: str, members) -> Topic:
    """A discussion forum for an operation or a working group, seen by its members only."""
    if not can_open_forums(actor):
        raise PermissionError
    forum = Topic.objects.create(
        code="", name=name, description=description, is_forum=True, created_at=timezone.now(), position=100
    )
    forum.code = f"forum-{forum.pk}"
    forum.save(update_fields=["code"])
    forum.members.set([*members, actor])
    for person in forum.members.all():
        TopicChoice.objects.get_or_create(person=person, topic=forum, defaults={"delivery": TopicChoice.Delivery.LIVE})
    record("forum.opened", request=request, actor=actor, target=forum, changes={"members": forum.members.count()})
    broker.readers_changed(forum.members.values_list("pk", flat=True))
    return forum


@transaction.atomic
def set_forum_members(*, request, actor, forum, members) -> None:
    if not can_open_forums(actor) or not forum.is_forum:
        raise PermissionError
    before = set(forum.members.values_list("pk", flat=True))
    forum.members.set(members)
    after = set(forum.members.values_list("pk", flat=True))
    TopicChoice.objects.filter(topic=forum).exclude(person_id__in=after).delete()
    for person_id in after - before:
        TopicChoice.objects.get_or_create(
            person_id=person_id, topic=forum, defaults={"delivery": TopicChoice.Delivery.LIVE}
        )
    record(
        "forum.members_changed",
        request=request,
        actor=actor,
        target=forum,
        changes={"added": sorted(after - before), "removed": sorted(before - after)},
    )
    # Someone removed must stop receiving the forum's events at once, not when their page reconnects.
    broker.readers_changed(after ^ before)
