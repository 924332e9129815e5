"""The record form as a page (issue 12): the error summary that lists and links every error and takes the
focus, the error style of fields, the groups of the transport mode, species suggestions and its sections.

The officer is Mohamed (member, KRA, Kenya)."""

import re
from pathlib import Path

import pytest

from conftest import signed_in
from seizures.models import Seizure
from seizures.tests.builders import NEW_RECORD, post_record, record_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def summary_of(page: str) -> str:
    match = re.search(r'<div class="errors error-summary"(.*?)</div>', page, re.S)
    assert match, "no error summary"
    return match.group(0)


# --- After an error ----------------------------------------------------------------------------------------


def test_the_error_summary_links_every_error_to_its_field(cast):
    response = post_record(
        cast.member,
        flight_number="KQ ABC",
        transport_mode="air_passenger",
        traffic_types=["nonsense"],
        lines=[{"convention": "cites", "code": "Loxodonta africana"}, {"code": "Y46"}],
    )
    assert response.status_code == 400
    page = response.content.decode()
    summary = summary_of(page)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    anchors = [anchor for anchor, _ in links]
    # In the order of the page: "what happened", then "where and how it travelled", then the commodities.
    assert anchors == ["id_traffic_types_0", "id_flight_number", "id_lines-1-convention"]
    assert "Commodity 2, Convention: Choose the convention" in summary
    assert "Flight number: A flight number is the airline" in summary
    for anchor in anchors:  # each link reaches an element of the page
        assert f'id="{anchor}"' in page


def test_the_error_summary_takes_the_focus_without_javascript(cast):
    page = post_record(cast.member, flight_number="KQ ABC", transport_mode="air_cargo").content.decode()
    opening = re.search(r'<div class="errors error-summary"[^>]*>', page)
    assert opening is not None
    assert 'tabindex="-1"' in opening.group(0) and "autofocus" in opening.group(0)
    assert page.count("autofocus") == 1


def test_fields_with_an_error_are_marked_invalid_and_styled(cast):
    page = post_record(cast.member, flight_number="KQ ABC", transport_mode="air_cargo").content.decode()
    [field] = re.findall(r'<input[^>]*name="flight_number"[^>]*>', page)
    assert 'aria-invalid="true"' in field
    assert re.search(r'<div class="field has-error">\s*<label for="id_flight_number"', page)
    [place] = re.findall(r'<input[^>]*name="place"[^>]*>', page)
    assert "aria-invalid" not in place
    css = Path("static/environet/site.css").read_text()
    assert '.field [aria-invalid="true"]' in css and "border: 2px solid var(--danger)" in css


def test_a_form_without_errors_has_no_summary(cast):
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    assert "error-summary" not in page and "autofocus" not in page
    response = post_record(cast.member)
    assert Seizure.objects.filter(pk=record_id(response)).exists()


# --- The groups of the transport mode ----------------------------------------------------------------------

VESSEL = {"vessel_imo": "9074729", "vessel_name": "Typed Sea Star"}
FLIGHT = {"flight_number": "KQ310"}
VEHICLE = {"vehicle": "KBX 123A"}


@pytest.mark.parametrize(
    ("mode", "kept"),
    [
        ("sea", ("vessel_imo", "vessel_name")),
        ("air_cargo", ("flight_number",)),
        ("air_passenger", ("flight_number",)),
        ("road", ("vehicle",)),
        ("rail", ("vehicle",)),
        ("postal", ()),
        ("unknown", ("vessel_imo", "vessel_name", "flight_number", "vehicle")),
        ("other", ("vessel_imo", "vessel_name", "flight_number", "vehicle")),
    ],
)
def test_only_the_groups_that_fit_the_mode_of_transport_are_saved(cast, mode, kept):
    response = post_record(cast.member, transport_mode=mode, **VESSEL, **FLIGHT, **VEHICLE)
    seizure = Seizure.objects.get(pk=record_id(response))
    typed = {**VESSEL, **FLIGHT, **VEHICLE}
    saved = {name: getattr(seizure, name) for name in typed}
    assert saved == {name: (value if name in kept else "") for name, value in typed.items()}


def test_a_mistake_in_a_group_that_does_not_fit_the_mode_does_not_stop_saving(cast):
    # Not saved, so not judged: an impossible IMO number left behind after choosing air cargo.
    response = post_record(cast.member, transport_mode="air_cargo", vessel_imo="9074728", flight_number="KQ310")
    seizure = Seizure.objects.get(pk=record_id(response))
    assert (seizure.vessel_imo, seizure.flight_number) == ("", "KQ310")
    refused = post_record(cast.member, transport_mode="sea", vessel_imo="9074728")
    assert refused.status_code == 400
    assert 'href="#id_vessel_imo"' in summary_of(refused.content.decode())


