"""Bad input on the record form: each validator says what is wrong on its own field, in plain words; the
officer gets everything they typed back (except files); nothing is saved. And the API's search filters."""

import html
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from audit.models import Entry
from conftest import signed_in
from messaging.models import Event, Thread
from seizures.models import (
    CommodityLine,
    Link,
    MatchKey,
    NominalEntry,
    Seizure,
    SeizureFile,
    StatusChange,
)
from seizures.tests.builders import NEW_RECORD, file, png, record_form

pytestmark = pytest.mark.django_db

MODELS = (Seizure, CommodityLine, NominalEntry, SeizureFile, StatusChange, MatchKey, Link, Entry, Event, Thread)

# What the officer typed besides the mistake: all of it must come back.
PLACE = "Kilindini container terminal 4471"
SUMMARY = "Forty tusks typed-5512 found in hollowed logs"
DESCRIPTION = "Raw tusks typed-6630"
SUSPECT = "Typed-Keeper Suspect"
PASSPORT = "Passport: TK4455667"


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def form_with(*, record: dict[str, Any] | None = None, line=None, involved=None) -> dict[str, Any]:
    """A good form with one mistake: in the record's fields, or in a second commodity or person."""
    lines = [{"convention": "cites", "code": "Loxodonta africana", "description": DESCRIPTION}]
    people = [{"kind": "person", "name": SUSPECT, "identifiers": PASSPORT}]
    fields: dict[str, Any] = {"place": PLACE, "summary": SUMMARY, **(record or {})}
    return record_form(
        lines=[*lines, *([line] if line else [])], involved=[*people, *([involved] if involved else [])], **fields
    )


