"""Every download checks access again and is audited; the figures are for the publishing organisation only."""

from django.urls import reverse

from audit.models import Entry
from conftest import signed_in
from library.models import Download, LibraryFile
from library.tests import builders
from messaging.models import Audience


def test_it_audits_each_download_with_references_only(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.publish(cast.member, title="Private title")
    stored = LibraryFile.objects.get(edition__item=item)
    client = signed_in(cast.other_focal_point)
    response = client.get(reverse("library:file", args=[stored.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert response.content.startswith(b"%PDF")
    client.get(reverse("library:preview", args=[stored.pk]))
    downloaded = Entry.objects.get(action="library.file_downloaded")
    assert downloaded.object_id == str(stored.pk) and downloaded.object_label == ""
    assert downloaded.changes == {"item": item.pk, "edition": 1}
    assert Entry.objects.filter(action="library.preview_viewed").count() == 1
    assert Download.objects.filter(person=cast.other_focal_point).count() == 1  # previews are not counted


def test_it_checks_access_again_on_every_download(cast):
    item = builders.publish(cast.member)
    stored = LibraryFile.objects.get(edition__item=item)
    client = signed_in(cast.other_focal_point)
    assert client.get(reverse("library:file", args=[stored.pk])).status_code == 200
    item.audience = Audience.ORGANISATIONS
    item.save()
    item.audience_organisations.set([cast.home])
    assert client.get(reverse("library:file", args=[stored.pk])).status_code == 404


def test_it_shows_the_figures_to_the_publishing_organisation_only(cast):
    item = builders.publish(cast.member)
    stored = LibraryFile.objects.get(edition__item=item)
    signed_in(cast.other_focal_point).get(reverse("library:file", args=[stored.pk]))
    figures = reverse("library:figures", args=[item.pk])
    page = signed_in(cast.observer).get(figures)  # same organisation, even an observer
    assert page.status_code == 200 and b"Oscar Other" in page.content
    for outsider in (cast.other_focal_point, cast.administrator):
        assert signed_in(outsider).get(figures).status_code == 404
        item_page = signed_in(outsider).get(reverse("library:item", args=[item.pk]))
        assert figures.encode() not in item_page.content and b"Download figures" not in item_page.content
