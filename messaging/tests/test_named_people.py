"""Naming people as readers tells nobody who has an account: an address nobody has and the address of
someone out of reach (requested, rejected, suspended) get the same answer, byte for byte."""

import pytest

from accounts.access import named_people, people_who_may_be_named
from accounts.models import Person
from accounts.tests.helpers import without_csrf
from conftest import signed_in
from messaging.forms import AudienceForm
from messaging.models import Thread
from messaging.tests.builders import NEW_THREAD, thread_form

ADDRESS = "sam@kra.example"  # the suspended person of the cast
OUT_OF_REACH = [Person.State.SUSPENDED, Person.State.REQUESTED, Person.State.REJECTED]


def _name(cast, address: str = ADDRESS):
    """A TLP:RED thread for one named person, as the page posts it."""
    data = thread_form(marking="red", audience="people", people=[address])
    return signed_in(cast.member).post(NEW_THREAD, data)


def _nobody_has(person: Person) -> None:
    """The address becomes one that nobody has."""
    person.email = "someone-else@kra.example"
    person.save(update_fields=["email"])


@pytest.mark.parametrize("state", OUT_OF_REACH)
def test_it_answers_for_someone_out_of_reach_as_for_nobody(cast, state):
    Person.objects.filter(pk=cast.suspended.pk).update(state=state)
    out_of_reach = _name(cast)

    _nobody_has(cast.suspended)
    unknown = _name(cast)

    assert out_of_reach.status_code == unknown.status_code == 400
    assert without_csrf(out_of_reach.content) == without_csrf(unknown.content)
    assert out_of_reach.context["form"].errors == unknown.context["form"].errors
    assert unknown.context["form"].errors["people"] == [f"No active member has these addresses: {ADDRESS}"]
    assert Thread.objects.count() == 0


def test_it_takes_an_active_member(cast):
    Person.objects.filter(pk=cast.suspended.pk).update(state=Person.State.ACTIVE)

    response = _name(cast)

    assert response.status_code == 302
    thread = Thread.objects.get()
    assert set(thread.audience_people.all()) == {cast.suspended, cast.member}


@pytest.mark.parametrize("state", OUT_OF_REACH)
def test_the_seizure_and_import_forms_answer_alike_too(cast, state):
    # The record form and the import page are AudienceForms: the same rule, the same words.
    def errors() -> dict:
        form = AudienceForm({"marking": "red", "audience": "people", "people": ADDRESS.upper()})
        assert not form.is_valid()
        return form.errors

    Person.objects.filter(pk=cast.suspended.pk).update(state=state)
    out_of_reach = errors()
    _nobody_has(cast.suspended)

    assert out_of_reach == errors()


def test_it_resolves_addresses_in_one_query_whoever_has_them(cast, django_assert_num_queries):
    typed = [" Mohamed@KRA.example", ADDRESS, "nobody@nowhere.example", "", cast.requested.email]

    with django_assert_num_queries(1):
        found, nobody = named_people(typed)

    assert found == [cast.member]
    assert nobody == sorted(["nobody@nowhere.example", ADDRESS, cast.requested.email])


def test_only_active_people_are_within_reach(cast):
    assert set(people_who_may_be_named()) == {
        cast.observer,
        cast.member,
        cast.focal_point,
        cast.other_focal_point,
        cast.administrator,
    }
