"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Import the fixtures into the ``conftest.py`` of the tests that use them (``pytest_plugins`` is only
allowed in the root conftest). Playwright's own browser download is not used: the tests drive the
Chromium the system package manager installed, and are skipped with the command to run when it is
missing.
"""

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_MISSING = "Chromium not installed: run `apt-get install -y chromium` (the Makefile does this when it can)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Generous: a slow CI machine must not fail a test that waits for a page to load.
TIMEOUT_MS = 20_000


@pytest.fixture
def browser() -> Iterator["Browser"]:
    """A headless Chromium for one test.

    Function-scoped on purpose: Playwright's sync API keeps an asyncio event loop registered as running
    in the test thread, and Django refuses ORM calls from such a thread. The fixture allows them
    (``DJANGO_ALLOW_ASYNC_UNSAFE``) only while the browser lives, so other tests keep Django's guard.
    The test thread still makes ordinary blocking calls only; the live server answers in its own threads.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(CHROMIUM_MISSING)
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        expect.set_options(timeout=TIMEOUT_MS)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                # While Playwright's loop runs, Django keeps database connections per asyncio context,
                # not per thread: the ones the test opened meanwhile are not pytest-django's, which
                # would leave them open (PostgreSQL then refuses to drop the test database).
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site_url(live_server: "LiveServer", settings) -> str:
    """The live server's address, also used for the links in emails (``SITE_URL``).

    The production cookie settings stay on (``Secure``, ``__Host-`` names): the live server listens on
    ``localhost``, which Chromium treats as a secure context although it is plain HTTP, so it keeps
    secure cookies there. No setting is relaxed for the browser. The live server is WSGI: the live stream
    answers 204 there (``messaging.stream.events``) and pages say live updates are paused. Live delivery is
    tested in the browser tests whose pages uvicorn serves.
    """
    settings.SITE_URL = live_server.url
    return live_server.url


def settled(page: "Page") -> "Page":
    """Wait for the page to stop moving by itself after its load event, so that the positions of things on it
    can be measured.

    On the live server (``site_url``) a signed-in page's live stream is answered with 204, and the page's
    script then shows "Live updates are paused" at the top of ``main``. That happens a few milliseconds after
    the load event, sometimes after ``goto`` has returned, and it moves everything below it down by its
    height (48 px). A test that measured one box before and another after saw two fields of one row at
    different heights, now and then. Pages for nobody signed in have no live stream and nothing to wait for.
    """
    from playwright.sync_api import expect

    if page.locator("body[data-live-url]").count():
        expect(page.locator("#live-status")).to_be_visible()
    return page


class Visitors:
    """Opens separate browser contexts (separate cookie jars): one per person in a test.

    Each page records Content Security Policy violations Chromium reports, so a test can assert that
    no page needed inline script or style.
    """

    def __init__(self, browser: "Browser") -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.csp_violations: list[str] = []

    def new_page(self) -> "Page":
        context = self.browser.new_context(locale="en-GB", timezone_id="UTC")
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visitors(browser: "Browser") -> Iterator[Visitors]:
    opened = Visitors(browser)
    yield opened
    opened.close()
