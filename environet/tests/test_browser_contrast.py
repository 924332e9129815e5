"""Every button can be read: in Chromium, on the pages whose buttons were once white on white (the seizure
form's "Add another commodity" and "Add another person or company", "Retract" under one's own message,
"Stop following" on the followed searches), the text of every visible button, and of every link styled as
one, has at least WCAG AA's 4.5:1 contrast against the background it is actually drawn on.

The colours are the browser's computed ones (``getComputedStyle``); the background is the first opaque one
found walking up from the button, with translucent layers composited on the way.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from conftest import Cast, signed_in
from environet.tests.browser import browser, site_url, visitors  # noqa: F401
from messaging.tests.builders import thread_form
from messaging.tests.servers import session_for
from seizures import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AA = 4.5

# For each visible button (and link or input styled as one): its text, its contrast ratio, the colours.
CONTRASTS = """
() => {
  const rgba = (text) => {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (element) => {
    const layers = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a >= 1) break;
    }
    let result = {r: 255, g: 255, b: 255, a: 1};  // the canvas
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const selector = 'button, .button, input[type=submit], input[type=button], input[type=reset]';
  return Array.from(document.querySelectorAll(selector))
    .filter((element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden')
    .map((element) => {
      const back = background(element);
      const fore = over(rgba(getComputedStyle(element).color), back);
      const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
      return {
        text: (element.innerText || element.value || '').trim(),
        ratio: (light + 0.05) / (dark + 0.05),
        colour: getComputedStyle(element).color,
        background: `rgb(${back.r}, ${back.g}, ${back.b})`,
      };
    });
}
"""


def signed_in_page(visitors, base: str, person) -> Page:  # noqa: F811 - the fixture imported above
    """A page whose browser carries a signed-in session (the sign-in form has its own browser test)."""
    from django.conf import settings

    page = visitors.new_page()
    host = urlsplit(base).hostname or "localhost"
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_for(person),
                "domain": host,
                "path": "/",
                "secure": settings.SESSION_COOKIE_SECURE,
                "httpOnly": True,
            }
        ]
    )
    return page


def unreadable_buttons(page: Page) -> list[dict]:
    return [button for button in page.evaluate(CONTRASTS) if button["ratio"] < AA]


def buttons_on(page: Page) -> list[str]:
    return [button["text"] for button in page.evaluate(CONTRASTS)]


def test_every_button_on_the_pages_that_had_invisible_ones_is_readable(
    site_url: str,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
):
    member = cast.member
    response = signed_in(member).post("/messages/new/", thread_form(subject="Pangolin scales at Mombasa"))
    assert response.status_code == 302, response.content[:2000]
    thread_path = response["Location"]
    actions.follow_search(
        request=None,
        person=member,
        name="Pangolins",
        convention="cites",
        code="Manis gigantea",
        country="",
        company="",
        by_email=False,
    )
    page = signed_in_page(visitors, site_url, member)

    expected = {
        "/seizures/new/": ["Add another commodity", "Add another person or company"],
        thread_path: ["Retract"],
        "/seizures/following/": ["Stop following"],
    }
    for path, must_show in expected.items():
        page.goto(site_url + path)
        assert not re.search(r"/accounts/signin", page.url), f"{path}: not signed in"
        shown = buttons_on(page)
        for text in must_show:
            assert text in shown, f"{path}: no visible {text!r} button among {shown}"
        # The header's "Sign out" is a button too: every page checks it along with the page's own.
        assert "Sign out" in shown
        assert unreadable_buttons(page) == [], f"{path}: buttons below {AA}:1"
