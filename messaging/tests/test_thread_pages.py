"""Thread pages in windows (issues 12 and 14): the newest messages first, plain links to earlier and later
ones, links to one message landing on the window that holds it, and a cost that does not grow with the thread."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Person
from conftest import signed_in
from messaging import actions
from messaging.models import Audience, Marking, Message, Reading, Thread
from messaging.selectors import THREAD_PAGE_SIZE
from topics.models import Topic


def thread_of(author: Person, replies: int, subject: str = "Long conversation") -> tuple[Thread, list[Message]]:
    """A thread whose opening message is followed by ``replies`` replies, one minute apart, oldest first."""
    draft = actions.Draft(
        subject=subject,
        topics=[Topic.objects.get(code="B")],
        kind=Message.Kind.INFORMATION,
        body="Opening message.",
        marking=Marking.GREEN,
        audience=Audience.NETWORK,
        organisations=[],
        countries=[],
        people=[],
    )
    thread = actions.start_thread(request=None, author=author, draft=draft)
    opening = thread.messages.get()
    start = opening.created_at
    Message.objects.bulk_create(
        Message(
            thread=thread,
            author=author,
            body=f"Reply number {number}.",
            body_html=f"<p>Reply number {number}.</p>",
            created_at=start + timedelta(minutes=number),
        )
        for number in range(1, replies + 1)
    )
    return thread, list(thread.messages.order_by("created_at", "pk"))


def shown_ids(content: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="message-(\d+)"', content)]


def link(content: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', content)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_page_shows_the_newest_messages_and_links_to_earlier_ones(cast):
    thread, messages = thread_of(cast.member, 120)
    response = signed_in(cast.focal_point).get(f"/messages/threads/{thread.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert shown_ids(content) == [message.pk for message in messages[-THREAD_PAGE_SIZE:]]
    assert link(content, "prev") == f"/messages/threads/{thread.pk}/?before={messages[-THREAD_PAGE_SIZE].pk}"
    assert link(content, "next") is None
    assert 'id="messages" data-not-latest' not in content  # the live stream appends here


def test_a_short_thread_has_no_links_to_other_pages(cast):
    thread, messages = thread_of(cast.member, 3)
    content = signed_in(cast.focal_point).get(f"/messages/threads/{thread.pk}/").content.decode()

    assert shown_ids(content) == [message.pk for message in messages]
    assert link(content, "prev") is None
    assert link(content, "next") is None


def test_following_the_links_back_and_forth_shows_every_message_once_in_order(cast):
    thread, messages = thread_of(cast.member, 2 * THREAD_PAGE_SIZE + 7)
    client = signed_in(cast.focal_point)
    url: str | None = f"/messages/threads/{thread.pk}/"
    backwards: list[list[int]] = []
    while url:
        content = client.get(url).content.decode()
        backwards.append(shown_ids(content))
        url = link(content, "prev")
    assert [pk for window in reversed(backwards) for pk in window] == [message.pk for message in messages]
    assert len(backwards) == 3

    forwards: list[list[int]] = []
    url = f"/messages/threads/{thread.pk}/?message={messages[0].pk}"
    while url:
        content = client.get(url).content.decode()
        forwards.append(shown_ids(content))
        url = link(content, "next")
    assert forwards[0][0] == messages[0].pk
    assert forwards[-1] == backwards[0]  # the last "Later messages" reaches the latest page
    assert sorted({pk for window in forwards for pk in window}) == [message.pk for message in messages]


def test_an_earlier_page_tells_the_live_stream_not_to_append(cast):
    thread, messages = thread_of(cast.member, THREAD_PAGE_SIZE + 5)
    url = f"/messages/threads/{thread.pk}/?before={messages[-1].pk}"
    content = signed_in(cast.focal_point).get(url).content.decode()

    assert 'id="messages" data-not-latest' in content
    assert 'id="newer-messages"' in content
    assert f'data-live-thread="{thread.pk}"' in content  # edits of the messages shown still arrive
    assert link(content, "next") == f"/messages/threads/{thread.pk}/?after={messages[-2].pk}"


def test_a_link_to_one_message_lands_on_the_page_holding_it(cast):
    thread, messages = thread_of(cast.member, 3 * THREAD_PAGE_SIZE)
    target = messages[20]
    content = signed_in(cast.focal_point).get(f"/messages/threads/{thread.pk}/?message={target.pk}").content.decode()

    assert shown_ids(content)[0] == target.pk
    assert len(shown_ids(content)) == THREAD_PAGE_SIZE
    assert link(content, "prev") is not None
    assert link(content, "next") is not None

    recent = messages[-3]  # among the newest: the latest page, full
    content = signed_in(cast.focal_point).get(f"/messages/threads/{thread.pk}/?message={recent.pk}").content.decode()
    assert recent.pk in shown_ids(content)
    assert shown_ids(content) == [message.pk for message in messages[-THREAD_PAGE_SIZE:]]
    assert "data-not-latest" not in content


def test_search_results_and_alerts_link_to_the_page_of_the_message(cast):
    thread, messages = thread_of(cast.member, THREAD_PAGE_SIZE + 10)
    href = f"/messages/threads/{thread.pk}/?message={messages[0].pk}#message-{messages[0].pk}"

    content = signed_in(cast.focal_point).get("/messages/search/", {"q": "Opening"}).content.decode()

    assert href.replace("&", "&amp;") in content or href in content
    landing = signed_in(cast.focal_point).get(href.split("#")[0]).content.decode()
    assert messages[0].pk in shown_ids(landing)


def test_a_cursor_that_is_not_a_message_of_the_thread_gives_the_latest_page(cast):
    thread, messages = thread_of(cast.member, THREAD_PAGE_SIZE + 5)
    elsewhere, _ = thread_of(cast.member, 0, subject="Another")
    client = signed_in(cast.focal_point)
    latest = [message.pk for message in messages[-THREAD_PAGE_SIZE:]]

    for query in (f"before={elsewhere.messages.get().pk}", "message=abc", "after=-3", "message=99999999"):
        response = client.get(f"/messages/threads/{thread.pk}/?{query}")
        assert response.status_code == 200
        assert shown_ids(response.content.decode()) == latest


def test_the_number_of_queries_does_not_grow_with_the_thread(cast):
    short, _ = thread_of(cast.member, 10, subject="Short")
    long, long_messages = thread_of(cast.member, 200, subject="Long")
    longer, longer_messages = thread_of(cast.member, 400, subject="Longer")
    client = signed_in(cast.focal_point)

    def count(url: str) -> int:
        client.get(url)  # the first visit records what was read
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(f"/messages/threads/{short.pk}/") == count(f"/messages/threads/{long.pk}/")
    assert count(f"/messages/threads/{long.pk}/?message={long_messages[5].pk}") == count(
        f"/messages/threads/{longer.pk}/?message={longer_messages[5].pk}"
    )
    assert count(f"/messages/threads/{long.pk}/?before={long_messages[120].pk}") == count(
        f"/messages/threads/{longer.pk}/?before={longer_messages[320].pk}"
    )
    # A first visit writes its readings in one go, whatever the length.
    other = signed_in(cast.other_focal_point)
    other.get("/messages/")  # the session's first request does its own once-only work
    with CaptureQueriesContext(connection) as first_short:
        other.get(f"/messages/threads/{short.pk}/")
    with CaptureQueriesContext(connection) as first_long:
        other.get(f"/messages/threads/{long.pk}/")
    assert len(first_short) == len(first_long)


def test_the_page_weight_is_bounded_however_long_the_thread(cast):
    medium, _ = thread_of(cast.member, THREAD_PAGE_SIZE + 10, subject="Medium")
    huge, _ = thread_of(cast.member, 1000, subject="Huge")
    client = signed_in(cast.focal_point)

    medium_size = len(client.get(f"/messages/threads/{medium.pk}/").content)
    huge_size = len(client.get(f"/messages/threads/{huge.pk}/").content)

    print(f"thread page: 1,001 messages -> {huge_size / 1024:.1f} KB ({THREAD_PAGE_SIZE} shown)")
    assert huge_size < medium_size * 1.1
    assert huge_size < 100 * 1024


def test_a_link_leads_to_the_first_unread_message_when_it_is_on_another_page(cast):
    thread, messages = thread_of(cast.member, 2 * THREAD_PAGE_SIZE)
    Reading.objects.bulk_create(Reading(person=cast.focal_point, message=message) for message in messages[:30])
    client = signed_in(cast.focal_point)

    content = client.get(f"/messages/threads/{thread.pk}/").content.decode()
    first = messages[30].pk
    assert link(content, "first-unread") == f"/messages/threads/{thread.pk}/?message={first}#message-{first}"

    landing = client.get(f"/messages/threads/{thread.pk}/?message={first}").content.decode()
    assert shown_ids(landing)[0] == first
    assert link(landing, "first-unread") is None  # it is on this page (and now read)
    Reading.objects.bulk_create(
        (Reading(person=cast.focal_point, message=message) for message in messages), ignore_conflicts=True
    )
    assert link(client.get(f"/messages/threads/{thread.pk}/").content.decode(), "first-unread") is None
