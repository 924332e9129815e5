"""Issue 9's journey in real browsers: an officer files a seizure of pangolin scales and sees on the record the
identification guide linked to "Manis spp."; asks an expert about the record (the form prefilled with it); an
expert is suggested, with reasons, and invited; the expert, in a browser of their own, accepts and answers in the
request's conversation; the officer's open conversation shows the answer without reloading; the officer marks it
useful and closes it, consenting to publication; the answer becomes a best-practice item the officer finds in the
library.

The pages are served by uvicorn (messaging/tests/servers.py), as in messaging's and seizures' browser tests. The
guide is a link item (an outside resource) published through library.actions before the browsers start: the
server process keeps its files elsewhere than this test process, and a link item has none.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assistance.models import Request, State
from assistance.tests.conftest import expert_in
from conftest import Cast

# Chromium through Playwright (imported here: the app's conftest.py is not this test's to change).
from environet.tests.browser import browser, visitors  # noqa: F401
from library import actions as library_actions
from library.models import Item, Kind
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
from seizures.tests.test_browser_journey import file_through_the_form
from topics.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE = "Identifying pangolin scales: a field guide"
SUBJECT = "Pangolin scales at Mombasa: which species?"
ANSWER = "The ridges and the tip show **Manis gigantea**: giant pangolin, CITES Appendix I."


def publish_guide(publisher) -> Item:
    """An identification guide linked to the genus as CITES lists it ("Manis spp."), as a link item."""
    return library_actions.publish_item(
        request=None,
        publisher=publisher,
        draft=library_actions.ItemDraft(
            title=GUIDE,
            kind=Kind.GUIDE,
            summary="Scales of the eight pangolin species, side by side.",
            topics=[Topic.objects.get(code="B")],
            conventions=["cites"],
            languages=["en", "fr"],
            published_on=timezone.localdate(),
            external_url="https://example.org/pangolin-scales-guide",
            external_title="Pangolin scales guide (outside resource)",
            external_checked_on=timezone.localdate(),
            references=[("cites", "Manis spp.")],
        ),
    )


def watch_console(page: Page, errors: list[str]) -> Page:
    """Console errors and uncaught exceptions of the page, collected in ``errors``."""

    def console(message) -> None:
        url = message.location.get("url") or ""
        if message.type == "error":
            errors.append(f"{message.text} ({url}, on {page.url})")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return page


def test_an_officer_asks_an_expert_about_a_pangolin_seizure_and_the_answer_lands_in_the_library(
    server: Server,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
):
    officer, publisher = cast.member, cast.other_focal_point
    expert = expert_in(cast.secretariat, "emma@wco.example", "Emma Expert")
    guide = publish_guide(publisher)
    assert guide.kind == Kind.GUIDE
    base = f"http://localhost:{server.port}"
    errors: list[str] = []
    officer_page = watch_console(visitors.new_page(), errors)
    expert_page = watch_console(visitors.new_page(), errors)
    sign_in(officer_page, base, officer)
    sign_in(expert_page, base, expert)

    # 1. The officer files a seizure of Manis gigantea scales; the record shows the guide linked to "Manis spp.".
    record_id = file_through_the_form(officer_page, base)
    guides = officer_page.locator("section", has=officer_page.get_by_role("heading", name="In the library"))
    expect(guides, "the record should list the library's guides for what it contains").to_be_visible()
    expect(guides.get_by_role("link", name=GUIDE)).to_be_visible()
    expect(guides).to_contain_text("Identification guide")
    expect(guides).to_contain_text("1 library item, EN/FR")  # the "Identifying pangolin scales: …" line

    # 2. From the record, "Ask an expert about this record": the form comes with the record's number.
    officer_page.get_by_role("link", name="Ask an expert about this record").click()
    expect(officer_page).to_have_url(f"{base}/assistance/new/?seizure={record_id}")
    expect(officer_page.get_by_role("heading", name="Ask for assistance")).to_be_visible()
    expect(
        officer_page.get_by_label("Linked seizure record (number)"), "the form should be prefilled with the record"
    ).to_have_value(str(record_id))

    # 3. The officer asks: wildlife, CITES, pangolin scales, due in ten days.
    officer_page.get_by_label("Subject").fill(SUBJECT)
    officer_page.get_by_label("Your question").fill("We hold **120 kg** of scales. Which species are they?")
    officer_page.get_by_role("checkbox", name=re.compile(r"^B – Wildlife")).check()
    officer_page.get_by_role("checkbox", name=re.compile(r"^CITES")).check()
    officer_page.get_by_role("checkbox", name="Pangolin scales and meat").check()
    officer_page.get_by_label("Answer needed by").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    officer_page.get_by_label("Handling (Traffic Light Protocol)").select_option(label="TLP:GREEN")
    officer_page.get_by_role("radio", name="The whole network").check()
    officer_page.get_by_role("button", name="Send the request").click()
    expect(officer_page, "sending the request should open its page").to_have_url(
        re.compile(rf"^{re.escape(base)}/assistance/\d+/$")
    )
    request_id = int(officer_page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(officer_page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expect(officer_page.get_by_text("Your request for assistance is open.")).to_be_visible()
    expect(officer_page.get_by_role("link", name=f"record {record_id}")).to_be_visible()
    asked = Request.objects.get(pk=request_id)
    assert asked.seizure_id == record_id, "the request should be linked to the seizure record"

    # 4. The expert is suggested, with reasons; the officer invites them.
    suggested = officer_page.locator("section", has=officer_page.get_by_role("heading", name="Suggested experts"))
    suggestion = suggested.locator("li", has_text=expert.full_name)
    expect(suggestion, "the wildlife expert should be suggested").to_be_visible()
    expect(suggestion).to_contain_text("Why:")
    expect(suggestion).to_contain_text("Topics: B")
    expect(suggestion).to_contain_text("Conventions:")
    suggestion.get_by_role("checkbox").check()
    suggested.get_by_role("button", name="Invite").click()
    expect(officer_page.get_by_text("Invited: 1.")).to_be_visible()
    invited = officer_page.locator("section", has=officer_page.get_by_role("heading", name="Experts invited"))
    expect(invited).to_contain_text(expert.full_name)

    # 5. The officer opens the request's conversation and leaves it open.
    officer_page.get_by_role("link", name="Open the conversation").click()
    expect(officer_page).to_have_url(re.compile(rf"^{re.escape(base)}/messages/threads/\d+/$"))
    thread_url = officer_page.url
    open_live(officer_page, thread_url)
    expect(officer_page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    answers = officer_page.locator("#messages article")
    expect(answers).to_have_count(1)  # the question
    mark_page(officer_page)

    # 6. The expert accepts the request and answers in its conversation.
    expert_page.goto(f"{base}/assistance/{request_id}/")
    expect(expert_page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expert_page.get_by_role("button", name="Accept this request").click()
    expect(expert_page.get_by_text("You have accepted this request.")).to_be_visible()
    expert_page.get_by_role("link", name="Open the conversation").click()
    expect(expert_page).to_have_url(thread_url)
    expert_page.get_by_label("Message").fill(ANSWER)
    expert_page.get_by_role("button", name="Send").click()
    expect(expert_page.locator("#messages article")).to_have_count(2)

    # 7. The officer's open conversation shows the answer, without reloading.
    expect(answers, "the answer should appear on the officer's open page").to_have_count(2)
    expect(answers.last).to_contain_text(expert.full_name)
    expect(answers.last.locator("strong", has_text="Manis gigantea")).to_be_visible()
    assert not_reloaded(officer_page), "the conversation reloaded instead of showing the answer live"

    # 8. The expert marks the request answered.
    expert_page.goto(f"{base}/assistance/{request_id}/")
    expert_page.get_by_role("button", name="Mark as answered").click()
    expect(expert_page.get_by_text("The request is marked answered")).to_be_visible()

    # 9. The officer marks it useful and closes it, consenting to publication; then publishes it.
    officer_page.goto(f"{base}/assistance/{request_id}/")
    expect(officer_page.locator(".thread-facts")).to_contain_text("Answered")
    officer_page.get_by_role("radio", name="Yes").check()
    officer_page.get_by_role("checkbox", name=re.compile(r"^The question and answer may be published")).check()
    officer_page.get_by_role("button", name="Close", exact=True).click()
    expect(officer_page.get_by_text("The request is closed.")).to_be_visible()
    expect(officer_page.get_by_text("The asker found the answer useful.")).to_be_visible()
    closed = Request.objects.get(pk=request_id)
    assert closed.state == State.CLOSED and closed.useful and closed.consent_to_publish
    officer_page.get_by_role("button", name="Publish the question and answer in the library").click()
    expect(officer_page, "publishing should open the new library item").to_have_url(
        re.compile(rf"^{re.escape(base)}/library/\d+/$")
    )
    expect(officer_page.get_by_text("The question and answer are in the library.")).to_be_visible()
    item_id = int(officer_page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(officer_page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expect(officer_page.locator(".thread-facts")).to_contain_text("Best practice")
    assert Item.objects.get(pk=item_id).kind == Kind.BEST_PRACTICE

    # 10. The officer finds it in the library among best practice, by words of the answer.
    officer_page.goto(f"{base}/library/")
    officer_page.get_by_label("Words").fill("giant pangolin ridges")  # the expert's words, from the item's file
    officer_page.get_by_label("Kind").select_option(label="Best practice")
    officer_page.get_by_role("button", name="Find").click()
    found = officer_page.locator(".library-items")
    expect(found.get_by_role("link", name=SUBJECT), "the answer should be found in the library").to_be_visible()
    expect(found.get_by_role("link", name=GUIDE)).to_have_count(0)  # an identification guide, not best practice
    found.get_by_role("link", name=SUBJECT).click()
    expect(officer_page).to_have_url(f"{base}/library/{item_id}/")

    assert visitors.csp_violations == [], f"Content Security Policy violations: {visitors.csp_violations}"
    assert errors == [], f"console errors: {errors}"
