"""The daily digest: people who chose "live and a daily digest" get the last day's messages they may see,
confidential ones without content; nobody else gets one. Run by cron through ``manage.py send_digests``."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import Mailbox, signed_in
from messaging.models import Audience, Marking, Message
from messaging.notify import send_digests
from messaging.tests.builders import choose, reply, start, text_of
from topics import actions as topic_actions
from topics.models import TopicChoice

DIGEST = TopicChoice.Delivery.LIVE_AND_DIGEST


def _run(capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("send_digests", stdout=out)
    return out.getvalue()


def test_it_sends_the_days_messages_to_a_person_who_chose_a_digest(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B", DIGEST)
    open_thread = start(
        cast.member, django_capture_on_commit_callbacks, subject="Subj-1107 shark fins", body="Body-1107 in dried fish"
    )
    reply(cast.other_focal_point, open_thread, django_capture_on_commit_callbacks, body="Reply-2208 seen in Le Havre")
    closed_thread = start(
        cast.member,
        django_capture_on_commit_callbacks,
        subject="Subj-3309 informant",
        body="Body-3309 the name of the informant",
        marking=Marking.AMBER,
    )
    assert mailbox.to(cast.focal_point.email) == []  # nothing at once: they chose the digest

    output = _run(django_capture_on_commit_callbacks)

    assert output == "Daily digests sent: 1.\n"
    [email] = mailbox.to(cast.focal_point.email)
    text = text_of(email)
    assert "Your daily digest" in email["Subject"]
    for shown in ("Subj-1107 shark fins", "Body-1107 in dried fish", "Reply-2208 seen in Le Havre"):
        assert shown in text
    assert text.count("TLP:GREEN") == 2
    assert text.count("TLP:AMBER") == 1
    assert "Subj-3309" not in text and "Body-3309" not in text
    assert "A message whose handling marking keeps its content on the platform." in text
    assert f"/messages/threads/{closed_thread.pk}/" in text
    assert f"/messages/threads/{open_thread.pk}/" in text
    assert "Change what you receive by email: http" in text and "/accounts/profile/topics/" in text


@pytest.mark.parametrize(
    "delivery", [TopicChoice.Delivery.LIVE_AND_EMAIL, TopicChoice.Delivery.LIVE, TopicChoice.Delivery.NONE, None]
)
def test_it_sends_no_digest_to_people_without_a_digest_choice(
    cast, mailbox, django_capture_on_commit_callbacks, delivery
):
    if delivery is not None:
        choose(cast.focal_point, "B", delivery)
    start(cast.member, django_capture_on_commit_callbacks)
    mailbox.messages.clear()

    assert _run(django_capture_on_commit_callbacks) == "Daily digests sent: 0.\n"
    assert mailbox.messages == []


def test_it_lists_only_the_topics_chosen_for_the_digest(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B", DIGEST)
    start(cast.member, django_capture_on_commit_callbacks, subject="Subj-in-B", topics=["B"])
    start(cast.member, django_capture_on_commit_callbacks, subject="Subj-in-F", topics=["F"])

    _run(django_capture_on_commit_callbacks)

    [email] = mailbox.to(cast.focal_point.email)
    assert "Subj-in-B" in Mailbox.body(email)
    assert "Subj-in-F" not in Mailbox.body(email)


@pytest.mark.parametrize(
    "audience",
    [
        {"audience": Audience.ORGANISATIONS, "organisations": ["other"]},
        {"audience": Audience.COUNTRIES, "countries": ["FR"]},
        {"audience": Audience.PEOPLE, "people": ["other_focal_point"]},
        {"audience": Audience.PEOPLE, "people": ["other_focal_point"], "marking": Marking.RED},
        {"forum": True},
    ],
    ids=["organisations", "countries", "people", "red", "forum"],
)
def test_it_sends_nothing_a_person_may_not_see(cast, mailbox, django_capture_on_commit_callbacks, audience):
    fields = dict(audience)
    if fields.pop("forum", False):
        forum = topic_actions.open_forum(
            request=None, actor=cast.administrator, name="Closed", description="", members=[cast.other_focal_point]
        )
        fields["topics"] = [forum, "B"]
    fields = {
        key: [getattr(cast, value) if value in ("other", "other_focal_point") else value for value in values]
        if isinstance(values, list)
        else values
        for key, values in fields.items()
    }
    for person in (cast.focal_point, cast.other_focal_point):
        choose(person, "B", DIGEST)
    start(cast.administrator, django_capture_on_commit_callbacks, subject="Subj-4410 closed", **fields)

    assert _run(django_capture_on_commit_callbacks) == "Daily digests sent: 1.\n"
    assert mailbox.to(cast.focal_point.email) == []
    [email] = mailbox.to(cast.other_focal_point.email)
    assert "Subj-4410 closed" in Mailbox.body(email) or "TLP:RED" in Mailbox.body(email)


def test_it_leaves_out_old_own_retracted_hidden_and_muted_messages(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B", DIGEST)
    old = start(cast.member, django_capture_on_commit_callbacks, subject="Subj-old")
    Message.objects.filter(thread=old).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    start(cast.focal_point, django_capture_on_commit_callbacks, subject="Subj-own")
    retracted = start(cast.member, django_capture_on_commit_callbacks, subject="Subj-retracted")
    signed_in(cast.member).post(f"/messages/messages/{retracted.messages.get().pk}/retract/")
    hidden = start(cast.member, django_capture_on_commit_callbacks, subject="Subj-hidden")
    signed_in(cast.administrator).post(f"/messages/messages/{hidden.messages.get().pk}/hide/", {"reason": "Spam"})
    muted = start(cast.member, django_capture_on_commit_callbacks, subject="Subj-muted")
    signed_in(cast.focal_point).post(f"/messages/threads/{muted.pk}/follow/", {"state": "mute"})
    start(cast.member, django_capture_on_commit_callbacks, subject="Subj-fresh")

    _run(django_capture_on_commit_callbacks)

    [email] = mailbox.to(cast.focal_point.email)
    body = Mailbox.body(email)
    assert "Subj-fresh" in body
    for left_out in ("Subj-old", "Subj-own", "Subj-retracted", "Subj-hidden", "Subj-muted"):
        assert left_out not in body


def test_it_sends_nothing_when_the_day_was_quiet(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B", DIGEST)
    start(cast.member, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_digests(now=timezone.now() + timedelta(days=2))

    assert sent == 0
    assert mailbox.to(cast.focal_point.email) == []


def test_it_sends_no_digest_to_people_who_are_not_active(cast, mailbox, django_capture_on_commit_callbacks):
    for person in (cast.suspended, cast.requested):
        choose(person, "B", DIGEST)
    start(cast.member, django_capture_on_commit_callbacks)

    assert _run(django_capture_on_commit_callbacks) == "Daily digests sent: 0.\n"
    assert mailbox.to(cast.suspended.email) == mailbox.to(cast.requested.email) == []
