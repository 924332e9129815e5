"""A restricted item reaches nobody outside its audience: not its page, its files or preview, search results or
counts, browse counts, notices, the audit trail's labels, a seizure or reference page."""

import pytest
from django.urls import reverse

from audit import labels
from audit.models import Entry
from conftest import signed_in
from environet import notices
from library import access, actions, search
from library.models import LibraryFile
from library.tests import builders
from messaging.models import Audience, Marking

SECRET_TITLE = "Okapi horn route through Mombasa"


@pytest.fixture
def restricted(cast, django_capture_on_commit_callbacks):
    """An AMBER item of the home organisation for itself and the secretariat: the other focal point is out."""
    with django_capture_on_commit_callbacks(execute=True):
        return builders.publish(
            cast.member,
            title=SECRET_TITLE,
            summary="Concealed in okapiword crates.",
            marking=Marking.AMBER,
            audience=Audience.ORGANISATIONS,
            organisations=[cast.home, cast.secretariat],
            files=[builders.upload("route.pdf", builders.pdf("okapiword in the file text"))],
        )


def _pages(item):
    stored = LibraryFile.objects.get(edition__item=item)
    return [
        reverse("library:item", args=[item.pk]),
        reverse("library:file", args=[stored.pk]),
        reverse("library:preview", args=[stored.pk]),
        reverse("library:figures", args=[item.pk]),
        reverse("library:new_edition", args=[item.pk]),
    ]


def test_it_answers_404_to_an_outsider_on_every_page_of_the_item(cast, restricted):
    client = signed_in(cast.other_focal_point)
    for url in _pages(restricted):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_TITLE.encode() not in response.content


def test_it_answers_forbidden_exactly_like_missing(cast, restricted):
    client = signed_in(cast.other_focal_point)
    forbidden = client.get(reverse("library:item", args=[restricted.pk]))
    missing = client.get(reverse("library:item", args=[10**9]))
    strip = __import__("environet.tests.test_authorization_table", fromlist=["x"])._without_csrf_tokens
    assert strip(forbidden.content) == strip(missing.content)


def test_it_lets_the_audience_read_it(cast, restricted):
    client = signed_in(cast.administrator)  # the secretariat is in the audience
    for url in _pages(restricted)[:3]:
        assert client.get(url).status_code == 200, url


def test_it_keeps_it_out_of_the_outsiders_search_and_counts(cast, restricted):
    for words in ("okapiword", "Okapi", ""):
        found = search.search(person=cast.other_focal_point, filters=search.Filters(text=words))
        assert restricted not in found
    response = signed_in(cast.other_focal_point).get(reverse("library:home"), {"q": "okapiword"})
    assert SECRET_TITLE.encode() not in response.content
    assert b"0 items" in response.content
    inside = signed_in(cast.administrator).get(reverse("library:home"), {"q": "okapiword"})
    assert SECRET_TITLE.encode() in inside.content and b"1 item" in inside.content


def test_it_does_not_count_an_outsiders_refused_download(cast, restricted):
    stored = LibraryFile.objects.get(edition__item=restricted)
    signed_in(cast.other_focal_point).get(reverse("library:file", args=[stored.pk]))
    assert not stored.downloads.exists()
    assert not Entry.objects.filter(action="library.file_downloaded").exists()


def test_it_shows_no_notice_to_someone_no_longer_in_the_audience(cast, restricted):
    shown = notices.render(cast.administrator, "library.new_edition", {"item": restricted.pk})
    assert shown is not None and SECRET_TITLE in shown.text
    assert notices.render(cast.other_focal_point, "library.new_edition", {"item": restricted.pk}) is None


def test_it_names_the_item_in_the_audit_trail_only_to_its_readers(cast, restricted):
    entry = Entry.objects.get(action="library.item_published")
    assert entry.object_label == "" and SECRET_TITLE not in str(entry.changes)
    outsider = labels.show(cast.other_focal_point, [entry])[0]
    assert outsider.restricted and SECRET_TITLE not in outsider.label
    assert labels.show(cast.administrator, [entry])[0].label == SECRET_TITLE


def test_it_keeps_a_red_item_to_the_named_people(cast, django_capture_on_commit_callbacks):
    item = builders.publish(cast.member, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.administrator])
    assert access.items_visible_to(cast.administrator).filter(pk=item.pk).exists()
    # Not even the publisher's colleagues who are not named, nor another organisation.
    for outsider in (cast.focal_point, cast.observer, cast.other_focal_point):
        assert not access.items_visible_to(outsider).filter(pk=item.pk).exists()
    assert access.items_visible_to(cast.member).filter(pk=item.pk).exists()
    amber = builders.publish(
        cast.member, marking=Marking.AMBER_STRICT, audience=Audience.ORGANISATIONS, organisations=[cast.secretariat]
    )
    assert access.items_visible_to(cast.focal_point).filter(pk=amber.pk).exists()  # its own organisation's


def test_it_gives_observers_no_upload_page(cast):
    assert signed_in(cast.observer).get(reverse("library:new")).status_code == 404
    with pytest.raises(actions.Refused):
        builders.publish(cast.observer)


def test_it_keeps_it_out_of_the_outsiders_api(cast, restricted):
    outsider, reader = signed_in(cast.other_focal_point), signed_in(cast.administrator)
    url = f"/api/v1/library/items/{restricted.pk}"
    assert outsider.get(url).status_code == 404
    missing = outsider.get("/api/v1/library/items/999999")
    assert outsider.get(url).content == missing.content
    read = reader.get(url).json()
    assert read["title"] == SECRET_TITLE and read["editions"][0]["files"][0]["preview_url"]
    assert read["references"] == [{"table": "cites", "code": "Manis spp.", "label": "Manis spp. (genus)"}]
    found = outsider.get("/api/v1/library/search", {"q": "okapiword"}).json()
    assert found["count"] == 0 and found["results"] == []
    found = reader.get("/api/v1/library/search", {"q": "okapiword"}).json()
    assert found["count"] == 1 and found["results"][0]["title"] == SECRET_TITLE
    assert outsider.get("/api/v1/library/search", {"year": "x"}).status_code == 400


def test_the_audit_trail_page_names_it_only_for_its_readers(cast, restricted):
    inside = signed_in(cast.focal_point).get(reverse("audit:trail"))
    assert inside.status_code == 200 and SECRET_TITLE.encode() in inside.content
    outside = signed_in(cast.other_focal_point).get(reverse("audit:trail"))
    assert outside.status_code == 200 and SECRET_TITLE.encode() not in outside.content
