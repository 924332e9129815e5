"""``topics.selectors.visible_topics``, from a statement compiled once per person, is ``topics_visible_to`` read
whole: the same topics in the same order with the same values of the same types, for every role, and still so
after a forum is opened or its members change (which the statement reads when it runs)."""

import pytest
from django.utils import timezone

from conftest import typed
from topics.access import topics_visible_to
from topics.models import Topic
from topics.selectors import visible_topics

pytestmark = pytest.mark.django_db


def same_as_the_orm(person) -> list:
    found, orm = visible_topics(person), list(topics_visible_to(person))
    assert [typed(topic) for topic in found] == [typed(topic) for topic in orm]
    return [topic.code for topic in found]


def test_each_role_sees_the_topics_the_rule_lets_through(cast):
    for person in cast.by_role.values():
        if person is not None:
            same_as_the_orm(person)
    assert same_as_the_orm(cast.member)[:7] == list("ABCDEFG")
    assert visible_topics(cast.suspended) == [] and visible_topics(cast.requested) == []


def test_forums_and_their_members_are_read_when_asked(cast):
    before = same_as_the_orm(cast.member)  # the statement is compiled, and kept
    forum = Topic.objects.create(
        code="WG1", name="Working group", position=99, is_forum=True, created_at=timezone.now()
    )
    assert same_as_the_orm(cast.member) == before  # not a member
    forum.members.add(cast.member)
    assert same_as_the_orm(cast.member) == [*before, "WG1"]
    assert "WG1" not in same_as_the_orm(cast.focal_point)
    forum.members.remove(cast.member)
    assert same_as_the_orm(cast.member) == before
