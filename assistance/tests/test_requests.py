"""Who may ask, accept, answer, close and withdraw; the states and their dated history; the thread; audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assistance import access, actions
from assistance.models import Request, State
from assistance.tests.builders import answered, ask, draft
from audit.models import Entry
from messaging.models import Audience, Marking, Message


def test_it_opens_a_request_as_a_thread_of_kind_request(cast, expert):
    found = ask(cast.member, experts=[expert])
    assert found.state == State.OPEN
    message = found.thread.messages.get()
    assert message.kind == Message.Kind.REQUEST
    assert found.thread.subject.startswith("Pangolin")
    assert list(found.invited.all()) == [expert]
    assert [change.state for change in found.history.all()] == [State.OPEN]


def test_it_refuses_an_observer_asking(cast):
    with pytest.raises(actions.Refused):
        ask(cast.observer)


def test_it_refuses_a_deadline_in_the_past(cast):
    with pytest.raises(actions.Refused, match="past"):
        ask(cast.member, deadline=timezone.localdate() - timedelta(days=1))
    assert not Request.objects.exists()


def test_it_refuses_unknown_codes(cast):
    with pytest.raises(actions.Refused):
        ask(cast.member, areas=["unicorn_horn"])
    with pytest.raises(actions.Refused):
        ask(cast.member, conventions=["narnia"])
    assert not Request.objects.exists()


def test_it_refuses_red_without_named_people(cast):
    with pytest.raises(actions.Refused, match="RED"):
        ask(cast.member, marking=Marking.RED, audience=Audience.NETWORK)


def test_it_adds_invited_experts_to_a_named_people_audience(cast, expert):
    found = ask(cast.member, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.focal_point], experts=[expert])
    assert set(found.thread.audience_people.all()) == {cast.member, cast.focal_point, expert}
    assert access.may_read(expert, found)


def test_red_may_name_only_the_invited_experts(cast, expert):
    found = ask(cast.member, marking=Marking.RED, audience=Audience.PEOPLE, experts=[expert])
    assert set(found.thread.audience_people.all()) == {cast.member, expert}
    assert not access.may_read(cast.focal_point, found)


def test_it_refuses_inviting_an_expert_outside_the_audience(cast, far_expert):
    found = ask(cast.member, audience=Audience.ORGANISATIONS, organisations=[cast.home], marking=Marking.AMBER)
    with pytest.raises(actions.Refused, match="outside the audience"):
        actions.invite(request=None, asker=cast.member, found=found, experts=[far_expert])


def test_it_refuses_asking_with_an_expert_outside_the_audience_before_writing_anything(cast, far_expert):
    from messaging.models import Thread

    with pytest.raises(actions.Refused, match="outside the audience"):
        ask(
            cast.member,
            experts=[far_expert],
            audience=Audience.ORGANISATIONS,
            organisations=[cast.home],
            marking=Marking.AMBER,
        )
    assert not Thread.objects.exists() and not Request.objects.exists()


def test_it_refuses_inviting_someone_who_is_not_an_expert(cast):
    found = ask(cast.member)
    with pytest.raises(actions.Refused):
        actions.invite(request=None, asker=cast.member, found=found, experts=[cast.focal_point])


def test_it_lets_only_the_asker_invite(cast, expert):
    found = ask(cast.member)
    with pytest.raises(actions.Refused):
        actions.invite(request=None, asker=cast.focal_point, found=found, experts=[expert])


def test_it_lets_only_experts_accept(cast, expert):
    found = ask(cast.member, open_to_all=True)
    with pytest.raises(actions.Refused):
        actions.accept(request=None, expert=cast.focal_point, found=found)
    accepted = actions.accept(request=None, expert=expert, found=found)
    assert accepted.state == State.ACCEPTED and accepted.expert == expert


def test_it_lets_an_expert_accept_only_when_invited_or_open_in_their_topics(cast, expert, far_expert):
    found = ask(cast.member)  # invited nobody, not open to all
    with pytest.raises(actions.Refused):
        actions.accept(request=None, expert=expert, found=found)
    open_one = ask(cast.member, open_to_all=True)  # topic B: not far_expert's topic
    with pytest.raises(actions.Refused):
        actions.accept(request=None, expert=far_expert, found=open_one)


def test_it_refuses_accepting_twice(cast, expert):
    found = ask(cast.member, experts=[expert])
    actions.accept(request=None, expert=expert, found=found)
    with pytest.raises(actions.Refused):
        actions.accept(request=None, expert=expert, found=found)


def test_it_lets_only_the_accepting_expert_mark_answered(cast, expert):
    found = ask(cast.member, experts=[expert])
    with pytest.raises(actions.Refused):
        actions.mark_answered(request=None, expert=expert, found=found)  # not accepted yet
    actions.accept(request=None, expert=expert, found=found)
    with pytest.raises(actions.Refused):
        actions.mark_answered(request=None, expert=cast.member, found=found)
    done = actions.mark_answered(request=None, expert=expert, found=found, answer="Count the ridges.")
    assert done.state == State.ANSWERED and done.answered_at
    assert done.thread.messages.filter(author=expert, body="Count the ridges.").exists()


def test_it_lets_only_the_asker_close_an_answered_request(cast, expert):
    found = ask(cast.member, experts=[expert])
    with pytest.raises(actions.Refused):
        actions.close(request=None, asker=cast.member, found=found, useful=True, consent=False)  # not answered
    found = answered(cast.member, expert)
    with pytest.raises(actions.Refused):
        actions.close(request=None, asker=expert, found=found, useful=True, consent=False)
    closed = actions.close(request=None, asker=cast.member, found=found, useful=True, consent=True)
    assert closed.state == State.CLOSED and closed.useful is True and closed.consent_to_publish is True
    assert [c.state for c in closed.history.all()] == [State.OPEN, State.ACCEPTED, State.ANSWERED, State.CLOSED]
    assert [c.by for c in closed.history.all()] == [cast.member, expert, expert, cast.member]


def test_it_lets_only_the_asker_withdraw_and_only_while_active(cast, expert):
    found = ask(cast.member, experts=[expert])
    with pytest.raises(actions.Refused):
        actions.withdraw(request=None, asker=expert, found=found)
    withdrawn = actions.withdraw(request=None, asker=cast.member, found=found)
    assert withdrawn.state == State.WITHDRAWN
    with pytest.raises(actions.Refused):
        actions.withdraw(request=None, asker=cast.member, found=found)
    with pytest.raises(actions.Refused):
        actions.accept(request=None, expert=expert, found=found)


def test_it_audits_every_step_with_references_only(cast, expert):
    found = answered(cast.member, expert)
    actions.close(request=None, asker=cast.member, found=found, useful=False, consent=False)
    entries = Entry.objects.filter(action__startswith="assistance.")
    assert [e.action for e in entries.order_by("pk")] == [
        "assistance.request_opened",
        "assistance.expert_invited",
        "assistance.request_accepted",
        "assistance.request_answered",
        "assistance.request_closed",
    ]
    for entry in entries:
        assert "Pangolin" not in str(entry.changes) and "Pangolin" not in entry.object_label
        assert "bags" not in str(entry.changes)


def test_it_tells_the_asker_live_when_accepted(cast, expert, django_capture_on_commit_callbacks):
    from environet import notices
    from messaging.models import Event

    found = ask(cast.member, experts=[expert])
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept(request=None, expert=expert, found=found)
    event = Event.objects.filter(kind="notice", person=cast.member).latest("pk")
    assert event.data == {"about": "assistance.accepted", "request": found.pk}
    shown = notices.render(cast.member, "assistance.accepted", event.data)
    assert shown is not None and "Pangolin" in shown.text


def test_it_emails_the_invited_expert_without_content_above_green(
    cast, expert, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(cast.member, experts=[expert], marking=Marking.AMBER, audience=Audience.NETWORK, subject="Secret tusks")
    [message] = mailbox.to(expert.email)
    body = mailbox.body(message)
    assert "TLP:AMBER" in body and "Secret tusks" not in body and "Secret tusks" not in message["Subject"]


def test_it_emails_content_at_green(cast, expert, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(cast.member, experts=[expert], subject="Open tusks")
    [message] = mailbox.to(expert.email)
    assert "Open tusks" in mailbox.body(message)


def test_it_tells_experts_of_the_topic_when_open_to_all(cast, expert, far_expert, django_capture_on_commit_callbacks):
    from messaging.models import Event

    with django_capture_on_commit_callbacks(execute=True):
        ask(cast.member, open_to_all=True)
    assert Event.objects.filter(kind="notice", person=expert, data__about="assistance.open").exists()
    assert not Event.objects.filter(kind="notice", person=far_expert).exists()


def test_draft_defaults_are_valid(cast):
    assert actions.problems_with(cast.member, draft()) == []
