"""Conversations (issue 3): threads under topics and forums, replies, kinds, safe Markdown, editing,
retracting, moderation, observers, forums, following, mentions, read receipts, unread counts, audit."""

from html.parser import HTMLParser

import pytest

from audit.models import Entry
from audit.verify import verify_chain
from conftest import Mailbox, signed_in
from messaging import render, stream
from messaging.models import Audience, Follow, Marking, Message, Reading, Revision, Thread
from messaging.tests.builders import (
    NEW_THREAD,
    choose,
    entries,
    events_of,
    page,
    reply,
    start,
    thread_form,
    thread_id_of,
    topic,
)
from topics import actions as topic_actions
from topics.models import Topic, TopicChoice


def _thread_page(person, thread: Thread) -> str:
    return page(signed_in(person), f"/messages/threads/{thread.pk}/")


# --- Starting threads and replying ----------------------------------------------------------------------


def test_it_starts_a_thread_under_several_topics(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, subject="Mixed load", topics=["A", "D"])

    assert sorted(thread.topics.values_list("code", flat=True)) == ["A", "D"]
    [message] = thread.messages.all()
    assert (message.author, message.body) == (cast.member, "Twelve bags declared as **cashew nuts**.")
    assert (thread.author, thread.organisation) == (cast.member, cast.home)
    reader = signed_in(cast.focal_point)
    assert "Mixed load" in page(reader, "/messages/topics/A/")
    assert "Mixed load" in page(reader, "/messages/topics/D/")
    assert "Mixed load" not in page(reader, "/messages/topics/B/")


def test_it_shows_the_thread_with_its_marking_and_rendered_body(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, marking=Marking.AMBER)

    content = _thread_page(cast.focal_point, thread)

    assert "Pangolin scales at Mombasa" in content
    assert "TLP:AMBER" in content
    assert "<strong>cashew nuts</strong>" in content
    assert "TLP:AMBER" in page(signed_in(cast.focal_point), "/messages/topics/B/")


def test_it_makes_the_author_follow_their_thread(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)

    assert Follow.objects.get(person=cast.member, thread=thread).state == Follow.State.FOLLOW


