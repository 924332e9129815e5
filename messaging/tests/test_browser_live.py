"""Live delivery in real browsers: two people, each in their own Chromium context, signed in through
the real form. One posts an alert; the other's open page shows it without reloading (a notice and the
topic's unread count); they read it; the author sees the read receipt, on a receipts page opened
earlier too, without reloading.

The pages are served by uvicorn (messaging/tests/servers.py): the live stream needs the ASGI server,
pytest-django's live server is WSGI. The browsers visit ``localhost``, which Chromium treats as a secure
context, so the production cookies (``Secure``, ``__Host-``) work over plain HTTP.
"""

import faulthandler
import re
import signal
import sys
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, Cast, current_code
from messaging.models import Message, Reading
from messaging.tests.servers import Server, Servers, eventually
from topics.models import TOPIC_NAMES, Topic, TopicChoice

# Committed data, which the server process reads (see test_live.py on serialized_rollback).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every wait below is bounded (Playwright's timeouts, servers.WAIT); this is the last resort should
# something block outside them (a browser or server that stops answering a call without a timeout).
WATCHDOG_SECONDS = 120


class Stuck(BaseException):
    """Raised in the test's thread by the watchdog (not an Exception: nothing on the way swallows it)."""


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """Fails the test, with every thread's stack on stderr, if it (teardown included: this fixture is set
    up first, so torn down last) runs longer than WATCHDOG_SECONDS."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame) -> None:
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        raise Stuck(f"the browser test did not finish within {WATCHDOG_SECONDS} s (stacks above, on stderr)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def topics(transactional_db) -> None:
    """The topics A–G the migrations seed, gone if another transactional test emptied the database."""
    for position, (code, name) in enumerate(TOPIC_NAMES.items()):
        Topic.objects.get_or_create(code=code, defaults={"name": str(name), "position": position})


@pytest.fixture
def server(transactional_db) -> Iterator[Server]:
    """uvicorn with the in-process broker, stopped whatever happens."""
    started = Servers()
    try:
        yield started.start()
    finally:
        started.stop_all()


def sign_in(page: Page, base: str, person) -> None:
    """Through the real form: password, then the authenticator's code."""
    page.goto(f"{base}/accounts/signin/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/accounts/signin/code/")
    page.get_by_label("Code").fill(current_code(person))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name=f"Welcome, {person.full_name}")).to_be_visible()


def open_live(page: Page, url: str) -> None:
    """Open a page and wait until its live stream has answered: from then on it receives every event
    (the stream's starting point is fixed before its response begins)."""
    with page.expect_response(re.compile(r"/messages/live/"), timeout=20_000) as opened:
        page.goto(url)
    assert opened.value.status == 200, f"the live stream answered {opened.value.status}"


def mark_page(page: Page) -> None:
    """Tag the loaded document: the tag is gone if the page reloads or navigates."""
    page.evaluate("window.stillTheSamePage = true")


def not_reloaded(page: Page) -> bool:
    return page.evaluate("window.stillTheSamePage === true")


