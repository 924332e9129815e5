"""``access.thread_rule``, the rule of ``threads_visible_to`` asked of each row (issue 14: the overview's latest
threads, the unread counts on home and the overview, requests for assistance), means what
``threads_visible_to`` means, for threads and for rows that reach a thread by a key."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Person
from assistance import access as assistance_access
from assistance.models import Request
from messaging import access
from messaging.models import Thread
from messaging.tests.test_readers_of import AUDIENCES, _thread

pytestmark = pytest.mark.django_db


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    threads=st.lists(
        st.tuples(
            st.sampled_from(AUDIENCES),
            st.integers(min_value=0, max_value=20),
            st.sets(st.integers(min_value=0, max_value=10), max_size=2),
            st.sets(st.integers(min_value=0, max_value=20), max_size=2),
            st.sets(st.sampled_from(["KE", "FR", "BR", "XX"]), max_size=2),
            st.sets(st.integers(min_value=0, max_value=20), max_size=3) | st.none(),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_rule_asked_of_each_thread_is_the_whole_rule(cast, threads):
    people = list(Person.objects.order_by("pk"))
    for audience, author_index, organisation_picks, people_picks, country_picks, forum_picks in threads:
        forum = None if forum_picks is None else [people[index % len(people)] for index in forum_picks]
        _thread(audience, people[author_index % len(people)], organisation_picks, people_picks, country_picks, forum)
    for person in people:
        expected = sorted(access.threads_visible_to(person).values_list("pk", flat=True))
        rule = access.thread_rule(person)
        found = [] if rule is None else list(Thread.objects.filter(rule).order_by("pk").values_list("pk", flat=True))
        assert found == expected, person
    assert access.thread_rule(cast.suspended) is None


def test_requests_for_assistance_follow_their_threads(cast):
    """A request is seen by whoever may read its thread: asked of each request's thread by its key."""
    people = list(Person.objects.order_by("pk"))
    author = people[0]
    open_thread = _thread(AUDIENCES[0], author, set(), set(), set(), None)
    named = _thread(AUDIENCES[2], author, set(), {1}, set(), None)
    forum = _thread(AUDIENCES[0], author, set(), set(), set(), [author, people[2]])
    for thread in (open_thread, named, forum):
        Request.objects.create(
            thread=thread, asker=author, organisation=author.organisation, deadline=date(2026, 12, 31)
        )
    for person in people:
        expected = {
            request.pk
            for request in Request.objects.all()
            if access.threads_visible_to(person).filter(pk=request.thread_id).exists()
        }
        assert set(assistance_access.requests_visible_to(person).values_list("pk", flat=True)) == expected, person
    assert not assistance_access.requests_visible_to(cast.suspended).exists()