def test_it_adds_a_reply_to_the_thread(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    before = thread.last_message_at

    response = reply(cast.other_focal_point, thread, django_capture_on_commit_callbacks, body="Same route *here*.")

    assert response.status_code == 302
    assert thread_id_of(response["Location"]) == thread.pk
    _first, second = thread.messages.order_by("pk")
    assert (second.author, second.body, second.body_html) == (
        cast.other_focal_point,
        "Same route *here*.",
        "<p>Same route <em>here</em>.</p>\n",
    )
    thread.refresh_from_db()
    assert thread.last_message_at == second.created_at > before
    assert "Same route <em>here</em>." in _thread_page(cast.member, thread)


@pytest.mark.parametrize("kind", Message.Kind.values)
def test_it_keeps_the_kind_of_each_message(cast, django_capture_on_commit_callbacks, kind):
    thread = start(cast.member, django_capture_on_commit_callbacks, kind=kind)
    reply(cast.focal_point, thread, django_capture_on_commit_callbacks, kind=kind)

    assert set(thread.messages.values_list("kind", flat=True)) == {kind}
    content = _thread_page(cast.member, thread)
    assert f"kind-{kind}" in content
    if kind != Message.Kind.INFORMATION:
        assert str(Message.Kind(kind).label) in content


def test_it_refuses_a_kind_it_does_not_know(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.member).post(NEW_THREAD, thread_form(kind="gossip"))

    assert response.status_code == 400
    assert not Thread.objects.exists()


# --- Markdown, rendered safely ---------------------------------------------------------------------------

HOSTILE = {
    "script tag": "<script>alert('x')</script>",
    "script in markdown html block": "Hello\n\n<script src=https://evil.example/x.js></script>",
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, encoded": "[click](jAvAsCrIpT&#58;alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "data link": "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "raw html": '<div onclick="alert(1)" style="color:red">hi</div>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "image": "![tracker](https://evil.example/pixel.png)",
    "image tag": '<img src="https://evil.example/pixel.png" onerror="alert(1)">',
    "svg": "<svg onload=alert(1)>",
}


ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4",
                "hr", "table", "thead", "tbody", "tr", "th", "td", "del"}  # fmt: skip


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML (text stays text)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def _assert_harmless(html: str) -> None:
    for tag, attributes in _elements(html):
        assert tag in ALLOWED_TAGS, tag
        assert not [name for name in attributes if name.startswith("on") or name in ("style", "src")], attributes
        href = attributes.get("href", "https://")
        assert href.split(":", 1)[0].lower() in ("https", "http", "mailto"), href


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_it_renders_nothing_dangerous(body):
    html = render.to_html(body)

    _assert_harmless(html)
    assert {tag for tag, _attributes in _elements(html)} <= {"p"}  # shown as text, if at all


def test_it_never_lets_dangerous_markup_reach_the_thread_page(cast, django_capture_on_commit_callbacks):
    body = "\n\n".join(HOSTILE.values())
    thread = start(cast.member, django_capture_on_commit_callbacks, body=body)
    [message] = thread.messages.all()

    content = _thread_page(cast.focal_point, thread)

    assert message.body_html in content
    _assert_harmless(message.body_html)
    assert "<script" not in content.split('<div id="messages">')[1]


def test_it_marks_links_external_and_opens_them_apart():
    html = render.to_html("See [the notice](https://cites.org/eng/notif/2026.php) and <https://basel.int>.")

    assert html.count('rel="external nofollow noopener noreferrer"') == 2
    assert html.count('target="_blank"') == 2
    assert 'href="https://cites.org/eng/notif/2026.php"' in html


def test_it_keeps_ordinary_markdown():
    html = render.to_html("# Route\n\n- **Mombasa**\n- *Antwerp*\n\n`HS 0507.90`\n\n> seized")

    for fragment in ("<h1>Route</h1>", "<strong>Mombasa</strong>", "<em>Antwerp</em>", "<code>HS 0507.90</code>",
                     "<blockquote>"):  # fmt: skip
        assert fragment in html


# --- Editing keeps history; retracting keeps the row ------------------------------------------------------


def test_it_keeps_the_earlier_text_when_a_message_is_edited(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, body="Twelve bags")
    [message] = thread.messages.all()
    client = signed_in(cast.member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/messages/messages/{message.pk}/edit/", {"body": "Fourteen bags"})

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.body, message.body_html) == ("Fourteen bags", "<p>Fourteen bags</p>\n")
    assert message.edited_at is not None
    [revision] = Revision.objects.filter(message=message)
    assert revision.body == "Twelve bags"
    assert "(edited)" in _thread_page(cast.focal_point, thread)
    assert "Twelve bags" in page(client, f"/messages/messages/{message.pk}/history/")
    [entry] = entries("message.edited")
    assert (entry.actor, entry.object_id) == (cast.member, str(message.pk))


def test_it_keeps_every_version_through_several_edits(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, body="one")
    [message] = thread.messages.all()
    client = signed_in(cast.member)

    for body in ("two", "three"):
        client.post(f"/messages/messages/{message.pk}/edit/", {"body": body})

    assert list(message.revisions.order_by("pk").values_list("body", flat=True)) == ["one", "two"]
    assert Message.objects.get(pk=message.pk).body == "three"


def test_it_lets_only_the_author_edit(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, body="Twelve bags")
    [message] = thread.messages.all()

    for person in (cast.focal_point, cast.other_focal_point, cast.administrator):
        client = signed_in(person)
        assert client.get(f"/messages/messages/{message.pk}/edit/").status_code == 404
        assert client.post(f"/messages/messages/{message.pk}/edit/", {"body": "Mine now"}).status_code == 404
    # The history is for the author and the moderators.
    assert signed_in(cast.focal_point).get(f"/messages/messages/{message.pk}/history/").status_code == 404
    assert Message.objects.get(pk=message.pk).body == "Twelve bags"
    assert not Revision.objects.exists()


def test_it_shows_a_retracted_message_as_retracted_and_keeps_it(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, body="Secret-ish 4471")
    [message] = thread.messages.all()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.member).post(f"/messages/messages/{message.pk}/retract/")

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.retracted_at is not None
    assert message.body == "Secret-ish 4471"  # kept, not purged
    content = _thread_page(cast.focal_point, thread)
    assert "Retracted by its author." in content
    assert "Secret-ish 4471" not in content
    [entry] = entries("message.retracted")
    assert (entry.actor, entry.object_id) == (cast.member, str(message.pk))
    # Nothing more to edit or retract.
    assert signed_in(cast.member).post(f"/messages/messages/{message.pk}/edit/", {"body": "x"}).status_code == 404
    assert signed_in(cast.member).post(f"/messages/messages/{message.pk}/retract/").status_code == 404


