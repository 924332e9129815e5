"""What the audit trail calls topics and forums: topics A–G for everyone, a forum's name only for its
members (topics.access), as anywhere else."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from audit import labels
from topics import access
from topics.models import TOPIC_NAMES, TopicChoice


def topics(viewer, ids: Collection[int]) -> dict[int, str]:
    return {topic.pk: str(topic) for topic in access.topics_visible_to(viewer).filter(pk__in=ids)}


def register() -> None:
    labels.register("topics.topic", name=gettext_lazy("forum"), labels=topics)
    # A forum's opening records how many members it has, not one of them.
    labels.register_changes("topics.topic", {"members": labels.Words(name=gettext_lazy("members"))})
    # A person's topics: the codes followed, and, per topic code, how they hear about it (topics.actions).
    deliveries = dict(TopicChoice.Delivery.choices)
    labels.register_changes(
        "accounts.person",
        {
            "topics": labels.Words(name=gettext_lazy("topics"), values=TOPIC_NAMES),
            "expert_topics": labels.Words(name=gettext_lazy("expertise: topics"), values=TOPIC_NAMES),
            **{code: labels.Words(name=name, values=deliveries) for code, name in TOPIC_NAMES.items()},
        },
    )
