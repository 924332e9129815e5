"""``access.readers_of`` (who may read one thread, in one query, for sending a notice to many) agrees with
``access.threads_visible_to`` (what one person may read), person by person, whatever the thread's audience."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation, Person
from messaging import access
from messaging.models import Audience, Thread
from topics.models import Topic

pytestmark = pytest.mark.django_db

AUDIENCES = [Audience.NETWORK, Audience.ORGANISATIONS, Audience.PEOPLE, Audience.COUNTRIES]


# Threads of any audience, author, chosen organisations, named people and countries, each under a forum whose
# members are the people picked, or under none (None): for the tests that hold a rule to threads_visible_to.
_THREAD_PARTS = (
    st.sampled_from(AUDIENCES),
    st.integers(min_value=0, max_value=20),
    st.sets(st.integers(min_value=0, max_value=10), max_size=2),
    st.sets(st.integers(min_value=0, max_value=20), max_size=2),
    st.sets(st.sampled_from(["KE", "FR", "BR", "XX"]), max_size=2),
)
THREAD_SHAPES = st.lists(
    st.tuples(*_THREAD_PARTS, st.sets(st.integers(min_value=0, max_value=20), max_size=3) | st.none()),
    min_size=1,
    max_size=6,
)


def make_threads(shapes) -> list[tuple[Thread, Person]]:
    """The threads ``THREAD_SHAPES`` drew, among everyone in the database, each with its author."""
    people = list(Person.objects.order_by("pk"))
    made = []
    for audience, author_index, organisation_picks, people_picks, country_picks, forum_picks in shapes:
        forum = None if forum_picks is None else [people[index % len(people)] for index in forum_picks]
        author = people[author_index % len(people)]
        made.append((_thread(audience, author, organisation_picks, people_picks, country_picks, forum), author))
    return made


def _thread(audience, author, organisation_picks, people_picks, country_picks, forum_members) -> Thread:
    """A thread with this audience; in a forum of ``forum_members`` unless that is None."""
    people = list(Person.objects.order_by("pk"))
    organisations = list(Organisation.objects.order_by("pk"))
    thread = Thread.objects.create(
        subject="Who reads this?",
        author=author,
        organisation=author.organisation,
        audience=audience,
        audience_countries="," + ",".join(sorted(country_picks)) + "," if country_picks else "",
    )
    thread.audience_organisations.set([organisations[index % len(organisations)] for index in organisation_picks])
    thread.audience_people.set([people[index % len(people)] for index in people_picks])
    if forum_members is not None:
        forum = Topic.objects.create(code=f"F{thread.pk}", name="Working group", is_forum=True)
        forum.members.set(forum_members)
        thread.topics.add(forum)
    return thread


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    audience=st.sampled_from(AUDIENCES),
    author_index=st.integers(min_value=0, max_value=20),
    organisation_picks=st.sets(st.integers(min_value=0, max_value=10), max_size=3),
    people_picks=st.sets(st.integers(min_value=0, max_value=20), max_size=3),
    country_picks=st.sets(st.sampled_from(["KE", "FR", "BR", "CH", "XX"]), max_size=3),
    in_forum=st.booleans(),
    forum_member_picks=st.sets(st.integers(min_value=0, max_value=20), max_size=4),
)
def test_the_readers_of_a_thread_are_exactly_those_who_see_it(
    cast, audience, author_index, organisation_picks, people_picks, country_picks, in_forum, forum_member_picks
):
    people = list(Person.objects.order_by("pk"))
    thread = _thread(
        audience,
        people[author_index % len(people)],
        organisation_picks,
        people_picks,
        country_picks,
        [people[index % len(people)] for index in forum_member_picks] if in_forum else None,
    )
    thread.topics.add(Topic.objects.get(code="B"))

    readers = set(access.readers_of(thread, Person.objects.all()).values_list("pk", flat=True))
    seeing = {person.pk for person in people if access.threads_visible_to(person).filter(pk=thread.pk).exists()}
    assert readers == seeing


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    threads=st.lists(
        st.tuples(*_THREAD_PARTS, st.booleans()),
        min_size=1,
        max_size=6,
    ),
    asked=st.sets(st.integers(min_value=0, max_value=7), max_size=5),
)
def test_the_rule_asked_of_a_few_threads_is_the_whole_rule_narrowed_to_them(cast, threads, asked):
    """A search asks the rule of its matches' threads only (``among``): the same answer as the whole rule."""
    people = list(Person.objects.order_by("pk"))
    made = [
        _thread(
            audience,
            people[author_index % len(people)],
            organisation_picks,
            people_picks,
            country_picks,
            people[: author_index % 4] if in_forum else None,
        ).pk
        for audience, author_index, organisation_picks, people_picks, country_picks, in_forum in threads
    ]
    among = {made[index % len(made)] for index in asked} | {10**9}  # and a thread that does not exist
    for person in people:
        whole = set(access.threads_visible_to(person).values_list("pk", flat=True)) & among
        assert set(access.threads_visible_to(person, among=among).values_list("pk", flat=True)) == whole


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    audience=st.sampled_from(AUDIENCES),
    author_index=st.integers(min_value=0, max_value=20),
    organisation_picks=st.sets(st.integers(min_value=0, max_value=10), max_size=3),
    people_picks=st.sets(st.integers(min_value=0, max_value=20), max_size=3),
    country_picks=st.sets(st.sampled_from(["KE", "FR", "BR", "CH", "XX"]), max_size=3),
    forums=st.lists(st.sets(st.integers(min_value=0, max_value=20), max_size=4), max_size=2),
)
def test_the_one_statement_a_stream_asks_answers_as_the_rule(
    cast, audience, author_index, organisation_picks, people_picks, country_picks, forums
):
    """``access.may_read_thread`` (a thread page's live stream, one prepared statement) answers exactly as
    ``threads_visible_to`` for every reader, whatever the audience and forums; and no for a missing thread."""
    people = list(Person.objects.select_related("organisation").order_by("pk"))
    thread = _thread(
        audience, people[author_index % len(people)], organisation_picks, people_picks, country_picks, None
    )
    for number, members in enumerate(forums):  # under two forums: for the members of both only
        forum = Topic.objects.create(code=f"G{thread.pk}-{number}", name="Working group", is_forum=True)
        forum.members.set([people[index % len(people)] for index in members])
        thread.topics.add(forum)
    thread.topics.add(Topic.objects.get(code="B"))

    with connection.cursor() as cursor:
        for person in [person for person in people if access.is_reader(person)]:
            expected = access.threads_visible_to(person).filter(pk=thread.pk).exists()
            assert _may_read(cursor, person, thread.pk) == expected, person
            assert not _may_read(cursor, person, thread.pk + 1000)


def _may_read(cursor, person: Person, thread_id: int) -> bool:
    organisation = person.organisation
    return access.may_read_thread(
        cursor,
        person_id=person.pk,
        organisation_id=organisation.pk,
        country=organisation.country,
        thread_id=thread_id,
    )
