"""The roadmap page read in French, Spanish or English: every date input holds an ISO date whatever the language
(a date input rejects "07/12/2026" and shows nothing), each field has its own id (the page has two forms with an
"as_of" field), and funding amounts are money in the reader's language."""

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms as django_forms
from django.utils import timezone, translation

from conftest import signed_in
from network import actions, forms
from network.tests.builders import build, draft

LANGUAGES = ["en", "fr", "es"]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Tags(HTMLParser):
    """The page's inputs and labels, as attribute dicts."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.labels: list[dict[str, str]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "input":
            self.inputs.append(found)
        elif tag == "label":
            self.labels.append(found)


def _tags(page: str) -> _Tags:
    parsed = _Tags()
    parsed.feed(page)
    return parsed


def _reading(person, language: str):
    """A client for ``person`` reading in ``language`` (the page speaks the person's chosen language)."""
    person.language = language
    person.save(update_fields=["language"])
    return signed_in(person)


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def funded(cast, net):
    """Two activities on today's roadmap, funded in dollars and in euros."""
    for title, amount, currency in (("Port training", "20000", "USD"), ("Manual", "45000", "EUR")):
        actions.propose_activity(request=None, person=cast.member, network=net.network,
                                 draft=draft(cast, title=title, amount=Decimal(amount), currency=currency))  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_fills_the_publish_date_in_iso_in_every_language(cast, net, language):
    page = _reading(net.clerk, language).get("/network/ENFORCE/roadmap/").content.decode()
    dated = [tag for tag in _tags(page).inputs if tag.get("type") == "date"]
    published = [tag for tag in dated if tag.get("name") == "as_of" and "required" in tag]
    assert len(published) == 1 and published[0]["value"] == timezone.localdate().isoformat()
    assert all(ISO_DAY.fullmatch(tag["value"]) for tag in dated if "value" in tag)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_the_date_asked_for_in_iso_in_every_language(cast, net, language):
    client = _reading(cast.member, language)
    page = client.get("/network/ENFORCE/roadmap/?as_of=2026-12-07&compare=2026-01-31").content.decode()
    values = {tag["name"]: tag.get("value") for tag in _tags(page).inputs if tag.get("type") == "date"}
    assert values == {"as_of": "2026-12-07", "compare": "2026-01-31"}


def test_each_field_of_the_page_has_its_own_id_and_each_label_its_own_field(cast, net):
    client = _reading(net.clerk, "fr")
    shown = client.get("/network/ENFORCE/roadmap/?as_of=2020-10-01")
    refused = client.post("/network/ENFORCE/roadmap/publish/", {"as_of": "2999-01-01"})
    assert refused.status_code == 400
    for response in (shown, refused):
        tags = _tags(response.content.decode())
        assert [given for given, count in Counter(tags.ids).items() if count > 1] == []
        targets = [label["for"] for label in tags.labels if "for" in label]
        assert len(targets) == len(set(targets)) and set(targets) <= set(tags.ids)
        # Both forms still send "as_of": the publish view and the links read that name.
        names = sorted(tag.get("name", "") for tag in tags.inputs if tag.get("type") == "date")
        assert names == ["as_of", "as_of", "compare"]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_date_field_of_the_network_forms_is_written_in_iso(language):
    """Every form of the network pages, not only the roadmap's: the forms are built by ``forms._date``."""
    date_fields = [
        (form.__name__, name, field)
        for form in vars(forms).values()
        if isinstance(form, type) and issubclass(form, django_forms.Form)
        for name, field in form.base_fields.items()
        if isinstance(field, django_forms.DateField)
    ]
    assert len(date_fields) >= 10  # the roadmap, members, repository, memberships, meetings, inputs
    with translation.override(language):
        for form, name, field in date_fields:
            assert 'value="2026-12-07"' in field.widget.render(name, date(2026, 12, 7)), (form, name)


# The expected amounts are CLDR's, written out here rather than asked of babel (the code under test uses it).
MONEY = {
    "en": ["$20,000.00", "€45,000.00"],
    "fr": ["20\u202f000,00\xa0$US", "45\u202f000,00\xa0€"],
    "es": ["20.000,00\xa0US$", "45.000,00\xa0€"],
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["member", "observer"])
def test_it_shows_funding_as_money_in_the_readers_language(cast, net, funded, language, role):
    page = _reading(getattr(cast, role), language).get("/network/ENFORCE/roadmap/")
    text = page.content.decode()
    assert all(amount in text for amount in MONEY[language]), MONEY[language]
    assert "20000.00" not in text and "45000.00" not in text


# An activity proposed at 120,000 euros, cut to 95,000, then counted in dollars: the activity's page (its fields
# and its history) and the roadmap's comparison say each amount in the currency it had at that moment.
CHANGED_MONEY = {
    "en": ["€120,000.00", "€95,000.00", "$95,000.00"],
    "fr": ["120\u202f000,00\xa0€", "95\u202f000,00\xa0€", "95\u202f000,00\xa0$US"],
    "es": ["120.000,00\xa0€", "95.000,00\xa0€", "95.000,00\xa0US$"],
}


@pytest.fixture
def recounted(cast, net):
    def on(day: int):
        return datetime(2026, 3, day, 10, tzinfo=UTC)

    made = actions.propose_activity(request=None, person=cast.member, network=net.network, at=on(1),
                                    draft=draft(cast, amount=Decimal(120000), currency="EUR"))  # fmt: skip
    cut = replace(actions.draft_of(made), amount=Decimal(95000))
    actions.update_activity(request=None, person=cast.member, activity=made, draft=cut, at=on(2))
    made.refresh_from_db()
    in_dollars = replace(actions.draft_of(made), currency="USD")
    actions.update_activity(request=None, person=cast.member, activity=made, draft=in_dollars, at=on(3))
    return made


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_activitys_history_says_amounts_as_money_in_the_readers_language(cast, net, recounted, language):
    client = _reading(cast.member, language)
    page = client.get(f"/network/ENFORCE/activities/{recounted.pk}/").content.decode()
    history = page[page.index('id="history"') : page.index('id="comments"')]
    first, cut, in_dollars = CHANGED_MONEY[language]
    # The cut in euros; the change of currency alone says the currency, not the amount again.
    assert f"{first} → {cut}" in history and "EUR → USD" in history and in_dollars not in history
    fields = page[: page.index('id="history"')]
    assert in_dollars in fields
    assert "95000.00" not in page and "120000.00" not in page and "Decimal" not in page
    compared = client.get("/network/ENFORCE/roadmap/?as_of=2026-03-03&compare=2026-03-01").content.decode()
    assert first in compared and in_dollars in compared and "95000.00" not in compared
