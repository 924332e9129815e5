"""How library search asks the database: the access rule inside the same SQL, item by item, with the same
meaning as the audience rule; on PostgreSQL, the words found through the GIN index. And an item is searchable
once its text is read, whether or not its preview can be drawn afterwards."""

from itertools import product

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q

from conftest import made_through_init
from library import access, search
from library.models import Item
from library.tests.builders import DAY
from messaging.access import audience_rule
from messaging.models import Audience, Marking


def _items(cast) -> list[Item]:
    """An item for every audience and marking (the rule's every branch), from each of two organisations,
    each naming several organisations or people so that a join would repeat it."""
    made = []
    for (organisation, publisher), audience, marking in product(
        [(cast.home, cast.member), (cast.other, cast.other_focal_point)],
        list(Audience),
        [Marking.GREEN, Marking.AMBER, Marking.RED],
    ):
        item = Item.objects.create(
            title=f"{audience} {marking} from {organisation.short_name}",
            kind="guide",
            summary="Words.",
            organisation=organisation,
            publisher=publisher,
            published_on=DAY,
            marking=marking,
            audience=audience,
            audience_countries=",KE,FR," if audience == Audience.COUNTRIES else "",
        )
        if audience == Audience.ORGANISATIONS:
            item.audience_organisations.set([cast.home, cast.other, cast.secretariat])
        if audience == Audience.PEOPLE:
            item.audience_people.set([publisher, cast.focal_point, cast.administrator])
        made.append(item)
    return made


@pytest.mark.django_db
def test_items_visible_to_means_the_audience_rule_and_gives_each_item_once(cast):
    _items(cast)
    readers = [cast.observer, cast.member, cast.focal_point, cast.other_focal_point, cast.administrator]
    seen = []
    for person in readers:
        own = Q(organisation_id=person.organisation_id) & ~Q(marking=Marking.RED)
        rule = own | audience_rule(person, author="publisher")
        expected = set(Item.objects.filter(rule).values_list("pk", flat=True))
        found = list(access.items_visible_to(person).values_list("pk", flat=True))
        assert len(found) == len(set(found)), person
        assert set(found) == expected, person
        assert access.items_visible_to(person).count() == len(expected), person
        seen.append(len(expected))
    assert 0 < min(seen) < max(seen)  # the rule keeps some items from some readers
    for person in (cast.suspended, cast.requested):
        assert not access.items_visible_to(person).exists()


@pytest.mark.django_db
def test_search_counts_and_pages_only_what_the_person_may_read(cast):
    items = _items(cast)
    for item in items:
        search.index(item)
    for person in (cast.member, cast.other_focal_point, cast.administrator):
        found = search.search(person=person, filters=search.Filters(text="from"))
        readable = list(access.items_visible_to(person).order_by("-published_on", "-pk").values_list("pk", flat=True))
        assert [item.pk for item in found] == readable
        assert found.count() == len(readable)


