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
    assert anchors == ["id_flight_number", "id_traffic_types_0", "id_lines-1-convention"]
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
