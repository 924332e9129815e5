"""Issue 10's journey in real browsers: at a meeting that runs today, an observer proposes a training in West
Africa from the meeting page; the secretariat accepts it into the roadmap ("proposed at" the meeting); a member
proposes an overlapping training, and the likely duplicate is flagged live to both leads (their open pages show
the notice through the event stream, without reloading); the secretariat resolves the flag with a reason; the
roadmap as of the meeting date is downloaded as XLSX and as PDF, both holding the two trainings.

The pages are served by uvicorn (messaging/tests/servers.py), as in messaging's, seizures' and assistance's
browser tests: the live stream needs the ASGI server.
"""

import re
from datetime import timedelta
from io import BytesIO

import openpyxl
import pypdfium2
import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from assistance.tests.test_browser_journey import watch_console
from conftest import Cast

# Chromium through Playwright (imported here: the app's conftest.py is not this test's to change).
from environet.tests.browser import browser, visitors  # noqa: F401
from messaging.tests.servers import Server

# The live browser test's fixtures (uvicorn, topics A–G, the watchdog) and steps.
from messaging.tests.test_browser_live import (  # noqa: F401
    mark_page,
    not_reloaded,
    open_live,
    server,
    sign_in,
    topics,
    watchdog,
)
from network import meeting_actions
from network.models import Activity, Flag, FlagKind, Resolution, Review, RoadmapInput
from network.tests.builders import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROPOSED = "Training on detecting e-waste in containers at West African ports"
OVERLAPPING = "West African port officers' training on e-waste detection"


def _exactly(label: str) -> re.Pattern:
    """A field's label as the form shows it (with or without Django's label suffix), and no longer one."""
    return re.compile(rf"^{re.escape(label)}:?$")


def _day(page: Page, label: str, value) -> None:
    page.get_by_label(_exactly(label)).fill(value.isoformat())


