"""Who reads a seizure record: the reporting organisation always, from the first draft; once shared, its
audience (the whole network, chosen organisations, chosen countries or named people) whatever its marking.
The query rule (seizures_visible_to), the pages, the list and the API agree; what each person may do on a
record's page follows its rules; and a forbidden record answers exactly like a missing one.

The records are Mohamed's (member, KRA, Kenya). Fatou (focal point) and Olga (observer) are his colleagues;
Oscar (focal point, French Customs, France) and Ada (administrator, WCO, no country) are not.
"""

import re
from typing import Any

import pytest

from conftest import Cast, signed_in
from messaging.models import Audience, Marking
from seizures import access, handles
from seizures.models import Link, Seizure
from seizures.tests.builders import file, line

pytestmark = pytest.mark.django_db

ACTIVE = ("observer", "member", "focal_point", "other_focal_point", "administrator")
HOME = {"observer", "member", "focal_point"}

# Each audience: what it names, and who besides the reporting organisation reads the record.
AUDIENCES: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "network": (Audience.NETWORK, {}, {"other_focal_point", "administrator"}),
    "French Customs": (Audience.ORGANISATIONS, {"organisations": "other"}, {"other_focal_point"}),
    "the secretariat": (Audience.ORGANISATIONS, {"organisations": "secretariat"}, {"administrator"}),
    "France": (Audience.COUNTRIES, {"countries": ["FR", "DE"]}, {"other_focal_point"}),
    "Kenya": (Audience.COUNTRIES, {"countries": ["KE"]}, set()),
    "Oscar": (Audience.PEOPLE, {"people": "other_focal_point"}, {"other_focal_point"}),
    "Ada": (Audience.PEOPLE, {"people": "administrator"}, {"administrator"}),
}
MARKINGS = (Marking.CLEAR, Marking.GREEN, Marking.AMBER)
# TLP 2.0: AMBER+STRICT goes to chosen organisations or named people, RED to named people only.
ALSO: dict[str, tuple[str, ...]] = {
    Audience.NETWORK: (),
    Audience.COUNTRIES: (),
    Audience.ORGANISATIONS: (Marking.AMBER_STRICT,),
    Audience.PEOPLE: (Marking.AMBER_STRICT, Marking.RED),
}
CASES = [(audience, marking) for audience in AUDIENCES for marking in (*MARKINGS, *ALSO[AUDIENCES[audience][0]])]


def _audience_fields(cast: Cast, name: str) -> dict[str, Any]:
    audience, chosen, _readers = AUDIENCES[name]
    fields: dict[str, Any] = {"audience": audience}
    if "organisations" in chosen:
        fields["organisations"] = [getattr(cast, chosen["organisations"])]
    if "countries" in chosen:
        fields["countries"] = chosen["countries"]
    if "people" in chosen:
        fields["people"] = [cast.by_role[chosen["people"]]]
    return fields


def readers(cast: Cast, seizure: Seizure) -> set[str]:
    found = {role for role in ACTIVE if access.seizures_visible_to(cast.by_role[role]).filter(pk=seizure.pk).exists()}
    # The one-record statement compiled once per reader (record pages) says the same.
    assert found == {role for role in ACTIVE if access.may_read(cast.by_role[role], seizure.pk)}
    return found


@pytest.mark.parametrize(("audience", "marking"), CASES, ids=[f"{a}-{m}" for a, m in CASES])
def test_it_lets_the_reporting_organisation_and_the_audience_read_a_shared_record(cast, audience, marking):
    seizure = file(cast.member, share=True, marking=marking, **_audience_fields(cast, audience))
    expected = HOME | AUDIENCES[audience][2]

    assert readers(cast, seizure) == expected
    for role in ACTIVE:
        client = signed_in(cast.by_role[role])
        want = 200 if role in expected else 404
        assert client.get(f"/seizures/{seizure.pk}/").status_code == want, role
        assert client.get(f"/api/v1/seizures/{seizure.pk}").status_code == want, role
        listed = client.get("/api/v1/seizures/").json()
        assert (seizure.pk in [found["id"] for found in listed["results"]]) == (role in expected), role
        assert listed["count"] == (1 if role in expected else 0), role


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_it_keeps_a_draft_for_the_reporting_organisation_whatever_its_audience(cast, audience):
    draft = file(cast.member, marking=Marking.GREEN, **_audience_fields(cast, audience))

    assert readers(cast, draft) == HOME
    for role in ("other_focal_point", "administrator"):
        client = signed_in(cast.by_role[role])
        assert client.get(f"/seizures/{draft.pk}/").status_code == 404
        assert client.get("/seizures/").context["page"].paginator.count == 0


