"""Catch-up applies today's audience and today's content (issue 8, leak 1).

A stream opened with an old Last-Event-ID re-sends the events it missed. Events store references only
(messaging.events): what goes out is built when it goes out, so a record or thread narrowed since is not
sent to those now outside it, and a message retracted, hidden or edited since is sent as its page shows
it now. Shown over a real server and socket (Last-Event-ID: 0) and on the catch-up function itself.
"""

import json

import pytest

from accounts.models import Person
from conftest import make_person
from messaging import actions, events
from messaging.models import Audience, Event, Marking, Thread
from messaging.stream import load_reader, stored_events
from messaging.tests.servers import Visitor
from messaging.tests.test_live import abroad, follows, open_stream, server, topic  # noqa: F401 - fixtures too
from seizures import actions as seizure_actions
from seizures.tests.builders import file, filing
from topics.models import Topic

pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = ("before-edit-wording", "retracted-wording", "hidden-wording", "Loxodonta", "Mombasa")


def _thread(author: Person, subject: str, body: str, **fields) -> Thread:
    draft = actions.Draft(
        subject=subject, topics=[Topic.objects.get(code="B")], kind="information", body=body, **fields
    )
    return actions.start_thread(request=None, author=author, draft=draft)


def _narrowed_record(officer: Person) -> None:
    """A record shared with the whole network (its thread announced live), then narrowed to its own
    organisation: people elsewhere now get 404 on it."""
    seizure = file(officer, share=True, place="Mombasa", lines=[{"convention": "cites", "code": "Loxodonta africana"}])
    seizure_actions.update_seizure(
        request=None,
        person=officer,
        seizure=seizure,
        filing=filing(place="Mombasa", audience=Audience.ORGANISATIONS, organisations=[officer.organisation]),
    )


def _changed_messages(author: Person, moderator: Person) -> Thread:
    """A network thread whose messages were edited, retracted and hidden after they were posted."""
    thread = _thread(author, "Parrots in crates", "before-edit-wording")
    first = thread.messages.get()
    retracted = actions.reply(request=None, author=author, thread=thread, kind="information", body="retracted-wording")
    hidden = actions.reply(request=None, author=author, thread=thread, kind="information", body="hidden-wording")
    actions.edit(request=None, editor=author, message=first, body="after-edit-wording")
    actions.retract(request=None, person=author, message=retracted)
    actions.hide(request=None, moderator=moderator, message=hidden, reason="Off topic")
    return thread


def test_a_stream_replayed_from_0_sends_only_what_the_reader_may_see_now_as_it_is_now(server, streams, home, abroad):  # noqa: F811
    officer = make_person("officer@kra.example", "Kioko Officer", home)
    moderator = make_person("moderator@kra.example", "Mo Derator", home)
    Person.objects.filter(pk=moderator.pk).update(is_moderator=True)
    moderator.refresh_from_db()
    reader = Visitor(follows(make_person("lucie@douane.example", "Lucie Lecteur", abroad), "B"))
    _narrowed_record(officer)
    thread = _changed_messages(officer, moderator)

    stream = open_stream(streams, reader, server, last_id=0)
    # Three messages posted, three changes: six frames, all of the thread the reader may still read.
    stream.wait(lambda s: len(s.frames) >= 6, "the six events of the thread still visible")
    sent = json.dumps([frame.data for frame in stream.frames])
    assert {frame.data["thread"] for frame in stream.frames} == {thread.pk}
    for secret in SECRETS:
        assert secret not in sent, secret
    assert sent.count("after-edit-wording") == 2  # the first message as posted and as changed: both as now
    assert "Retracted by its author." in sent and "Hidden by a moderator." in sent
    assert not any(frame.data.get("alert") for frame in stream.frames)


def test_catch_up_skips_a_record_narrowed_since_and_the_stored_events_hold_no_content(home, abroad):  # noqa: F811
    officer = make_person("officer@kra.example", "Kioko Officer", home)
    colleague = follows(make_person("colleague@kra.example", "Wanjiru Colleague", home), "B")
    outsider = follows(make_person("lucie@douane.example", "Lucie Lecteur", abroad), "B")
    _narrowed_record(officer)

    assert stored_events(0, load_reader(outsider, None)) == []
    # Their own organisation still sees the record's thread, as its page does.
    assert {event["kind"] for event in stored_events(0, load_reader(colleague, None))} == {"message"}
    stored = json.dumps(list(Event.objects.values("kind", "data")))
    for secret in SECRETS:
        assert secret not in stored, secret


def test_catch_up_follows_a_thread_narrowed_to_named_people(home, abroad):  # noqa: F811
    author = make_person("officer@kra.example", "Kioko Officer", home)
    outsider = follows(make_person("lucie@douane.example", "Lucie Lecteur", abroad), "B")
    named = follows(make_person("named@douane.example", "Nommé Personne", abroad), "B")
    thread = _thread(author, "Pangolin scales", "first")
    assert len(stored_events(0, load_reader(outsider, None))) == 1

    Thread.objects.filter(pk=thread.pk).update(marking=Marking.RED, audience=Audience.PEOPLE)
    actions.set_audience_members(thread, audience=Audience.PEOPLE, organisations=[], people=[named], author=author)

    assert stored_events(0, load_reader(outsider, None)) == []
    assert [event["subject"] for event in stored_events(0, load_reader(named, None))] == ["Pangolin scales"]


def test_a_receipt_is_worded_now_and_only_while_its_author_may_see_the_alert(home, abroad):  # noqa: F811
    author = make_person("officer@kra.example", "Kioko Officer", home)
    reader = make_person("lucie@douane.example", "Lucie Lecteur", abroad)
    draft = actions.Draft(subject="Ivory", topics=[Topic.objects.get(code="B")], kind="alert", body="tusks")
    thread = actions.start_thread(request=None, author=author, draft=draft)
    actions.mark_read(person=reader, messages=list(thread.messages.all()))
    Person.objects.filter(pk=reader.pk).update(full_name="Lucie Renamed")

    [receipt] = [event for event in stored_events(0, load_reader(author, None)) if event["kind"] == "receipt"]
    assert receipt["reader"] == "Lucie Renamed"
    assert "Lucie" not in json.dumps(list(Event.objects.values("data")))

    actions.retract(request=None, person=author, message=thread.messages.get())
    assert [event for event in stored_events(0, load_reader(author, None)) if event["kind"] == "receipt"] == []


def test_a_notice_is_worded_when_shown_and_not_at_all_once_unknown(home):
    person = make_person("officer@kra.example", "Kioko Officer", home)
    with pytest.raises(ValueError, match="no renderer"):
        actions.notice(person=person, about="nothing.registered", thread=1)
    Event.objects.create(kind="notice", person=person, data={"about": "gone.kind", "thread": 1})
    assert events.build(list(Event.objects.all())) == [None]
