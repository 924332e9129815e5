"""The home page says how many requests wait for the person, counted over what they may read; the navigation
links to the tracker."""

from django.urls import reverse

from assistance.tests.builders import ask
from conftest import signed_in
from messaging.models import Audience, Marking


def test_the_home_page_counts_requests_waiting_for_the_expert(cast, expert):
    ask(cast.member, experts=[expert])
    page = signed_in(expert).get(reverse("home"))
    assert b"1 request for assistance is waiting for you." in page.content
    assert reverse("assistance:tracker").encode() in page.content


def test_the_count_leaves_out_a_request_the_person_may_no_longer_read(cast, expert):
    found = ask(
        cast.member, experts=[expert], audience=Audience.ORGANISATIONS, organisations=[cast.home, cast.secretariat],
        marking=Marking.AMBER,
    )  # fmt: skip
    found.thread.audience_organisations.set([cast.home])  # narrowed after the invitation
    page = signed_in(expert).get(reverse("home"))
    assert b"waiting for you" not in page.content


def test_the_counts_compiled_once_follow_the_requests_the_deadline_and_the_person(cast, expert, monkeypatch):
    """Home's two counts run statements compiled once per reader and what else they read of the person (their
    expert flag, the topics they follow), today set anew on each count: after every change below they equal the
    tracker's lists and the plain query, and a change of the person made by one request shows on the next."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from assistance import access, actions, selectors
    from assistance.models import State
    from topics.models import Topic, TopicChoice

    def waiting_by_the_orm(person) -> int:
        mine = Q(asker=person, state=State.ANSWERED)
        if access.is_expert(person):
            mine |= Q(invitations__expert=person, state=State.OPEN) | Q(expert=person, state=State.ACCEPTED)
        return access.requests_visible_to(person).filter(mine).distinct().count()

    def agree(person) -> tuple[int, int]:
        overdue, waiting = selectors.overdue_count(person=person), selectors.waiting_count(person=person)
        assert overdue == len(selectors.tracker(person=person)["overdue"]), person
        assert waiting == waiting_by_the_orm(person), person
        return overdue, waiting

    watchers = [expert, cast.member, cast.focal_point, cast.other_focal_point, cast.administrator, cast.observer]
    counts = [[agree(person) for person in watchers]]
    found = ask(cast.member, experts=[expert], deadline=timezone.localdate() + timedelta(days=2))
    counts.append([agree(person) for person in watchers])
    actions.accept(request=None, expert=expert, found=found)
    counts.append([agree(person) for person in watchers])
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + timedelta(days=5))  # past the deadline
    counts.append([agree(person) for person in watchers])
    topic = Topic.objects.get(code="B")
    for delivery in (TopicChoice.Delivery.NONE, TopicChoice.Delivery.LIVE):
        for person in (cast.focal_point, cast.administrator):
            TopicChoice.objects.update_or_create(person=person, topic=topic, defaults={"delivery": delivery})
        counts.append([agree(person) for person in watchers])
    expert.is_expert = False
    expert.save()
    counts.append([agree(person) for person in watchers])
    found.thread.audience = "people"
    found.thread.save()
    found.thread.audience_people.set([cast.member])
    counts.append([agree(person) for person in watchers])
    assert len({tuple(each) for each in counts}) >= 5  # the changes did change the counts
