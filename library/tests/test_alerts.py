"""Library uploads alert the followers of the item's topics, per their choice for each topic: a live notice
(references only, worded when shown through today's access rule), and an email at once or in a daily
digest; the publisher, people outside the audience and those who chose nothing are told nothing. Emails
above GREEN carry neither title nor summary. A new edition alerts too, but not twice a downloader already
told of it."""

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import Mailbox
from library import actions, notify
from library.models import Edition, LibraryFile
from library.tests import builders
from messaging import events
from messaging.models import Audience, Event, Marking
from messaging.tests.builders import choose
from topics.models import TopicChoice

EMAIL = TopicChoice.Delivery.LIVE_AND_EMAIL
DIGEST = TopicChoice.Delivery.LIVE_AND_DIGEST
LIVE = TopicChoice.Delivery.LIVE
NOTHING = TopicChoice.Delivery.NONE
SUMMARY = "How to tell pangolin scales from look-alikes."


def _publish(capture, person, **fields):
    with capture(execute=True):
        return builders.publish(person, **fields)


def _edition(capture, person, item):
    draft = actions.EditionDraft(
        published_on=date(2026, 6, 1),
        version="2nd edition",
        changes="Adds the white-bellied pangolin.",
        files=[builders.upload("guide-2.pdf", builders.pdf("second edition text"))],
    )
    with capture(execute=True):
        return actions.add_edition(request=None, person=person, item=item, draft=draft)


def _notices(person, about="library.published"):
    stored = Event.objects.filter(kind="notice", person=person, data__about=about).order_by("pk")
    return [event for event in events.build(stored) if event is not None]


def _told(person) -> bool:
    return Event.objects.filter(kind="notice", person=person).exists()


def test_it_tells_followers_of_the_items_topics_by_their_choice(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B", EMAIL)
    choose(cast.other_focal_point, "B", LIVE)
    choose(cast.other_focal_point, "C", EMAIL)  # email for another topic: not for this item
    choose(cast.observer, "B", NOTHING)
    choose(cast.administrator, "C", EMAIL)  # follows another topic only
    choose(cast.member, "B", EMAIL)  # the publisher

    item = _publish(django_capture_on_commit_callbacks, cast.member)

    edition = Edition.objects.get(item=item)
    stored = Event.objects.get(kind="notice", person=cast.focal_point)
    assert stored.data == {"about": "library.published", "item": item.pk, "edition": edition.pk}  # no content
    for person in (cast.focal_point, cast.other_focal_point):
        [notice] = _notices(person)
        assert notice["text"] == "“Identifying pangolin scales” (TLP:GREEN) is new in the library, in your topics."
        assert notice["url"] == reverse("library:item", args=[item.pk])
    for person in (cast.observer, cast.administrator, cast.member):
        assert not _told(person)
    [email] = mailbox.to(cast.focal_point.email)
    body = Mailbox.body(email)
    assert "Identifying pangolin scales" in email["Subject"] and "[TLP:GREEN]" in email["Subject"]
    assert "Identifying pangolin scales" in body and SUMMARY in body
    assert body.startswith("TLP:GREEN") and body.rstrip().endswith("TLP:GREEN")
    assert reverse("library:item", args=[item.pk]) in body
    assert "Change what you receive by email: http" in body
    assert [message["To"] for message in mailbox.messages] == [cast.focal_point.email]  # nobody else by email


def test_it_tells_only_who_may_read_the_item(cast, mailbox, django_capture_on_commit_callbacks):
    for person in (cast.focal_point, cast.other_focal_point, cast.administrator, cast.observer):
        choose(person, "B", EMAIL)

    item = _publish(
        django_capture_on_commit_callbacks,
        cast.member,
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.secretariat],
        title="Secret-4411 guide",
        summary="Summary-4411 of the guide",
    )

    assert not _told(cast.other_focal_point) and not mailbox.to(cast.other_focal_point.email)  # outside
    for person in (cast.administrator, cast.focal_point, cast.observer):  # the audience and the publisher's own
        [notice] = _notices(person)
        assert "Secret-4411 guide" in notice["text"]  # shown on the platform, to a reader
        [email] = mailbox.to(person.email)
        body = Mailbox.body(email)
        assert "Secret-4411" not in email["Subject"] and "Secret-4411" not in body and "Summary-4411" not in body
        assert email["Subject"].endswith("[TLP:AMBER] Something new is waiting for you in the library")
        assert body.startswith("TLP:AMBER") and body.rstrip().endswith("TLP:AMBER")
        assert "Its handling marking does not allow its content in an email" in body
        assert reverse("library:item", args=[item.pk]) in body


def test_it_keeps_a_red_item_to_the_named_people(cast, mailbox, django_capture_on_commit_callbacks):
    for person in (cast.focal_point, cast.other_focal_point, cast.administrator, cast.observer):
        choose(person, "B", EMAIL)

    _publish(
        django_capture_on_commit_callbacks,
        cast.member,
        marking=Marking.RED,
        audience=Audience.PEOPLE,
        people=[cast.administrator],
        title="Red-5522 guide",
    )

    for outsider in (cast.focal_point, cast.observer, cast.other_focal_point):  # colleagues included
        assert not _told(outsider) and not mailbox.to(outsider.email)
    [email] = mailbox.to(cast.administrator.email)
    assert "Red-5522" not in email["Subject"] and "Red-5522" not in Mailbox.body(email)
    assert Mailbox.body(email).startswith("TLP:RED")


