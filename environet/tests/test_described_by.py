"""Help texts and errors reach screen readers: every id a field names in ``aria-describedby`` (its help text,
its errors) is an element of the same page. Checked on the main forms, empty and after a refused submit."""

from html.parser import HTMLParser

import pytest

from conftest import Cast, signed_in

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    """The ids of a page's elements, and each ``aria-describedby`` with the element that carries it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []
        self.helps: set[str] = set()  # the ids of help texts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if found.get("aria-describedby"):
            self.described.append((f"<{tag} name={found.get('name')!r}>", str(found["aria-describedby"])))
        if "help" in str(found.get("class") or "").split() and found.get("id"):
            self.helps.add(str(found["id"]))


def dangling(html: str, described: list[str]) -> list[str]:
    """The references to no element of the page, and the help texts no field names (a group of radio
    buttons or checkboxes included); ``described`` collects every reference seen."""
    page = Ids()
    page.feed(html)
    described.extend(refs for _element, refs in page.described)
    named = {ref for _element, refs in page.described for ref in refs.split()}
    missing = [f"{element} → #{ref}" for element, refs in page.described for ref in refs.split() if ref not in page.ids]
    return missing + [f"help text #{help_id} describes nothing" for help_id in sorted(page.helps - named)]


def form_pages(cast: Cast) -> dict[str, str]:
    from network.tests.builders import build

    net = build(cast)
    return {
        "seizure form": "/seizures/new/",
        "message form": "/messages/new/",
        "library upload": "/library/new/",
        "network activity form": f"/network/{net.network.short_name}/activities/new/",
        "request for assistance": "/assistance/new/",
        "profile": "/accounts/profile/",
        "topic choices": "/accounts/profile/topics/",
    }


def test_every_described_by_on_the_main_forms_names_an_element_of_the_page(cast: Cast):
    client = signed_in(cast.member)
    described: list[str] = []
    for name, path in form_pages(cast).items():
        response = client.get(path)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert dangling(response.content.decode(), described) == [], f"{name} ({path})"
    assert any(ref.endswith("_helptext") for ref in described), "no help text was linked: the check proved nothing"


def test_errors_and_help_stay_linked_after_a_refused_submit(cast: Cast):
    """Posting the forms empty: each field in error names its error and its help text, and both exist."""
    client = signed_in(cast.member)
    described: list[str] = []
    for name, path in form_pages(cast).items():
        if name in ("profile", "topic choices"):
            continue  # nothing in them is required
        response = client.post(path, {"save": "1"})
        assert response.status_code in (200, 400), f"{name}: {response.status_code}"
        assert dangling(response.content.decode(), described) == [], f"{name} ({path}), after a refused submit"
    assert any(ref.endswith("_error") for ref in described), "no error was linked: the check proved nothing"


def test_adding_a_commodity_line_leaves_no_reference_to_errors_it_does_not_show(cast: Cast):
    """ "Add another commodity" posts the seizure form back to be completed, not judged: no error is shown,
    so no field may point at one (nor claim to be invalid)."""
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "involved-TOTAL_FORMS": "1",
        "involved-INITIAL_FORMS": "0",
        "date": "not a date",
        "more": "lines",
    }
    response = signed_in(cast.member).post("/seizures/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="lines-1-quantity"' in html, "the form came back without the new line"
    assert dangling(html, []) == []
    assert 'aria-invalid="true"' not in html


def test_a_group_of_checkboxes_is_described_by_its_help_text(cast: Cast):
    """The invitation's topics are checkboxes in a fieldset: the group, named by its legend, is described
    by the help text that says at which level the newcomer will hear about them."""
    html = signed_in(cast.focal_point).get("/accounts/people/invite/").content.decode()
    assert dangling(html, []) == []
    assert '<fieldset class="group" aria-describedby="id_topics_helptext">' in html
    assert "<legend>Topics they hear about:</legend>" in html
