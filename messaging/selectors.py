"""Reads about conversations, always through access."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from messaging import access
from messaging.models import Follow, Message, Reading, Thread
from topics.access import topics_visible_to
from topics.models import Topic

UNREAD_WINDOW = timedelta(days=30)


def unread_messages(person) -> QuerySet[Message]:
    """Messages of the last 30 days, in threads the person may see, that they have not opened."""
    read = Reading.objects.filter(person=person, message=OuterRef("pk"))
    return (
        access.messages_visible_to(person)
        .filter(created_at__gte=timezone.now() - UNREAD_WINDOW, retracted_at__isnull=True, hidden_at__isnull=True)
        .exclude(author=person)
        .exclude(Exists(read))
    )


def topics_overview(*, person) -> list[tuple[Topic, int]]:
    counts = dict(
        unread_messages(person)
        .values("thread__topics")
        .annotate(n=Count("pk", distinct=True))
        .values_list("thread__topics", "n")
    )
    return [(topic, counts.get(topic.pk, 0)) for topic in topics_visible_to(person)]


def topic_for(person, code: str) -> Topic:
    from django.http import Http404

    topic = topics_visible_to(person).filter(code=code).first()
    if topic is None:
        raise Http404
    return topic


def threads_in(*, person, topic: Topic | None = None) -> QuerySet[Thread]:
    threads = access.threads_visible_to(person)
    if topic is not None:
        threads = threads.filter(topics=topic)
    unread = unread_messages(person).filter(thread=OuterRef("pk"))
    return (
        threads.select_related("author", "organisation")
        .prefetch_related("topics")
        .annotate(has_unread=Exists(unread))
        .order_by("-last_message_at")
    )


def thread_messages(*, person, thread: Thread) -> QuerySet[Message]:
    return thread.messages.select_related("author", "author__organisation", "hidden_by").prefetch_related(
        "revisions", "attachments"
    )


def follow_state(*, person, thread: Thread) -> str | None:
    return Follow.objects.filter(person=person, thread=thread).values_list("state", flat=True).first()


def readers_of(*, person, message: Message) -> list[Reading]:
    """Who has read an alert: only its author may ask, and only people in the audience can appear."""
    if not access.can_see_receipts(person, message):
        return []
    readings = message.readings.exclude(person=person).select_related("person", "person__organisation")
    # Someone who read it may have left the audience since (a forum, an organisation): their name is not shown.
    return [
        reading
        for reading in readings.order_by("read_at", "pk")
        if access.threads_visible_to(reading.person).filter(pk=message.thread_id).exists()
    ]


def recent_alerts(*, person, limit: int = 5) -> QuerySet[Message]:
    return (
        access.messages_visible_to(person)
        .filter(kind=Message.Kind.ALERT, retracted_at__isnull=True, hidden_at__isnull=True)
        .select_related("thread", "author")
        .order_by("-created_at")[:limit]
    )