def test_it_lets_only_the_author_retract(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    [message] = thread.messages.all()

    assert signed_in(cast.focal_point).post(f"/messages/messages/{message.pk}/retract/").status_code == 404
    assert Message.objects.get(pk=message.pk).retracted_at is None


# --- Moderation ----------------------------------------------------------------------------------------------


@pytest.fixture
def moderator(cast):
    cast.focal_point.is_moderator = True
    cast.focal_point.save(update_fields=["is_moderator"])
    return cast.focal_point


@pytest.mark.parametrize("who", ["moderator", "administrator"])
def test_it_lets_moderators_and_administrators_hide_a_message(cast, moderator, django_capture_on_commit_callbacks, who):
    hider = moderator if who == "moderator" else cast.administrator
    thread = start(cast.member, django_capture_on_commit_callbacks, body="Buy cheap ivory here")
    [message] = thread.messages.all()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(hider).post(f"/messages/messages/{message.pk}/hide/", {"reason": "Spam"})

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.hidden_by, message.body) == (hider, "Buy cheap ivory here")
    content = _thread_page(cast.other_focal_point, thread)
    assert "Hidden by a moderator." in content
    assert "Buy cheap ivory here" not in content
    [entry] = entries("message.hidden")
    assert (entry.actor, entry.object_id, entry.changes) == (hider, str(message.pk), {"reason": "Spam"})


def test_it_requires_a_reason_to_hide(cast, moderator, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    [message] = thread.messages.all()
    client = signed_in(moderator)

    response = client.post(f"/messages/messages/{message.pk}/hide/", {"reason": "  "})

    assert response.status_code == 302
    assert Message.objects.get(pk=message.pk).hidden_at is None
    assert entries("message.hidden") == []
    assert "Give a reason for hiding the message." in page(client, response["Location"])


@pytest.mark.parametrize("role", ["member", "focal_point", "observer", "other_focal_point"])
def test_it_lets_nobody_else_hide_or_lock(cast, django_capture_on_commit_callbacks, role):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    [message] = thread.messages.all()
    client = signed_in(cast.by_role[role])

    assert client.post(f"/messages/messages/{message.pk}/hide/", {"reason": "Because"}).status_code == 404
    assert client.post(f"/messages/threads/{thread.pk}/lock/", {"locked": "1"}).status_code == 404
    assert Message.objects.get(pk=message.pk).hidden_at is None
    assert not Thread.objects.get(pk=thread.pk).is_locked


@pytest.mark.parametrize("who", ["moderator", "administrator"])
def test_it_lets_moderators_lock_a_thread_against_replies(cast, moderator, django_capture_on_commit_callbacks, who):
    locker = moderator if who == "moderator" else cast.administrator
    thread = start(cast.member, django_capture_on_commit_callbacks)

    response = signed_in(locker).post(f"/messages/threads/{thread.pk}/lock/", {"locked": "1"})

    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.is_locked, thread.locked_by) == (True, locker)
    [entry] = entries("thread.locked")
    assert (entry.actor, entry.object_id) == (locker, str(thread.pk))
    for person in (cast.member, cast.focal_point, cast.administrator):
        assert reply(person, thread, django_capture_on_commit_callbacks).status_code == 404
    assert thread.messages.count() == 1
    content = _thread_page(cast.member, thread)
    assert "This thread is locked: no new replies." in content
    assert f'action="/messages/threads/{thread.pk}/reply/"' not in content


