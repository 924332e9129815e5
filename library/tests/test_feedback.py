"""Ratings (1 to 5, one per reader, changeable; the item page shows the average and count) and comments (a
thread for the item's own audience and marking, opened by the first comment, replies after): readers only,
bad input refused with a sentence and nothing saved, every write audited with references only."""

import re

import pytest
from django.urls import reverse

from audit.models import Entry
from conftest import signed_in
from library import feedback_actions
from library.models import CommentThread, Rating
from library.tests import builders
from messaging.models import Audience, Marking, Message, Thread
from topics.models import Topic

RED_TITLE = "Okapi horn courier names"


def _without_csrf_tokens(content: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", content)


@pytest.fixture
def restricted(cast):
    """AMBER, for the home organisation and the secretariat: the other focal point is out."""
    return builders.publish(
        cast.member,
        title="Okapi horn route",
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.secretariat],
        topics=[Topic.objects.get(code="B"), Topic.objects.get(code="C")],
    )


@pytest.fixture
def red(cast):
    return builders.publish(
        cast.member, title=RED_TITLE, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.focal_point]
    )


def test_it_rates_once_per_person_and_shows_the_average_and_count(cast, restricted):
    rate = reverse("library:rate", args=[restricted.pk])
    page = reverse("library:item", args=[restricted.pk])
    assert b"Not rated yet." in signed_in(cast.member).get(page).content
    assert signed_in(cast.observer).post(rate, {"stars": "5"}).status_code == 302  # observers read, and rate
    signed_in(cast.member).post(rate, {"stars": "2"})
    signed_in(cast.member).post(rate, {"stars": "4"})  # changed, not added
    assert Rating.objects.filter(item=restricted).count() == 2
    shown = signed_in(cast.member).get(page).content
    assert b"Rated 4.5 out of 5 by 2 readers." in shown and b"Your rating: 4." in shown
    changed = Entry.objects.filter(action="library.item_rated", actor=cast.member).order_by("pk").last()
    assert changed is not None and changed.changes == {"stars": [2, 4]} and changed.object_label == ""


@pytest.mark.parametrize("stars", ["0", "6", "", "three", "-1"])
def test_it_refuses_a_rating_out_of_range_and_saves_nothing(cast, restricted, stars):
    response = signed_in(cast.member).post(reverse("library:rate", args=[restricted.pk]), {"stars": stars}, follow=True)
    assert b"Rate the usefulness from 1 to 5." in response.content
    assert not Rating.objects.exists() and not Entry.objects.filter(action="library.item_rated").exists()


def test_the_rating_guard_refuses_without_the_page(cast, restricted):
    with pytest.raises(feedback_actions.Refused):
        feedback_actions.rate(request=None, person=cast.other_focal_point, item=restricted, stars=5)
    with pytest.raises(feedback_actions.Refused):
        feedback_actions.rate(request=None, person=cast.member, item=restricted, stars=9)
    assert not Rating.objects.exists()


def test_it_refuses_an_item_the_person_may_not_read(cast, restricted):
    client = signed_in(cast.other_focal_point)
    missing = client.post(reverse("library:rate", args=[10**9]), {"stars": "5"})
    forbidden = client.post(reverse("library:rate", args=[restricted.pk]), {"stars": "5"})
    assert forbidden.status_code == missing.status_code == 404
    assert _without_csrf_tokens(forbidden.content) == _without_csrf_tokens(missing.content)
    assert client.post(reverse("library:comment", args=[restricted.pk]), {"body": "Hi"}).status_code == 404
    assert not Rating.objects.exists() and not CommentThread.objects.exists()


def test_the_first_comment_opens_a_thread_for_the_items_audience(cast, restricted):
    client = signed_in(cast.administrator)  # of the secretariat, not of the publishing organisation
    response = client.post(reverse("library:comment", args=[restricted.pk]), {"body": "Seen this in Geneva too."})
    assert response.status_code == 302
    thread = CommentThread.objects.get(item=restricted).thread
    assert thread.marking == Marking.AMBER and thread.audience == Audience.ORGANISATIONS
    assert set(thread.audience_organisations.all()) == {cast.home, cast.secretariat}  # the publisher's too
    assert {topic.code for topic in thread.topics.all()} == {"B", "C"}
    assert thread.messages.get().kind == Message.Kind.INFORMATION
    signed_in(cast.member).post(reverse("library:comment", args=[restricted.pk]), {"body": "Thanks."})
    assert Thread.objects.count() == 1 and thread.messages.count() == 2
    page = signed_in(cast.observer).get(reverse("library:item", args=[restricted.pk])).content
    assert reverse("messaging:thread", args=[thread.pk]).encode() in page and b"(2 comments)" in page
    assert b'name="body"' not in page  # observers read the comments, and do not post
    assert signed_in(cast.observer).get(reverse("messaging:thread", args=[thread.pk])).status_code == 200
    entries = Entry.objects.filter(action="library.item_commented").order_by("pk")
    assert [entry.changes["thread"] for entry in entries] == [thread.pk, thread.pk]
    assert all(entry.object_label == "" and set(entry.changes) == {"thread", "message"} for entry in entries)


def test_the_comment_thread_is_404_outside_the_items_audience(cast, restricted, red):
    feedback_actions.comment(request=None, person=cast.focal_point, item=restricted, body="On the route.")
    feedback_actions.comment(request=None, person=cast.focal_point, item=red, body="On the couriers.")
    amber = CommentThread.objects.get(item=restricted).thread
    secret = CommentThread.objects.get(item=red).thread
    assert secret.marking == Marking.RED and set(secret.audience_people.all()) == {cast.member, cast.focal_point}
    outsider = signed_in(cast.other_focal_point)
    missing = outsider.get(reverse("messaging:thread", args=[10**9]))
    for thread in (amber, secret):
        assert outsider.get(reverse("messaging:thread", args=[thread.pk])).status_code == missing.status_code == 404
    for colleague in (cast.observer, cast.administrator):  # not named on the RED item
        assert signed_in(colleague).get(reverse("messaging:thread", args=[secret.pk])).status_code == 404
    assert signed_in(cast.member).get(reverse("messaging:thread", args=[secret.pk])).status_code == 200


def test_it_refuses_an_empty_comment_and_observers(cast, restricted):
    response = signed_in(cast.member).post(
        reverse("library:comment", args=[restricted.pk]), {"body": "  "}, follow=True
    )
    assert b"Write a comment first." in response.content
    assert (
        signed_in(cast.observer).post(reverse("library:comment", args=[restricted.pk]), {"body": "Hi"}).status_code
        == 404
    )
    with pytest.raises(feedback_actions.Refused):
        feedback_actions.comment(request=None, person=cast.observer, item=restricted, body="Hi")
    with pytest.raises(feedback_actions.Refused):
        feedback_actions.comment(request=None, person=cast.other_focal_point, item=restricted, body="Hi")
    assert not CommentThread.objects.exists() and not Thread.objects.exists()
