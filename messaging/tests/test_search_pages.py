"""A page of search results in one statement (``search.page``, issue 14): the access rule asked of each
message's own row (``access.message_rule``) means what ``messages_visible_to`` means; a page gives exactly what
the paginators give over ``search.search`` (the reference, through ``messages_visible_to``), on both roads
SQLite can take, for every page number; and the statement, compiled once per reader (``access.rule_key``),
follows a reader whose facts change."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.paginator import Page, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings

from accounts.models import Person
from conftest import made_through_init, signed_in
from messaging import access, search
from messaging.models import Audience, Marking, Message
from messaging.tests.test_readers_of import THREAD_SHAPES, make_threads
from messaging.tests.test_search import post
from topics import actions as topic_actions
from topics.models import Topic

pytestmark = pytest.mark.django_db


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(threads=THREAD_SHAPES)
def test_the_rule_asked_of_each_message_is_the_whole_rule(cast, threads):
    """``message_rule`` (a condition on each message's row) gives each person exactly the messages of
    ``messages_visible_to`` (the threads they may read, worked out first), each once, for any audience and
    forum; and nothing to people who may not read."""
    people = list(Person.objects.order_by("pk"))
    for thread, author in make_threads(threads):
        thread.topics.add(Topic.objects.get(code="B"))
        for number in range(2):
            Message.objects.create(thread=thread, author=author, body=f"Message {number}", body_html="")
    for person in people:
        expected = sorted(access.messages_visible_to(person).values_list("pk", flat=True))
        rule = access.message_rule(person)
        found = [] if rule is None else sorted(Message.objects.filter(rule).values_list("pk", flat=True))
        assert found == expected, person
    assert access.message_rule(cast.suspended) is None


def _shown(page) -> tuple[list[int], int, int, int]:
    return [message.pk for message in page.object_list], page.number, page.paginator.count, page.paginator.num_pages


class _Limited(Paginator):
    """The search page's paginator before issue 14, over a QuerySet: the count up to ``limit`` + 1, pages of
    the newest ``limit`` (the independent form ``search.page`` with a limit must agree with)."""

    limit = 7

    def __init__(self, found, per_page: int) -> None:
        super().__init__(found, per_page)
        self.found = found

    @property
    def count(self) -> int:
        return self.found[: self.limit + 1].count()

    @property
    def num_pages(self) -> int:
        return -(-max(1, min(self.count, self.limit)) // self.per_page)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count, self.limit)
        return Page(list(self.found[bottom:top]), number, self)


@pytest.fixture
def crowd(cast) -> list[Message]:
    """Ivory messages for every kind of audience and forum, some at the same moment (the order then goes by
    id), some written long ago, some retracted, by people of three organisations."""
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Operation Thunder", description="", members=[cast.member]
    )
    made = []
    audiences: list[dict[str, Any]] = [
        {},
        {"audience": Audience.ORGANISATIONS, "organisations": [cast.home]},
        {"audience": Audience.COUNTRIES, "countries": ["FR"]},
        {"marking": Marking.RED, "audience": Audience.PEOPLE, "people": [cast.focal_point]},
        {"topics": [forum]},
    ]
    authors = [cast.member, cast.other_focal_point, cast.administrator]
    for number in range(24):
        kind = Message.Kind.ALERT if number % 3 == 0 else Message.Kind.INFORMATION
        audience = audiences[number % len(audiences)]
        author = cast.member if "topics" in audience else authors[number % 3]  # a forum's member
        made.append(post(author, body=f"Ivory lot {number}.", kind=kind, **audience))
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    for message in made[:6]:  # older than the rest, and six at the very same moment
        Message.objects.filter(pk=message.pk).update(created_at=moment)
    Message.objects.filter(pk=made[6].pk).update(created_at=moment - timedelta(days=400))
    Message.objects.filter(pk=made[10].pk).update(created_at=moment + timedelta(days=3650))  # newest, not the last
    from messaging import actions

    actions.retract(request=None, person=made[8].author, message=made[8])
    return made


@pytest.mark.parametrize("few", [search.FEW_MATCHES, 1])
def test_a_page_is_the_paginators_page_of_the_search(cast, crowd, monkeypatch, few):
    """``search.page`` gives what ``Paginator`` (every match counted: the API) or the limited paginator (the
    search page) give over ``search.search``: the same messages in the same order, count, page number and
    pages, for numbers in and out of range and not numbers, for every reader, filter and word; on SQLite
    both when the statement starts from the index's matches and when it walks the messages newest first."""
    monkeypatch.setattr(search, "FEW_MATCHES", few)
    asked: list = [1, "2", 3, 99, 0, "x"]
    shapes = [
        search.Filters(text="ivory"),
        search.Filters(text="ivory", kind=Message.Kind.ALERT),
        search.Filters(text='"ivory lot"', date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)),
        search.Filters(text="ivory -5", organisation=cast.other),
        search.Filters(text="lot", country="KE", marking=Marking.GREEN),
        search.Filters(text="ivory", author="ADA@wco.example"),
        search.Filters(topic=Topic.objects.get(code="B")),  # no words
        search.Filters(text="-ivory"),  # only words to leave out
        search.Filters(text="nowhere"),
    ]
    readers = ("member", "focal_point", "other_focal_point", "administrator", "suspended")
    for role in readers:
        person = cast.by_role[role]
        for filters in shapes:
            reference = search.search(person=person, filters=filters)
            for number in asked:
                expected = Paginator(reference, 5).get_page(number)
                found = search.page(person=person, filters=filters, number=number, size=5)
                assert _shown(found) == _shown(expected), (role, filters, number)
                expected = _Limited(reference, 3).get_page(number)
                found = search.page(person=person, filters=filters, number=number, size=3, limit=_Limited.limit)
                assert _shown(found) == _shown(expected), (role, filters, number, "limited")
                assert isinstance(found.paginator, search.Results)
                assert found.paginator.more == (expected.paginator.count > _Limited.limit)
    several = search.page(person=cast.member, filters=search.Filters(text="ivory"), number=2, size=3, limit=7)
    assert isinstance(several.paginator, search.Results) and several.paginator.more
    assert several.paginator.num_pages == 3 and len(several.object_list) == 3
    [message] = search.page(person=cast.member, filters=search.Filters(text="ivory"), size=1).object_list
    assert message.pk == crowd[10].pk  # the newest by date, whatever its id
    assert (message.thread.subject, message.author.organisation.short_name) == ("Seizure at the port", "DGDDI")


