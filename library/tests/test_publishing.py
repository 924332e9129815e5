"""Publishing: the action's own guards, and the form's clear messages that keep the draft and save nothing."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Entry
from conftest import signed_in
from library import actions
from library.models import Item, LibraryFile, ReferenceLink
from library.tests import builders
from messaging.models import Audience, Marking
from topics.models import Topic


def test_it_refuses_amber_strict_for_the_whole_network_in_the_action(cast):
    with pytest.raises(actions.Refused, match="AMBER\\+STRICT"):
        builders.publish(cast.member, marking=Marking.AMBER_STRICT, audience=Audience.NETWORK)
    assert not Item.objects.exists()


def test_it_refuses_red_without_named_people_in_the_action(cast):
    with pytest.raises(actions.Refused, match="RED"):
        builders.publish(cast.member, marking=Marking.RED, audience=Audience.NETWORK)


def test_it_refuses_unknown_codes_and_forums_in_the_action(cast, settings):
    with pytest.raises(actions.Refused, match="not in the reference tables"):
        builders.publish(cast.member, references=[("cites", "Unicornus magnificus")])
    forum = Topic.objects.create(code="op-x", name="Operation X", is_forum=True, position=99)
    with pytest.raises(actions.Refused, match="topic"):
        builders.publish(cast.member, topics=[forum])
    assert not Item.objects.exists()


def test_it_refuses_files_and_a_link_together_or_neither(cast):
    with pytest.raises(actions.Refused):
        builders.publish(
            cast.member,
            external_url="https://example.org/guide",
            files=[builders.upload("g.pdf", builders.pdf("x"))],
        )
    with pytest.raises(actions.Refused):
        builders.publish(cast.member, files=[], external_url="")


def test_it_publishes_a_link_to_an_outside_resource(cast):
    item = builders.publish(
        cast.member, external_url="https://example.org/guide", external_title="Outside guide", files=[]
    )
    assert item.is_link and not LibraryFile.objects.exists()
    page = signed_in(cast.observer).get(reverse("library:item", args=[item.pk]))
    assert b"https://example.org/guide" in page.content


def _form(**fields):
    data = {
        "title": "Identifying pangolin scales",
        "kind": "guide",
        "summary": "How to tell them apart.",
        "topics": [Topic.objects.get(code="B").pk],
        "conventions": ["cites"],
        "languages": ["en", "fr"],
        "published_on": "2026-01-15",
        "references": "cites: Manis spp.\nbasel: A1180",
        "marking": "green",
        "audience": "network",
    }
    data.update(fields)
    return data


def test_it_publishes_from_the_form_with_its_files_and_links(cast, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)
    pdf = SimpleUploadedFile("guide.pdf", builders.pdf("keratin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("library:new"), _form(uploads=[pdf]))
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("library:item", args=[item.pk])
    assert item.language_codes == ["en", "fr"] and item.convention_codes == ["cites"]
    assert set(ReferenceLink.objects.values_list("table", "code")) == {("cites", "Manis spp."), ("basel", "A1180")}
    page = client.get(response["Location"])
    assert b"TLP:GREEN" in page.content and b"guide.pdf" in page.content


def test_it_keeps_what_was_typed_when_a_code_is_unknown(cast):
    client = signed_in(cast.member)
    pdf = SimpleUploadedFile("guide.pdf", builders.pdf("keratin"))
    response = client.post(reverse("library:new"), _form(uploads=[pdf], references="cites: Unicornus magnificus"))
    assert response.status_code == 400
    assert b"Not found in the reference tables: cites: Unicornus magnificus" in response.content
    assert b'value="Identifying pangolin scales"' in response.content
    assert b"How to tell them apart." in response.content
    assert not Item.objects.exists() and not LibraryFile.objects.exists()


def test_it_names_a_file_of_unknown_type(cast, settings):
    client = signed_in(cast.member)
    binary = SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + bytes(range(256)))
    response = client.post(reverse("library:new"), _form(uploads=[binary]))
    assert response.status_code == 400
    assert b"tool.exe is not a kind of file ENVIRONET accepts" in response.content
    assert not Item.objects.exists()
    assert not any(settings.ATTACHMENTS_DIR.rglob("*")) if settings.ATTACHMENTS_DIR.exists() else True


def test_it_says_how_large_a_refused_file_is(cast, settings):
    settings.MAX_ATTACHMENT_BYTES = 1024
    client = signed_in(cast.member)
    big = SimpleUploadedFile("big.txt", b"x" * 3000)
    response = client.post(reverse("library:new"), _form(uploads=[big]))
    assert response.status_code == 400
    assert b"big.txt is 2.9 KB, over the 1 KB limit." in response.content
    assert not Item.objects.exists()


def test_it_asks_for_a_file_or_a_link(cast):
    response = signed_in(cast.member).post(reverse("library:new"), _form())
    assert response.status_code == 400
    assert b"Add at least one file, or the address of an outside resource." in response.content


def test_it_refuses_a_contradictory_marking_in_the_form(cast):
    pdf = SimpleUploadedFile("guide.pdf", builders.pdf("keratin"))
    response = signed_in(cast.member).post(
        reverse("library:new"), _form(uploads=[pdf], marking="amber_strict", audience="network")
    )
    assert response.status_code == 400 and b"AMBER+STRICT" in response.content
    assert not Item.objects.exists()


def test_it_removes_written_files_when_saving_fails(cast, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions.search, "index", broken)
    with pytest.raises(RuntimeError):
        builders.publish(cast.member)
    assert not Item.objects.exists()
    assert not [path for path in settings.ATTACHMENTS_DIR.rglob("*") if path.is_file()]


def test_a_file_that_cannot_be_written_saves_nothing(cast, settings, monkeypatch):
    """A write that fails (a full disk) fails the whole publication, and leaves no file behind (the first
    file's was written before the second failed)."""
    from messaging import attachments

    written = attachments._write

    def full_disk(path, data):
        if not str(path).endswith(".thumbnail"):
            raise OSError(28, "No space left on device")
        written(path, data)

    monkeypatch.setattr(attachments, "_write", full_disk)
    pictures = [builders.upload("guide.pdf", builders.pdf("keratin")), builders.upload("notes.txt", b"Scales")]
    with pytest.raises(OSError, match="No space left"):
        builders.publish(cast.member, files=pictures)
    assert not Item.objects.exists() and not LibraryFile.objects.exists()
    assert not [path for path in settings.ATTACHMENTS_DIR.rglob("*") if path.is_file()]


def test_the_files_are_on_disk_when_the_publication_commits(cast):
    from messaging import attachments

    item = builders.publish(cast.member, files=[builders.upload("notes.txt", b"Pangolin scales, 40 kg")])
    [stored] = LibraryFile.objects.filter(edition__item=item)
    assert attachments.content_of(stored) == b"Pangolin scales, 40 kg"


def test_it_audits_publishing_with_references_only(cast):
    item = builders.publish(cast.member, title="Secret-ish title", summary="Secret summary")
    entries = Entry.objects.filter(action__startswith="library.")
    assert {entry.action for entry in entries} == {"library.item_published", "library.file_added"}
    for entry in entries:
        assert entry.object_label == ""
        text = str(entry.changes)
        assert "Secret" not in text and "guide.pdf" not in text
    assert Entry.objects.get(action="library.item_published").object_id == str(item.pk)


def test_it_keeps_an_image_upload_safe(cast):
    from PIL import Image

    image = BytesIO()
    Image.new("RGB", (10, 10), "red").save(image, format="PNG")
    item = builders.publish(cast.member, files=[builders.upload("photo.png", image.getvalue())])
    assert LibraryFile.objects.get(edition__item=item).has_thumbnail


def test_an_upload_sent_twice_with_its_key_is_published_once(cast, django_capture_on_commit_callbacks):
    # The answer was lost on a slow link and the officer sent the form again: one item, one file.
    client = signed_in(cast.member)
    page = client.get(reverse("library:new")).content.decode()
    key = page.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
    responses = []
    for _ in range(2):
        pdf = SimpleUploadedFile("guide.pdf", builders.pdf("keratin"))
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(client.post(reverse("library:new"), _form(uploads=[pdf], submission_key=key)))
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Item.objects.count() == 1 and LibraryFile.objects.count() == 1
