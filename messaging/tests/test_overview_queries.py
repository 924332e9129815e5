"""The messages overview asks the same number of queries however many threads, alerts, topics and unread
messages there are (it shows the latest 20 threads and 5 alerts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import signed_in
from messaging import actions
from messaging.models import Message
from seizures.tests.builders import file
from topics.models import Topic

pytestmark = pytest.mark.django_db


def threads(author, count: int) -> None:
    """``count`` threads in turn across topics A–G, every third an alert, every fifth a shared record's."""
    topics = list(Topic.objects.filter(is_forum=False).order_by("code"))
    for number in range(count):
        if number % 5 == 4:
            file(author, share=True)
            continue
        kind = Message.Kind.ALERT if number % 3 == 0 else Message.Kind.INFORMATION
        draft = actions.Draft(
            subject=f"Thread {number}", topics=topics[number % 3 : number % 3 + 2], kind=kind, body=f"Body {number}."
        )
        actions.start_thread(request=None, author=author, draft=draft)


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/messages/").status_code == 200
    return len(captured)


def test_the_overview_asks_as_many_queries_for_50_threads_as_for_5(cast):
    client = signed_in(cast.member)
    client.get("/messages/")  # what a session does once (its first page) is not counted
    threads(cast.focal_point, 5)
    few = queries(client)
    threads(cast.other_focal_point, 45)
    assert queries(client) == few
    page = client.get("/messages/").content.decode()
    assert page.count('class="unread"') == 20  # the latest 20 threads, all unread
