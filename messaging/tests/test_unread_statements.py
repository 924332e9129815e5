"""The unread counts of home and the overview run statements compiled once per reader (issue 14,
``messaging.selectors._prepared``, keyed by ``access.rule_key``): they must say what the ORM query of
``unread_messages`` says (and the overview's latest threads with their unread marks, and its latest alerts,
what the ORM says), on the next page after any change, whether the change is in the data (a new message, a
message read, a forum joined) or in what the rule reads of the person (their organisation's country)."""

import pytest
from django.db.models import Count

from accounts.models import Person
from accounts.tests.test_home import alert, follow_b, needs
from conftest import signed_in
from messaging import selectors
from messaging.models import Audience, Message
from topics.models import Topic

pytestmark = pytest.mark.django_db


def _marks(threads) -> list[tuple[int, bool]]:
    """Each thread's id and whether it has unread messages (the ``has_unread`` the overview shows)."""
    return [(thread.pk, thread.has_unread) for thread in threads]


def _expected(person: Person, topics: list[Topic]) -> tuple:
    """What the ORM query says, built afresh."""
    unread = selectors.unread_messages(person)
    alerts = unread.filter(kind=Message.Kind.ALERT)
    by_topic = dict(
        unread.values("thread__topics").annotate(n=Count("pk", distinct=True)).values_list("thread__topics", "n")
    )
    return (
        alerts.count(),
        sorted(set(alerts.values_list("thread_id", flat=True))),
        unread.filter(mentions=person).count(),
        unread.filter(thread__topics__in=topics).values("pk").distinct().count() if topics else 0,
        [(topic.pk, by_topic.get(topic.pk, 0)) for topic in Topic.objects.order_by("pk")],
        [_marks(selectors.threads_in(person=person)[:limit]) for limit in (2, 20)],
        list(
            selectors._visible_messages(person)
            .filter(kind=Message.Kind.ALERT, retracted_at__isnull=True, hidden_at__isnull=True)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:2]
        ),
    )


def _found(person: Person, topics: list[Topic]) -> tuple:
    summary, on_home = selectors.home_unread(person=person, topics=topics)
    overview = dict((topic.pk, count) for topic, count in selectors.topics_overview(person=person))
    assert dict((topic.pk, count) for topic, count in on_home) == overview
    return (
        summary.alerts,
        summary.alert_threads,
        summary.mentions,
        summary.in_topics,
        [(topic.pk, overview.get(topic.pk, 0)) for topic in Topic.objects.order_by("pk")],
        [_marks(selectors.latest_threads(person=person, limit=limit)) for limit in (2, 20)],
        [alert.pk for alert in selectors.recent_alerts(person=person, limit=2)],
    )


def test_the_compiled_counts_say_what_the_query_says_after_each_change(cast):
    people = [cast.member, cast.focal_point, cast.other_focal_point, cast.observer, cast.administrator, cast.suspended]
    topics = [Topic.objects.get(code="B")]

    def check() -> None:
        for person in people:
            person.refresh_from_db()
            assert _found(person, topics) == _expected(person, topics), person

    check()
    first = alert(cast.focal_point)
    alert(cast.other_focal_point, fields={"audience": Audience.ORGANISATIONS}, organisations=[cast.other])
    check()
    kenya = alert(cast.other_focal_point, fields={"audience": Audience.COUNTRIES, "audience_countries": ",KE,"})
    mention = Message.objects.create(thread=first, author=cast.focal_point, body="@mohamed", body_html="")
    mention.mentions.add(cast.member)
    check()
    signed_in(cast.member).get(f"/messages/threads/{kenya.pk}/")  # read: no longer counted
    check()
    cast.home.country = "FR"  # what the rule reads of the person changes: another statement
    cast.home.save()
    check()
    forum = Topic.objects.create(code="WG", name="Working group", is_forum=True)
    first.topics.add(forum)  # a forum the member is not in
    check()
    forum.members.add(cast.member)
    check()
    topics.append(Topic.objects.get(code="E"))  # followed too, and the alert's thread filed under both
    check()
    first.topics.add(topics[-1])
    check()


def test_home_shows_a_change_made_by_one_request_on_the_next_page(cast):
    follow_b(cast.member)
    alert(cast.focal_point)
    assert "1 alert you have not read." in needs(cast.member)
    second = alert(cast.other_focal_point, subject="Pangolin scales")
    assert "2 alerts you have not read." in needs(cast.member)
    client = signed_in(cast.member)
    assert client.get(f"/messages/threads/{second.pk}/").status_code == 200
    assert "1 alert you have not read." in needs(cast.member)
    assert "1 message in your topics is unread." in needs(cast.member)