def test_it_takes_replies_again_once_unlocked(cast, moderator, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    client = signed_in(moderator)
    client.post(f"/messages/threads/{thread.pk}/lock/", {"locked": "1"})

    client.post(f"/messages/threads/{thread.pk}/lock/", {"locked": "0"})

    assert not Thread.objects.get(pk=thread.pk).is_locked
    assert len(entries("thread.unlocked")) == 1
    assert reply(cast.focal_point, thread, django_capture_on_commit_callbacks).status_code == 302


# --- Observers read; members post ----------------------------------------------------------------------------


def test_it_lets_observers_read_but_not_post(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    client = signed_in(cast.observer)

    assert "Pangolin scales at Mombasa" in page(client, f"/messages/threads/{thread.pk}/")
    assert client.get(NEW_THREAD).status_code == 404
    assert client.post(NEW_THREAD, thread_form(subject="Observer post")).status_code == 404
    assert reply(cast.observer, thread, django_capture_on_commit_callbacks).status_code == 404
    assert not Thread.objects.filter(subject="Observer post").exists()
    assert thread.messages.count() == 1
    assert "/messages/new/" not in page(client, "/messages/")


@pytest.mark.parametrize("role", ["member", "focal_point", "other_focal_point", "administrator"])
def test_it_lets_members_post(cast, django_capture_on_commit_callbacks, role):
    thread = start(cast.by_role[role], django_capture_on_commit_callbacks)

    assert thread.author == cast.by_role[role]


# --- Forums -------------------------------------------------------------------------------------------------


def test_it_lets_an_administrator_open_a_forum_through_the_page(cast):
    client = signed_in(cast.administrator)

    response = client.post(
        "/messages/forums/new/",
        {"name": "Operation Thunder 2026", "description": "Joint operation", "members": [cast.member.pk]},
    )

    forum = Topic.objects.get(name="Operation Thunder 2026")
    assert response.status_code == 302 and response["Location"] == f"/messages/topics/{forum.code}/"
    assert forum.is_forum
    assert set(forum.members.all()) == {cast.member, cast.administrator}
    assert set(TopicChoice.objects.filter(topic=forum).values_list("person", flat=True)) == {
        cast.member.pk,
        cast.administrator.pk,
    }
    [entry] = entries("forum.opened")
    assert (entry.actor, entry.object_id, entry.changes) == (cast.administrator, str(forum.pk), {"members": 2})


@pytest.mark.parametrize("role", ["observer", "member", "focal_point", "other_focal_point"])
def test_it_lets_only_administrators_open_forums(cast, role):
    client = signed_in(cast.by_role[role])

    assert client.get("/messages/forums/new/").status_code == 404
    assert client.post("/messages/forums/new/", {"name": "Mine", "members": [cast.member.pk]}).status_code == 404
    assert not Topic.objects.filter(is_forum=True).exists()
    with pytest.raises(PermissionError):
        topic_actions.open_forum(request=None, actor=cast.by_role[role], name="Mine", description="", members=[])


def test_it_shows_a_forum_and_its_threads_to_its_members_only(cast, django_capture_on_commit_callbacks):
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Working group on ODS", description="", members=[cast.member]
    )
    thread = start(cast.member, django_capture_on_commit_callbacks, subject="Quota swaps", topics=[forum])

    for insider in (cast.member, cast.administrator):
        client = signed_in(insider)
        assert "Working group on ODS" in page(client, "/messages/")
        assert "Quota swaps" in page(client, f"/messages/topics/{forum.code}/")
        assert "Quota swaps" in page(client, f"/messages/threads/{thread.pk}/")
    for outsider in (cast.focal_point, cast.other_focal_point, cast.observer):
        client = signed_in(outsider)
        assert "Working group on ODS" not in page(client, "/messages/")
        assert client.get(f"/messages/topics/{forum.code}/").status_code == 404
        assert client.get(f"/messages/threads/{thread.pk}/").status_code == 404


def test_it_lets_forum_members_post_in_it_and_others_not(cast, django_capture_on_commit_callbacks):
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Working group", description="", members=[cast.member]
    )

    response = signed_in(cast.focal_point).post(NEW_THREAD, thread_form(topics=[forum]))

    assert response.status_code == 400
    assert start(cast.member, django_capture_on_commit_callbacks, topics=[forum]).topics.get() == forum


def test_it_closes_a_forum_to_someone_removed_from_it(cast, django_capture_on_commit_callbacks):
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Working group", description="", members=[cast.member]
    )
    thread = start(cast.member, django_capture_on_commit_callbacks, topics=[forum])

    signed_in(cast.administrator).post(
        f"/messages/topics/{forum.code}/members/", {"name": "Working group", "members": [cast.administrator.pk]}
    )

    assert signed_in(cast.member).get(f"/messages/threads/{thread.pk}/").status_code == 404
    assert len(entries("forum.members_changed")) == 1


# --- Following and muting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["follow", "mute"])
def test_it_records_a_follow_or_mute_choice(cast, django_capture_on_commit_callbacks, state):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    client = signed_in(cast.focal_point)

    response = client.post(f"/messages/threads/{thread.pk}/follow/", {"state": state})

    assert response.status_code == 302
    assert Follow.objects.get(person=cast.focal_point, thread=thread).state == state
    [entry] = entries("settings.thread_follow")
    assert (entry.actor, entry.object_id, entry.changes) == (cast.focal_point, str(thread.pk), {"follow": state})


