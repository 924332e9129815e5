"""``access.thread_rule``, the rule of ``threads_visible_to`` asked of each row (issue 14: the overview's latest
threads, the unread counts on home and the overview, requests for assistance), means what
``threads_visible_to`` means, for threads and for rows that reach a thread by a key."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings

from accounts.models import Person
from assistance import access as assistance_access
from assistance.models import Request
from messaging import access
from messaging.models import Thread
from messaging.tests.test_readers_of import AUDIENCES, THREAD_SHAPES, _thread, make_threads

pytestmark = pytest.mark.django_db


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(threads=THREAD_SHAPES)
def test_the_rule_asked_of_each_thread_is_the_whole_rule(cast, threads):
    make_threads(threads)
    people = list(Person.objects.order_by("pk"))
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
