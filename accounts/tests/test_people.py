"""Managing people: focal points for their own organisation only, administrators for everyone."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts.models import Person
from accounts.tests.helpers import entries, is_signed_in, without_csrf
from conftest import PASSWORD, make_person, signed_in

MISSING = 999_999


def _names(response) -> set[str]:
    return {person.full_name for person in response.context["page"]}


@pytest.fixture
def home_administrator(cast) -> Person:
    """An administrator who happens to belong to the focal point's own organisation."""
    return make_person("hana@kra.example", "Hana Admin", cast.home, role=Person.Role.ADMINISTRATOR)


# --- Seeing people -----------------------------------------------------------------------------------------


def test_it_shows_a_focal_point_only_the_people_of_their_organisation(cast):
    response = signed_in(cast.focal_point).get("/accounts/people/")

    assert _names(response) == {
        "Rita Requested",
        "Sam Suspended",
        "Olga Observer",
        "Mohamed Member",
        "Fatou Focal",
    }
    assert [person.full_name for person in response.context["waiting"]] == ["Rita Requested"]


def test_it_shows_an_administrator_everyone(cast):
    response = signed_in(cast.administrator).get("/accounts/people/")

    assert _names(response) == set(Person.objects.values_list("full_name", flat=True))


def test_it_dates_a_request_as_every_other_page_does(cast):
    Person.objects.filter(pk=cast.requested.pk).update(date_joined=datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    page = signed_in(cast.administrator).get("/accounts/people/").content.decode()
    assert "<td>2026-12-07</td>" in page
    assert "12/07/2026" not in page


def test_it_filters_by_name_and_state(cast):
    client = signed_in(cast.administrator)

    assert _names(client.get("/accounts/people/?q=moham")) == {"Mohamed Member"}
    assert _names(client.get("/accounts/people/?q=douane.example")) == {"Oscar Other"}
    assert _names(client.get("/accounts/people/?state=suspended")) == {"Sam Suspended"}


def test_it_does_not_let_a_search_reach_beyond_the_organisation(cast):
    assert _names(signed_in(cast.focal_point).get("/accounts/people/?q=oscar")) == set()


@pytest.mark.parametrize("who", ["member", "observer"])
def test_it_answers_not_found_to_people_who_manage_nobody(cast, who):
    client = signed_in(getattr(cast, who))

    assert client.get("/accounts/people/").status_code == 404
    assert client.get(f"/accounts/people/{cast.member.pk}/").status_code == 404


def test_it_answers_not_found_for_another_organisation_exactly_as_for_nobody(cast):
    client = signed_in(cast.other_focal_point)

    forbidden = client.get(f"/accounts/people/{cast.member.pk}/")
    missing = client.get(f"/accounts/people/{MISSING}/")

    assert forbidden.status_code == missing.status_code == 404
    assert without_csrf(forbidden.content) == without_csrf(missing.content)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("role", {"role": "observer"}),
        ("suspend", {"reason": "Probing"}),
        ("approve", {"role": "member"}),
        ("reject", {"reason": "Probing"}),
        ("expertise", {"is_expert": "on"}),
        ("resend", {}),
        ("reactivate", {}),
    ],
)
def test_it_answers_writes_on_another_organisation_exactly_as_on_nobody(cast, action, data):
    client = signed_in(cast.other_focal_point)
    target = {"approve": cast.requested, "reject": cast.requested, "reactivate": cast.suspended}.get(
        action, cast.member
    )
    before = list(Person.objects.order_by("pk").values_list("state", "role", "is_expert"))

    forbidden = client.post(f"/accounts/people/{target.pk}/{action}/", data)
    missing = client.post(f"/accounts/people/{MISSING}/{action}/", data)

    assert forbidden.status_code == missing.status_code == 404
    assert without_csrf(forbidden.content) == without_csrf(missing.content)
    assert list(Person.objects.order_by("pk").values_list("state", "role", "is_expert")) == before


# --- Roles ---------------------------------------------------------------------------------------------------


def _set_role(client: Client, person: Person, role: str):
    return client.post(f"/accounts/people/{person.pk}/role/", {"role": role})


def _role(person: Person) -> str:
    return Person.objects.get(pk=person.pk).role


def test_it_lets_a_focal_point_change_roles_in_their_organisation(cast):
    response = _set_role(signed_in(cast.focal_point), cast.member, "focal_point")

    assert response["Location"] == f"/accounts/people/{cast.member.pk}/"
    assert _role(cast.member) == "focal_point"
    [entry] = entries("person.role_changed")
    assert (entry.actor, entry.changes) == (cast.focal_point, {"role": ["member", "focal_point"]})


def test_it_does_not_let_a_focal_point_make_an_administrator(cast):
    response = _set_role(signed_in(cast.focal_point), cast.member, "administrator")

    assert response.status_code == 400
    assert _role(cast.member) == "member"