def test_it_goes_back_to_the_topic_choices(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    client = signed_in(cast.focal_point)
    client.post(f"/messages/threads/{thread.pk}/follow/", {"state": "mute"})

    client.post(f"/messages/threads/{thread.pk}/follow/", {"state": "topics"})

    assert not Follow.objects.filter(person=cast.focal_point, thread=thread).exists()
    assert [entry.changes for entry in entries("settings.thread_follow")] == [{"follow": "mute"}, {"follow": "topics"}]


def test_it_refuses_a_follow_choice_it_does_not_know(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)

    response = signed_in(cast.focal_point).post(f"/messages/threads/{thread.pk}/follow/", {"state": "stalk"})

    assert response.status_code == 400
    assert not Follow.objects.filter(person=cast.focal_point).exists()
    assert entries("settings.thread_follow") == []


def test_it_emails_a_follower_who_has_not_ticked_the_topic(cast, mailbox, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, topics=["E"])
    signed_in(cast.focal_point).post(f"/messages/threads/{thread.pk}/follow/", {"state": "follow"})

    reply(cast.other_focal_point, thread, django_capture_on_commit_callbacks, body="Reply-5512 logs from Douala")

    [email] = mailbox.to(cast.focal_point.email)
    assert "Reply-5512 logs from Douala" in Mailbox.body(email)


def test_it_sends_nothing_about_a_muted_thread(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B")
    thread = start(cast.member, django_capture_on_commit_callbacks)
    assert len(mailbox.to(cast.focal_point.email)) == 1
    signed_in(cast.focal_point).post(f"/messages/threads/{thread.pk}/follow/", {"state": "mute"})

    reply(cast.other_focal_point, thread, django_capture_on_commit_callbacks)

    assert len(mailbox.to(cast.focal_point.email)) == 1
    assert stream.stored_events(0, stream.load_reader(cast.focal_point, None)) == []


def test_it_streams_a_followed_thread_and_not_a_muted_one(cast, django_capture_on_commit_callbacks):
    followed = start(cast.member, django_capture_on_commit_callbacks, subject="Followed", topics=["F"])
    muted = start(cast.member, django_capture_on_commit_callbacks, subject="Muted", topics=["C"])
    choose(cast.focal_point, "C", TopicChoice.Delivery.LIVE)
    client = signed_in(cast.focal_point)
    client.post(f"/messages/threads/{followed.pk}/follow/", {"state": "follow"})
    client.post(f"/messages/threads/{muted.pk}/follow/", {"state": "mute"})

    reader = stream.load_reader(cast.focal_point, None)

    assert {event["thread"] for event in stream.stored_events(0, reader)} == {followed.pk}


# --- Mentions --------------------------------------------------------------------------------------------------


def test_it_reaches_a_mentioned_person_in_the_audience(cast, mailbox, django_capture_on_commit_callbacks):
    thread = start(
        cast.member, django_capture_on_commit_callbacks, topics=["E"], body="@oscar@douane.example have a look"
    )

    [message] = thread.messages.all()
    assert list(message.mentions.all()) == [cast.other_focal_point]
    assert len(mailbox.to(cast.other_focal_point.email)) == 1  # without having ticked topic E
    reader = stream.load_reader(cast.other_focal_point, None)
    assert [event["message"] for event in stream.stored_events(0, reader)] == [message.pk]


def test_it_does_not_reach_a_mentioned_person_outside_the_audience(cast, mailbox, django_capture_on_commit_callbacks):
    thread = start(
        cast.member,
        django_capture_on_commit_callbacks,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home],
        body="@oscar@douane.example please look",
    )

    [message] = thread.messages.all()
    assert not message.mentions.exists()
    assert mailbox.to(cast.other_focal_point.email) == []
    assert stream.stored_events(0, stream.load_reader(cast.other_focal_point, None)) == []
    assert signed_in(cast.other_focal_point).get(f"/messages/threads/{thread.pk}/").status_code == 404


def test_it_reaches_a_person_mentioned_in_a_reply_even_if_they_muted_it(
    cast, mailbox, django_capture_on_commit_callbacks
):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    signed_in(cast.focal_point).post(f"/messages/threads/{thread.pk}/follow/", {"state": "mute"})

    reply(cast.other_focal_point, thread, django_capture_on_commit_callbacks, body="Ask @FATOU@kra.example about it")

    _first, answer = thread.messages.order_by("pk")
    assert list(answer.mentions.all()) == [cast.focal_point]
    assert len(mailbox.to(cast.focal_point.email)) == 1


def test_it_ignores_addresses_that_are_not_mentions():
    assert render.mentioned_addresses("write to oscar@douane.example or @ada@wco.example.") == {"ada@wco.example"}


# --- Read receipts ----------------------------------------------------------------------------------------------


def test_it_shows_the_author_of_an_alert_who_has_read_it(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, kind=Message.Kind.ALERT)
    [alert] = thread.messages.all()
    _thread_page(cast.other_focal_point, thread)

    receipts = page(signed_in(cast.member), f"/messages/messages/{alert.pk}/receipts/")

    assert "Oscar Other" in receipts
    assert "Fatou Focal" not in receipts
    assert "Mohamed Member" not in receipts.split('<ul id="receipts">')[1]
    [event] = [event for event in events_of(thread) if event["kind"] == "receipt"]
    assert (event["person"], event["reader"]) == (cast.member.pk, "Oscar Other")
    assert stream.load_reader(cast.member, None).wants(event)
    assert not stream.load_reader(cast.focal_point, None).wants(event)


def test_it_lists_only_readers_within_the_audience(cast, django_capture_on_commit_callbacks):
    forum = topic_actions.open_forum(
        request=None,
        actor=cast.administrator,
        name="Working group",
        description="",
        members=[cast.member, cast.observer],
    )
    thread = start(cast.member, django_capture_on_commit_callbacks, topics=[forum], kind=Message.Kind.ALERT)
    [alert] = thread.messages.all()
    _thread_page(cast.administrator, thread)
    _thread_page(cast.observer, thread)
    # The observer leaves the forum: the alert is no longer theirs to have read.
    topic_actions.set_forum_members(request=None, actor=cast.administrator, forum=forum, members=[cast.member])

    receipts = page(signed_in(cast.member), f"/messages/messages/{alert.pk}/receipts/")

    assert "Ada Admin" not in receipts  # no longer a member either
    assert "Olga Observer" not in receipts
    assert "Nobody yet." in receipts


def test_it_lists_readers_in_the_order_they_read(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, kind=Message.Kind.ALERT)
    [alert] = thread.messages.all()
    for person in (cast.other_focal_point, cast.observer, cast.administrator):
        _thread_page(person, thread)

    response = signed_in(cast.member).get(f"/messages/messages/{alert.pk}/receipts/")

    assert [reading.person for reading in response.context["readings"]] == [
        cast.other_focal_point,
        cast.observer,
        cast.administrator,
    ]


@pytest.mark.parametrize("role", ["observer", "focal_point", "other_focal_point", "administrator"])
def test_it_shows_the_receipts_to_nobody_but_the_author(cast, django_capture_on_commit_callbacks, role):
    thread = start(cast.member, django_capture_on_commit_callbacks, kind=Message.Kind.ALERT)
    [alert] = thread.messages.all()
    _thread_page(cast.other_focal_point, thread)

    assert signed_in(cast.by_role[role]).get(f"/messages/messages/{alert.pk}/receipts/").status_code == 404


def test_it_keeps_receipts_for_alerts(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, kind=Message.Kind.INFORMATION)
    [message] = thread.messages.all()

    assert signed_in(cast.member).get(f"/messages/messages/{message.pk}/receipts/").status_code == 404


# --- Unread counts ------------------------------------------------------------------------------------------------


def _unread(person) -> dict[str, int]:
    response = signed_in(person).get("/messages/")
    assert response.status_code == 200
    return {topic.code: unread for topic, unread in response.context["topics"] if unread}


def test_it_counts_unread_messages_per_topic(cast, django_capture_on_commit_callbacks):
    first = start(cast.member, django_capture_on_commit_callbacks, topics=["A", "B"])
    reply(cast.other_focal_point, first, django_capture_on_commit_callbacks)
    start(cast.member, django_capture_on_commit_callbacks, topics=["B"])

    assert _unread(cast.focal_point) == {"A": 2, "B": 3}
    assert _unread(cast.member) == {"A": 1, "B": 1}  # their own messages are read
    _thread_page(cast.focal_point, first)
    assert _unread(cast.focal_point) == {"B": 1}


def test_it_shows_the_unread_count_on_the_overview_page(cast, django_capture_on_commit_callbacks):
    start(cast.member, django_capture_on_commit_callbacks, topics=["D"])

    content = page(signed_in(cast.focal_point), "/messages/")

    assert '<span class="badge" data-unread-topic="D">1</span>' in content
    assert '<span class="badge" data-unread-topic="A" hidden>0</span>' in content


def test_it_does_not_count_retracted_or_hidden_messages(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, topics=["A"])
    [message] = thread.messages.all()
    signed_in(cast.member).post(f"/messages/messages/{message.pk}/retract/")

    assert _unread(cast.focal_point) == {}


def test_it_marks_live_messages_read(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, topics=["A"])
    [message] = thread.messages.all()

    response = signed_in(cast.focal_point).post(f"/messages/threads/{thread.pk}/read/", {"message": [message.pk]})

    assert response.json() == {"read": [message.pk]}
    assert _unread(cast.focal_point) == {}


# --- Audit: every write leaves an entry ----------------------------------------------------------------------------


def test_it_audits_every_write_in_conversations(cast, moderator, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)
    forum = signed_in(cast.administrator).post(
        "/messages/forums/new/", {"name": "Audit forum", "members": [cast.member.pk]}
    )
    assert forum.status_code == 302
    thread = start(cast.member, django_capture_on_commit_callbacks)
    reply(cast.focal_point, thread, django_capture_on_commit_callbacks)
    first, second = thread.messages.order_by("pk")
    assert client.post(f"/messages/messages/{first.pk}/edit/", {"body": "Changed"}).status_code == 302
    assert client.post(f"/messages/messages/{first.pk}/retract/").status_code == 302
    moderation = signed_in(moderator)
    assert moderation.post(f"/messages/messages/{second.pk}/hide/", {"reason": "Off topic"}).status_code == 302
    assert moderation.post(f"/messages/threads/{thread.pk}/lock/", {"locked": "1"}).status_code == 302
    assert client.post(f"/messages/threads/{thread.pk}/follow/", {"state": "mute"}).status_code == 302

    expected = {
        "forum.opened": (cast.administrator, Topic.objects.get(name="Audit forum").pk),
        "thread.started": (cast.member, thread.pk),
        "message.posted": (cast.focal_point, second.pk),
        "message.edited": (cast.member, first.pk),
        "message.retracted": (cast.member, first.pk),
        "message.hidden": (moderator, second.pk),
        "thread.locked": (moderator, thread.pk),
        "settings.thread_follow": (cast.member, thread.pk),
    }
    for action, (actor, object_id) in expected.items():
        [entry] = entries(action)
        assert (entry.actor, entry.object_id) == (actor, str(object_id)), action
    checked, problems = verify_chain()
    assert (checked, problems) == (Entry.objects.count(), [])


def test_it_records_the_marking_and_audience_of_a_new_thread(cast, django_capture_on_commit_callbacks):
    start(
        cast.member,
        django_capture_on_commit_callbacks,
        marking=Marking.AMBER_STRICT,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.other],
        kind=Message.Kind.REQUEST,
    )

    [entry] = entries("thread.started")
    assert entry.changes == {"marking": "amber_strict", "audience": "organisations", "kind": "request"}


def test_it_does_not_audit_reading(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    before = Entry.objects.count()
    _thread_page(cast.focal_point, thread)

    assert Entry.objects.count() == before
    assert Reading.objects.filter(person=cast.focal_point).count() == 1


def test_it_publishes_an_event_for_every_message_and_change(cast, moderator, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    reply(cast.focal_point, thread, django_capture_on_commit_callbacks)
    first, second = thread.messages.order_by("pk")
    signed_in(cast.member).post(f"/messages/messages/{first.pk}/edit/", {"body": "Changed"})
    signed_in(moderator).post(f"/messages/messages/{second.pk}/hide/", {"reason": "Off topic"})

    kinds = [(event["kind"], event["message"]) for event in events_of(thread)]
    assert kinds == [
        ("message", first.pk),
        ("message", second.pk),
        ("message.changed", first.pk),
        ("message.changed", second.pk),
    ]
    hidden = events_of(thread)[-1]
    assert "Hidden by a moderator." in hidden["html"]
    assert topic("B").code in hidden["topics"]