def test_many_matches_walk_the_messages_newest_first_and_a_few_start_from_the_index(cast, crowd, monkeypatch):
    """The index is asked how many matches it holds (up to ``FEW_MATCHES`` + 1) first, and nothing more when it
    has none. Up to ``FEW_MATCHES`` the statement starts from the matches (PostgreSQL: read first, as an
    array, then the messages by key); past it, it walks the messages newest first (SQLite: the id is not the
    key, "+id"; PostgreSQL: "id IN (matches)", planned for the words)."""
    words = search.Filters(text="ivory")
    index_road = "= ANY(ARRAY(SELECT" if connection.vendor == "postgresql" else '"messaging_message"."id" IN (SELECT'
    walk_road = '+"messaging_message"."id"' if connection.vendor == "sqlite" else '"messaging_message"."id" IN (SELECT'
    with CaptureQueriesContext(connection) as few:
        search.page(person=cast.member, filters=words)
    monkeypatch.setattr(search, "FEW_MATCHES", 3)
    with CaptureQueriesContext(connection) as many:
        search.page(person=cast.member, filters=words)
    with CaptureQueriesContext(connection) as none:
        search.page(person=cast.member, filters=search.Filters(text="rhino"))
    counted, page = (query["sql"] for query in few.captured_queries)
    assert "count(*)" in counted and index_road in page and walk_road not in page
    counted, page = (query["sql"] for query in many.captured_queries)
    assert "count(*)" in counted and walk_road in page and index_road not in page
    assert len(none.captured_queries) == 1