def test_it_does_not_let_a_focal_point_touch_an_administrator(cast, home_administrator):
    client = signed_in(cast.focal_point)

    role = _set_role(client, home_administrator, "member")
    suspension = client.post(f"/accounts/people/{home_administrator.pk}/suspend/", {"reason": "Coup"})
    expertise = client.post(f"/accounts/people/{home_administrator.pk}/expertise/", {"is_expert": "on"})

    assert role.status_code == suspension.status_code == expertise.status_code == 404
    administrator = Person.objects.get(pk=home_administrator.pk)
    assert administrator.is_administrator and not administrator.is_expert


def test_it_does_not_let_anyone_change_their_own_role(cast):
    assert _set_role(signed_in(cast.focal_point), cast.focal_point, "member").status_code == 404
    assert _set_role(signed_in(cast.administrator), cast.administrator, "member").status_code == 404
    assert _role(cast.focal_point) == "focal_point"
    assert _role(cast.administrator) == "administrator"


def test_it_does_not_change_the_role_of_someone_not_active(cast):
    assert _set_role(signed_in(cast.administrator), cast.suspended, "observer").status_code == 404
    assert _role(cast.suspended) == "member"


def test_it_lets_an_administrator_give_and_take_any_role(cast, home_administrator):
    client = signed_in(cast.administrator)

    _set_role(client, cast.other_focal_point, "administrator")
    _set_role(client, home_administrator, "member")

    assert _role(cast.other_focal_point) == "administrator"
    assert _role(home_administrator) == "member"


def test_it_does_not_record_a_role_change_that_changes_nothing(cast):
    _set_role(signed_in(cast.focal_point), cast.member, "member")

    assert entries("person.role_changed") == []


def test_it_hides_administrators_from_the_focal_point_of_their_organisation(cast, home_administrator):
    client = signed_in(cast.focal_point)

    assert "Hana Admin" not in _names(client.get("/accounts/people/"))
    assert client.get(f"/accounts/people/{home_administrator.pk}/").status_code == 404


def test_it_offers_only_the_roles_that_may_be_given(cast):
    client = signed_in(cast.focal_point)

    offered = client.get(f"/accounts/people/{cast.member.pk}/").context["role_form"].fields["role"].choices
    assert [value for value, _label in offered] == ["focal_point", "member", "observer"]
    assert client.get(f"/accounts/people/{cast.focal_point.pk}/").context["role_form"] is None


# --- Suspension ------------------------------------------------------------------------------------------------


def test_it_lets_a_focal_point_suspend_and_reactivate_someone_of_their_organisation(cast):
    client = signed_in(cast.focal_point)

    client.post(f"/accounts/people/{cast.member.pk}/suspend/", {"reason": "Left the service"})
    assert Person.objects.get(pk=cast.member.pk).state == "suspended"
    # Suspended people cannot sign in; their record stays.
    refused = Client().post("/accounts/signin/", {"email": cast.member.email, "password": PASSWORD})
    assert refused.status_code == 200

    client.post(f"/accounts/people/{cast.member.pk}/reactivate/")
    assert Person.objects.get(pk=cast.member.pk).state == "active"


def test_it_records_the_reason_for_a_suspension(cast):
    signed_in(cast.focal_point).post(f"/accounts/people/{cast.member.pk}/suspend/", {"reason": "Left the service"})

    [entry] = entries("person.suspended")
    assert entry.changes == {"state": ["active", "suspended"], "reason": "Left the service"}


def test_it_requires_a_reason_to_suspend(cast):
    response = signed_in(cast.focal_point).post(f"/accounts/people/{cast.member.pk}/suspend/", {"reason": ""})

    assert response.status_code == 400
    assert Person.objects.get(pk=cast.member.pk).state == "active"


def test_it_does_not_let_people_suspend_themselves(cast):
    client = signed_in(cast.administrator)

    response = client.post(f"/accounts/people/{cast.administrator.pk}/suspend/", {"reason": "Oops"})

    assert response.status_code == 404
    assert is_signed_in(client)


def test_it_lets_an_administrator_suspend_a_focal_point_anywhere(cast):
    signed_in(cast.administrator).post(f"/accounts/people/{cast.other_focal_point.pk}/suspend/", {"reason": "Left"})

    assert Person.objects.get(pk=cast.other_focal_point.pk).state == "suspended"


def test_it_never_deletes_anyone(cast):
    signed_in(cast.focal_point).post(f"/accounts/people/{cast.member.pk}/suspend/", {"reason": "Left"})

    assert Person.objects.filter(pk=cast.member.pk).exists()
    assert signed_in(cast.focal_point).delete(f"/accounts/people/{cast.member.pk}/").status_code == 405


# --- Expertise -------------------------------------------------------------------------------------------------


def test_it_lets_a_focal_point_mark_an_expert(cast):
    response = signed_in(cast.focal_point).post(
        f"/accounts/people/{cast.member.pk}/expertise/",
        {"is_expert": "on", "expert_conventions": ["cites"], "expert_topics": ["B"], "expert_regions": ["africa"]},
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=cast.member.pk)
    assert (person.is_expert, person.expert_conventions, person.expert_topics) == (True, ["cites"], ["B"])
    [entry] = entries("person.expertise_changed")
    assert entry.changes["is_expert"] == [False, True]