def test_postgresql_search_finds_the_words_through_the_gin_index(cast, postgres_only):
    items = _items(cast)
    for item in items:
        search.index(item)
    with connection.cursor() as cursor:
        # A few rows: the planner would read them all, or probe the index row by row from the items (which
        # plan it picks then depends on the statistics other tests left). With each table read on its own,
        # the only way to narrow the index table by the words is its GIN index, if the query allows it.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_nestloop"):
            cursor.execute(f"SET LOCAL {setting} = off")
    found = search.search(person=cast.member, filters=search.Filters(text="RED"))
    page, count = found[:20].explain(), found.explain()
    for plan in (page, count):
        assert "library_search_document" in plan, plan
    readable = access.items_visible_to(cast.member).filter(marking=Marking.RED)
    assert sorted(item.pk for item in found) == sorted(readable.values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_first_page_that_cannot_be_drawn_leaves_the_item_searchable(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    from library import extraction
    from library.models import Extraction, LibraryFile
    from library.tests import builders

    def broken(content: bytes) -> bytes:
        raise extraction.ExtractionFailed("unreadable")

    monkeypatch.setattr(extraction, "first_page_preview", broken)
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, files=[builders.upload("g.pdf", builders.pdf("Aardwolf pelts"))])
    item.refresh_from_db()
    assert item.extraction == Extraction.DONE
    assert not LibraryFile.objects.get(edition__item=item).has_thumbnail
    assert list(search.search(person=cast.member, filters=search.Filters(text="aardwolf"))) == [item]


def _shown(page) -> tuple[list[int], int, int, int]:
    return [item.pk for item in page.object_list], page.number, page.paginator.count, page.paginator.num_pages


@pytest.mark.django_db
def test_a_page_of_results_is_the_paginators_page_of_the_search(cast):
    """search.page (the library page and the API) gives what Paginator(search.search(...)).get_page gives: the same
    items in the same order, the same count, and the same page for a number out of range or not a number."""
    for item in _items(cast):
        search.index(item)
    asked: list[int | float | str | None] = [1, 2, "3", 3, 99, 0, -1, "x", None, 2.0, ""]
    shapes = [
        search.Filters(text="from"),
        search.Filters(text="from", kind="guide"),
        search.Filters(text="RED"),
        search.Filters(),  # browsing, no words
        search.Filters(kind="manual"),  # nothing of that kind
        search.Filters(text="-from"),  # only words to leave out
        search.Filters(text="nowhere"),
    ]
    for person in (cast.member, cast.other_focal_point, cast.administrator, cast.suspended):
        for filters in shapes:
            for number in asked:
                expected = Paginator(search.search(person=person, filters=filters), 3).get_page(number)
                found = search.page(person=person, filters=filters, number=number, size=3)
                assert _shown(found) == _shown(expected), (person, filters, number)
    several = search.page(person=cast.member, filters=search.Filters(text="from"), number=2, size=3)
    assert several.paginator.num_pages > 2 and len(several.object_list) == 3  # the cases above had pages to turn
    assert all(item.organisation.pk == item.organisation_id for item in several.object_list)


@pytest.mark.django_db
def test_a_page_follows_the_reader_who_changes_organisation_or_leaves(cast):
    """The page's query is compiled once per reader (access.rule_key): a reader moved to another organisation, or
    whose organisation's country changed, finds what they may read now, and one suspended finds nothing."""
    for item in _items(cast):
        search.index(item)
    words = search.Filters(text="from")
    person = cast.member

    def found() -> list[int]:
        return [item.pk for item in search.page(person=person, filters=words, size=100).object_list]

    def readable() -> list[int]:
        return list(access.items_visible_to(person).order_by("-published_on", "-pk").values_list("pk", flat=True))

    before = found()
    assert before == readable()
    person.organisation = cast.other
    person.save()
    assert found() == readable() != before
    countries = {}
    for country in ("KE", "BR"):  # the items for countries name KE and FR
        person.organisation.country = country
        person.organisation.save()
        countries[country] = found()
        assert countries[country] == readable()
    assert countries["KE"] != countries["BR"]
    person.state = person.State.SUSPENDED
    person.save()
    assert found() == readable() == []


@pytest.mark.django_db
def test_a_pages_items_are_what_the_orm_makes_of_the_same_rows(cast):
    """The page makes its items and their organisations from its one statement's rows without ``Model.__init__``:
    each must be the instance the ORM makes (same values, saved, of this database, nothing deferred, the
    organisation shared by its items), and with an init signal listened to, the ORM's own ``from_db`` makes them."""
    for item in _items(cast):
        search.index(item)
    words = search.Filters(text="from")
    shown = list(search.page(person=cast.member, filters=words, size=50).object_list)
    assert len({item.organisation_id for item in shown}) == 2

    def values(instance) -> dict:
        return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}

    organisations: dict[int, object] = {}
    for item in shown:
        expected = Item.objects.select_related("organisation").get(pk=item.pk)
        assert not item.get_deferred_fields() and not item.organisation.get_deferred_fields()
        assert values(item) == values(expected) and values(item.organisation) == values(expected.organisation)
        for made in (item, item.organisation):
            assert not made._state.adding and made._state.db == expected._state.db
        assert organisations.setdefault(item.organisation_id, item.organisation) is item.organisation
    again, seen = made_through_init(
        Item, lambda: list(search.page(person=cast.member, filters=words, size=50).object_list)
    )
    assert [item.pk for item in again] == [item.pk for item in shown]
    assert {id(item) for item in again} <= {id(instance) for instance in seen}
