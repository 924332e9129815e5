"""The home page says what needs the person now, most urgent first, each with its count and link, counted
only over what they may see, with the same few queries however much there is; then their topics."""

import itertools
import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Person
from assistance.models import Request
from assistance.tests.builders import ask
from assistance.tests.conftest import expert_in
from conftest import Cast, signed_in
from messaging import actions as messaging
from messaging.models import Audience, Message, Thread
from network.models import Activity, ActivityType, Flag, Meeting, Participant, Participation
from network.tests.builders import build
from seizures.models import FollowedSearch, Link
from seizures.tests.builders import file
from topics.models import Topic, TopicChoice

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def needs(person: Person) -> list[str]:
    """The sentences under "What needs you now", in order, as the person reads them."""
    html = signed_in(person).get("/").content.decode()
    section = html.split('id="needs-heading"')[1].split("</section>")[0]
    return [
        unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip())
        for item in re.findall(r"<li>(.*?)</li>", section, re.S)
    ]


def alert(author: Person, *, subject: str = "Ivory at Mombasa", **audience) -> Thread:
    thread = Thread.objects.create(
        subject=subject, author=author, organisation=author.organisation, **audience.get("fields", {})
    )
    thread.topics.set([Topic.objects.get(code="B")])
    if "organisations" in audience:
        thread.audience_organisations.set(audience["organisations"])
    Message.objects.create(thread=thread, author=author, kind=Message.Kind.ALERT, body="Watch", body_html="Watch")
    return thread


def follow_b(person: Person) -> None:
    TopicChoice.objects.update_or_create(
        person=person, topic=Topic.objects.get(code="B"), defaults={"delivery": TopicChoice.Delivery.LIVE}
    )


def activity(net, cast: Cast, title: str) -> Activity:
    found = Activity.objects.create(
        network=net.network,
        title=title,
        kind=ActivityType.TRAINING,
        proposed_by=cast.focal_point,
        submission_key=uuid.uuid4().hex,
    )
    found.leads.set([cast.home])
    return found


def meeting(net, person: Person) -> Meeting:
    today = timezone.localdate()
    found = Meeting.objects.create(
        network=net.network,
        number=f"ENFORCE-{next(_numbers)}",
        title="Annual meeting",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=32),
    )
    Participant.objects.create(meeting=found, person=person, state=Participation.INVITED)
    return found


def matching(person: Person, officer: Person):
    """A shared record of ``officer``'s and the notice telling ``person`` it matches a search they follow."""
    record = file(officer, share=True)
    search = FollowedSearch.objects.create(person=person, name="Ivory", convention="cites")
    messaging.notice(person=person, about="seizure.match", record=record.pk, search=search.pk)
    return record