def test_it_lets_a_colleague_read_a_record_shared_with_others_only(cast):
    seizure = file(cast.member, share=True, audience=Audience.PEOPLE, people=[cast.other_focal_point])

    assert signed_in(cast.observer).get(f"/seizures/{seizure.pk}/").status_code == 200
    assert "focal_point" in readers(cast, seizure)


@pytest.mark.parametrize("role", ["requested", "suspended", "anonymous"])
def test_it_shows_nothing_to_people_who_are_not_active(cast, role):
    shared = file(cast.member, share=True)
    file(cast.member)
    someone = cast.by_role[role]

    if someone is not None:
        assert not access.seizures_visible_to(someone).exists()
    response = signed_in(someone).get(f"/seizures/{shared.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/signin/")
    assert signed_in(someone).get("/api/v1/seizures/").status_code == 401


def test_it_counts_only_readable_records_in_the_list(cast):
    file(cast.member, share=True)
    file(cast.member, share=True, audience=Audience.ORGANISATIONS, organisations=[cast.secretariat])
    file(cast.member)
    file(cast.other_focal_point, share=True, audience=Audience.ORGANISATIONS, organisations=[cast.other], country="FR")

    counts = {
        role: signed_in(cast.by_role[role]).get("/seizures/").context["page"].paginator.count
        for role in ("member", "other_focal_point", "administrator")
    }

    assert counts == {"member": 3, "other_focal_point": 2, "administrator": 2}


def test_it_follows_a_change_of_audience_at_once(cast):
    from seizures import actions
    from seizures.tests.builders import filing

    seizure = file(cast.member, share=True)
    assert "other_focal_point" in readers(cast, seizure)

    actions.update_seizure(
        request=None,
        person=cast.member,
        seizure=seizure,
        filing=filing(audience=Audience.ORGANISATIONS, organisations=[cast.secretariat]),
    )

    assert readers(cast, seizure) == HOME | {"administrator"}


# --- What each person may do on the page ------------------------------------------------------------------------


def controls(cast: Cast, role: str, seizure: Seizure) -> set[str]:
    content = signed_in(cast.by_role[role]).get(f"/seizures/{seizure.pk}/").content.decode()
    found = {
        "change": f'href="/seizures/{seizure.pk}/edit/"',
        "share": f'action="/seizures/{seizure.pk}/share/"',
        "close": f'action="/seizures/{seizure.pk}/close/"',
        "grants": f'href="/seizures/{seizure.pk}/grants/"',
        "contact": "/contact/",
    }
    return {name for name, marker in found.items() if marker in content}


def _related_shared(cast: Cast) -> Seizure:
    seizure = file(cast.member, share=True, containers=["CSQU3054383"])
    file(cast.other_focal_point, share=True, containers=["CSQU3054383"], country="FR", lines=[line("other", "Scrap")])
    assert Link.objects.count() == 1
    return seizure


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", {"change", "close", "grants", "contact"}),
        ("focal_point", {"change", "close", "grants", "contact"}),
        ("observer", set()),
        ("other_focal_point", set()),
        ("administrator", set()),
    ],
)
def test_it_offers_each_person_only_what_they_may_do_on_a_shared_record(cast, role, expected):
    seizure = _related_shared(cast)

    assert controls(cast, role, seizure) == expected


@pytest.mark.parametrize(("role", "expected"), [("member", {"change", "share", "grants"}), ("observer", set())])
def test_it_offers_sharing_on_a_draft_to_those_who_may_file(cast, role, expected):
    draft = file(cast.member)

    assert controls(cast, role, draft) == expected


def test_it_offers_no_change_on_a_closed_record_but_still_grants_and_contact(cast):
    # A prosecution may follow a closed case: its owners may still share the persons involved and ask the
    # related record's officer for contact; the facts no longer change.
    from seizures import actions

    seizure = _related_shared(cast)
    actions.close_seizure(request=None, person=cast.member, seizure=seizure)

    assert controls(cast, "member", seizure) == {"grants", "contact"}
    assert controls(cast, "observer", seizure) == set()


# --- Forbidden answers exactly like missing ----------------------------------------------------------------------