def test_a_page_follows_the_reader_whose_facts_change(cast, crowd):
    """The statement is compiled once per reader (``access.rule_key``): a reader moved to another organisation,
    whose organisation's country changed, added to a forum or who leaves finds what they may read now."""
    words = search.Filters(text="ivory")
    person = cast.other_focal_point

    def found() -> list[int]:
        return [message.pk for message in search.page(person=person, filters=words, size=100).object_list]

    def readable() -> list[int]:
        return list(search.search(person=person, filters=words).values_list("pk", flat=True))

    before = found()
    assert before == readable()
    person.organisation = cast.home
    person.save()
    assert found() == readable() != before
    countries = {}
    for country in ("FR", "BR"):  # the threads for countries name FR
        person.organisation.country = country
        person.organisation.save()
        countries[country] = found()
        assert countries[country] == readable()
    assert countries["FR"] != countries["BR"]
    forum = Topic.objects.get(name="Operation Thunder")
    outside = found()
    forum.members.add(person)
    assert found() == readable() != outside
    person.state = person.State.SUSPENDED
    person.save()
    assert found() == readable() == []


def test_the_results_name_a_seizure_records_thread_in_the_readers_language_without_a_query_each(cast):
    """A record's thread is named in the reader's language in results, its record read with the page (one
    query for the records and their lines, however many are listed)."""
    from seizures.tests.builders import file

    reader = cast.focal_point
    reader.language = "fr"
    reader.save(update_fields=["language"])
    client = signed_in(reader)
    records = [file(cast.member, share=True)]
    ask = {"q": "seizure"}  # the subject as filed, in the officer's language (English)
    client.get("/messages/search/", ask)
    with CaptureQueriesContext(connection) as one:
        content = client.get("/messages/search/", ask).content.decode()
    assert f"Saisie {records[0].reference} (" in content
    records += [file(cast.member, share=True), file(cast.member, share=True)]
    with CaptureQueriesContext(connection) as three:
        content = client.get("/messages/search/", ask).content.decode()
    assert all(f"Saisie {record.reference} (" in content for record in records)
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_pages_objects_are_what_the_orm_makes_of_the_same_rows(cast, crowd):
    """The page makes its messages, threads, authors and organisations without ``Model.__init__``: each must be
    the instance the ORM makes of its row (same values, saved, of this database, the same fields deferred and
    read when asked), and with an init signal listened to, the ORM's own ``from_db`` makes them."""
    filters = search.Filters(text="ivory")
    shown = list(search.page(person=cast.member, filters=filters, size=50).object_list)
    assert shown

    def values(instance) -> dict[str, Any]:
        return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}

    related = [(m.thread, m.author, m.author.organisation) for m in shown]
    for made in {id(made): made for made in (made for trio in related for made in trio)}.values():
        model = type(made)  # before any deferred field is read (the author and organisation are shared)
        kept = {field.attname for field in search._shown_fields(model)}
        assert made.get_deferred_fields() == {field.attname for field in model._meta.concrete_fields} - kept
        assert not made._state.adding and made._state.db == "default"
    for message, trio in zip(shown, related, strict=True):
        expected = Message.objects.select_related("thread", "author__organisation").get(pk=message.pk)
        assert values(message) == values(expected) and not message.get_deferred_fields()
        assert not message._state.adding and message._state.db == expected._state.db
        for made, reference in zip(trio, (expected.thread, expected.author, expected.author.organisation), strict=True):
            assert values(made) == values(reference)  # the deferred ones read from the database when asked
    again, seen = made_through_init(
        Message, lambda: list(search.page(person=cast.member, filters=filters, size=50).object_list)
    )
    assert [message.pk for message in again] == [message.pk for message in shown]
    assert {id(message) for message in again} <= {id(instance) for instance in seen}