def test_it_writes_the_email_in_the_readers_language(cast, mailbox, django_capture_on_commit_callbacks):
    cast.focal_point.language = "fr"
    cast.focal_point.save(update_fields=["language"])
    choose(cast.focal_point, "B", EMAIL)

    _publish(django_capture_on_commit_callbacks, cast.member)

    [email] = mailbox.to(cast.focal_point.email)
    assert "Pour modifier ce que vous recevez par courriel" in Mailbox.body(email)


def test_the_notice_disappears_when_the_reader_loses_access(cast, django_capture_on_commit_callbacks):
    choose(cast.administrator, "B", LIVE)
    _publish(
        django_capture_on_commit_callbacks,
        cast.member,
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.secretariat],
    )
    assert len(_notices(cast.administrator)) == 1

    cast.administrator.organisation = cast.other  # no longer of an organisation in the audience
    cast.administrator.save(update_fields=["organisation"])

    assert _notices(cast.administrator) == []
    assert Event.objects.filter(kind="notice", person=cast.administrator).exists()  # stored, not shown


def test_a_new_edition_alerts_followers_but_not_twice_a_downloader(cast, mailbox, django_capture_on_commit_callbacks):
    item = _publish(django_capture_on_commit_callbacks, cast.member)
    stored = LibraryFile.objects.get(edition__item=item)
    actions.download(request=None, person=cast.administrator, stored=stored)
    for person in (cast.administrator, cast.focal_point, cast.member):
        choose(person, "B", EMAIL)
    choose(cast.observer, "B", LIVE)

    edition = _edition(django_capture_on_commit_callbacks, cast.member, item)

    for person in (cast.focal_point, cast.observer):
        [notice] = _notices(person)
        assert notice["text"] == (
            "A new edition of “Identifying pangolin scales” (TLP:GREEN) is in the library, in your topics."
        )
    [email] = mailbox.to(cast.focal_point.email)
    assert "New edition: Identifying pangolin scales" in email["Subject"]
    assert "Adds the white-bellied pangolin." in Mailbox.body(email) and "2nd edition" in Mailbox.body(email)
    assert not mailbox.to(cast.observer.email)
    # The downloader hears once, as a downloader; the one who added the edition not at all.
    assert _notices(cast.administrator) == [] and len(_notices(cast.administrator, "library.new_edition")) == 1
    assert len(mailbox.to(cast.administrator.email)) == 1
    assert not _told(cast.member) and not mailbox.to(cast.member.email)
    assert Event.objects.get(kind="notice", person=cast.focal_point).data["edition"] == edition.pk


def _run_digests(capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("send_digests", stdout=out)
    return out.getvalue()


def test_the_daily_digest_lists_the_days_items(cast, mailbox, django_capture_on_commit_callbacks):
    choose(cast.focal_point, "B", DIGEST)
    choose(cast.member, "B", DIGEST)  # the publisher: their own items are not news to them
    choose(cast.administrator, "B", DIGEST)
    choose(cast.administrator, "C", EMAIL)  # had the item at once through topic C: not again in the digest
    choose(cast.other_focal_point, "B", DIGEST)
    green = _publish(django_capture_on_commit_callbacks, cast.member, summary="Summary-6633 of the green one")
    amber = _publish(
        django_capture_on_commit_callbacks,
        cast.member,
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home],
        title="Amber-7744 guide",
        summary="Summary-7744",
    )
    both = _publish(
        django_capture_on_commit_callbacks,
        cast.member,
        topics=[builders.Topic.objects.get(code="B"), builders.Topic.objects.get(code="C")],
        title="Both-8855 guide",
    )
    assert [email["To"] for email in mailbox.messages] == [cast.administrator.email]  # the email-chooser, at once
    assert len(_notices(cast.focal_point)) == 3  # digest-choosers are told live at once

    assert _run_digests(django_capture_on_commit_callbacks) == "Daily digests sent: 0.\n"  # no messages

    [email] = mailbox.to(cast.focal_point.email)
    body = Mailbox.body(email)
    assert email["Subject"] == "[ENVIRONET] New in the library in your topics"
    assert "Identifying pangolin scales" in body and "Summary-6633 of the green one" in body
    assert "Both-8855 guide" in body
    assert body.count("TLP:GREEN") == 2 and body.count("TLP:AMBER") == 1
    assert "Amber-7744" not in body and "Summary-7744" not in body
    assert "An item whose handling marking keeps its content on the platform." in body
    for item in (green, amber, both):
        assert reverse("library:item", args=[item.pk]) in body
    [other] = mailbox.to(cast.other_focal_point.email)  # outside the AMBER audience: not listed
    assert reverse("library:item", args=[amber.pk]) not in Mailbox.body(other)
    assert not mailbox.to(cast.member.email)
    at_once, digest = mailbox.to(cast.administrator.email)
    assert "Both-8855 guide" in at_once["Subject"]
    assert "Identifying pangolin scales" in Mailbox.body(digest) and "Both-8855" not in Mailbox.body(digest)
    # The last day only.
    assert notify.send_digests_at(now=timezone.now() + timedelta(days=2)) == 0
