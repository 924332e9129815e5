"""What the audit trail calls topics and forums: topics A–G for everyone, a forum's name only for its
members (topics.access), as anywhere else."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from audit import labels
from topics import access


def topics(viewer, ids: Collection[int]) -> dict[int, str]:
    return {topic.pk: str(topic) for topic in access.topics_visible_to(viewer).filter(pk__in=ids)}


def register() -> None:
    labels.register("topics.topic", name=gettext_lazy("forum"), labels=topics)
