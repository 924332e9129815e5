"""Bad input in conversations: a clear message, status 400, the draft kept in the form, nothing saved."""

import html
from typing import Any

import pytest

from audit.models import Entry
from conftest import signed_in
from messaging.forms import MAX_BODY
from messaging.models import Event, Follow, Message, Reading, Revision, Thread
from messaging.tests.builders import NEW_THREAD, start, thread_form
from topics import actions as topic_actions
from topics.models import Topic

SUBJECT = "Draft-subject 3318 rhino horn in luggage"
BODY = "Draft-body 5520 two passengers, Nairobi to Hanoi"

MODELS = (Thread, Message, Event, Entry, Revision, Follow, Reading, Topic)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _forum(cast) -> Topic:
    return topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Closed group", description="", members=[cast.other_focal_point]
    )


# Each case: the changes to a valid form, and the message the author must read.
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "empty body": ({"body": ""}, "Write something before sending."),
    "blank body": ({"body": "   \n\t  "}, "Write something before sending."),
    "oversize body": (
        {"body": BODY + "x" * (MAX_BODY + 1 - len(BODY))},
        f"This message is too long: at most {MAX_BODY} characters (it has {MAX_BODY + 1}).",
    ),
    "no subject": ({"subject": ""}, "This field is required."),
    "no topic": ({"topics": []}, "Choose at least one topic."),
    "organisations, none chosen": ({"audience": "organisations"}, "Choose at least one organisation."),
    "countries, none chosen": ({"audience": "countries"}, "Choose at least one country."),
    "people, none named": ({"audience": "people"}, "Name at least one person."),
    "people, unknown address": (
        {"audience": "people", "people": ["oscar@douane.example", "nobody@nowhere.example"]},
        "No active member has these addresses: nobody@nowhere.example",
    ),
    "people, suspended person": (
        {"audience": "people", "people": ["sam@kra.example"]},
        "No active member has these addresses: sam@kra.example",
    ),
    "RED for the network": (
        {"marking": "red"},
        "TLP:RED is for named people only: choose “Named people” and name them.",
    ),
    "RED for organisations": (
        {"marking": "red", "audience": "organisations", "organisations": ["__home__"]},
        "TLP:RED is for named people only",
    ),
    "RED without people": ({"marking": "red", "audience": "people"}, "Name at least one person."),
    "AMBER+STRICT for the network": (
        {"marking": "amber_strict"},
        "TLP:AMBER+STRICT is for the recipient's organisation only: choose “Chosen organisations” or “Named "
        "people”, not the whole network or whole countries.",
    ),
    "AMBER+STRICT for countries": (
        {"marking": "amber_strict", "audience": "countries", "countries": ["FR"]},
        "TLP:AMBER+STRICT is for the recipient's organisation only",
    ),
    "unknown marking": ({"marking": "purple"}, "Select a valid choice."),
    "unknown audience": ({"audience": "everyone"}, "Select a valid choice."),
    "unknown organisation": (
        {"audience": "organisations", "organisations": [987654]},
        "Select a valid choice. 987654 is not one of the available choices.",
    ),
    "unknown country": ({"audience": "countries", "countries": ["ZZ"]}, "Select a valid choice. ZZ is not one"),
}


def _resolve(cast, changes: dict[str, Any]) -> dict[str, Any]:
    if changes.get("organisations") == ["__home__"]:
        return {**changes, "organisations": [cast.home]}
    return changes


def _assert_refused(response, message: str, *, subject: str = SUBJECT, body: str = BODY) -> None:
    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert message in content
    form = response.context["form"]
    if "subject" in form.fields:
        assert form["subject"].value() == subject
    assert form["body"].value() == body
    assert f"{body}</textarea>" in content  # the draft, ready to correct


@pytest.mark.parametrize("changes, message", CASES.values(), ids=CASES.keys())
def test_it_refuses_a_bad_new_thread_and_keeps_the_draft(cast, django_capture_on_commit_callbacks, changes, message):
    changes = _resolve(cast, changes)
    data = thread_form(**{"subject": SUBJECT, "body": BODY, **changes})
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signed_in(cast.member).post(NEW_THREAD, data)

    _assert_refused(response, message, subject=data["subject"], body=data["body"])
    assert _counts() == before
    assert callbacks == []  # no event published, no email queued


def test_it_keeps_the_named_people_as_typed(cast):
    data = thread_form(subject=SUBJECT, body=BODY, audience="people", people=["oscar@douane.example", "who@x.example"])

    response = signed_in(cast.member).post(NEW_THREAD, data)

    assert response.status_code == 400
    assert response.context["form"]["people"].value() == "oscar@douane.example, who@x.example"


