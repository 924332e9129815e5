"""The record form's script in Chromium (issue 12): the vessel, flight and vehicle groups follow the mode of
transport and keep what was typed; the error summary takes the focus; species are suggested as the officer
types. No page needs inline script or style (the CSP forbids them)."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast
from environet.tests.browser import browser, settled, site_url, visitors  # noqa: F401
from environet.tests.test_browser_contrast import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_form(visitors, base: str, cast: Cast) -> Page:  # noqa: F811 - the fixture imported above
    page = signed_in_page(visitors, base, cast.member)
    page.goto(f"{base}/seizures/new/")
    assert not re.search(r"/accounts/signin", page.url)
    return page


def test_the_transport_groups_follow_the_mode_and_keep_what_was_typed(
    site_url: str,  # noqa: F811
    visitors,  # noqa: F811
    cast: Cast,
):
    page = open_form(visitors, site_url, cast)
    vessel, flight, vehicle = (page.locator(f"#transport-{key}") for key in ("vessel", "flight", "vehicle"))
    for group in (vessel, flight, vehicle):  # mode not known: every group
        expect(group).to_be_visible()
    mode = page.get_by_label("Mode of transport")
    mode.select_option("sea")
    page.locator("#id_vessel_name").fill("Typed Sea Star")
    expect(vessel).to_be_visible()
    expect(flight).to_be_hidden()
    expect(vehicle).to_be_hidden()
    mode.select_option("air_cargo")
    expect(vessel).to_be_hidden()
    expect(flight).to_be_visible()
    mode.select_option("rail")
    expect(vehicle).to_be_visible()
    expect(flight).to_be_hidden()
    mode.select_option("sea")
    expect(page.locator("#id_vessel_name")).to_have_value("Typed Sea Star")
    assert visitors.csp_violations == []


def test_the_error_summary_takes_the_focus_and_its_links_reach_the_fields(
    site_url: str,  # noqa: F811
    visitors,  # noqa: F811
    cast: Cast,
):
    page = open_form(visitors, site_url, cast)
    page.get_by_label("Mode of transport").select_option("air_cargo")
    page.get_by_label("Flight number").fill("KQ ABC")
    page.get_by_role("button", name="Save as a draft").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link", name=re.compile("Flight number")).click()
    expect(page).to_have_url(re.compile(r"#id_flight_number$"))
    expect(page.locator("#id_flight_number")).to_be_in_viewport()
    border = page.locator("#id_flight_number").evaluate("element => getComputedStyle(element).borderTopColor")
    assert border == "rgb(180, 35, 24)"  # --danger: 6.5:1 against white
    assert visitors.csp_violations == []


def test_species_are_suggested_as_the_officer_types(
    site_url: str,  # noqa: F811
    visitors,  # noqa: F811
    cast: Cast,
):
    page = open_form(visitors, site_url, cast)
    page.get_by_label("Convention:", exact=True).select_option(label="CITES: wildlife")
    page.get_by_label("Species, code or substance").press_sequentially("Loxodonta afr")
    expect(page.locator('#lines-0-codes option[value="Loxodonta africana"]')).to_have_count(1)
    assert visitors.csp_violations == []


def test_short_fields_sit_side_by_side_on_a_wide_screen_and_nothing_overflows_a_narrow_one(
    site_url: str,  # noqa: F811
    visitors,  # noqa: F811
    cast: Cast,
):
    page = settled(open_form(visitors, site_url, cast))  # the fields move down once the live status shows
    page.set_viewport_size({"width": 1280, "height": 800})
    date, country = (page.locator(selector).bounding_box() for selector in ("#id_occurred_on", "#id_country"))
    assert date and country and date["y"] == country["y"] and country["x"] > date["x"] + date["width"]
    summary = page.locator("#id_summary").bounding_box()
    assert summary and summary["y"] > date["y"]  # long text takes its own row
    page.set_viewport_size({"width": 400, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    date, country = (page.locator(selector).bounding_box() for selector in ("#id_occurred_on", "#id_country"))
    assert date and country and country["y"] > date["y"]  # one column


def test_a_chosen_file_survives_an_error_and_goes_with_the_record(
    site_url: str,  # noqa: F811
    visitors,  # noqa: F811
    cast: Cast,
    tmp_path,
    settings,
):
    from seizures.models import Seizure

    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    statement = tmp_path / "statement.txt"
    statement.write_text("Forty tusks in hollowed logs.")
    page = open_form(visitors, site_url, cast)
    page.get_by_label("Date of seizure").fill("2999-01-01")  # in the future: refused
    page.get_by_label("Convention:", exact=True).select_option(label="CITES: wildlife")
    page.get_by_label("Species, code or substance").fill("Loxodonta africana")
    page.locator("#id_attachments").set_input_files(str(statement))
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_text(re.compile(r"Kept: statement\.txt \(\d+ bytes\)"))).to_be_visible()
    page.get_by_label("Date of seizure").fill("2026-10-01")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page).to_have_url(re.compile(r"/seizures/\d+/$"))
    seizure = Seizure.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    assert list(seizure.files.values_list("name", flat=True)) == ["statement.txt"]
    assert visitors.csp_violations == []


def test_species_suggestions_follow_a_change_of_convention(
    site_url: str,  # noqa: F811
    visitors,  # noqa: F811
    cast: Cast,
):
    page = open_form(visitors, site_url, cast)
    page.get_by_label("Species, code or substance").fill("Loxodonta afr")  # no convention yet: nothing
    page.get_by_label("Convention:", exact=True).select_option(label="CITES: wildlife")
    expect(page.locator('#lines-0-codes option[value="Loxodonta africana"]')).to_have_count(1)
