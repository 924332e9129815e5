"""The record page asks the same number of queries however much the record holds: 5 or 50 commodity lines,
persons and companies, related records (some the reader may not read), steps in its history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import signed_in, typed
from seizures.models import Link, MatchKey, Seizure
from seizures.tests.builders import file, line, person

pytestmark = pytest.mark.django_db


def record_holding(cast, count: int) -> Seizure:
    """A shared record of the member's with ``count`` lines and people involved, related to ``count`` other
    records: half shared by another organisation, half its drafts (related, but not readable by the member)."""
    record = file(
        cast.member,
        share=True,
        lines=[line("cites", "Loxodonta africana", quantity=number + 1, unit="KGM") for number in range(count)],
        involved=[person(f"Suspect {number}") for number in range(count)],
    )
    for number in range(count):
        other = file(cast.other_focal_point, share=number % 2 == 0, country="FR")
        Link.objects.update_or_create(
            low_id=min(record.pk, other.pk),
            high_id=max(record.pk, other.pk),
            defaults={"reasons": 1 << MatchKey.Kind.CONTAINER},
        )
    return record


def queries(client, record: Seizure) -> int:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/seizures/{record.pk}/")
    assert page.status_code == 200
    assert record.reference in page.content.decode()
    return len(captured)


def test_the_record_page_asks_as_many_queries_for_50_of_everything_as_for_5(cast, settings):
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0  # this test names many people on purpose
    few, many = record_holding(cast, 5), record_holding(cast, 50)
    client = signed_in(cast.member)
    client.get(f"/seizures/{few.pk}/")  # what a session does once (its first page) is not counted
    assert queries(client, many) == queries(client, few)
    page = client.get(f"/seizures/{many.pk}/").content.decode()
    assert page.count("Suspect ") >= 50  # what grew was shown, not left out


def test_the_related_records_are_what_the_orm_reads(cast, settings):
    """``related_records`` reads the other records by their ids from a statement compiled once
    (``selectors.RELATED_SHOWN``): the same values of the same types as the ORM's, the organisation with them,
    the rest deferred and read if asked."""
    from seizures import selectors

    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    record = record_holding(cast, 6)
    shown = selectors.RELATED_SHOWN

    for reader in (cast.member, cast.other_focal_point, cast.administrator):
        related = selectors.related_records(person=reader, seizure=record)
        expected = Seizure.objects.select_related("organisation").in_bulk([item.other.pk for item in related])
        assert related
        for item in related:
            orm = expected[item.other.pk]
            assert typed(item.other, shown[""]) == typed(orm, shown[""])
            assert typed(item.other.organisation, shown["organisation"]) == typed(
                orm.organisation, shown["organisation"]
            )
            assert item.other.country == orm.country  # not read with the others: read when asked
