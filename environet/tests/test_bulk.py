"""environet.bulk.create writes the rows bulk_create writes: on PostgreSQL it writes them by COPY instead, and
the rows are compared here (on SQLite both are bulk_create)."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import models

from audit.models import Entry
from environet import bulk
from seizures import actions
from seizures.models import CommodityLine, Seizure, Status, StatusChange
from seizures.tests.builders import filing, line

pytestmark = pytest.mark.django_db

# Unique columns: each way of writing gives its own, compared apart.
OWN = {"reference", "seq"}


def written(cast, *, way: str) -> dict[str, list[dict[str, Any]]]:
    """Rows of every kind an import writes, made the same way each time but for their unique columns, and how
    they read back from the database."""
    create = bulk.create if way == "copy" else (lambda objects: type(objects[0]).objects.bulk_create(objects))
    records = []
    for number, each in enumerate(
        [
            filing(containers=["CSQU3054383"], transport_mode="sea", summary="Ivory, «tusks»\ttabbed\nand new line"),
            filing(audience="organisations", organisations=[cast.home], marking="amber", place=""),
        ]
    ):
        record = Seizure(organisation=cast.home, officer=cast.member, reference=f"{way}-{number}")
        actions._apply(record, each)
        records.append(record)
    create(records)
    lines = [
        CommodityLine(seizure=records[0], position=0, convention="cites", code="Loxodonta africana", quantity=3),
        CommodityLine(
            seizure=records[1], position=0, quantity=Decimal("12.500"), unit="KGM", approximate=True, value=None
        ),
    ]
    create(lines)
    history = [StatusChange(seizure=record, status=Status.DRAFT, by=cast.member) for record in records]
    create(history)
    first = 1 if way == "copy" else 100
    entries = [
        Entry(
            seq=first + number,
            actor=cast.member,
            organisation=cast.home,
            action="seizure.filed",
            object_type="seizures.seizure",
            object_id=str(number),
            changes={"lines": 2, "nested": {"é": [1, None, "x"]}, "none": None},
            previous_hash="0" * 64,
            hash="1" * 64,
        )
        for number in range(len(records))
    ]
    create(entries)
    assert all(each.pk is not None for each in [*records, *lines, *history, *entries])
    return {
        "records": rows(records, relative_to=records),
        "lines": rows(lines, relative_to=records),
        "history": rows(history, relative_to=records),
        "entries": rows(entries, relative_to=records),
    }


def rows(objects: list[Any], *, relative_to: list[Seizure]) -> list[dict[str, Any]]:
    """The objects as read back, ids left out and the records they name by their position, unique columns
    apart."""
    position = {record.pk: index for index, record in enumerate(relative_to)}
    model = type(objects[0])
    read = model.objects.in_bulk([each.pk for each in objects])
    found = []
    for each in objects:
        row = {}
        for field in model._meta.concrete_fields:
            value = getattr(read[each.pk], field.attname)
            if field.primary_key or field.name in OWN:
                continue
            if isinstance(field, models.ForeignKey) and field.related_model is Seizure:
                value = position[value]
            if field.name in {"at", "created_at", "updated_at"}:
                value = value is not None  # the moment each was made
            row[field.name] = value
        found.append(row)
    return found


def test_rows_written_by_copy_are_those_bulk_create_writes(cast):
    by_bulk_create = written(cast, way="bulk_create")
    by_copy = written(cast, way="copy")

    assert by_bulk_create["records"][0]["summary"].endswith("new line") and by_bulk_create["entries"][0]["changes"]
    assert by_copy == by_bulk_create


def test_ids_given_are_new_and_increase_in_order(cast):
    before = list(StatusChange.objects.values_list("pk", flat=True))
    record = Seizure(organisation=cast.home, officer=cast.member, reference="ids")
    actions._apply(record, filing(lines=[line()]))
    bulk.create([record])
    history = [StatusChange(seizure=record, status=Status.DRAFT, by=cast.member) for _ in range(5)]
    bulk.create(history)

    ids = [each.pk for each in history]
    assert ids == sorted(ids) and len(set(ids)) == 5 and not set(ids) & set(before)
    assert list(StatusChange.objects.filter(seizure=record).order_by("pk").values_list("pk", flat=True)) == ids