def test_without_javascript_every_group_is_shown_under_its_legend(cast):
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    groups = re.findall(
        r'<fieldset class="transport-group" data-transport-modes="([^"]*)"[^>]*>\s*<legend>([^<]+)', page
    )
    assert groups == [
        ("sea", "Vessel (sea)"),
        ("air_cargo air_passenger", "Flight (air)"),
        ("road rail", "Vehicle (road or rail)"),
    ]
    assert not re.search(r"<fieldset[^>]*data-transport-modes[^>]*\bhidden", page)
    for name in ("vessel_imo", "vessel_name", "flight_number", "vehicle"):
        assert f'id="id_{name}"' in page
    assert "environet/seizure-form.js" in page and "<script>" not in page


# --- Species suggestions -----------------------------------------------------------------------------------


def test_the_species_field_asks_for_suggestions_into_its_own_list(cast):
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    [field] = re.findall(r'<input[^>]*name="lines-0-code"[^>]*>', page)
    assert 'list="lines-0-codes"' in field
    assert 'hx-get="/seizures/codes/"' in field
    assert 'hx-target="#lines-0-codes"' in field
    assert 'hx-include="#id_lines-0-convention"' in field
    assert '<datalist id="lines-0-codes"></datalist>' in page


def test_suggestions_answer_a_lines_own_field_names(cast):
    client = signed_in(cast.member)
    query = {"prefix": "lines-1", "lines-1-convention": "cites", "lines-1-code": "Loxodonta afr"}
    page = client.get("/seizures/codes/", query).content.decode()
    assert page.startswith('<datalist id="lines-1-codes">')
    assert '<option value="Loxodonta africana">' in page
    timber = client.get(
        "/seizures/codes/", {"prefix": "lines-0", "lines-0-convention": "other", "lines-0-code": "Loxodonta"}
    ).content.decode()
    assert "<option" not in timber  # no table for "other": nothing to suggest
    odd = client.get("/seizures/codes/", {"prefix": '"><script>', "convention": "cites", "code": "Loxodonta afr"})
    assert odd.content.decode().startswith('<datalist id="codes">') and "<script>" not in odd.content.decode()


def test_without_suggestions_the_species_field_takes_free_text_checked_by_the_server(cast):
    kept = post_record(cast.member, lines=[{"convention": "timber", "code": "Typedwood unlistedii"}])
    assert Seizure.objects.get(pk=record_id(kept)).lines.get().code == "Typedwood unlistedii"
    refused = post_record(cast.member, lines=[{"convention": "cites", "code": "Loxodonta africanus"}])
    assert refused.status_code == 400
    assert "Did you mean" in summary_of(refused.content.decode())


# --- Sections ----------------------------------------------------------------------------------------------


def test_the_form_is_in_headed_parts_listed_at_the_top(cast):
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    contents = re.search(r'<nav class="form-contents".*?</nav>', page, re.S)
    assert contents is not None
    links = re.findall(r'<a href="#(part-[a-z]+)">([^<]+)</a>', contents.group(0))
    assert [heading for _, heading in links] == [
        "What happened",
        "Where and how it travelled",
        "What was seized",
        "Who was involved",
        "Photos and documents",
        "Sharing: who may read it, and how reliable it is",
    ]
    for anchor, heading in links:
        assert f'<h2 id="{anchor}">{heading}</h2>' in page
    form = page.split('<nav class="form-contents"', 1)[1]
    happened, travelled, seized, involved, files, sharing = re.split(r'<h2 id="part-', form)[1:]
    assert 'name="occurred_on"' in happened and 'name="summary"' in happened
    assert 'name="transport_mode"' in travelled and 'name="destination_country"' in travelled
    assert 'name="found_goods"' in seized and 'name="lines-0-code"' in seized
    assert 'name="involved-0-name"' in involved
    assert 'name="attachments"' in files
    assert 'name="marking"' in sharing and 'name="information_credibility"' in sharing


def test_every_field_of_the_record_is_in_exactly_one_part_with_its_name_and_id(cast):
    from seizures.forms import SeizureForm

    form = SeizureForm()
    named = [
        field.name
        for part in form.parts().values()
        for item in part["fields"]
        for field in (item["fields"] if isinstance(item, dict) else [item])
    ]
    assert sorted(named) == sorted(form.fields)
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    for name in form.fields:
        assert re.search(rf'name="{name}"[^>]*id="id_{name}(_0)?"', page), name
