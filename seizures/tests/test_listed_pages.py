"""The seizure list's pages from the statement compiled once per reader and filters (search.listed_page) are the
pages Django's paginator gives over ``as_listed(search(...))``: the same records in the same order, the same
count and page number, for every reader, filter and page asked for, and after what could make a kept statement
stale (a reader moving organisation, a record shared or filed since)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.paginator import Paginator

from conftest import typed
from seizures import search
from seizures.tests.builders import file, line

pytestmark = pytest.mark.django_db

SIZE = 2
NUMBERS: tuple[Any, ...] = (None, 1, 2, 3, 99, "abc", "0", "-1")
FILTERS: tuple[search.Filters | None, ...] = (
    search.Filters(),
    search.Filters(country="KE"),
    search.Filters(text="tusks"),
    search.Filters(status="draft"),
    search.Filters(convention="basel"),
    search.Filters(date_from=date(2026, 9, 1)),
    None,  # refused filters: nothing
)


def expected(person, filters: search.Filters | None, number: Any) -> tuple:
    found = search.search(person=person, filters=filters or search.Filters())
    if filters is None:
        found = found.none()
    page = Paginator(search.as_listed(found), SIZE).get_page(number)
    return shape(page)


def shown(record) -> tuple:
    """What the list's row reads of a record: its values and their types (dates, decimals, booleans as the ORM
    converts them), its organisation, its lines in order (each knowing its record), and a query of its own lines."""
    lines = list(record.lines.all())
    return (
        typed(record, search.LISTED),
        typed(record.organisation, ("id", "name", "short_name")),
        [typed(line, search.LISTED_LINE) for line in lines],
        all(line.seizure is record for line in lines),
        list(record.lines.filter(position__gte=0).values_list("pk", flat=True)),
    )


def shape(page) -> tuple:
    records = list(page.object_list)
    return (
        [record.pk for record in records],
        [sorted(record.get_deferred_fields()) for record in records],
        [shown(record) for record in records],
        page.number,
        page.paginator.count,
        page.paginator.num_pages,
    )


def listed(person, filters: search.Filters | None, number: Any) -> tuple:
    return shape(search.listed_page(person, filters, number, SIZE))


@pytest.fixture
def records(cast):
    home, other = cast.member, cast.other_focal_point
    made = [
        file(home, share=True, summary="Forty tusks in hollowed logs", occurred_on=date(2026, 9, 3)),
        file(
            home,
            share=True,
            country="TZ",
            occurred_on=date(2026, 8, 20),
            lines=[
                line("cites", "Manis gigantea", specimen_type="SCA", quantity=Decimal("2100.5"), unit="KGM"),
                line("basel", "A1180", quantity=Decimal("3"), unit="TNE", approximate=True),
            ],
        ),
        file(home, summary="Tusks, a draft", occurred_on=date(2026, 9, 10)),  # a draft: its organisation's only
        file(home, share=True, audience="organisations", organisations=[cast.home], occurred_on=date(2026, 7, 1)),
        file(other, share=True, lines=[line("basel", "A1180")], occurred_on=date(2026, 9, 20)),
        file(other, share=True, audience="organisations", organisations=[cast.other], summary="tusks"),
        file(other, occurred_on=date(2026, 6, 1)),
    ]
    return made


READERS = ("member", "focal_point", "other_focal_point", "observer", "administrator", "suspended")


@pytest.mark.parametrize("role", READERS)
def test_each_page_is_the_paginators(cast, records, role):
    person = getattr(cast, role)
    for filters in FILTERS:
        for number in NUMBERS:
            assert listed(person, filters, number) == expected(person, filters, number), (filters, number)


def test_a_reader_who_moves_organisation_sees_the_other_organisations_records(cast, records):
    person = cast.member
    before = listed(person, search.Filters(), 1)
    assert before == expected(person, search.Filters(), 1)
    person.organisation = cast.other
    person.save(update_fields=["organisation"])
    after = listed(person, search.Filters(), 1)
    assert after == expected(person, search.Filters(), 1)
    assert after != before


def test_records_shared_or_filed_since_are_counted_and_listed(cast, records):
    person = cast.focal_point
    count = listed(person, search.Filters(), 1)[4]
    newest = file(cast.other_focal_point, share=True, occurred_on=date(2026, 11, 30))
    now = listed(person, search.Filters(), 1)
    assert now == expected(person, search.Filters(), 1)
    assert now[4] == count + 1 and now[0][0] == newest.pk
