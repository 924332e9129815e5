"""The top bar fits one line on a 1280 px wide screen for an administrator (the longest navigation) in English,
French and Spanish, in Chromium: the brand, every link of the navigation and the sign-out form side by side,
none hidden. Every link stays reachable with the keyboard and shows where the focus is."""

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast
from environet.tests.browser import browser, site_url, visitors  # noqa: F401
from environet.tests.test_browser_contrast import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1280

# The top bar's parts and each link (or summary) its navigation shows: their boxes.
BAR = """
() => {
  const header = document.querySelector('header.top');
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {text: (element.innerText || '').trim(), top: r.top, bottom: r.bottom, left: r.left, right: r.right,
            width: r.width, height: r.height};
  };
  return {
    header: box(header),
    scrollWidth: document.documentElement.scrollWidth,
    parts: Array.from(header.children).filter((e) => e.getClientRects().length > 0).map(box),
    // What the bar shows (the links under a closed summary are not drawn).
    links: Array.from(header.querySelectorAll('nav a, nav summary')).filter((e) => e.checkVisibility()).map(box),
  };
}
"""


def _bar(page: Page) -> dict:
    return page.evaluate(BAR)


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_administrators_top_bar_fits_one_line_at_1280_px(
    site_url: str,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
    language: str,
):
    administrator = cast.administrator
    # The demo administrator's name and organisation (accounts/demo.py), read in each language.
    administrator.full_name, administrator.language = "Amina Diallo", language
    administrator.save(update_fields=["full_name", "language"])
    page = signed_in_page(visitors, site_url, administrator)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.goto(site_url + "/")
    assert page.evaluate("document.documentElement.lang") == language

    bar = _bar(page)
    # Every part of the bar (brand, navigation, sign-out) on one row: their tops and bottoms overlap.
    lowest_top = max(part["top"] for part in bar["parts"])
    highest_bottom = min(part["bottom"] for part in bar["parts"])
    assert lowest_top < highest_bottom, bar["parts"]
    # Every link of the navigation on that row too, and the navigation one link high.
    links = bar["links"]
    assert len({round(link["top"]) for link in links}) == 1, [(link["text"], link["top"]) for link in links]
    nav = page.locator("header.top nav").bounding_box()
    assert nav is not None and nav["height"] <= max(link["height"] for link in links) + 1, (nav, links)
    # Nothing pushed past the edge of the screen instead of wrapping.
    assert bar["scrollWidth"] <= WIDTH and all(part["right"] <= WIDTH for part in bar["parts"]), bar


def test_the_administration_links_open_from_the_keyboard_and_show_the_focus(
    site_url: str,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
):
    """No link is lost: People, Organisations and the audit trail are under the "Administration" summary, which
    opens with the keyboard (no script: a <details>), and each link shows a focus ring."""
    page = signed_in_page(visitors, site_url, cast.administrator)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.goto(site_url + "/")
    navigation = page.get_by_role("navigation", name="Main navigation")
    administration = ["People", "Organisations", "Audit trail"]
    for name in administration:
        expect(navigation.get_by_role("link", name=name)).to_be_hidden()
    # Tab from the top of the page to the summary, open it with Enter, then tab through its links.
    focused = [_tab(page)]
    while focused[-1]["text"] != "Administration":
        assert len(focused) < 20, focused
        focused.append(_tab(page))
    page.keyboard.press("Enter")
    for name in administration:
        expect(navigation.get_by_role("link", name=name)).to_be_visible()
    focused += [_tab(page) for _ in range(len(administration) + 1)]
    in_bar = [item for item in focused if item["inBar"]]
    assert [item["text"] for item in in_bar] == [
        "ENVIRONET", "Home", "Messages", "Seizures", "Networks", "Library", "Assistance", "Codes", "Administration",
        *administration, "Profile",
    ]  # fmt: skip
    # A white ring of 2 px at least, on the bar's green.
    assert all(item["outline"] == "solid" and item["width"] >= 2 for item in in_bar), in_bar
    assert {item["colour"] for item in in_bar} == {"rgb(255, 255, 255)"}


def test_the_administration_menu_closes_on_escape_and_on_a_click_elsewhere(
    site_url: str,  # noqa: F811 - the fixture imported above
    visitors,  # noqa: F811
    cast: Cast,
):
    """As menus do elsewhere (static/environet/menu.js; without script it closes from its summary only)."""
    page = signed_in_page(visitors, site_url, cast.administrator)
    page.goto(site_url + "/")
    navigation = page.get_by_role("navigation", name="Main navigation")
    summary = navigation.get_by_text("Administration", exact=True)
    people = navigation.get_by_role("link", name="People")
    summary.click()
    expect(people).to_be_visible()
    people.focus()
    page.keyboard.press("Escape")
    expect(people).to_be_hidden()
    assert page.evaluate("document.activeElement.innerText.trim()") == "Administration"
    summary.click()
    expect(people).to_be_visible()
    page.locator("main").click(position={"x": 5, "y": 5})
    expect(people).to_be_hidden()


def _tab(page: Page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(
        """() => {
          const e = document.activeElement, s = getComputedStyle(e);
          return {text: (e.innerText || '').trim(), inBar: Boolean(e.closest('header.top')),
                  outline: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor};
        }"""
    )