# Each case: where the mistake is (the record, the second commodity or the second person), the field, and
# the message the officer must read there.
CASES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "unknown CITES taxon": (
        {"line": {"convention": "cites", "code": "Loxodonta africanus"}},
        "line",
        "code",
        "“Loxodonta africanus” is not in ENVIRONET's list for CITES",
    ),
    "unknown CITES taxon, suggestion": (
        {"line": {"convention": "cites", "code": "Loxodonta africanus"}},
        "line",
        "code",
        "Did you mean: Loxodonta africana (African elephant)?",
    ),
    "unknown Basel code": (
        {"line": {"convention": "basel", "code": "A9999"}},
        "line",
        "code",
        "“A9999” is not in ENVIRONET's list for",
    ),
    "Basel code no longer valid on the date of seizure": (
        {"line": {"convention": "basel", "code": "A1180"}, "record": {"occurred_on": "2025-03-01"}},
        "line",
        "code",
        "A1180 was valid from — to 2024-12-31, not on the date of seizure.",
    ),
    "Basel code not yet valid on the date of seizure": (
        {"line": {"convention": "basel", "code": "A1181"}, "record": {"occurred_on": "2024-06-01"}},
        "line",
        "code",
        "A1181 was valid from 2025-01-01 to —, not on the date of seizure.",
    ),
    "unknown Montreal substance": (
        {"line": {"convention": "montreal", "code": "HCFC-999"}},
        "line",
        "code",
        "“HCFC-999” is not in ENVIRONET's list for",
    ),
    "container check digit": (
        {"record": {"containers": "MSCU1234566, CSQU3054384"}},
        "record",
        "containers",
        "CSQU3054384: The check digit should be 3, not 4: a character may have been mistyped.",
    ),
    "container owner category": (
        {"record": {"containers": "CSQX3054383"}},
        "record",
        "containers",
        "The fourth letter should be U, J or Z, not X.",
    ),
    "vessel IMO check digit": (
        {"record": {"vessel_imo": "IMO 9074728"}},
        "record",
        "vessel_imo",
        "The check digit should be 9, not 8: a character may have been mistyped.",
    ),
    "fishing vessel IMO check digit": (
        {"line": {"convention": "fish", "code": "Thunnus thynnus", "vessel_imo": "9074728"}},
        "line",
        "vessel_imo",
        "The check digit should be 9, not 8",
    ),
    "air waybill check digit": (
        {"record": {"air_waybill": "176-12345676"}},
        "record",
        "air_waybill",
        "The check digit should be 5, not 6: a character may have been mistyped.",
    ),
    "air waybill format": (
        {"record": {"air_waybill": "176-1234"}},
        "record",
        "air_waybill",
        "An air waybill number has 11 digits",
    ),
    "CAS check digit": (
        {"line": {"convention": "rotterdam", "code": "alachlor", "cas_number": "15972-60-9"}},
        "line",
        "cas_number",
        "The check digit should be 8, not 9: a character may have been mistyped.",
    ),
    "future date": (
        {"record": {"occurred_on": "__tomorrow__"}},
        "record",
        "occurred_on",
        "The date of seizure cannot be in the future.",
    ),
    "year 1900": (
        {"record": {"occurred_on": "1900-10-01"}},
        "record",
        "occurred_on",
        "The date of seizure cannot be before 1950: check the year.",
    ),
    "not a date": ({"record": {"occurred_on": "31/31/2026"}}, "record", "occurred_on", "Enter a valid date."),
    "UN/LOCODE of another country": (
        {"record": {"country": "FR", "locode": "KEMBA"}},
        "record",
        "locode",
        "KEMBA is a place in Kenya, not in the country of seizure.",
    ),
    "unknown UN/LOCODE": (
        {"record": {"locode": "KEZZZ"}},
        "record",
        "locode",
        "“KEZZZ” is not in ENVIRONET's list of UN/LOCODE places.",
    ),
    "unknown currency": (
        {"line": {"convention": "cites", "code": "Manis gigantea", "value": "1200", "currency": "XYZ"}},
        "line",
        "currency",
        "“XYZ” is not a currency code: use three letters, for example USD.",
    ),
    "value without currency": (
        {"line": {"convention": "cites", "code": "Manis gigantea", "value": "1200"}},
        "line",
        "currency",
        "Write the currency of the value.",
    ),
    "quantity without unit": (
        {"line": {"convention": "cites", "code": "Manis gigantea", "quantity": "12.5"}},
        "line",
        "unit",
        "Choose the unit of the quantity.",
    ),
    "unknown unit": (
        {"line": {"convention": "cites", "code": "Manis gigantea", "quantity": "12", "unit": "BUSHEL"}},
        "line",
        "unit",
        "Select a valid choice. BUSHEL is not one of the available choices.",
    ),
    "negative quantity": (
        {"line": {"convention": "cites", "code": "Manis gigantea", "quantity": "-3", "unit": "KGM"}},
        "line",
        "quantity",
        "Ensure this value is greater than or equal to 0.",
    ),
    "no convention": ({"line": {"code": "Manis gigantea"}}, "line", "convention", "Choose the convention"),
    "no code": ({"line": {"convention": "cites"}}, "line", "code", "Write the species, code or substance seized."),
    "unknown transit countries": (
        {"record": {"transit_countries": "AE, Atlantis, Narnia"}},
        "record",
        "transit_countries",
        "Not a country: Atlantis, Narnia. Write country codes (KE) or names (Kenya).",
    ),
    "not an HS code": (
        {"line": {"convention": "cites", "code": "Manis gigantea", "hs_code": "0000.00"}},
        "line",
        "hs_code",
        "“0000.00” is not an HS 2022 subheading: write its six digits, for example 0507.10.",
    ),
    "flight number": (
        {"record": {"flight_number": "KQ ABC"}},
        "record",
        "flight_number",
        "A flight number is the airline's code and 1 to 4 digits, for example KQ310.",
    ),
    "no country of seizure": (
        {"record": {"country": "XX"}},
        "record",
        "country",
        "Choose the country where the goods were seized.",
    ),
    "passport without a name": (
        {"involved": {"kind": "person", "name": "", "identifiers": "Passport: ZZ1122334"}},
        "involved",
        "name",
        "Write the name of the person or company these details belong to.",
    ),
    "address without a name": (
        {"involved": {"kind": "company", "name": " ", "address": "12 Harbour Road, Mombasa"}},
        "involved",
        "name",
        "Write the name of the person or company these details belong to.",
    ),
    "company with a date of birth": (
        {"involved": {"kind": "company", "name": "Acme Trading Ltd", "born_on": "1980-01-01"}},
        "involved",
        "born_on",
        "A company has no date of birth.",
    ),
    "date of birth before 1900": (
        {"involved": {"kind": "person", "name": "Old Person", "born_on": "1850-01-01"}},
        "involved",
        "born_on",
        "This date of birth is not possible: check the year.",
    ),
}


