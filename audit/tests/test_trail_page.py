"""/audit/: administrators browse the whole trail, a focal point their organisation's part, nobody else
anything; filters and pages."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import record
from audit.models import Entry
from conftest import signed_in

URL = reverse("audit:trail")


def shown(response) -> list[str]:
    """The labels of the entries on the page as shown, newest first."""
    assert response.status_code == 200, response.status_code
    return [row.label for row in response.context["rows"]]


@pytest.fixture
def trail(cast) -> None:
    """Entries that touch the home organisation in each way, and one that does not touch it at all."""
    record("person.role_changed", actor=cast.focal_point, target=cast.member, label="home acts on home")
    record("person.suspended", actor=cast.administrator, target=cast.member, label="secretariat acts on home")
    record("organisation.saved", actor=cast.administrator, target=cast.home, label="secretariat edits home")
    record("signin.failed", target=cast.observer, label="stranger fails as home person")
    record("person.approved", actor=cast.other_focal_point, target=cast.other_focal_point, label="other on other")
    record("signin.failed", label="unknown address")


def test_it_shows_administrators_everything(cast, trail):
    assert shown(signed_in(cast.administrator).get(URL)) == [
        "unknown address",
        "other on other",
        "stranger fails as home person",
        "secretariat edits home",
        "secretariat acts on home",
        "home acts on home",
    ]


def test_it_shows_a_focal_point_only_what_their_organisation_did_or_underwent(cast, trail):
    assert shown(signed_in(cast.focal_point).get(URL)) == [
        "stranger fails as home person",
        "secretariat edits home",
        "secretariat acts on home",
        "home acts on home",
    ]
    assert shown(signed_in(cast.other_focal_point).get(URL)) == ["other on other"]


@pytest.mark.parametrize("role", ["observer", "member", "requested", "suspended"])
def test_it_shows_nobody_else_anything(cast, trail, role):
    response = signed_in(cast.by_role[role]).get(URL)
    # Inactive people are anonymous: they are sent to sign in; active ones are told there is nothing.
    assert response.status_code == (404 if cast.by_role[role].is_active else 302)
    assert b"home acts on home" not in response.content


def test_it_stops_showing_a_focal_point_the_trail_once_they_are_no_longer_one(cast, trail):
    cast.focal_point.role = cast.focal_point.Role.MEMBER
    cast.focal_point.save(update_fields=["role"])
    assert signed_in(cast.focal_point).get(URL).status_code == 404


def test_it_filters_by_action(cast, trail):
    client = signed_in(cast.administrator)
    # A prefix names a family of actions.
    assert shown(client.get(URL, {"action": "signin."})) == ["unknown address", "stranger fails as home person"]
    assert shown(client.get(URL, {"action": "person.suspended"})) == ["secretariat acts on home"]


def test_it_filters_by_person(cast, trail):
    client = signed_in(cast.administrator)
    assert shown(client.get(URL, {"actor": "fatou"})) == ["home acts on home"]
    assert shown(client.get(URL, {"actor": "OSCAR"})) == ["other on other"]


def test_it_filters_by_organisation_acting_or_acted_on(cast, trail):
    client = signed_in(cast.administrator)
    assert shown(client.get(URL, {"organisation": cast.secretariat.pk})) == [
        "secretariat edits home",
        "secretariat acts on home",
    ]
    assert shown(client.get(URL, {"organisation": cast.home.pk})) == [
        "stranger fails as home person",
        "secretariat edits home",
        "secretariat acts on home",
        "home acts on home",
    ]


def test_it_never_widens_a_focal_points_view_through_a_filter(cast, trail):
    client = signed_in(cast.focal_point)
    assert shown(client.get(URL, {"organisation": cast.other.pk})) == []
    assert shown(client.get(URL, {"action": "person.approved"})) == []


def _record_at(monkeypatch, moment: datetime, label: str) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        record("settings.profile_changed", label=label)


def test_it_filters_by_dates_inclusively(cast, monkeypatch):
    _record_at(monkeypatch, datetime(2026, 3, 9, 23, 59, tzinfo=UTC), "9 March")
    _record_at(monkeypatch, datetime(2026, 3, 10, 0, 0, tzinfo=UTC), "10 March, first minute")
    _record_at(monkeypatch, datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC), "10 March, last second")
    _record_at(monkeypatch, datetime(2026, 3, 11, 12, 0, tzinfo=UTC), "11 March")
    client = signed_in(cast.administrator)
    assert shown(client.get(URL, {"since": "2026-03-10", "until": "2026-03-10"})) == [
        "10 March, last second",
        "10 March, first minute",
    ]
    assert shown(client.get(URL, {"since": "2026-03-11"})) == ["11 March"]
    assert shown(client.get(URL, {"until": "2026-03-09"})) == ["9 March"]


def test_it_reads_dates_in_the_persons_time_zone(cast, monkeypatch):
    # 20:00 UTC on 10 March is already 11 March in Auckland (UTC+13 in March).
    _record_at(monkeypatch, datetime(2026, 3, 10, 20, 0, tzinfo=UTC), "evening in Geneva")
    cast.administrator.time_zone = "Pacific/Auckland"
    cast.administrator.save(update_fields=["time_zone"])
    client = signed_in(cast.administrator)
    assert shown(client.get(URL, {"since": "2026-03-11", "until": "2026-03-11"})) == ["evening in Geneva"]
    assert shown(client.get(URL, {"until": "2026-03-10"})) == []


def test_it_says_what_is_wrong_with_a_filter_instead_of_failing(cast, trail):
    response = signed_in(cast.administrator).get(URL, {"since": "not a date"})
    assert response.status_code == 200
    assert response.context["form"].errors["since"]


def test_it_pages_fifty_entries_at_a_time_keeping_the_filters(cast):
    for number in range(1, 121):
        record("test.paged", label=f"entry {number}")
    record("other.action", label="filtered out")
    client = signed_in(cast.administrator)

    first = client.get(URL, {"action": "test."})
    assert shown(first)[:2] == ["entry 120", "entry 119"] and len(shown(first)) == 50
    # The link to the next page keeps the filter, or page 2 would be page 2 of something else.
    assert b'href="?action=test.&amp;page=2"' in first.content

    last = client.get(URL, {"action": "test.", "page": "3"})
    assert shown(last) == [f"entry {number}" for number in range(20, 0, -1)]
    # A page number past the end shows the last page rather than an error.
    assert shown(client.get(URL, {"action": "test.", "page": "99"})) == shown(last)
    assert Entry.objects.count() == 121


def test_the_organisation_filter_offers_any_organisation_first(cast):
    page = signed_in(cast.administrator).get(URL).content.decode()
    [choices] = re.findall(r'<select name="organisation"[^>]*>(.*?)</select>', page, re.S)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", choices)[0] == "Any"
