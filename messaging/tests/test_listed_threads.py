"""The overview's threads read by their ids from statements compiled once (``selectors._listed_threads``, made
with environet.compiled.Joined and attach) are the objects the ORM makes of ``_as_listed(...).in_bulk(ids)``:
the same values of the same types, the same fields deferred, the same author, organisation and record (or none),
the same topics and record lines in the same order, each related object where the ORM sets it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist

from conftest import typed
from messaging import actions, selectors
from messaging.models import Message, Thread
from seizures.tests.builders import file, line
from topics.models import Topic

pytestmark = pytest.mark.django_db


def own(prefix: str = "") -> list[str]:
    names = [name.removeprefix(prefix) for name in selectors.LISTED_THREAD if name.startswith(prefix)]
    return [name for name in names if "__" not in name]


def seen(thread: Thread) -> tuple:
    try:
        record = thread.seizure
    except ObjectDoesNotExist:
        record = None
    lines = list(record.lines.all()) if record is not None else []
    return (
        typed(thread, own()),
        sorted(thread.get_deferred_fields()),
        typed(thread.author, own("author__")),
        sorted(thread.author.get_deferred_fields()),
        typed(thread.organisation, own("organisation__")),
        None if record is None else (typed(record, own("seizure__")), record.thread is thread),
        None if record is None else sorted(record.get_deferred_fields()),
        [typed(topic, ("id", "code")) for topic in thread.topics.all()],
        [(typed(found, ("id", "seizure_id", "code")), found.seizure is record) for found in lines],
        [topic.pk for topic in thread.topics.filter(code__gte="")],  # a query of the thread's own topics
    )


def test_listed_threads_are_what_the_orm_makes(cast):
    topics = list(Topic.objects.filter(is_forum=False).order_by("-code"))  # filed out of the topics' order
    for number in range(4):
        draft = actions.Draft(
            subject=f"Thread {number}", topics=topics[number : number + 3], body="Body.", kind=Message.Kind.INFORMATION
        )
        actions.start_thread(request=None, author=[cast.member, cast.focal_point][number % 2], draft=draft)
    file(cast.member, share=True, lines=[line("basel", "A1180"), line("cites", "Manis gigantea", quantity=Decimal(2))])
    file(cast.other_focal_point, share=True, lines=[])
    ids = [*Thread.objects.values_list("pk", flat=True), 987654]  # one that does not exist
    expected = selectors._as_listed(Thread.objects.all()).in_bulk(ids)
    found = selectors._listed_threads(ids)
    assert set(found) == set(expected) and len(found) == 6
    for pk, thread in found.items():
        assert seen(thread) == seen(expected[pk]), pk
    assert selectors._listed_threads([]) == {}


def test_a_thread_and_its_author_are_one_object_per_row_shared(cast):
    for number in range(2):
        draft = actions.Draft(
            subject=f"Thread {number}",
            topics=[Topic.objects.get(code="B")],
            body="Body.",
            kind=Message.Kind.INFORMATION,
        )
        actions.start_thread(request=None, author=cast.member, draft=draft)
    first, second = selectors._listed_threads(list(Thread.objects.values_list("pk", flat=True))).values()
    assert first.author is second.author  # as select_related does not, but nothing tells them apart
    assert first.author.pk == cast.member.pk


def test_the_overviews_alerts_are_what_the_orm_makes(cast):
    for author in (cast.member, cast.focal_point, cast.member):
        draft = actions.Draft(
            subject="Alert", topics=[Topic.objects.get(code="B")], body="Body.", kind=Message.Kind.ALERT
        )
        actions.start_thread(request=None, author=author, draft=draft)
    shown = selectors.SHOWN_OF_ALERT
    names = [*shown[""], *(f"{path}__{name}" for path in ("thread", "author") for name in shown[path])]
    for person in (cast.member, cast.observer):
        found = selectors.recent_alerts(person=person, limit=5)
        ids = [alert.pk for alert in found]
        expected = Message.objects.select_related("thread", "author").only(*names).in_bulk(ids)
        assert len(found) == 3
        for alert in found:
            orm = expected[alert.pk]
            assert typed(alert, shown[""]) == typed(orm, shown[""])
            assert typed(alert.thread, shown["thread"]) == typed(orm.thread, shown["thread"])
            assert typed(alert.author, shown["author"]) == typed(orm.author, shown["author"])
            assert sorted(alert.get_deferred_fields()) == sorted(orm.get_deferred_fields())
            assert alert.thread.marking == orm.thread.marking  # what is not read is read when asked
