"""The seizure journey in real browsers: an officer in Kenya files a seizure through the form; an officer in
France who follows that species is alerted on the page they have open, without reloading; the record is
related to the French officer's own earlier record (same container, same passport number) on both sides,
and neither officer ever sees the other's persons involved.

The pages are served by uvicorn (messaging/tests/servers.py), as in messaging's browser test.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast
from messaging.models import Audience
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
from seizures import actions
from seizures.models import Seizure
from seizures.tests.builders import file, line, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KENYAN_SUSPECT, KENYAN_PASSPORT = "Alpha Zebulon", "ZQ1111111"
FRENCH_SUSPECT = "Bravo Quixote"


def file_through_the_form(page: Page, base: str) -> int:
    """The Kenyan officer files and shares a pangolin seizure; returns the record's id."""
    page.goto(f"{base}/seizures/new/")
    page.get_by_label("Date of seizure").fill("2026-10-01")
    page.get_by_label("Place:", exact=True).fill("Port of Mombasa")
    page.get_by_label("Container numbers").fill("CSQU 305438-3")
    page.get_by_label("Country of origin").fill("Kenya")  # a name (suggested from the page's list) or a code
    page.get_by_label("Country of destination").fill("VN")
    page.get_by_label("Convention:", exact=True).select_option(label="CITES: wildlife")
    page.get_by_label("Species, code or substance").fill("Manis gigantea")
    page.get_by_label("Quantity:", exact=True).fill("120")
    page.get_by_label("Unit:", exact=True).select_option("KGM")
    page.get_by_label("Name:", exact=True).fill(KENYAN_SUSPECT)
    page.get_by_label("Identity, passport or registration numbers").fill(f"Passport: {KENYAN_PASSPORT}")
    page.get_by_label("Handling (Traffic Light Protocol)").select_option(label="TLP:GREEN")
    page.get_by_role("radio", name="The whole network").check()
    page.get_by_role("button", name="Save and share").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/seizures/\d+/$"))
    expect(page.get_by_text("is shared")).to_be_visible()
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def test_a_filed_seizure_alerts_a_follower_live_and_relates_records_without_nominal_data_crossing(
    server: Server,  # noqa: F811 - the fixture imported above
    visitors,
    cast: Cast,
):
    kenyan, french = cast.member, cast.other_focal_point
    earlier = file(
        french,
        share=True,
        country="FR",
        origin_country="CM",
        destination_country="FR",
        lines=[line("cites", "Psittacus erithacus")],
        containers=["CSQU3054383"],
        involved=[person(FRENCH_SUSPECT, identifiers=["Passport: ZQ 111 1111"])],
    )
    actions.follow_search(
        request=None,
        person=french,
        name="Pangolins",
        convention="cites",
        code="Manis gigantea",
        country="",
        company="",
        by_email=False,
    )
    assert earlier.audience == Audience.NETWORK
    base = f"http://localhost:{server.port}"
    kenyan_page, french_page = visitors.new_page(), visitors.new_page()
    sign_in(kenyan_page, base, kenyan)
    sign_in(french_page, base, french)

    # 1. The French officer has the seizures list open.
    open_live(french_page, f"{base}/seizures/")
    notice = french_page.locator("#live-notice")
    expect(notice).to_be_hidden()
    mark_page(french_page)

    # 2. The Kenyan officer files a pangolin seizure: the French page says so, without reloading.
    new_id = file_through_the_form(kenyan_page, base)
    reference = Seizure.objects.get(pk=new_id).reference
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(reference)
    expect(notice).to_contain_text("Pangolins")
    assert not_reloaded(french_page), "the page reloaded instead of showing the alert live"

    # 3. The French officer opens it: it is related to their own record through the container. The passport
    #    number is also shared, but that is the Kenyans' nominal data: neither the reason nor the person shows.
    notice.get_by_role("link").click()
    expect(french_page).to_have_url(f"{base}/seizures/{new_id}/")
    related = french_page.locator("#related")
    expect(related.get_by_role("link", name=earlier.reference)).to_be_visible()
    expect(related).to_contain_text("same container")
    expect(related).not_to_contain_text("same identity")
    page_text = french_page.content()
    assert KENYAN_SUSPECT not in page_text and KENYAN_PASSPORT not in page_text
    expect(french_page.get_by_text("keeps the persons and companies involved")).to_be_visible()

    # 4. On their own record the French officer, its owner, sees every reason, and only their own suspect.
    french_page.goto(f"{base}/seizures/{earlier.pk}/")
    related = french_page.locator("#related")
    expect(related.get_by_role("link", name=reference)).to_be_visible()
    expect(related).to_contain_text("same container")
    expect(related).to_contain_text("same identity or registration number")
    expect(french_page.get_by_text(FRENCH_SUSPECT)).to_be_visible()
    assert KENYAN_SUSPECT not in french_page.content()

    # 5. The Kenyan side shows the same relation, and only the Kenyan suspect.
    kenyan_page.goto(f"{base}/seizures/{new_id}/")
    related = kenyan_page.locator("#related")
    expect(related.get_by_role("link", name=earlier.reference)).to_be_visible()
    expect(related).to_contain_text("same identity or registration number")
    expect(kenyan_page.get_by_text(KENYAN_SUSPECT)).to_be_visible()
    assert FRENCH_SUSPECT not in kenyan_page.content()

    assert visitors.csp_violations == []
