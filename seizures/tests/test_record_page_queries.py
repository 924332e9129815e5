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


def test_what_the_record_page_reads_under_the_record_is_what_the_orm_reads(cast, settings):
    """The record page reads the record's lines, files, history, people involved, grants, links and common values
    from statements compiled once (``environet.compiled.Joined.under`` and ``attach``): each is the ORM's, the
    same objects in the same order with the same values of the same types, what they point to with them, and
    only what they hold (a value not common, another record's rows left out)."""
    from datetime import date, timedelta

    from django.db.models import Q
    from django.utils import timezone

    from seizures import correlation, selectors
    from seizures.models import CommodityLine, NominalGrant, SeizureFile, StatusChange

    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    record, beside = record_holding(cast, 3), record_holding(cast, 2)
    for owner in (record, beside):
        NominalGrant.objects.create(seizure=owner, organisation=cast.other, granted_by=cast.member)
        for number in range(2):
            SeizureFile.objects.create(
                seizure=owner,
                added_by=cast.member,
                name=f"photo {number}.jpg",
                content_type="image/jpeg",
                size=1000 + number,
                sha256="0" * 64,
                storage_key=f"{owner.pk}-{number}",
                has_thumbnail=number == 0,
            )
        for kind, held_by_many in ((MatchKey.Kind.VESSEL, True), (MatchKey.Kind.FLIGHT, False)):
            MatchKey.objects.create(
                seizure=owner,
                kind=kind,
                digest=bytes(16),
                occurred_on=date(2026, 10, 1),
                label="IMO 9074729",
                is_common=held_by_many,
            )
    # A change dated before the record's first: the history is in the order of its dates, not of its ids.
    StatusChange.objects.create(seizure=record, status="draft", by=cast.member, at=timezone.now() - timedelta(days=9))

    page = selectors.record_page(person=cast.member, seizure=Seizure.objects.get(pk=record.pk))
    orm = Seizure.objects.get(pk=record.pk)

    lines = [line for line, _said in page["lines"]]
    expected_lines = list(CommodityLine.objects.filter(seizure=orm))
    assert [typed(line) for line in lines] == [typed(line) for line in expected_lines] and len(lines) == 3
    assert all(line.seizure is page["seizure"] for line in lines)  # each line knows its record, as prefetched

    assert [typed(stored) for stored in page["files"]] == [typed(stored) for stored in orm.files.all()]
    assert len(page["files"]) == 2

    history = list(orm.history.select_related("by"))
    assert [typed(change) for change in page["history"]] == [typed(change) for change in history]
    assert [typed(change.by, ["id", "full_name"]) for change in page["history"]] == [
        typed(change.by, ["id", "full_name"]) for change in history
    ]
    assert page["history"][0].status == "draft" and len(history) == 3

    assert [typed(item.entry) for item in page["involved"]] == [typed(entry) for entry in orm.nominal_entries.all()]
    assert [item.data.name for item in page["involved"]] == [f"Suspect {number}" for number in range(3)]

    grants = list(NominalGrant.objects.filter(seizure=orm).select_related("organisation", "granted_by").order_by("pk"))
    assert [typed(grant) for grant in page["grants"]] == [typed(grant) for grant in grants] and len(grants) == 1
    assert [typed(grant.organisation) for grant in page["grants"]] == [typed(grant.organisation) for grant in grants]
    assert [typed(grant.granted_by) for grant in page["grants"]] == [typed(grant.granted_by) for grant in grants]

    names = ["id", "seizure_id", "kind", "label", "is_common"]
    common = list(MatchKey.objects.filter(seizure=orm, is_common=True))
    assert [typed(key, names) for key in correlation.common_values(orm)] == [typed(key, names) for key in common]
    assert len(common) == 1 and page["common"] == ["IMO 9074729"]

    links = sorted(selectors._links_of(orm), key=lambda link: (link.low_id, link.high_id))
    expected_links = list(Link.objects.filter(Q(low=orm) | Q(high=orm)).order_by("low_id", "high_id"))
    names = ["low_id", "high_id", "reasons", "announced"]
    assert [typed(link, names) for link in links] == [typed(link, names) for link in expected_links]
    assert len(links) >= 3  # the three made here, and those the filing found
