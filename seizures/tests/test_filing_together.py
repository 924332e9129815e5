"""Records filed together (seizures.actions.filing_together, what an import does) are the records that filing
them one by one gives: the same facts, lines, audience members, history, audit entries, search entries, keys,
counts and links, each record correlated with those filed before it."""

import itertools
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import Entry
from seizures import actions, nominal
from seizures.models import Link, MatchKey, Seizure, StatusChange, ValueCount
from seizures.tests.builders import filing, line
from seizures.tests.test_recorrelation import records

pytestmark = pytest.mark.django_db

ELEPHANT = line(code="Loxodonta africana", quantity=3, unit="KGM")
PANGOLIN = line(code="Manis gigantea", quantity=40, unit="KGM", value=1200, currency="USD")
CONTAINER = "CSQU3054383"


def filings(cast) -> list[actions.Filing]:
    """Records that relate to one another (a container, a species on a route), with each kind of audience."""
    return [
        filing(lines=[ELEPHANT], containers=[CONTAINER], transport_mode="sea"),
        filing(lines=[ELEPHANT, PANGOLIN], containers=[CONTAINER], transport_mode="sea", place="Mombasa"),
        filing(lines=[PANGOLIN], audience="organisations", organisations=[cast.home, cast.other], marking="amber"),
        filing(lines=[PANGOLIN], audience="people", people=[cast.focal_point], marking="red", summary="Named only"),
        filing(lines=[line(convention="other", code="Charcoal")], country="TZ", origin_country="TZ"),
    ]


def filed(cast, *, together: bool) -> dict[str, Any]:
    """What filing the records wrote, with every record named by its position in the filing order; the database
    is left as it was."""
    with transaction.atomic():
        if together:
            with actions.filing_together(officer=cast.member):
                made = [actions.file_seizure(request=None, officer=cast.member, filing=f) for f in filings(cast)]
        else:
            made = [actions.file_seizure(request=None, officer=cast.member, filing=f) for f in filings(cast)]
        written = snapshot(made)
        transaction.set_rollback(True)
    return written


def snapshot(made: list[Seizure]) -> dict[str, Any]:
    position = {seizure.pk: index for index, seizure in enumerate(made)}
    named = {
        **position,
        **{pk: f"before-{pk}" for pk in Seizure.objects.exclude(pk__in=position).values_list("pk", flat=True)},
    }
    records = []
    for seizure in Seizure.objects.filter(pk__in=position).order_by("pk"):
        records.append(
            {
                "position": position[seizure.pk],
                "reference": seizure.reference.replace(f"{seizure.pk:06d}", "<id>"),
                "facts": {name: getattr(seizure, name) for name in (*actions.FACTS, "marking", "audience", "status")},
                "audience_countries": seizure.audience_countries,
                "by": (seizure.organisation_id, seizure.officer_id),
                "lines": [
                    {name: getattr(each, name) for name in ("position", *actions.LINE_FIELDS)}
                    for each in seizure.lines.order_by("position")
                ],
                "organisations": sorted(seizure.audience_organisations.values_list("pk", flat=True)),
                "people": sorted(seizure.audience_people.values_list("pk", flat=True)),
                "history": list(StatusChange.objects.filter(seizure=seizure).values_list("status", "by_id", "note")),
                # The reference is indexed, and holds the id (on PostgreSQL, not given back by a rollback).
                "search": search_document(seizure.pk).replace(f"{seizure.pk:06d}", "<id>"),
            }
        )
    entries = list(Entry.objects.filter(action="seizure.filed").order_by("seq"))
    keys = MatchKey.objects.filter(seizure__in=made).values_list("seizure_id", "kind", "digest", "label", "is_common")
    return {
        "records": sorted(records, key=lambda record: record["position"]),
        "audit": [
            (entry.actor_id, entry.organisation_id, entry.subject_organisation_id, entry.changes, entry.object_type)
            for entry in entries
        ],
        "audited": [(named[int(entry.object_id)], entry.object_label) for entry in entries],
        "keys": sorted((position[pk], kind, bytes(digest), label, common) for pk, kind, digest, label, common in keys),
        "counts": sorted((bytes(digest), count) for digest, count in ValueCount.objects.values_list("digest", "count")),
        "links": sorted(
            (str(named[low]), str(named[high]), reasons)
            for low, high, reasons in Link.objects.values_list("low_id", "high_id", "reasons")
        ),
    }


def search_document(pk: int) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT document FROM seizures_search WHERE rowid = %s", [pk])
        else:
            cursor.execute("SELECT document::text FROM seizures_search WHERE seizure_id = %s", [pk])
        return cursor.fetchone()[0]


