"""The rows of a list of threads rendered once and shown again (messaging.templatetags.thread_rows, issue 14):
after any change to what a row shows, or to the language and time zone it is shown in, the overview and a
topic's page are what they would be with nothing kept."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from conftest import shown_as_if_nothing_were_kept, signed_in
from messaging import actions
from messaging.models import Marking, Message, Thread
from messaging.templatetags import thread_rows
from messaging.tests.test_thread_pages import thread_of
from seizures.models import CommodityLine, Seizure
from seizures.tests.builders import file
from topics.models import Topic

PAGES = ["/messages/", "/messages/topics/B/"]


def rows_of(client, page: str) -> str:
    content = client.get(page).content.decode()
    return content[content.index('<table class="threads">') : content.index("</tbody>")]


def subject_changed(thread: Thread, cast) -> None:
    Thread.objects.filter(pk=thread.pk).update(subject="Pangolin scales at Mombasa, second shipment")


def marking_changed(thread: Thread, cast) -> None:
    Thread.objects.filter(pk=thread.pk).update(marking=Marking.AMBER)


def topic_added(thread: Thread, cast) -> None:
    thread.topics.add(Topic.objects.get(code="E"))


def _saved(of: Callable[[Thread, Any], Any], field: str, value: str) -> Callable:
    """A change of one field of what ``of(thread, cast)`` gives (the author, the organisation, the reader)."""

    def change(thread: Thread, cast: Any) -> None:
        found = of(thread, cast)
        setattr(found, field, value)
        found.save(update_fields=[field])

    change.__name__ = f"{field}_changed"
    return change


author_renamed = _saved(lambda thread, cast: thread.author, "full_name", "Oscar Renamed")
organisation_renamed = _saved(lambda thread, cast: thread.organisation, "short_name", "DOUANE")
language_changed = _saved(lambda thread, cast: cast.focal_point, "language", "fr")
time_zone_changed = _saved(lambda thread, cast: cast.focal_point, "time_zone", "Asia/Tokyo")


def new_message(thread: Thread, cast) -> None:
    Message.objects.create(thread=thread, author=thread.author, body="Later.", body_html="<p>Later.</p>")
    Thread.objects.filter(pk=thread.pk).update(last_message_at=thread.last_message_at + timedelta(minutes=7))


def read_by_the_reader(thread: Thread, cast) -> None:
    actions.mark_read(person=cast.focal_point, messages=list(thread.messages.all()))


def _record_changed(**fields) -> Callable:
    def change(thread: Thread, cast) -> None:
        Seizure.objects.filter(thread=thread).update(**fields)

    change.__name__ = "record_" + "_".join(fields)
    return change


def record_line_recoded(thread: Thread, cast) -> None:
    CommodityLine.objects.filter(seizure__thread=thread).update(code="Manis tricuspis")


def record_line_added(thread: Thread, cast) -> None:
    CommodityLine.objects.create(seizure=thread.seizure, position=5, convention="basel", code="A1180", unit="TNE")


CHANGES = [
    *(subject_changed, marking_changed, topic_added, author_renamed, organisation_renamed, new_message),
    *(read_by_the_reader, language_changed, time_zone_changed),
]
RECORD_CHANGES = [
    *(_record_changed(reference="KE-2026-999999"), _record_changed(country="TZ")),
    *(record_line_recoded, record_line_added, language_changed),
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_a_thread_shows_as_if_nothing_were_kept(cast, page: str, change: Callable):
    thread, _replies = thread_of(cast.member, 1, subject="Pangolin scales at Mombasa")
    thread_of(cast.other_focal_point, 0, subject="Ivory at Entebbe")
    reader = signed_in(cast.focal_point)
    shown_as_if_nothing_were_kept(lambda: rows_of(reader, page), lambda: change(thread, cast), thread_rows._ROWS)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("change", RECORD_CHANGES, ids=lambda change: change.__name__)
def test_a_change_to_a_records_thread_shows_as_if_nothing_were_kept(cast, page: str, change: Callable):
    record = file(cast.member, share=True)
    thread = Thread.objects.get(seizure=record)
    thread.topics.add(Topic.objects.get(code="B"))
    reader = signed_in(cast.focal_point)
    shown_as_if_nothing_were_kept(lambda: rows_of(reader, page), lambda: change(thread, cast), thread_rows._ROWS)