def _errors_of(editor, where: str) -> Any:
    if where == "record":
        return editor.record.errors
    return (editor.lines if where == "line" else editor.involved).forms[1].errors


def _prepared(changes: dict[str, Any]) -> dict[str, Any]:
    record = dict(changes.get("record", {}))
    if record.get("occurred_on") == "__tomorrow__":
        record["occurred_on"] = tomorrow()
    return {**changes, "record": record}


@pytest.mark.parametrize(("changes", "where", "field", "message"), CASES.values(), ids=CASES.keys())
def test_it_refuses_a_mistake_on_its_field_and_keeps_the_draft(
    cast, attachments_dir, django_capture_on_commit_callbacks, changes, where, field, message
):
    data = form_with(**_prepared(changes))
    data["attachments"] = [png("evidence.png")]
    before = counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signed_in(cast.member).post(NEW_RECORD, data)

    assert response.status_code == 400
    editor = response.context["editor"]
    said = _errors_of(editor, where).get(field, [])
    assert any(message in said_message for said_message in said), said
    content = html.unescape(response.content.decode())
    assert message in content
    assert "Everything you typed is still here, and the files you chose are kept" in content
    assert "Kept: evidence.png" in content  # held encrypted for the next post (seizures.held_files)
    # Everything typed comes back, the mistake included, ready to correct.
    assert editor.record["place"].value() == PLACE
    for typed in (PLACE, SUMMARY, DESCRIPTION, SUSPECT, PASSPORT):
        assert typed in content, typed
    for name, value in changes.get("line", changes.get("involved", {})).items():
        if value.strip():
            assert value in content, (name, value)
    # Nothing saved: no row, no event, no email queued, no file written but the chosen one, held encrypted.
    assert counts() == before
    assert callbacks == []
    written = [path for path in attachments_dir.rglob("*") if path.is_file()]
    assert all(path.parent == attachments_dir / "held" for path in written), written


def test_it_accepts_the_old_basel_code_on_a_record_of_its_time(cast):
    response = signed_in(cast.member).post(
        NEW_RECORD, form_with(record={"occurred_on": "2024-06-01"}, line={"convention": "basel", "code": "A1180"})
    )

    assert response.status_code == 302
    assert list(CommodityLine.objects.values_list("code", flat=True).order_by("position")) == [
        "Loxodonta africana",
        "A1180",
    ]


def test_it_keeps_a_bad_change_from_touching_the_record(cast):
    seizure = file(cast.member, place="Mombasa")
    before = counts()

    response = signed_in(cast.member).post(
        f"/seizures/{seizure.pk}/edit/", form_with(record={"place": "Malaba", "vessel_imo": "9074728"})
    )

    assert response.status_code == 400
    assert "The check digit should be 9, not 8" in html.unescape(response.content.decode())
    seizure.refresh_from_db()
    assert seizure.place == "Mombasa"
    assert counts() == before


# --- "Add another" -------------------------------------------------------------------------------------------


