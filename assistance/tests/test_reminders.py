"""The daily round: reminders before the deadline, overdue flags to focal points, expiry. Called directly."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from assistance import actions, reminders
from assistance.models import State
from assistance.tests.builders import ask
from messaging.models import Audience, Event, Marking
from topics.models import Topic, TopicChoice


def _notices(person, about):
    return Event.objects.filter(kind="notice", person=person, data__about=about).count()


def test_it_reminds_the_asker_and_the_invited_expert_once(cast, expert, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    found = ask(cast.member, experts=[expert], deadline=today + timedelta(days=2))
    ask(cast.member, experts=[expert], deadline=today + timedelta(days=5))  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run(today=today)["reminded"] == 1
        assert reminders.run(today=today)["reminded"] == 0
    assert _notices(cast.member, "assistance.reminder") == 1
    assert _notices(expert, "assistance.reminder") == 1
    found.refresh_from_db()
    assert found.reminded_on == today


def test_it_reminds_the_accepting_expert_not_the_others(cast, expert, django_capture_on_commit_callbacks):
    from assistance.tests.conftest import expert_in

    second = expert_in(cast.secretariat, "sol@wco.example", "Sol Second")
    today = timezone.localdate()
    found = ask(cast.member, experts=[expert, second], deadline=today + timedelta(days=1))
    actions.accept(request=None, expert=expert, found=found)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run(today=today)
    assert _notices(expert, "assistance.reminder") == 1
    assert _notices(second, "assistance.reminder") == 0


def test_it_flags_overdue_requests_to_the_focal_points_of_the_topic_once(
    cast, expert, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    topic = Topic.objects.get(code="B")
    TopicChoice.objects.create(person=cast.focal_point, topic=topic, delivery=TopicChoice.Delivery.LIVE)
    TopicChoice.objects.create(person=cast.other_focal_point, topic=topic, delivery=TopicChoice.Delivery.LIVE)
    found = ask(cast.member, experts=[expert], deadline=today)
    restricted = ask(
        cast.member,
        experts=[expert],
        deadline=today,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home, cast.secretariat],
        marking=Marking.AMBER,
    )
    actions.accept(request=None, expert=expert, found=found)
    later = today + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run(today=later)["overdue"] == 2
        assert reminders.run(today=later)["overdue"] == 0
    assert _notices(cast.focal_point, "assistance.overdue") == 2
    # The other focal point follows topic B but may read only the network-wide request.
    assert _notices(cast.other_focal_point, "assistance.overdue") == 1
    assert _notices(cast.member, "assistance.overdue") == 2
    assert restricted.pk != found.pk


def test_it_expires_open_requests_a_week_after_the_deadline(cast, expert, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    stale = ask(cast.member, experts=[expert], deadline=today)
    taken = ask(cast.member, experts=[expert], deadline=today)
    actions.accept(request=None, expert=expert, found=taken)
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.run(today=today + timedelta(days=reminders.EXPIRE_AFTER_DAYS))
        assert counts["expired"] == 0
        counts = reminders.run(today=today + timedelta(days=reminders.EXPIRE_AFTER_DAYS + 1))
    assert counts["expired"] == 1
    stale.refresh_from_db()
    taken.refresh_from_db()
    assert stale.state == State.EXPIRED and taken.state == State.ACCEPTED
    assert [change.state for change in stale.history.all()][-1] == State.EXPIRED
    assert _notices(cast.member, "assistance.expired") == 1


def test_the_command_runs_the_round(cast, expert, capsys):
    ask(cast.member, experts=[expert], deadline=timezone.localdate())
    call_command("assistance_reminders", "--now")
    assert "Reminded 1" in capsys.readouterr().out
    call_command("assistance_reminders")  # enqueued: the test settings run tasks at once
    assert "Enqueued" in capsys.readouterr().out