def _without_csrf_tokens(content: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", content)


def _same_answer(client, method: str, forbidden: str, missing: str) -> None:
    send = client.post if method == "POST" else client.get
    one, other = send(forbidden), send(missing)
    assert one.status_code == other.status_code == 404, (forbidden, one.status_code, other.status_code)
    assert _without_csrf_tokens(one.content) == _without_csrf_tokens(other.content), forbidden
    assert one.get("Content-Type") == other.get("Content-Type")


PAGES = [
    ("GET", "/seizures/{}/"),
    ("GET", "/seizures/{}/edit/"),
    ("POST", "/seizures/{}/edit/"),
    ("GET", "/seizures/{}/grants/"),
    ("POST", "/seizures/{}/share/"),
    ("POST", "/seizures/{}/close/"),
    ("GET", "/api/v1/seizures/{}"),
]


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{method} {path}" for method, path in PAGES])
def test_it_answers_a_draft_of_another_organisation_exactly_like_a_missing_record(cast, method, path):
    draft = file(cast.member)

    _same_answer(signed_in(cast.other_focal_point), method, path.format(draft.pk), path.format(draft.pk + 1000))


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{method} {path}" for method, path in PAGES])
def test_it_answers_a_record_outside_the_audience_exactly_like_a_missing_record(cast, method, path):
    seizure = file(cast.member, share=True, audience=Audience.ORGANISATIONS, organisations=[cast.other])

    _same_answer(signed_in(cast.administrator), method, path.format(seizure.pk), path.format(seizure.pk + 1000))


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("observer", "GET", "/seizures/{}/edit/"),
        ("observer", "POST", "/seizures/{}/close/"),
        ("observer", "GET", "/seizures/{}/grants/"),
        ("other_focal_point", "GET", "/seizures/{}/edit/"),
        ("other_focal_point", "POST", "/seizures/{}/close/"),
        ("administrator", "GET", "/seizures/{}/grants/"),
    ],
)
def test_it_answers_an_action_refused_on_a_readable_record_exactly_like_a_missing_record(cast, role, method, path):
    seizure = file(cast.member, share=True)

    _same_answer(signed_in(cast.by_role[role]), method, path.format(seizure.pk), path.format(seizure.pk + 1000))


def test_it_answers_a_contact_request_on_someone_elses_link_exactly_like_a_missing_link(cast):
    seizure = _related_shared(cast)
    link = Link.objects.get()
    client = signed_in(cast.administrator)
    handle = handles.handle(seizure.pk, link.other(seizure.pk))
    # Made by the server, for a pair that was never related; and one nobody made (its last letter changed).
    unrelated = handles.handle(seizure.pk, link.other(seizure.pk) + 1000)
    forged = handle[:-1] + ("a" if handle[-1] != "a" else "b")

    for missing in (unrelated, forged):
        _same_answer(client, "POST", f"/seizures/related/{handle}/contact/", f"/seizures/related/{missing}/contact/")


def test_it_answers_a_related_handle_of_records_one_may_not_read_exactly_like_a_missing_one(cast):
    seizure = file(
        cast.member, share=True, containers=["CSQU3054383"], audience=Audience.ORGANISATIONS, organisations=[cast.home]
    )
    file(
        cast.other_focal_point,
        share=True,
        containers=["CSQU3054383"],
        country="FR",
        audience=Audience.ORGANISATIONS,
        organisations=[cast.other],
    )
    link = Link.objects.get()
    handle = handles.handle(seizure.pk, link.other(seizure.pk))
    forged = handle[:-1] + ("a" if handle[-1] != "a" else "b")

    _same_answer(signed_in(cast.administrator), "GET", f"/seizures/related/{handle}/", f"/seizures/related/{forged}/")


def test_the_one_record_rule_follows_a_reader_who_moves_or_whose_country_changes(cast):
    """``access.may_read`` (compiled once per reader, ``rule_key``) answers as ``seizures_visible_to`` after a
    reader moves to another organisation, after their organisation's country changes, and after they leave."""
    kenya = file(cast.member, share=True, audience=Audience.COUNTRIES, countries=["KE"])
    own = file(cast.member)
    person = cast.other_focal_point

    def agree() -> tuple[bool, bool]:
        person.refresh_from_db()
        answers = tuple(access.may_read(person, record.pk) for record in (kenya, own))
        assert answers == tuple(access.seizures_visible_to(person).filter(pk=r.pk).exists() for r in (kenya, own))
        return answers  # type: ignore[return-value]

    assert agree() == (False, False)
    person.organisation.country = "KE"
    person.organisation.save()
    assert agree() == (True, False)
    person.organisation = cast.home
    person.save()
    assert agree() == (True, True)
    person.state = person.State.SUSPENDED
    person.save()
    assert agree() == (False, False)
    assert not access.may_read(cast.member, own.pk + 1000) and not access.may_read(cast.member, "1")  # type: ignore[arg-type]
