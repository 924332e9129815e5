"""Identifiers found whatever their spacing (issue 12): a container, IMO number, air waybill, bill of lading or
vehicle number typed with or without spaces, hyphens or capitals finds the record, either way round."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import Entry
from conftest import signed_in
from seizures import search
from seizures.tests.builders import file

CONTAINER = "MSCU1234566"  # ISO 6346 check digit 6
IMO = "9074729"
AIR_WAYBILL = "176-12345675"


def found(person, **params) -> set[int]:
    filters = search.Filters(**params)
    return set(search.search(person=person, filters=filters).values_list("pk", flat=True))


@pytest.fixture
def records(cast):
    return {
        "fields": file(
            cast.member,
            share=True,
            containers=[CONTAINER],
            vessel_imo=IMO,
            air_waybill=AIR_WAYBILL,
            vehicle="KCA 123X",
        ),
        "text": file(
            cast.member,
            share=True,
            summary="Bill of lading MEDU 1234 5678 covered TGHU 765432 1 and a second box, per IMO 907-4729.",
        ),
        "other": file(cast.member, share=True, summary="Nothing to do with any of those numbers: 1234 kg."),
    }


@pytest.mark.parametrize(
    "typed",
    ["MSCU1234566", "MSCU 123456 6", "mscu 123456-6", "MSCU-123456-6", "MSCU 1234566"],
)
def test_a_container_stored_compact_is_found_however_it_is_typed(cast, records, typed):
    assert found(cast.focal_point, text=typed) == {records["fields"].pk}


@pytest.mark.parametrize("typed", ["TGHU7654321", "tghu 765432 1", "TGHU-7654321", "TGHU 765432-1"])
def test_a_container_written_with_spaces_in_the_text_is_found_typed_without(cast, records, typed):
    assert found(cast.focal_point, text=typed) == {records["text"].pk}


@pytest.mark.parametrize("typed", ["MEDU12345678", "MEDU 1234 5678", "medu-1234-5678", "MEDU 12345678"])
def test_a_bill_of_lading_is_found_however_it_is_typed(cast, records, typed):
    assert found(cast.focal_point, text=typed) == {records["text"].pk}


@pytest.mark.parametrize("typed", ["IMO 9074729", "IMO9074729", "imo 907 4729", "9074729", "IMO-907-4729"])
def test_a_vessel_imo_number_is_found_however_it_is_typed(cast, records, typed):
    assert found(cast.focal_point, text=typed) == {records["fields"].pk, records["text"].pk}


@pytest.mark.parametrize("typed", ["176-12345675", "17612345675", "176 1234 5675"])
def test_an_air_waybill_is_found_however_it_is_typed(cast, records, typed):
    assert found(cast.focal_point, text=typed) == {records["fields"].pk}


@pytest.mark.parametrize("typed", ["KCA 123X", "kca123x", "KCA-123X"])
def test_a_vehicle_registration_is_found_however_it_is_typed(cast, records, typed):
    assert found(cast.focal_point, text=typed) == {records["fields"].pk}


def test_other_words_still_narrow_and_a_wrong_number_finds_nothing(cast, records):
    assert found(cast.focal_point, text="MSCU 123456 6 second") == set()
    assert found(cast.focal_point, text="TGHU 765432 1 second box") == {records["text"].pk}
    assert found(cast.focal_point, text="MSCU 123456 7") == set()
    assert found(cast.focal_point, text="1234") == {records["text"].pk, records["other"].pk}


@pytest.mark.parametrize("typed", ["MSCU 123456 6", "mscu1234566", "MSCU-123456-6"])
def test_the_list_page_and_its_container_filter_take_any_spacing(cast, records, typed):
    client = signed_in(cast.focal_point)
    for params in ({"q": typed}, {"container": typed}):
        response = client.get("/seizures/", params)
        assert response.status_code == 200
        assert f"/seizures/{records['fields'].pk}/" in response.content.decode()
        assert f"/seizures/{records['other'].pk}/" not in response.content.decode()


def test_the_forms_of_a_query():
    assert search.query_forms("mscu 123456-6 ivory") == ["MSCU1234566 ivory", "MSCU1234566IVORY"]
    assert search.query_forms("IMO 907 4729") == ["9074729", "IMO9074729"]
    assert search.query_forms("ivory tusks") == ["ivory tusks"]
    assert "MEDU12345678" in search.identifier_words("B/L MEDU 1234 5678 issued")


def test_records_indexed_before_are_found_after_reindexing(cast, records):
    with connection.cursor() as cursor:  # as a record filed before identifiers were indexed compact
        cursor.execute(
            "UPDATE seizures_search SET document = %s WHERE rowid = %s"
            if connection.vendor == "sqlite"
            else "UPDATE seizures_search SET document = to_tsvector('simple', %s) WHERE seizure_id = %s",
            ["Bill of lading MEDU 1234 5678", records["text"].pk],
        )
    assert found(cast.focal_point, text="MEDU12345678") == set()

    output = StringIO()
    call_command("reindex_seizures", stdout=output)

    assert found(cast.focal_point, text="MEDU12345678") == {records["text"].pk}
    assert "3 records indexed again." in output.getvalue()
    assert Entry.objects.filter(action="seizures.reindexed").count() == 1