def post_alert(page: Page, base: str, *, subject: str, body: str) -> int:
    """The author sends an alert under topic B through the "New message" form; returns the thread's id."""
    page.goto(f"{base}/messages/new/")
    page.get_by_label("Subject").fill(subject)
    page.get_by_role("checkbox", name=re.compile(r"^B – Wildlife")).check()
    page.get_by_label("Kind").select_option(label="Alert")
    page.get_by_label("Handling (Traffic Light Protocol)").select_option(label="TLP:GREEN")
    page.get_by_role("radio", name="The whole network").check()
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/messages/threads/\d+/$"))
    expect(page.get_by_role("heading", name=subject)).to_be_visible()
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def test_an_alert_reaches_an_open_page_and_its_author_sees_who_read_it(server: Server, visitors, cast: Cast):
    author, reader = cast.member, cast.focal_point  # both of Kenya Revenue Authority
    TopicChoice.objects.create(person=reader, topic=Topic.objects.get(code="B"), delivery=TopicChoice.Delivery.LIVE)
    base = f"http://localhost:{server.port}"
    author_page, reader_page = visitors.new_page(), visitors.new_page()
    sign_in(author_page, base, author)
    sign_in(reader_page, base, reader)

    # 1. The reader opens the messages overview and leaves it open: nothing unread under B yet.
    open_live(reader_page, f"{base}/messages/")
    badge = reader_page.locator('[data-unread-topic="B"]')
    expect(badge).to_be_hidden()
    notice = reader_page.locator("#live-notice")
    expect(notice).to_be_hidden()
    mark_page(reader_page)

    # 2. The author sends an alert; the reader's page shows it without reloading.
    subject = "Pangolin scales at Mombasa"
    first = post_alert(author_page, base, subject=subject, body="Twelve bags declared as **cashew nuts**.")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(subject)
    expect(notice).to_contain_text("TLP:GREEN")
    expect(notice).to_contain_text(author.full_name)
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    assert not_reloaded(reader_page), "the overview reloaded instead of showing the alert live"

    # 3. The reader follows the notice and reads the alert.
    notice.get_by_role("link").click()
    expect(reader_page).to_have_url(f"{base}/messages/threads/{first}/")
    expect(reader_page.get_by_role("heading", name=subject)).to_be_visible()
    alert = Message.objects.get(thread_id=first)
    shown = reader_page.locator(f"#message-{alert.pk}")
    expect(shown).to_contain_text(author.full_name)
    expect(shown.locator("strong", has_text="cashew nuts")).to_be_visible()  # Markdown, rendered
    assert Reading.objects.filter(person=reader, message=alert).exists()

    # 4. The author, on the alert, asks who has read it: the reader.
    author_page.locator(f"#message-{alert.pk}").get_by_role("link", name="Who has read it").click()
    expect(author_page).to_have_url(f"{base}/messages/messages/{alert.pk}/receipts/")
    receipts = author_page.locator("#receipts")
    expect(receipts).to_contain_text(reader.full_name)
    expect(receipts.locator("li")).to_have_count(1)

    # 5. A second alert; this time the author opens its receipts page before anyone has read it. The
    #    reader, still on the first thread, gets the notice there; reading the alert puts their name on
    #    the author's open page without a reload.
    open_live(reader_page, f"{base}/messages/threads/{first}/")
    mark_page(reader_page)
    second_subject = "Ivory in transit through Entebbe"
    second = post_alert(author_page, base, subject=second_subject, body="Two crates, *machine parts* on the manifest.")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(second_subject)
    assert not_reloaded(reader_page)
    second_alert = Message.objects.get(thread_id=second)
    open_live(author_page, f"{base}/messages/messages/{second_alert.pk}/receipts/")
    expect(receipts).to_contain_text("Nobody yet.")
    mark_page(author_page)

    # Someone else reads the first alert meanwhile: that receipt is not this page's. (Receipts come in
    # order, so once the reader's name is there, the other one would have been too.)
    other = cast.administrator
    other_page = visitors.new_page()
    sign_in(other_page, base, other)
    other_page.goto(f"{base}/messages/threads/{first}/")
    expect(other_page.get_by_role("heading", name=subject)).to_be_visible()

    notice.get_by_role("link").click()
    expect(reader_page).to_have_url(f"{base}/messages/threads/{second}/")
    expect(reader_page.locator(f"#message-{second_alert.pk}")).to_contain_text("machine parts")
    expect(receipts).to_contain_text(reader.full_name)
    expect(receipts.locator("li")).to_have_count(1)
    expect(receipts).not_to_contain_text(other.full_name)
    expect(receipts).not_to_contain_text("Nobody yet.")
    assert not_reloaded(author_page), "the receipts page reloaded instead of adding the reader live"

    # 6. On the open thread a reply appears in place, and the page marks it read (live.js posts it).
    mark_page(reader_page)
    author_page.goto(f"{base}/messages/threads/{second}/")
    author_page.get_by_label("Message").fill("The consignee is known to us.")
    author_page.get_by_role("button", name="Send").click()
    expect(author_page.locator("#messages article")).to_have_count(2)
    reply = Message.objects.filter(thread_id=second).latest("pk")
    expect(reader_page.locator(f"#message-{reply.pk}")).to_contain_text("The consignee is known to us.")
    expect(reader_page.locator("#messages article")).to_have_count(2)
    assert not_reloaded(reader_page), "the thread reloaded instead of showing the reply live"
    eventually(
        lambda: Reading.objects.filter(person=reader, message=reply).exists(), "the open page to mark the reply read"
    )

    assert visitors.csp_violations == []


@pytest.mark.redis
def test_an_open_page_says_when_live_delivery_is_down_and_when_it_is_back(visitors, cast: Cast, redis_url: str):
    """Redis lost, then the server itself gone: each time the page says so, and says when all is well."""
    from messaging.tests.test_live_delivery_status import Relay

    relay = Relay(redis_url)
    relay.restore()
    started = Servers()
    try:
        server = started.start(redis_url=relay.url, channel=f"environet:test:{cast.member.pk}:{relay.port}")
        base = f"http://localhost:{server.port}"
        page = visitors.new_page()
        sign_in(page, base, cast.member)
        open_live(page, f"{base}/messages/")
        mark_page(page)
        status = page.locator("#live-status")
        expect(status).to_be_hidden()

        relay.cut()
        expect(status).to_contain_text("Live updates are running slowly")
        relay.restore()
        expect(status).to_contain_text("Live updates are back to normal.")

        server.kill()
        expect(status).to_contain_text("Live updates are interrupted", timeout=30_000)
        server.restart()
        expect(status).to_contain_text("Live updates are back to normal.", timeout=30_000)
        expect(status).to_be_hidden(timeout=30_000)  # the all-clear goes away by itself
        assert not_reloaded(page)
    finally:
        started.stop_all()
        relay.cut()
