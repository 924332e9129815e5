"""A thread's latest window read from statements compiled once (``selectors.latest_messages``: environet.compiled
Joined and attach) holds the messages the ORM reads (``thread_messages(...)``, newest first): the same values of
the same types, the same fields deferred, the same authors and organisations, the same files in their order,
each knowing its message, however many messages and files the thread has."""

import pytest

from conftest import typed
from messaging import actions, selectors
from messaging.models import Follow, Message, Reading, Thread
from messaging.tests.test_attachments import PDF_BYTES, png, posted, upload
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


def own(prefix: str = "") -> list[str]:
    names = [name.removeprefix(prefix) for name in selectors.SHOWN_OF_MESSAGE if name.startswith(prefix)]
    return [name for name in names if "__" not in name]


def seen(message: Message) -> tuple:
    files = list(message.attachments.all())
    names = [field.attname for field in files[0]._meta.concrete_fields] if files else []
    return (
        typed(message, own()),
        sorted(message.get_deferred_fields()),
        typed(message.author, own("author__")),
        sorted(message.author.get_deferred_fields()),
        typed(message.author.organisation, own("author__organisation__")),
        [(typed(found, names), found.message is message) for found in files],
    )


def reply(thread: Thread, person, body: str) -> None:
    actions.reply(request=None, author=person, thread=thread, kind=Message.Kind.INFORMATION, body=body)


def test_the_latest_window_is_what_the_orm_reads(cast):
    thread = posted(cast.member, upload("scales.png", png(), "image/png"), upload("permit.pdf", PDF_BYTES))
    for number in range(6):
        reply(thread, [cast.focal_point, cast.member, cast.other_focal_point][number % 3], f"Reply {number}.")
    for most in (1, 3, 50):
        found = selectors.latest_messages(thread, most)
        expected = list(
            selectors.thread_messages(person=cast.member, thread=thread).order_by("-created_at", "-pk")[:most]
        )
        assert [message.pk for message in found] == [message.pk for message in expected]
        assert [seen(message) for message in found] == [seen(message) for message in expected]
    assert sum(len(seen(message)[-1]) for message in selectors.latest_messages(thread, 50)) == 2
    assert selectors.latest_messages(Thread(pk=987654), 50) == []  # none (a thread deleted since)


def test_the_first_unread_message_follows_readings_and_hidden_messages(cast):
    thread = posted(cast.member)
    for number in range(4):
        reply(thread, [cast.focal_point, cast.other_focal_point][number % 2], f"Reply {number}.")
    people = [cast.member, cast.focal_point, cast.other_focal_point, cast.administrator]

    def expected(person) -> int | None:
        read = set(Reading.objects.filter(person=person).values_list("message_id", flat=True))
        shown = (
            thread.messages.filter(retracted_at=None, hidden_at=None)
            .exclude(author=person)
            .order_by("created_at", "pk")
        )
        return next((message.pk for message in shown if message.pk not in read), None)

    def check() -> None:
        for person in people:
            assert selectors.first_unread(person=person, thread=thread) == expected(person), person

    check()
    newest_first = list(thread.messages.order_by("-created_at", "-pk"))
    actions.mark_read(person=cast.member, messages=newest_first[-2:])
    check()
    Message.objects.filter(pk=newest_first[1].pk).update(hidden_at=newest_first[1].created_at)
    check()
    actions.mark_read(person=cast.member, messages=newest_first)
    check()
    assert selectors.first_unread(person=cast.member, thread=thread) is None


def test_follow_states_and_readings_are_each_persons_own(cast):
    first, second = posted(cast.member), posted(cast.member)
    reply(first, cast.focal_point, "A reply.")
    actions.set_follow(request=None, person=cast.focal_point, thread=first, state="mute")
    actions.set_follow(request=None, person=cast.other_focal_point, thread=second, state="follow")

    people = (cast.member, cast.focal_point, cast.other_focal_point)

    def check() -> list:
        found = [
            selectors.follow_state(person=person, thread=thread) for person in people for thread in (first, second)
        ]
        expected = [
            Follow.objects.filter(person=person, thread=thread).values_list("state", flat=True).first()
            for person in people
            for thread in (first, second)
        ]
        assert found == expected
        return found[2:]  # the author follows their threads

    assert check() == ["mute", None, None, "follow"]
    actions.set_follow(request=None, person=cast.focal_point, thread=first, state=None)
    actions.set_follow(request=None, person=cast.focal_point, thread=second, state="follow")
    assert check() == [None, "follow", None, "follow"]
    messages = list(first.messages.order_by("created_at", "pk"))
    assert actions.mark_read(person=cast.focal_point, messages=messages[:1]) == messages[:1]  # not their own reply
    assert actions.mark_read(person=cast.other_focal_point, messages=messages) == messages  # another person's
    assert actions.mark_read(person=cast.focal_point, messages=messages) == []
    assert actions.mark_read(person=cast.focal_point, messages=[]) == []


def test_a_threads_topics_are_what_the_orm_reads(cast):
    forum = Topic.objects.create(code="F-1", name="Ivory forum", is_forum=True, position=0)
    forum.members.add(cast.member)
    thread = posted(cast.member)
    thread.topics.add(forum, *Topic.objects.filter(code__in=["A", "G"]))
    names = [field.attname for field in Topic._meta.concrete_fields]
    expected = [typed(topic, names) for topic in Thread.objects.get(pk=thread.pk).topics.all()]
    found = selectors.thread_topics(Thread.objects.get(pk=thread.pk))
    assert [typed(topic, names) for topic in found] == expected and len(expected) == 4
