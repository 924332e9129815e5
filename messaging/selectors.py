"""Reads about conversations, always through access."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
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
        threads.select_related("author", "organisation", "seizure")
        .prefetch_related("topics", "seizure__lines")  # a seizure's thread is named in the reader's language
        .annotate(has_unread=Exists(unread))
        .order_by("-last_message_at")
    )


def thread_messages(*, person, thread: Thread) -> QuerySet[Message]:
    return thread.messages.select_related("author", "author__organisation", "hidden_by").prefetch_related(
        "revisions", "attachments"
    )


THREAD_PAGE_SIZE = 50


@dataclass(frozen=True)
class ThreadPage:
    """A window of a thread's messages, oldest first, with cursors to the windows around it.

    Windows are cut by keyset (created_at, pk) from a message, never by offset, so a link stays on the same
    messages while new ones arrive, and each window costs the same few queries however long the thread is.
    """

    messages: list[Message]
    has_earlier: bool
    is_latest: bool

    @property
    def first(self) -> Message | None:
        return self.messages[0] if self.messages else None

    @property
    def last(self) -> Message | None:
        return self.messages[-1] if self.messages else None


def _earlier_than(messages: QuerySet[Message], cursor: Message) -> QuerySet[Message]:
    return messages.filter(Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, pk__lt=cursor.pk))


def _later_than(messages: QuerySet[Message], cursor: Message, *, inclusive: bool = False) -> QuerySet[Message]:
    same_time = (
        Q(created_at=cursor.created_at, pk__gte=cursor.pk)
        if inclusive
        else Q(created_at=cursor.created_at, pk__gt=cursor.pk)
    )
    return messages.filter(Q(created_at__gt=cursor.created_at) | same_time)


def thread_page(
    *,
    person,
    thread: Thread,
    before: int | None = None,
    after: int | None = None,
    holding: int | None = None,
    size: int = THREAD_PAGE_SIZE,
) -> ThreadPage:
    """The newest ``size`` messages; or those just before/after the message ``before``/``after``; or the
    window that starts at the message ``holding`` (the target of a link to one message).

    A cursor that is not a message of this thread gives the newest messages. A window that reaches the newest
    message is the latest page (the one the live stream appends to).
    """
    messages = thread_messages(person=person, thread=thread)
    cursor_id = next((value for value in (holding, before, after) if value is not None), None)
    cursor = None
    if cursor_id is not None:
        cursor = thread.messages.filter(pk=cursor_id).only("pk", "created_at").first()
    if cursor is not None and before is not None:
        rows = list(_earlier_than(messages, cursor).order_by("-created_at", "-pk")[: size + 1])
        return ThreadPage(messages=rows[:size][::-1], has_earlier=len(rows) > size, is_latest=False)
    if cursor is not None:
        rows = list(_later_than(messages, cursor, inclusive=after is None).order_by("created_at", "pk")[: size + 1])
        if len(rows) > size:
            has_earlier = after is not None or _earlier_than(thread.messages.all(), cursor).exists()
            return ThreadPage(messages=rows[:size], has_earlier=has_earlier, is_latest=False)
        # The window reaches the newest message: that is the latest page.
    rows = list(messages.order_by("-created_at", "-pk")[: size + 1])
    return ThreadPage(messages=rows[:size][::-1], has_earlier=len(rows) > size, is_latest=True)


def first_unread(*, person, thread: Thread) -> int | None:
    """The id of the oldest message of the thread the person has not opened (not their own, still shown)."""
    read = Reading.objects.filter(person=person, message=OuterRef("pk"))
    return (
        thread.messages.filter(retracted_at__isnull=True, hidden_at__isnull=True)
        .exclude(author=person)
        .exclude(Exists(read))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def message_url(message: Message) -> str:
    """A link to one message: the thread's page that holds it, scrolled to it."""
    return f"{reverse('messaging:thread', args=[message.thread_id])}?message={message.pk}#message-{message.pk}"


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