@pytest.mark.parametrize(
    "topic_id, message",
    [
        (987654, "Select a valid choice. 987654 is not one of the available choices."),
        ("-1", "Select a valid choice. -1 is not one of the available choices."),
        ("A", "“A” is not a valid value."),
    ],
)
def test_it_refuses_a_topic_that_does_not_exist(cast, topic_id, message):
    data = {**thread_form(subject=SUBJECT, body=BODY), "topics": [topic_id]}
    before = _counts()

    response = signed_in(cast.member).post(NEW_THREAD, data)

    assert response.status_code == 400
    assert response.context["form"].errors["topics"] == [message]
    _assert_refused(response, message)
    assert _counts() == before


def test_it_refuses_a_forum_the_author_is_not_a_member_of(cast):
    forum = _forum(cast)
    before = _counts()

    response = signed_in(cast.member).post(NEW_THREAD, thread_form(subject=SUBJECT, body=BODY, topics=[forum, "A"]))

    _assert_refused(response, f"Select a valid choice. {forum.pk} is not one of the available choices.")
    assert _counts() == before
    assert "Closed group" not in response.content.decode()  # nor does the form offer it


def test_it_accepts_the_corrected_draft(cast, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)
    client.post(NEW_THREAD, thread_form(subject=SUBJECT, body=BODY, marking="red"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_THREAD,
            thread_form(subject=SUBJECT, body=BODY, marking="red", audience="people", people=[cast.focal_point]),
        )

    assert response.status_code == 302
    thread = Thread.objects.get()
    assert set(thread.audience_people.all()) == {cast.focal_point, cast.member}


# --- Replies and edits -----------------------------------------------------------------------------------------

REPLY_CASES = {
    "empty": ("", "Write something before sending."),
    "blank": ("  \n ", "Write something before sending."),
    "oversize": (
        BODY + "y" * (MAX_BODY + 1 - len(BODY)),
        f"This message is too long: at most {MAX_BODY} characters (it has {MAX_BODY + 1}).",
    ),
}


@pytest.mark.parametrize("body, message", REPLY_CASES.values(), ids=REPLY_CASES.keys())
def test_it_refuses_a_bad_reply_and_keeps_the_draft(cast, django_capture_on_commit_callbacks, body, message):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    client = signed_in(cast.focal_point)
    assert client.get(f"/messages/threads/{thread.pk}/").status_code == 200  # they read it, then answer
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/messages/threads/{thread.pk}/reply/", {"body": body, "kind": "information"})

    _assert_refused(response, message, body=body)
    assert _counts() == before
    assert callbacks == []
    assert "Pangolin scales at Mombasa" in response.content.decode()  # still the thread's page


def test_it_refuses_a_reply_of_an_unknown_kind(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    client = signed_in(cast.focal_point)
    client.get(f"/messages/threads/{thread.pk}/")
    before = _counts()

    response = client.post(f"/messages/threads/{thread.pk}/reply/", {"body": BODY, "kind": "rumour"})

    _assert_refused(response, "Select a valid choice. rumour is not one of the available choices.")
    assert _counts() == before


@pytest.mark.parametrize("body, message", REPLY_CASES.values(), ids=REPLY_CASES.keys())
def test_it_refuses_a_bad_edit_and_keeps_the_draft(cast, django_capture_on_commit_callbacks, body, message):
    thread = start(cast.member, django_capture_on_commit_callbacks, body="The first text")
    [original] = thread.messages.all()
    before = _counts()

    response = signed_in(cast.member).post(f"/messages/messages/{original.pk}/edit/", {"body": body})

    _assert_refused(response, message, body=body)
    assert _counts() == before
    original.refresh_from_db()
    assert (original.body, original.edited_at) == ("The first text", None)


# --- Forums ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "members": ["__member__"]}, "name"),
        ({"name": "Operation Cobra", "members": []}, "members"),
        ({"name": "Operation Cobra", "members": [987654]}, "members"),
    ],
    ids=["no name", "no members", "unknown member"],
)
def test_it_refuses_a_bad_forum_and_keeps_what_was_typed(cast, data, field):
    data = {**data, "members": [cast.member.pk if value == "__member__" else value for value in data["members"]]}
    before = _counts()

    response = signed_in(cast.administrator).post("/messages/forums/new/", {**data, "description": "Kept text"})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Kept text" in response.content.decode()
    assert _counts() == before
