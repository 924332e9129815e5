"""A new edition keeps the earlier ones readable, says what changed, and tells who downloaded an earlier one:
a live notice (references only) and an email to those who chose email for one of the item's topics."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Entry
from conftest import Mailbox, signed_in
from library import actions
from library.models import Edition, LibraryFile
from library.tests import builders
from messaging import events
from messaging.models import Audience, Event, Marking
from messaging.tests.builders import choose


def _download(person, item):
    stored = LibraryFile.objects.filter(edition__item=item).order_by("pk")[0]
    response = signed_in(person).get(reverse("library:file", args=[stored.pk]))
    assert response.status_code == 200
    return response


def _edition(person, item, **fields):
    draft = actions.EditionDraft(
        published_on=date(2026, 6, 1),
        version="2nd edition",
        changes="Adds the white-bellied pangolin.",
        files=[builders.upload("guide-2.pdf", builders.pdf("second edition text"))],
    )
    for name, value in fields.items():
        setattr(draft, name, value)
    return actions.add_edition(request=None, person=person, item=item, draft=draft)


def _notices(person):
    built = events.build(Event.objects.filter(kind="notice", person=person).order_by("pk"))
    return [event for event in built if event is not None]


def test_it_keeps_earlier_editions_readable(cast, django_capture_on_commit_callbacks):
    item = builders.publish(cast.member)
    first = LibraryFile.objects.get(edition__item=item)
    with django_capture_on_commit_callbacks(execute=True):
        _edition(cast.focal_point, item)
    page = signed_in(cast.observer).get(reverse("library:item", args=[item.pk]))
    assert b"Earlier editions" in page.content and b"Adds the white-bellied pangolin." in page.content
    assert signed_in(cast.observer).get(reverse("library:file", args=[first.pk])).status_code == 200
    assert list(Edition.objects.filter(item=item).values_list("number", flat=True)) == [2, 1]


def test_it_tells_who_downloaded_an_earlier_edition(cast, mailbox, django_capture_on_commit_callbacks):
    item = builders.publish(cast.member)
    _download(cast.observer, item)
    _download(cast.administrator, item)
    choose(cast.administrator, "B")  # email for topic B
    with django_capture_on_commit_callbacks(execute=True):
        _edition(cast.member, item)
    for person in (cast.observer, cast.administrator):
        [notice] = _notices(person)
        assert "Identifying pangolin scales" in notice["text"]
        assert notice["url"] == reverse("library:item", args=[item.pk])
    stored = Event.objects.get(kind="notice", person=cast.observer)
    assert stored.data == {"about": "library.new_edition", "item": item.pk}  # references, no content
    assert not _notices(cast.other_focal_point) and not _notices(cast.focal_point)
    [email] = mailbox.to(cast.administrator.email)
    assert "Adds the white-bellied pangolin." in Mailbox.body(email)
    assert not mailbox.to(cast.observer.email)  # no email chosen


def test_it_sends_no_content_by_email_above_green(cast, mailbox, django_capture_on_commit_callbacks):
    item = builders.publish(
        cast.member, marking=Marking.AMBER, audience=Audience.ORGANISATIONS, organisations=[cast.secretariat]
    )
    _download(cast.administrator, item)
    choose(cast.administrator, "B")
    with django_capture_on_commit_callbacks(execute=True):
        _edition(cast.member, item)
    [email] = mailbox.to(cast.administrator.email)
    body = Mailbox.body(email)
    assert "TLP:AMBER" in body and "white-bellied" not in body and "pangolin" not in body


def test_it_tells_nobody_who_left_the_audience(cast, django_capture_on_commit_callbacks):
    item = builders.publish(cast.member)
    _download(cast.other_focal_point, item)
    item.audience = Audience.ORGANISATIONS
    item.save()
    item.audience_organisations.set([cast.home])
    with django_capture_on_commit_callbacks(execute=True):
        _edition(cast.member, item)
    assert not Event.objects.filter(kind="notice", person=cast.other_focal_point).exists()


def test_it_lets_only_the_publishing_organisation_add_an_edition(cast):
    item = builders.publish(cast.member)
    for outsider in (cast.observer, cast.other_focal_point, cast.administrator):
        with pytest.raises(actions.Refused):
            _edition(outsider, item)
    assert signed_in(cast.administrator).get(reverse("library:new_edition", args=[item.pk])).status_code == 404


def test_it_asks_what_changed_and_keeps_the_draft(cast):
    item = builders.publish(cast.member)
    with pytest.raises(actions.Refused):
        _edition(cast.member, item, changes="  ")
    response = signed_in(cast.member).post(
        reverse("library:new_edition", args=[item.pk]),
        {"version": "3rd edition", "published_on": "2026-06-01", "changes": "", "uploads": []},
    )
    assert response.status_code == 400
    assert b"Say what changed in this edition." in response.content and b'value="3rd edition"' in response.content
    assert Edition.objects.filter(item=item).count() == 1


def test_it_adds_an_edition_from_the_form(cast, django_capture_on_commit_callbacks):
    item = builders.publish(cast.member)
    pdf = SimpleUploadedFile("guide-3.pdf", builders.pdf("third"))
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(
            reverse("library:new_edition", args=[item.pk]),
            {"version": "3rd edition", "published_on": "2026-06-01", "changes": "New photos.", "uploads": [pdf]},
        )
    assert response.status_code == 302
    assert Entry.objects.filter(action="library.edition_added", changes__edition=2).exists()