def _text_of_pdf(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(document[index].get_textpage().get_text_range() for index in range(len(document)))
    finally:
        document.close()


def test_an_observer_proposes_at_a_meeting_and_the_overlap_is_flagged_live_resolved_and_exported(
    server: Server,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
):
    net = build(cast)
    observer, member, colleague, secretariat = net.watcher, cast.member, cast.focal_point, cast.administrator
    today = timezone.localdate()
    meeting = meeting_actions.open_meeting(
        request=None, person=secretariat, network=net.network,
        draft=meeting_actions.MeetingDraft(number="ENFORCE-8", title="Eighth meeting of the network",
                                           starts_on=today, ends_on=today + timedelta(days=1), online=True),
    )  # fmt: skip
    start, end = today + timedelta(days=200), today + timedelta(days=204)
    base = f"http://localhost:{server.port}"
    meeting_url = f"{base}/network/ENFORCE/meetings/{meeting.pk}/"
    errors: list[str] = []
    observer_page = watch_console(visitors.new_page(), errors)
    secretariat_page = watch_console(visitors.new_page(), errors)
    member_page = watch_console(visitors.new_page(), errors)
    colleague_page = watch_console(visitors.new_page(), errors)
    for page, person in ((observer_page, observer), (secretariat_page, secretariat), (member_page, member),
                         (colleague_page, colleague)):  # fmt: skip
        sign_in(page, base, person)

    # 1. At the meeting, the observer proposes a training in West Africa from the meeting page.
    observer_page.goto(meeting_url)
    expect(observer_page.get_by_role("heading", name="ENFORCE-8: Eighth meeting of the network")).to_be_visible()
    observer_page.get_by_role("radio", name="New activity proposal").check()
    observer_page.get_by_label("Title of the proposed activity").fill(PROPOSED)
    observer_page.get_by_label(_exactly("Type")).select_option(label="Training")
    observer_page.get_by_label("Lead organisations").select_option(label="EIA")
    observer_page.get_by_label("Target countries").fill("GH, NG, SN")
    _day(observer_page, "Planned start", start)
    _day(observer_page, "Planned end", end)
    observer_page.get_by_label("Description").fill(
        "Port officers of West Africa learn to detect used electronics declared as second-hand goods in containers."
    )
    observer_page.get_by_role("button", name="Send to the secretariat").click()
    expect(observer_page.get_by_text("Your input has been sent to the secretariat.")).to_be_visible()
    given = RoadmapInput.objects.get(meeting=meeting)
    assert given.kind == "proposal" and given.author == observer and given.review == Review.PENDING

    # 2. The secretariat accepts it into the roadmap; the activity remembers the meeting.
    secretariat_page.goto(meeting_url)
    proposal = secretariat_page.locator("article.input", has_text=PROPOSED)
    proposal.get_by_role("radio", name="Accept into the roadmap").check()
    proposal.get_by_role("button", name="Review").click()
    expect(secretariat_page.get_by_text("The input has been reviewed.")).to_be_visible()
    expect(secretariat_page.locator("article.input", has_text=PROPOSED)).to_contain_text("Accepted into the roadmap")
    accepted = Activity.objects.get(title=PROPOSED)
    assert accepted.proposed_at == meeting and accepted.proposed_by == observer
    assert not Flag.objects.exists()

    # 3. Both leads leave a page open: the observer (whose organisation leads the accepted training) on its page,
    #    a colleague of the member (whose organisation will lead the other) on the roadmap.
    open_live(observer_page, f"{base}/network/ENFORCE/activities/{accepted.pk}/")
    expect(observer_page.get_by_text("Proposed at ENFORCE-8.")).to_be_visible()
    open_live(colleague_page, f"{base}/network/ENFORCE/roadmap/")
    for page in (observer_page, colleague_page):
        expect(page.locator("#live-notice")).to_be_hidden()
        mark_page(page)

    # 4. The member proposes an overlapping training of their own organisation: flagged as a likely duplicate.
    member_page.goto(f"{base}/network/ENFORCE/activities/new/")
    member_page.get_by_label(_exactly("Title")).fill(OVERLAPPING)
    member_page.get_by_label(_exactly("Type")).select_option(label="Training")
    member_page.get_by_label("Lead organisations").select_option(label="KRA")
    member_page.get_by_label("Target countries").fill("GH, NG, CI")
    _day(member_page, "Planned start", start + timedelta(days=2))
    _day(member_page, "Planned end", end + timedelta(days=7))
    member_page.get_by_label("Description").fill(
        "West African port officers learn to detect used electronics declared as second-hand goods in containers."
    )
    member_page.get_by_role("button", name="Save").click()
    expect(member_page.get_by_text("The activity has been added to the roadmap.")).to_be_visible()
    expect(member_page.locator("#flags")).to_be_visible()  # the new activity's page lists its flag
    flag = Flag.objects.get()
    assert flag.kind == FlagKind.DUPLICATE and flag.is_open
    for page in (observer_page, colleague_page):
        notice = page.locator("#live-notice")
        expect(notice, "the lead's open page should show the flag live").to_be_visible()
        expect(notice).to_contain_text("Likely duplicate")
        expect(notice).to_contain_text(PROPOSED)
        expect(notice).to_contain_text(OVERLAPPING)
        assert not_reloaded(page), "the page reloaded instead of showing the flag live"
    observer_page.locator("#live-notice").get_by_role("link").click()
    expect(observer_page).to_have_url(f"{base}/network/ENFORCE/flags/{flag.pk}/")
    expect(observer_page.locator(".explanation")).to_contain_text("2 of 4 countries shared")
    expect(observer_page.get_by_role("button", name="Resolve the flag")).to_have_count(0)  # the secretariat's

    # 5. The secretariat resolves the flag: the two trainings are joined up.
    secretariat_page.goto(f"{base}/network/ENFORCE/flags/")
    listed = secretariat_page.locator("ul.flags li", has_text=OVERLAPPING)
    expect(listed).to_contain_text(PROPOSED)
    listed.get_by_role("link", name="Likely duplicate").click()
    expect(secretariat_page).to_have_url(f"{base}/network/ENFORCE/flags/{flag.pk}/")
    secretariat_page.get_by_role("radio", name="Joined up").check()
    secretariat_page.get_by_label("In a few words").fill("One training, run by both, in Accra.")
    secretariat_page.get_by_role("button", name="Resolve the flag").click()
    expect(secretariat_page.get_by_text("The flag has been resolved.")).to_be_visible()
    expect(secretariat_page.get_by_text("One training, run by both, in Accra.")).to_be_visible()
    flag.refresh_from_db()
    assert not flag.is_open and flag.resolution == Resolution.JOINED_UP

    # 6. The roadmap as of the meeting date, as XLSX and as PDF: both trainings, proposed.
    secretariat_page.goto(f"{base}/network/ENFORCE/roadmap/")
    _day(secretariat_page, "Roadmap as of", meeting.starts_on)
    secretariat_page.get_by_role("button", name="Show").click()
    heading = f"ENFORCE roadmap of activities, status as of {meeting.starts_on.isoformat()}"
    expect(secretariat_page.get_by_role("heading", name=heading)).to_be_visible()
    with secretariat_page.expect_download() as downloading:
        secretariat_page.get_by_role("link", name="Download this roadmap (Excel)").click()
    download = downloading.value
    assert download.suggested_filename == f"ENFORCE-roadmap-{meeting.starts_on.isoformat()}.xlsx"
    with open(download.path(), "rb") as opened:
        sheet = openpyxl.load_workbook(BytesIO(opened.read())).active
    assert sheet is not None
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None}
    assert heading in cells and PROPOSED in cells and OVERLAPPING in cells
    with secretariat_page.expect_download() as downloading:
        secretariat_page.get_by_role("link", name="PDF for printing").click()
    download = downloading.value
    assert download.suggested_filename == f"ENFORCE-roadmap-{meeting.starts_on.isoformat()}.pdf"
    with open(download.path(), "rb") as opened:
        content = opened.read()
    assert content.startswith(b"%PDF")
    printed = " ".join(_text_of_pdf(content).split())
    with translation.override("en"):
        as_of = date_format(meeting.starts_on, "F j, Y")
    assert f"Roadmap of activities Status as of {as_of}" in printed
    assert PROPOSED in printed and "training on e-waste detection" in printed

    assert visitors.csp_violations == [], f"Content Security Policy violations: {visitors.csp_violations}"
    assert errors == [], f"console errors: {errors}"
