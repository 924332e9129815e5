"""Leak tests: for each audience and each handling marking, a person outside the audience finds nothing.

Not through the pages, the API, the live stream, email or the read receipts; and a person inside who
follows the topic gets what the marking allows by email. Last, the key invariant: the in-memory rule of
the live stream (Reader.can_see) and the query rule (threads_visible_to) agree for everyone on every
kind of thread.

The people: the author is Mohamed (member, KRA, Kenya); the insider is Oscar (focal point, French
Customs, France). The outsiders are Mohamed's own colleagues Fatou and Olga (KRA, Kenya) and Ada
(administrator, WCO, no country). A "network" thread is filed under a forum whose members are Mohamed,
Oscar and Ada (who opened it), so there too someone is outside: Fatou and Olga.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from accounts.models import Person
from audit.models import Entry
from conftest import Cast, Mailbox, make_person, signed_in
from environet import broker
from messaging import access, stream
from messaging.models import Attachment, Audience, Follow, Marking, Message, Thread
from messaging.tests.builders import choose, events_of, page, reply, start, text_of
from topics import actions as topic_actions
from topics.models import Topic, TopicChoice

SUBJECT = "Subj-7f3a ivory declared as timber"
BODY = "Body-9c2e forty tusks hidden in hollowed logs"
REPLY = "Reply-41d0 the same consignee shipped twice before"
ATTACHED = "Attached-6621 bill of lading MSKU"
MARKERS = (SUBJECT, BODY, REPLY, ATTACHED)

AUDIENCES = (Audience.NETWORK, Audience.ORGANISATIONS, Audience.COUNTRIES, Audience.PEOPLE)
MARKINGS = (Marking.CLEAR, Marking.GREEN, Marking.AMBER)
# AMBER+STRICT is for chosen organisations or named people, RED for named people only (the form and the
# action refuse the other audiences: see test_bad_input and test_handling).
COMBINATIONS = [(audience, marking) for audience in AUDIENCES for marking in MARKINGS] + [
    (Audience.ORGANISATIONS, Marking.AMBER_STRICT),
    (Audience.PEOPLE, Marking.AMBER_STRICT),
    (Audience.PEOPLE, Marking.RED),
]
CONFIDENTIAL = {Marking.AMBER, Marking.AMBER_STRICT, Marking.RED}


def _outsiders(cast: Cast, audience: str) -> list[Person]:
    colleagues = [cast.focal_point, cast.observer]  # the author's own organisation and country
    return colleagues if audience == Audience.NETWORK else [*colleagues, cast.administrator]


def _forum(cast: Cast) -> Topic:
    return topic_actions.open_forum(
        request=None,
        actor=cast.administrator,
        name="Operation Thunder",
        description="",
        members=[cast.member, cast.other_focal_point],
    )


def _audience_fields(cast: Cast, audience: str) -> dict[str, Any]:
    if audience == Audience.NETWORK:
        return {"topics": [_forum(cast), "A"]}
    if audience == Audience.ORGANISATIONS:
        return {"organisations": [cast.other]}
    if audience == Audience.COUNTRIES:
        return {"countries": ["FR"]}
    return {"people": [cast.other_focal_point]}


@dataclass
class Scene:
    thread: Thread
    outsiders: list[Person]
    insider: Person
    marking: str


@pytest.fixture(params=COMBINATIONS, ids=[f"{audience}-{marking}" for audience, marking in COMBINATIONS])
def scene(request, cast, mailbox, django_capture_on_commit_callbacks, settings, tmp_path) -> Scene:
    audience, marking = request.param
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    outsiders = _outsiders(cast, audience)
    # Everyone asks for topic A live and by email, outsiders included; the outsiders are mentioned by
    # name, and one of them even has a follow left on the thread (as if from before).
    for person in [cast.member, cast.other_focal_point, *outsiders]:
        choose(person, "A")
    fields = {"topics": ["A"], **_audience_fields(cast, audience)}
    mentions = " ".join(f"@{person.email}" for person in outsiders)
    thread = start(
        cast.member,
        django_capture_on_commit_callbacks,
        subject=SUBJECT,
        body=f"{BODY}\n\nFor {mentions} and @{cast.other_focal_point.email}",
        kind=Message.Kind.ALERT,
        marking=marking,
        audience=audience,
        files=[SimpleUploadedFile("lading.txt", ATTACHED.encode(), content_type="text/plain")],
        **fields,
    )
    assert Attachment.objects.filter(message__thread=thread).count() == 1
    Follow.objects.create(person=outsiders[0], thread=thread, state=Follow.State.FOLLOW)
    answer = reply(cast.other_focal_point, thread, django_capture_on_commit_callbacks, body=REPLY)
    assert answer.status_code == 302
    return Scene(thread=thread, outsiders=outsiders, insider=cast.other_focal_point, marking=marking)


def _assert_nothing_of_it(content: str) -> None:
    for marker in MARKERS:
        assert marker not in content


# --- Pages ---------------------------------------------------------------------------------------------


def test_it_answers_404_to_an_outsider_on_every_page_of_the_thread(scene):
    first, second = scene.thread.messages.order_by("pk")
    for outsider in scene.outsiders:
        client = signed_in(outsider)
        pk = scene.thread.pk
        gets = [
            f"/messages/threads/{pk}/",
            f"/messages/messages/{first.pk}/edit/",
            f"/messages/messages/{first.pk}/history/",
            f"/messages/messages/{first.pk}/receipts/",
            f"/messages/messages/{second.pk}/history/",
        ]
        posts = [
            (f"/messages/threads/{pk}/reply/", {"body": "Let me in", "kind": "information"}),
            (f"/messages/threads/{pk}/follow/", {"state": "follow"}),
            (f"/messages/threads/{pk}/read/", {"message": [first.pk, second.pk]}),
            (f"/messages/threads/{pk}/lock/", {"locked": "1"}),
            (f"/messages/messages/{first.pk}/retract/", {}),
            (f"/messages/messages/{first.pk}/hide/", {"reason": "curious"}),
        ]
        for path in gets:
            assert client.get(path).status_code == 404, (outsider, path)
        for path, data in posts:
            assert client.post(path, data).status_code == 404, (outsider, path)
    assert scene.thread.messages.count() == 2
    assert not scene.thread.is_locked
    assert not Message.objects.filter(hidden_at__isnull=False).exists()


def test_it_keeps_the_subject_out_of_the_outsiders_lists_and_counts(scene):
    for outsider in scene.outsiders:
        client = signed_in(outsider)
        for path in ("/messages/", "/messages/topics/A/", "/"):
            _assert_nothing_of_it(page(client, path))
        if _existing("/messages/search/"):
            for words in ("ivory", "Body-9c2e", "Reply-41d0", "tusks"):
                response = client.get("/messages/search/", {"q": words})
                assert response.status_code == 200
                _assert_nothing_of_it(response.content.decode())
                assert not response.context["results"]
        overview = client.get("/messages/")
        assert all(unread == 0 for _topic, unread in overview.context["topics"])
        assert list(overview.context["alerts"]) == []
        assert list(overview.context["threads"]) == []


def test_it_does_not_record_an_outsider_as_a_reader(scene):
    for outsider in scene.outsiders:
        signed_in(outsider).get(f"/messages/threads/{scene.thread.pk}/")
    author = signed_in(scene.thread.author)
    alert = scene.thread.messages.order_by("pk").first()

    receipts = page(author, f"/messages/messages/{alert.pk}/receipts/")

    for outsider in scene.outsiders:
        assert outsider.full_name not in receipts
        assert not alert.readings.filter(person=outsider).exists()


def test_it_hides_a_forum_from_its_non_members(cast, django_capture_on_commit_callbacks):
    forum = _forum(cast)

    for outsider in (cast.focal_point, cast.observer):
        client = signed_in(outsider)
        assert client.get(f"/messages/topics/{forum.code}/").status_code == 404
        assert "Operation Thunder" not in page(client, "/messages/")


# --- Downloads ------------------------------------------------------------------------------------------


def test_it_lets_no_outsider_download_an_attachment(scene):
    [attachment] = Attachment.objects.filter(message__thread=scene.thread)
    for outsider in scene.outsiders:
        client = signed_in(outsider)
        for path in (f"/messages/attachments/{attachment.pk}/", f"/messages/attachments/{attachment.pk}/thumbnail/"):
            response = client.get(path)
            assert response.status_code == 404, (outsider, path)
            _assert_nothing_of_it(b"".join(getattr(response, "streaming_content", [response.content])).decode())
    assert not Entry.objects.filter(action="attachment.downloaded").exists()


def test_it_lets_the_insider_download_the_attachment(scene):
    [attachment] = Attachment.objects.filter(message__thread=scene.thread)

    response = signed_in(scene.insider).get(f"/messages/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert ATTACHED.encode() in b"".join(getattr(response, "streaming_content", [response.content]))
    [entry] = Entry.objects.filter(action="attachment.downloaded")
    assert entry.actor == scene.insider


# --- API ----------------------------------------------------------------------------------------------

SEARCHES = ({"q": "Body-9c2e"}, {"q": "ivory"}, {"q": "Reply-41d0"}, {"q": "tusks", "topic": "A"}, {"kind": "alert"})


def _existing(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def test_it_gives_an_outsider_nothing_through_the_api(scene):
    for outsider in scene.outsiders:
        client = signed_in(outsider)
        for query in SEARCHES:
            response = client.get("/api/v1/messages/search", query)
            assert response.status_code == 200, response.content
            assert response.json()["count"] == 0  # the total does not leak it either
            _assert_nothing_of_it(response.content.decode())
        _assert_nothing_of_it(client.get("/api/v1/topics/").content.decode())


def test_it_finds_it_for_the_insider_through_the_api(scene):
    response = signed_in(scene.insider).get("/api/v1/messages/search", {"q": "Body-9c2e"})

    assert response.status_code == 200
    [found] = response.json()["results"]
    assert (found["thread"], found["marking"]) == (scene.thread.pk, scene.marking)


# --- Live stream ------------------------------------------------------------------------------------------


def test_it_streams_nothing_of_it_to_an_outsider(scene):
    events = events_of(scene.thread)
    assert {event["kind"] for event in events} >= {"message"}
    for outsider in scene.outsiders:
        for watching in (None, scene.thread.pk):  # even asking for the thread by its id
            reader = stream.load_reader(outsider, watching)

            assert reader.watching is None
            assert not [event for event in events if reader.wants(event)]
            assert stream.stored_events(0, reader) == []


def test_it_streams_it_to_the_insider_who_follows_the_topic(scene):
    reader = stream.load_reader(scene.insider, None)

    assert [event["id"] for event in stream.stored_events(0, reader)] == [
        event["id"] for event in events_of(scene.thread) if event["kind"] == "message"
    ]


# --- Email ------------------------------------------------------------------------------------------------


def test_it_emails_nothing_to_an_outsider(scene, mailbox):
    for outsider in scene.outsiders:
        assert mailbox.to(outsider.email) == []
    assert not scene.thread.messages.filter(mentions__in=scene.outsiders).exists()


def test_it_emails_the_insider_what_the_marking_allows(scene, mailbox):
    [email] = mailbox.to(scene.insider.email)
    label = Marking(scene.marking).label
    text = text_of(email)

    assert label in email["Subject"]
    assert label in Mailbox.body(email)
    assert f"/messages/threads/{scene.thread.pk}/" in text
    if scene.marking in CONFIDENTIAL:
        _assert_nothing_of_it(text)
        assert "Something new is waiting" in text
    else:
        assert SUBJECT in email["Subject"]
        assert BODY in text


def test_it_keeps_confidential_content_out_of_every_email(scene, mailbox):
    # The author follows the thread they started: the reply reaches them by email too.
    assert mailbox.to(scene.thread.author.email)
    for email in mailbox.messages:
        text = text_of(email)
        assert Marking(scene.marking).label in email["Subject"]
        if scene.marking in CONFIDENTIAL:
            _assert_nothing_of_it(text)


# --- The key invariant: the in-memory rule and the query rule agree ---------------------------------------


def _variants(cast: Cast, capture) -> list[Thread]:
    """Threads of every audience and marking, by several authors, in topics and forums."""
    lone = make_person("lena@lone.example", "Lena Lone", cast.secretariat)  # in no forum, no country
    thunder = _forum(cast)
    working_group = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Working group", description="", members=[cast.focal_point]
    )
    threads = []
    for author in (cast.member, cast.other_focal_point, cast.administrator, lone):
        for audience, marking in COMBINATIONS:
            fields: dict[str, Any] = {"marking": marking, "audience": audience}
            if audience == Audience.ORGANISATIONS:
                fields["organisations"] = [cast.other]
            elif audience == Audience.COUNTRIES:
                fields["countries"] = ["FR", "DE"]
            elif audience == Audience.PEOPLE:
                fields["people"] = [cast.focal_point]
            threads.append(start(author, capture, subject=f"{author.pk} {audience} {marking}", **fields))
    # Forums: one, one with a topic beside it, two at once (for the members of both), a restricted audience
    # inside a forum, and an author who has since left the forum.
    administrator = cast.administrator
    threads.append(start(administrator, capture, topics=[thunder]))
    threads.append(start(cast.member, capture, topics=[thunder, "A"], audience=Audience.COUNTRIES, countries=["KE"]))
    threads.append(start(administrator, capture, topics=[thunder, working_group]))
    threads.append(start(administrator, capture, topics=[working_group, "B"], audience="people", people=[cast.member]))
    threads.append(start(cast.other_focal_point, capture, topics=[thunder], audience="organisations",
                         organisations=[cast.home]))  # fmt: skip
    topic_actions.set_forum_members(request=None, actor=administrator, forum=thunder, members=[cast.other_focal_point])
    return threads


def test_it_decides_visibility_the_same_way_in_memory_and_in_the_database(cast, django_capture_on_commit_callbacks):
    threads = _variants(cast, django_capture_on_commit_callbacks)
    readers = [person for person in Person.objects.all() if person.is_active]
    assert len(readers) >= 6

    for person in readers:
        visible = set(access.threads_visible_to(person).values_list("pk", flat=True))
        reader = stream.load_reader(person, None)
        for thread in threads:
            [first, *_] = [event for event in events_of(thread) if event["kind"] == "message"]
            assert reader.can_see(first["audience"]) == (thread.pk in visible), (person, thread.subject)


def test_it_gives_people_who_are_not_active_nothing_at_all(cast, django_capture_on_commit_callbacks):
    start(cast.member, django_capture_on_commit_callbacks, subject=SUBJECT)

    for person in (cast.requested, cast.suspended):
        assert not access.threads_visible_to(person).exists()
        assert signed_in(person).get("/messages/live/").status_code in (302, 401)


def test_it_delivers_a_thread_to_every_topic_follower_who_may_see_it_and_no_one_else(
    cast, django_capture_on_commit_callbacks, mailbox
):
    everyone = [person for person in Person.objects.all() if person.is_active]
    for person in everyone:
        choose(person, "A", TopicChoice.Delivery.LIVE_AND_EMAIL)
    thread = start(
        cast.member, django_capture_on_commit_callbacks, topics=["A"], audience="countries", countries=["FR"]
    )

    emailed = {person for person in everyone if mailbox.to(person.email)}
    streamed = {person for person in everyone if stream.stored_events(0, stream.load_reader(person, None))}
    assert emailed == {cast.other_focal_point}
    assert streamed == {cast.member, cast.other_focal_point}
    assert set(access.threads_visible_to(cast.other_focal_point)) == {thread}


def test_it_stops_streaming_a_forum_to_someone_removed_from_it(cast, django_capture_on_commit_callbacks, monkeypatch):
    forum = _forum(cast)
    thread = start(cast.member, django_capture_on_commit_callbacks, topics=[forum])
    connected = stream.load_reader(cast.member, thread.pk)  # their page is open, the stream connected
    assert [event for event in events_of(thread) if connected.wants(event)]
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(broker, "publish", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.set_forum_members(
            request=None, actor=cast.administrator, forum=forum, members=[cast.other_focal_point]
        )

    # The open stream is told to read the person again (messaging.live reloads the reader on it) ...
    assert {"kind": "reader.changed", "person": cast.member.pk} in published
    assert {"kind": "reader.changed", "person": cast.administrator.pk} in published
    assert {"kind": "reader.changed", "person": cast.other_focal_point.pk} not in published  # unchanged
    # ... and the reader read again wants nothing more of the forum.
    reloaded = stream.load_reader(cast.member, connected.watching)
    assert not [event for event in events_of(thread) if reloaded.wants(event)]


def test_it_tells_the_streams_of_new_forum_members(cast, django_capture_on_commit_callbacks, monkeypatch):
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(broker, "publish", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        _forum(cast)

    assert sorted(event["person"] for event in published if event["kind"] == "reader.changed") == sorted(
        [cast.member.pk, cast.other_focal_point.pk, cast.administrator.pk]
    )