def test_it_says_files_are_kept_only_when_some_were_chosen_in_the_readers_way(cast):
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])
    response = signed_in(cast.member).post(NEW_RECORD, record_form(occurred_on=""))

    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert "Tout ce que vous avez saisi est toujours là." in content
    assert "fichiers" not in content.split('id="error-summary"')[1].split("</div>")[0]
    assert "Date de la saisie\u00a0: " in content  # French sets its colon apart

    more = signed_in(cast.member).post(NEW_RECORD, {**record_form(), "more": "lines"})
    notice = html.unescape(more.content.decode()).split('class="notice"')[1].split("</p>")[0]
    assert "Une nouvelle partie vide a été ajoutée ci-dessous." in notice and "fichiers" not in notice


def test_it_adds_an_empty_commodity_without_judging_or_saving(cast):
    data = {**form_with(), "more": "lines"}
    before = counts()

    response = signed_in(cast.member).post(NEW_RECORD, data)

    assert response.status_code == 200
    editor = response.context["editor"]
    assert len(editor.lines.forms) == 2
    assert editor.lines.forms[1]["code"].value() in (None, "")
    content = response.content.decode()
    assert 'role="alert"' not in content and "has-error" not in content
    assert 'name="lines-TOTAL_FORMS" value="2"' in content
    assert PLACE in content and DESCRIPTION in content and SUSPECT in content
    assert counts() == before


def test_it_adds_an_empty_commodity_to_a_half_filled_form_without_showing_errors(cast):
    data = {**form_with(record={"occurred_on": "", "containers": "CSQU3054384"}), "more": "lines"}
    before = counts()

    response = signed_in(cast.member).post(NEW_RECORD, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "The check digit" not in content and 'role="alert"' not in content
    assert len(response.context["editor"].lines.forms) == 2
    assert "CSQU3054384" in content
    assert counts() == before


def test_it_adds_an_empty_person_without_saving(cast):
    before = counts()

    response = signed_in(cast.member).post(NEW_RECORD, {**form_with(), "more": "involved"})

    assert response.status_code == 200
    assert len(response.context["editor"].involved.forms) == 2
    assert counts() == before


# --- The API's search filters ----------------------------------------------------------------------------------

API_CASES = {
    "container check digit": ({"container": "CSQU3054384"}, "container", "The check digit should be 3, not 4"),
    "dates in the wrong order": (
        {"date_from": "2026-10-02", "date_to": "2026-10-01"},
        "date_to",
        "The end date is before the start date.",
    ),
    "not a date": ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
    "unknown convention": ({"convention": "unicorn"}, "convention", "Select a valid choice."),
    "unknown country": ({"country": "ZZ"}, "country", "Select a valid choice."),
    "unknown organisation": ({"organisation": "987654"}, "organisation", "Select a valid choice."),
    "unknown status": ({"status": "lost"}, "status", "Select a valid choice."),
    "unknown marking": ({"marking": "purple"}, "marking", "Select a valid choice."),
}


@pytest.mark.parametrize(("query", "field", "message"), API_CASES.values(), ids=API_CASES.keys())
def test_it_answers_400_to_a_bad_search_filter_in_the_api(cast, query, field, message):
    file(cast.member, share=True)

    response = signed_in(cast.member).get("/api/v1/seizures/", query)

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert list(detail) == [field]
    assert any(message in said for said in detail[field]), detail


def test_it_answers_a_good_search_filter_in_the_api(cast):
    seizure = file(cast.member, share=True, containers=["CSQU3054383"])

    response = signed_in(cast.member).get("/api/v1/seizures/", {"container": "csqu 305438-3"})

    assert response.status_code == 200
    assert [found["id"] for found in response.json()["results"]] == [seizure.pk]


def test_it_answers_400_to_a_bad_filter_on_the_records_page(cast):
    file(cast.member, share=True)

    response = signed_in(cast.member).get("/seizures/", {"container": "CSQU3054384"})

    assert response.status_code == 400
    assert "The check digit should be 3, not 4" in html.unescape(response.content.decode())
    assert response.context["page"].paginator.count == 0
