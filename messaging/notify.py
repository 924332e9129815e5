"""Email about new messages: at once for people who chose it, or in a daily digest.

The work runs in the task queue after the transaction commits, never inside the poster's request. AMBER,
AMBER+STRICT and RED content never travels by email: those emails only say that something is waiting.
"""

from datetime import timedelta

from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from environet import enqueue
from environet.mail import absolute, send_after_commit, send_each_after_commit
from messaging import access
from messaging.models import Follow, Message
from topics.models import TopicChoice


def after_commit(message: Message) -> None:
    message_id = message.pk
    enqueue.after_commit(send_immediate, message_id=message_id)


def immediate_recipients(message: Message) -> list[Person]:
    thread = message.thread
    topic_ids = list(thread.topics.values_list("pk", flat=True))
    by_topic = set(
        TopicChoice.objects.filter(topic_id__in=topic_ids, delivery=TopicChoice.Delivery.LIVE_AND_EMAIL).values_list(
            "person_id", flat=True
        )
    )
    follows = dict(Follow.objects.filter(thread=thread).values_list("person_id", "state"))
    mentioned = set(message.mentions.values_list("pk", flat=True))
    wanted = {
        person_id
        for person_id in by_topic | {pid for pid, state in follows.items() if state == Follow.State.FOLLOW}
        if follows.get(person_id) != Follow.State.MUTE
    } | mentioned
    candidates = Person.objects.filter(pk__in=wanted).exclude(pk=message.author_id)
    return list(access.readers_of(thread, candidates).order_by("pk"))


@task()
def send_immediate(*, message_id: int) -> int:
    message = Message.objects.select_related("thread", "author").filter(pk=message_id).first()
    if message is None or not message.is_visible_text:
        return 0
    link = absolute(reverse("messaging:thread", args=[message.thread_id]))
    preferences = absolute(reverse("accounts:topics"))
    with_content = access.marking_allows_email_content(message.thread.marking)
    return send_each_after_commit(
        people=immediate_recipients(message),
        template="messaging/email/new_message",
        context_for=lambda person: {
            "person": person,
            "message": message,
            "thread": message.thread,
            # In the person's language: the label is translated when the email is rendered.
            "marking": message.thread.get_marking_display,
            "with_content": with_content,
            "link": link,
            "preferences": preferences,
        },
    )


def send_digests(*, now=None) -> int:
    """One email per person who chose a daily digest, listing the last day's messages they may see."""
    now = now or timezone.now()
    since = now - timedelta(days=1)
    choosers = (
        Person.objects.filter(state=Person.State.ACTIVE, topic_choices__delivery=TopicChoice.Delivery.LIVE_AND_DIGEST)
        .distinct()
        .select_related("organisation")
    )
    sent = 0
    for person in choosers:
        topic_ids = TopicChoice.objects.filter(person=person, delivery=TopicChoice.Delivery.LIVE_AND_DIGEST).values(
            "topic_id"
        )
        muted = Follow.objects.filter(person=person, state=Follow.State.MUTE).values("thread_id")
        messages = list(
            access.messages_visible_to(person)
            .filter(created_at__gte=since, created_at__lt=now, thread__topics__in=topic_ids)
            .exclude(thread_id__in=muted)
            .exclude(Q(author=person) | Q(retracted_at__isnull=False) | Q(hidden_at__isnull=False))
            .select_related("thread", "thread__seizure", "author")
            .prefetch_related("thread__seizure__lines")
            .distinct()
            .order_by("created_at")
        )
        if not messages:
            continue
        send_after_commit(
            to=person.email,
            template="messaging/email/digest",
            language=person.language,
            context={
                "person": person,
                "items": [
                    {
                        "message": message,
                        "marking": message.thread.get_marking_display(),
                        "with_content": access.marking_allows_email_content(message.thread.marking),
                        "link": absolute(reverse("messaging:thread", args=[message.thread_id])),
                    }
                    for message in messages
                ],
                "preferences": absolute(reverse("accounts:topics")),
            },
        )
        sent += 1
    return sent
