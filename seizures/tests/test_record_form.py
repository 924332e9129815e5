"""The record form as a page (issue 12): the error summary that lists and links every error and takes the
focus, the error style of fields, the groups of the transport mode, species suggestions and its sections.

The officer is Mohamed (member, KRA, Kenya)."""

import re
from pathlib import Path

import pytest

from conftest import signed_in
from seizures.models import Seizure, SeizureFile
from seizures.tests.builders import NEW_RECORD, png, post_record, record_form, record_id, text_file

png_signature = b"\x89PNG"

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


# --- Chosen files kept after an error ----------------------------------------------------------------------


def kept_tokens(page: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="kept" value="([^"]+)">', page)


def test_files_chosen_before_an_error_are_kept_encrypted_and_saved_with_the_record(cast, attachments_dir):
    client = signed_in(cast.member)
    first = client.post(NEW_RECORD, {**record_form(occurred_on="2999-01-01"), "attachments": [png("tusks.png")]})
    assert first.status_code == 400
    page = first.content.decode()
    assert re.search(r"Kept: tusks\.png \(\d+(\.\d+)? (bytes|KB)\)", page)
    [token] = kept_tokens(page)
    held = [path for path in (attachments_dir / "held").iterdir()]
    assert len(held) == 2 and all(png_signature not in path.read_bytes() for path in held)
    assert not SeizureFile.objects.exists() and not Seizure.objects.exists()  # nothing half-saved

    saved = client.post(NEW_RECORD, {**record_form(), "kept": token, "attachments": [text_file("statement.txt")]})
    seizure = Seizure.objects.get(pk=record_id(saved))
    assert sorted(seizure.files.values_list("name", flat=True)) == ["statement.txt", "tusks.png"]
    assert not any((attachments_dir / "held").iterdir())  # the held copy is gone


def test_a_kept_file_can_be_removed_without_saving(cast, attachments_dir):
    client = signed_in(cast.member)
    first = client.post(NEW_RECORD, {**record_form(occurred_on="2999-01-01"), "attachments": [png("tusks.png")]})
    [token] = kept_tokens(first.content.decode())
    removed = client.post(NEW_RECORD, {**record_form(), "kept": token, "drop_kept": token})
    assert removed.status_code == 200 and not Seizure.objects.exists()
    assert "Kept: tusks.png" not in removed.content.decode() and kept_tokens(removed.content.decode()) == []
    assert not any((attachments_dir / "held").iterdir())
    saved = client.post(NEW_RECORD, {**record_form(), "kept": token})
    assert not Seizure.objects.get(pk=record_id(saved)).files.exists()


def test_a_kept_file_opens_only_for_the_officer_who_chose_it(cast, attachments_dir):
    first = signed_in(cast.member).post(
        NEW_RECORD, {**record_form(occurred_on="2999-01-01"), "attachments": [png("tusks.png")]}
    )
    [token] = kept_tokens(first.content.decode())
    other = signed_in(cast.focal_point).post(NEW_RECORD, {**record_form(), "kept": token})
    assert not Seizure.objects.get(pk=record_id(other)).files.exists()
    forged = signed_in(cast.member).post(NEW_RECORD, {**record_form(), "kept": token[:-2] + "xx"})
    assert not Seizure.objects.get(pk=record_id(forged)).files.exists()


def test_expired_kept_files_open_no_more_and_are_cleaned_up(cast, attachments_dir):
    import os
    import time

    from seizures import held_files

    first = signed_in(cast.member).post(
        NEW_RECORD, {**record_form(occurred_on="2999-01-01"), "attachments": [png("tusks.png")]}
    )
    [token] = kept_tokens(first.content.decode())
    old = time.time() - held_files.HOLD_SECONDS - 60
    for path in (attachments_dir / "held").iterdir():
        os.utime(path, (old, old))
    assert held_files.purge_expired() == 2
    saved = signed_in(cast.member).post(NEW_RECORD, {**record_form(), "kept": token})
    assert not Seizure.objects.get(pk=record_id(saved)).files.exists()


def test_the_edit_page_keeps_chosen_files_after_an_error_too(cast, attachments_dir):
    from seizures.tests.builders import file

    seizure = file(cast.member)
    path = f"/seizures/{seizure.pk}/edit/"
    client = signed_in(cast.member)
    first = client.post(path, {**record_form(occurred_on="2999-01-01"), "attachments": [png("seal.png")]})
    assert first.status_code == 400
    [token] = kept_tokens(first.content.decode())
    assert client.post(path, {**record_form(), "kept": token}).status_code == 302
    assert list(seizure.files.values_list("name", flat=True)) == ["seal.png"]


def test_more_files_than_one_record_takes_are_refused_with_the_kept_ones_counted(cast, settings, attachments_dir):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 2
    client = signed_in(cast.member)
    first = client.post(
        NEW_RECORD, {**record_form(occurred_on="2999-01-01"), "attachments": [png("a.png"), png("b.png")]}
    )
    tokens = kept_tokens(first.content.decode())
    assert len(tokens) == 2
    refused = client.post(NEW_RECORD, {**record_form(), "kept": tokens, "attachments": [png("c.png")]})
    assert refused.status_code == 400 and not Seizure.objects.exists()
    assert "At most 2 files can go with one record" in summary_of(refused.content.decode())


def _summary(response) -> str:
    content = response.content.decode()
    return content[content.index('id="error-summary"') : content.index("</div>", content.index('id="error-summary"'))]


def test_a_record_without_a_commodity_line_is_told_so_in_the_officers_words(cast):
    response = signed_in(cast.member).post(NEW_RECORD, record_form(lines=[]))

    assert response.status_code == 400 and not Seizure.objects.exists()
    assert "Give at least one commodity line." in _summary(response)
    assert "Please submit" not in response.content.decode()


def test_a_record_of_too_many_lines_is_told_the_limit_in_the_officers_words(cast):
    cast.member.language = "es"
    cast.member.save(update_fields=["language"])
    lines = [{"convention": "cites", "code": "Loxodonta africana"}] * 51

    response = signed_in(cast.member).post(NEW_RECORD, record_form(lines=lines))

    assert response.status_code == 400 and not Seizure.objects.exists()
    assert "Un registro tiene como máximo 50 líneas." in _summary(response)
