"""axe-core on the pages an officer meets first (issue 12), in Chromium, as a member, a focal point and an
administrator: home, the seizure form (and the same form after an empty submit, with its error summary),
the seizure list, a record, a thread, the audit trail (administrator), the library, the messages overview,
analytics and the profile.

A page fails on any axe violation of "serious" or "critical" impact, on any colour-contrast result axe
cannot decide ("needs review") on a button, on any console error or uncaught script error, and on any
Content Security Policy violation. axe-core's script comes from the ``axe-playwright-python`` test
dependency (no CDN); Playwright evaluates it through the DevTools protocol, which the page's CSP does not
govern, so no inline script is allowed for it.
"""

import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect

from conftest import Cast, signed_in
from environet.tests.browser import browser, site_url, visitors  # noqa: F401
from environet.tests.test_browser_contrast import signed_in_page
from messaging.tests.builders import thread_form
from seizures.tests.builders import file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}

RUN_AXE = """
() => {
const BUTTONS = 'button, .button, input[type=submit], input[type=button], input[type=reset]';
return axe.run(document, {resultTypes: ['violations', 'incomplete']}).then((results) => ({
  violations: results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    nodes: rule.nodes.map((node) => ({target: node.target.join(' '), html: node.html.slice(0, 160)})),
  })),
  incomplete: results.incomplete.map((rule) => ({
    id: rule.id,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(' '),
      html: node.html.slice(0, 160),
      button: Boolean(document.querySelector(node.target.join(' '))?.matches(BUTTONS)),
    })),
  })),
}));
}
"""


class Watched:
    """A signed-in page that records console errors and uncaught script errors (CSP violations included:
    Chromium reports them as console errors)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def console(self, message) -> None:
        if message.type != "error":
            return
        # A form sent with errors is answered 400 on purpose (the page shows the errors); Chromium logs the
        # status of that document, and only that one is not a fault here.
        document = message.location.get("url", "").split("#")[0] == self.page.url.split("#")[0]
        if document and self.page.url.endswith("/seizures/new/") and "status of 400" in message.text:
            return
        self.errors.append(f"{message.text} ({message.location.get('url', '')})")


def problems(page: Page) -> list[str]:
    """What axe finds that this test does not accept, one line per element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate(RUN_AXE)
    found = [
        f"{rule['id']} ({rule['impact']}): {node['target']}: {node['html']}"
        for rule in results["violations"]
        if rule["impact"] in BLOCKING
        for node in rule["nodes"]
    ]
    found += [
        f"color-contrast needs review on a button: {node['target']}: {node['html']}"
        for rule in results["incomplete"]
        if rule["id"] == "color-contrast"
        for node in rule["nodes"]
        if node["button"]
    ]
    return found


def check(watched: Watched, label: str) -> list[str]:
    page = watched.page
    assert not re.search(r"/accounts/signin", page.url), f"{label}: not signed in"
    found = [f"{label}: {line}" for line in problems(page)]
    found += [f"{label}: console: {text}" for text in watched.errors]
    watched.errors.clear()
    return found


@pytest.mark.parametrize("role", ["member", "focal_point", "administrator"])
def test_the_first_pages_pass_axe_and_log_no_error(
    site_url: str,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
    role: str,
):
    person = getattr(cast, role)
    response = signed_in(person).post("/messages/new/", thread_form(subject="Pangolin scales at Mombasa"))
    assert response.status_code == 302, response.content[:2000]
    thread_path = response["Location"]
    record = file(person, share=True)

    watched = Watched(signed_in_page(visitors, site_url, person))
    page = watched.page
    paths = {
        "home": "/",
        "seizure form": "/seizures/new/",
        "seizure list": "/seizures/",
        "record": f"/seizures/{record.pk}/",
        "thread": thread_path,
        "library": "/library/",
        "messages": "/messages/",
        "analytics": "/seizures/analytics/",
        "profile": "/accounts/profile/",
    }
    if role == "administrator":
        paths["audit trail"] = "/audit/"
    found: list[str] = []
    for label, path in paths.items():
        answer = page.goto(site_url + path)
        assert answer is not None and answer.status == 200, f"{label}: {answer and answer.status}"
        found += check(watched, label)
        if label == "seizure form":
            page.get_by_role("button", name="Save as a draft").click()
            expect(page.locator("#error-summary")).to_be_focused()
            found += check(watched, "seizure form after an empty submit")
    assert found == [], "\n".join(found)
    assert visitors.csp_violations == []