def test_records_filed_together_are_those_filed_one_by_one(cast):
    # A record filed before: the new ones relate to it as well as to one another.
    actions.file_seizure(
        request=None, officer=cast.focal_point, filing=filing(lines=[ELEPHANT], containers=[CONTAINER])
    )

    one_by_one = filed(cast, together=False)
    together = filed(cast, together=True)

    assert len(one_by_one["records"]) == 5 and one_by_one["links"] and one_by_one["keys"]
    assert one_by_one["records"][2]["organisations"] and one_by_one["records"][3]["people"]
    assert together == one_by_one


def test_the_audit_chain_holds_across_entries_written_together(cast):
    with actions.filing_together(officer=cast.member):
        for each in filings(cast):
            actions.file_seizure(request=None, officer=cast.member, filing=each)

    entries = list(Entry.objects.order_by("seq"))
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    for previous, entry in itertools.pairwise(entries):
        assert entry.previous_hash == previous.hash and entry.hash == entry.compute_hash()


def test_a_record_refused_in_the_block_is_refused_at_once_and_nothing_is_written(cast):
    refused = filing(audience="people", people=[], marking="red")  # RED needs named people
    with pytest.raises(actions.Refused), transaction.atomic(), actions.filing_together(officer=cast.member):
        actions.file_seizure(request=None, officer=cast.member, filing=filings(cast)[0])
        actions.file_seizure(request=None, officer=cast.member, filing=refused)

    assert Seizure.objects.count() == 0 and not Entry.objects.filter(action="seizure.filed").exists()


def test_records_naming_persons_are_filed_at_once_not_together(cast):
    from seizures.tests.builders import person

    with transaction.atomic(), actions.filing_together(officer=cast.member):
        named = actions.file_seizure(request=None, officer=cast.member, filing=filing(involved=[person("Jean Dupont")]))
        assert named.pk is not None  # written now: its save is throttled and its names sealed one by one
        waiting = actions.file_seizure(request=None, officer=cast.member, filing=filings(cast)[0])
        assert waiting.pk is None

    assert waiting.pk is not None and waiting.reference.endswith(f"{waiting.pk:06d}")


def correlated(cast, earlier, new, *, together: bool) -> dict[str, Any]:
    """The keys, counts and links after filing ``earlier`` one by one (some naming persons or companies), then
    ``new`` together or one by one, and which new records were told of newly related ones; every record named
    by its position (ids differ between the two runs); the database is left as it was."""
    from seizures import notify
    from seizures.tests.builders import filing as make

    told: list[int] = []
    with transaction.atomic():
        made = [
            actions.file_seizure(
                request=None, officer=cast.member if by_member else cast.other_focal_point, filing=make(**fields)
            )
            for by_member, fields in earlier
        ]
        with notify.related_of_import(job_id=0):
            if together:
                with actions.filing_together(officer=cast.member):
                    added = [actions.file_seizure(request=None, officer=cast.member, filing=make(**f)) for f in new]
            else:
                added = [actions.file_seizure(request=None, officer=cast.member, filing=make(**f)) for f in new]
            told = list(notify._gathered.get() or [])
        name = {seizure.pk: index for index, seizure in enumerate([*made, *added])}
        keys = MatchKey.objects.values_list("seizure_id", "kind", "digest", "occurred_on", "label", "is_common")
        written = {
            "keys": sorted(
                (name[pk], kind, bytes(digest), day, label, common) for pk, kind, digest, day, label, common in keys
            ),
            "counts": sorted(
                (bytes(digest), count) for digest, count in ValueCount.objects.values_list("digest", "count")
            ),
            "links": sorted(
                (name[low], name[high], reasons)
                for low, high, reasons in Link.objects.values_list("low_id", "high_id", "reasons")
            ),
            "told": [name[pk] for pk in told],
        }
        transaction.set_rollback(True)
    return written


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    earlier=st.lists(records(), max_size=8),
    new=st.lists(records(), min_size=1, max_size=12),
    limit=st.integers(min_value=1, max_value=3),
    window=st.integers(min_value=10, max_value=60),
)
def test_records_filed_together_are_correlated_as_one_by_one(cast, settings, earlier, new, limit, window):
    """Small pools of values, a small common limit and a short window: values become common among the records
    filed before, among the new ones, or across both, and links are taken back."""
    settings.SEIZURE_COMMON_LIMIT, settings.SEIZURE_WINDOW_DAYS = limit, window
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    nominal.digest("")  # the blind-index key made outside the example, which is rolled back
    # An import names nobody: its records are the ones filed together.
    new = [{**fields, "involved": []} for _by_member, fields in new]

    one_by_one = correlated(cast, earlier, new, together=False)

    assert correlated(cast, earlier, new, together=True) == one_by_one