def overdue(asker: Person, expert: Person) -> Request:
    """A request for assistance from ``asker`` to ``expert``, past its deadline."""
    found = ask(asker, experts=[expert])
    Request.objects.filter(pk=found.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    return found


def test_it_puts_requests_for_assistance_first_for_the_asker_and_the_expert(cast):
    expert = expert_in(cast.secretariat, "emma@wco.example", "Emma Expert")
    alert(cast.focal_point)
    overdue(cast.member, expert)
    assert needs(cast.member) == ["1 request for assistance is overdue.", "1 alert you have not read."]
    assert needs(expert) == [
        "1 request for assistance is overdue.",
        "1 request for assistance is waiting for you.",
        "1 alert you have not read.",
    ]
    assert needs(cast.observer) == ["1 alert you have not read."]  # nor the asker nor invited: not counted


def test_it_says_plainly_when_nothing_needs_the_person(cast):
    html = signed_in(cast.member).get("/").content.decode()
    assert "Nothing needs you now" in html
    assert needs(cast.member) == []


def test_it_says_what_needs_a_member_most_urgent_first_with_links(cast):
    follow_b(cast.member)
    thread = alert(cast.focal_point)
    draft = file(cast.member)  # a draft, not shared
    net = build(cast)
    found = meeting(net, cast.member)
    first, second = activity(net, cast, "Port training"), activity(net, cast, "Port workshop")
    Flag.objects.create(network=net.network, kind="duplicate", first=first, second=second)
    record = matching(cast.member, cast.other_focal_point)

    assert needs(cast.member) == [
        "1 alert you have not read.",
        "1 meeting invitation is waiting for your answer.",
        "1 roadmap flag on your organisation's activities is open.",
        "1 seizure record is related to yours or matches a search you follow (last 30 days).",
        "2 messages in your topics are unread.",  # the alert, and the matching record's own thread
        "1 seizure record of yours is a draft, not shared yet.",
    ]
    html = signed_in(cast.member).get("/").content.decode()
    for path in (
        f"/messages/threads/{thread.pk}/",
        f"/network/ENFORCE/meetings/{found.pk}/",
        "/network/ENFORCE/flags/",
        f"/seizures/{record.pk}/",
        f"/seizures/{draft.pk}/",
    ):
        assert f'href="{path}"' in html
    assert 'data-unread-topic="B"' in html  # then the topics, with what is unread in each


def test_an_observer_sees_what_they_may_read_and_nothing_to_file(cast):
    alert(cast.focal_point)
    file(cast.member)  # a colleague's draft is not the observer's
    assert needs(cast.observer) == ["1 alert you have not read."]


def test_focal_points_and_administrators_see_who_waits_for_their_approval(cast):
    alert(cast.member)
    said = "1 access request is waiting for your decision."
    assert said in needs(cast.focal_point)  # cast.requested asked to join their organisation
    assert said in needs(cast.administrator)
    assert not any("access request" in need for need in needs(cast.member))
    assert not any("access request" in need for need in needs(cast.other_focal_point))


def test_it_never_counts_what_the_person_may_not_see(cast):
    # An alert for another organisation only; a record of theirs still a draft, matched and related;
    # a flag between activities of another organisation; a meeting of a network the person is not in.
    alert(cast.other_focal_point, fields={"audience": Audience.ORGANISATIONS}, organisations=[cast.other])
    hidden = file(cast.other_focal_point)
    search = FollowedSearch.objects.create(person=cast.member, name="Ivory", convention="cites")
    messaging.notice(person=cast.member, about="seizure.match", record=hidden.pk, search=search.pk)
    own = file(cast.member, share=True)
    Link.objects.update_or_create(
        low_id=min(own.pk, hidden.pk), high_id=max(own.pk, hidden.pk), defaults={"reasons": 1}
    )
    messaging.notice(person=cast.member, about="seizure.related", record=own.pk, other=hidden.pk)
    other_net = build(cast, short_name="OTHER")
    other_net.network.memberships.all().delete()
    meeting(other_net, cast.member)
    net = build(cast, short_name="ENFORCE")
    first, second = activity(net, cast, "A"), activity(net, cast, "B")
    for found in (first, second):
        found.leads.set([cast.other])
        Activity.objects.filter(pk=found.pk).update(proposed_by=cast.other_focal_point)
    Flag.objects.create(network=net.network, kind="duplicate", first=first, second=second)
    messaging.notice(person=cast.member, about="seizure.match", record=own.pk, search=search.pk + 1000)

    assert needs(cast.member) == []


def _queries(person: Person) -> int:
    client = signed_in(person)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_it_asks_the_same_few_queries_however_much_there_is(cast):
    follow_b(cast.member)
    net = build(cast)
    expert = expert_in(cast.secretariat, "emma@wco.example", "Emma Expert")

    def add(count: int) -> None:
        for _ in range(count):
            overdue(cast.member, expert)
            alert(cast.focal_point)
            file(cast.member)
            matching(cast.member, cast.other_focal_point)
            meeting(net, cast.member)
            Flag.objects.create(
                network=net.network, kind="duplicate", first=activity(net, cast, "A"), second=activity(net, cast, "B")
            )

    add(2)
    few = _queries(cast.member)
    add(18)
    assert _queries(cast.member) == few
    said = needs(cast.member)
    assert "20 alerts you have not read." in said
    assert "20 requests for assistance are overdue." in said
    assert 'href="/seizures/?status=draft"' in signed_in(cast.member).get("/").content.decode()  # many: their list


def _moved_to_another_organisation(cast: Cast) -> None:
    cast.member.organisation = cast.other
    cast.member.save(update_fields=["organisation"])


def _made_administrator(cast: Cast) -> None:
    cast.member.role = Person.Role.ADMINISTRATOR
    cast.member.save(update_fields=["role"])


@pytest.mark.parametrize("change", [_moved_to_another_organisation, _made_administrator])
def test_meetings_and_flags_follow_the_person_as_they_are_today(cast, change):
    """What home asks of the networks is compiled once per person (accounts.selectors._NETWORK_NEEDS): a
    person who moves or takes another role is told what is theirs now, as if nothing were kept."""
    from accounts import selectors

    net = build(cast)
    meeting(net, cast.member)
    first, second = activity(net, cast, "Port training"), activity(net, cast, "Port workshop")
    Flag.objects.create(network=net.network, kind="duplicate", first=first, second=second)
    other_net = build(cast, short_name="OTHER")
    other_net.network.memberships.all().delete()
    meeting(other_net, cast.member)  # seen by administrators only
    before = needs(cast.member)

    change(cast)
    shown = needs(cast.member)
    selectors._NETWORK_NEEDS.clear()
    assert shown == needs(cast.member)
    assert shown != before


def test_a_notice_older_than_the_window_no_longer_needs_the_person(cast):
    """The notices' statement is compiled once per person and given the start of the window on each visit: a
    notice of 31 days ago is left out, one of 29 days ago counted, whichever was asked first."""
    from messaging.models import Event

    said = "seizure record is related to yours or matches a search you follow (last 30 days)."
    record = matching(cast.member, cast.other_focal_point)
    assert f"1 {said}" in needs(cast.member)  # the statement is now compiled and kept
    Event.objects.filter(kind="notice", person=cast.member).update(created_at=timezone.now() - timedelta(days=31))
    assert not [need for need in needs(cast.member) if said in need]
    Event.objects.filter(kind="notice", person=cast.member).update(created_at=timezone.now() - timedelta(days=29))
    assert f"1 {said}" in needs(cast.member)
    assert f'href="/seizures/{record.pk}/"' in signed_in(cast.member).get("/").content.decode()
