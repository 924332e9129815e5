"""Correcting an item after publishing, without a new edition: the publishing organisation's people who may
publish; the create form's checks; nothing half-saved; audited with the names of the fields only; the page says
when it was last corrected; and a narrower audience or a higher marking applies at once everywhere."""

import pytest
from django.urls import reverse

from audit.models import Entry
from conftest import signed_in
from environet import notices
from library import actions, feedback_actions, search
from library.models import Item, LibraryFile
from library.tests import builders
from messaging import access as messaging_access
from messaging.models import Audience, Marking
from topics.models import Topic

SECRET = "Okapi horn route through Mombasa"


def _form(item: Item, **changes) -> dict:
    """The correction form as shown for ``item``, with ``changes`` typed over it."""
    data = {
        "title": item.title,
        "summary": item.summary,
        "topics": [topic.pk for topic in item.topics.all()],
        "conventions": item.convention_codes,
        "languages": item.language_codes,
        "licence": item.licence,
        "references": "\n".join(f"{link.table}: {link.code}" for link in item.references.all()),
        "marking": item.marking,
        "audience": item.audience,
        "organisations": [organisation.pk for organisation in item.audience_organisations.all()],
        "countries": item.country_codes,
        "people": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def published(cast, django_capture_on_commit_callbacks):
    """A network-wide GREEN guide of the home organisation, its PDF read and previewed."""
    with django_capture_on_commit_callbacks(execute=True):
        return builders.publish(
            cast.member,
            title=SECRET,
            summary="Concealed in okapiword crates.",
            files=[builders.upload("route.pdf", builders.pdf("okapiword in the file text"))],
        )


def test_a_colleague_of_the_publisher_corrects_the_description_without_a_new_edition(cast, published):
    client = signed_in(cast.focal_point)
    assert client.get(reverse("library:correct", args=[published.pk])).status_code == 200
    response = client.post(
        reverse("library:correct", args=[published.pk]),
        _form(
            published,
            title="Okapi horn routes through Mombasa",
            summary="Corrected: concealed in crates of okapiword.",
            languages=["en", "fr"],
            licence="CC BY 4.0",
            references="cites: Manidae\nbasel: A1180",
        ),
    )
    assert response.status_code == 302
    item = Item.objects.get(pk=published.pk)
    assert item.title == "Okapi horn routes through Mombasa" and item.language_codes == ["en", "fr"]
    assert item.licence == "CC BY 4.0" and item.editions.count() == 1
    assert sorted((link.table, link.code) for link in item.references.all()) == [
        ("basel", "A1180"),
        ("cites", "Manidae spp."),
    ]
    entry = Entry.objects.get(action="library.item_corrected")
    assert entry.object_id == str(item.pk) and entry.actor == cast.focal_point
    assert entry.changes == {"fields": ["title", "summary", "languages", "references", "licence"]}
    # References only: no title, summary or licence copied into the trail.
    assert "Okapi" not in str(entry.changes) and "CC BY" not in str(entry.changes)
    page = signed_in(cast.observer).get(reverse("library:item", args=[item.pk])).content.decode()
    assert "last corrected on" in page and "Okapi horn routes through Mombasa" in page
    # The search index follows the new words.
    found = search.search(person=cast.observer, filters=search.Filters(text="Corrected"))
    assert list(found) == [item]


def test_only_the_publishing_organisations_people_who_publish_may_correct(cast, published):
    url = reverse("library:correct", args=[published.pk])
    for person in (cast.observer, cast.other_focal_point, cast.administrator):
        assert signed_in(person).get(url).status_code == 404, person
        assert signed_in(person).post(url, _form(published, title="Taken over")).status_code == 404, person
    with pytest.raises(actions.Refused):
        actions.correct_item(
            request=None,
            person=cast.observer,
            item=published,
            correction=actions.Correction.of(published),
        )
    assert Item.objects.get(pk=published.pk).title == SECRET
    assert not Entry.objects.filter(action="library.item_corrected").exists()


def test_it_refuses_bad_input_with_the_create_forms_messages_and_saves_nothing(cast, published):
    url = reverse("library:correct", args=[published.pk])
    client = signed_in(cast.member)
    unknown = client.post(url, _form(published, title="New title", references="cites: Unicornus"))
    assert unknown.status_code == 400 and "Not found in the reference tables" in unknown.content.decode()
    # TLP:RED for the whole network contradicts the one marking rule.
    red = client.post(url, _form(published, title="New title", marking=Marking.RED))
    assert red.status_code == 400 and "TLP:RED is for named people only" in red.content.decode()
    no_topic = client.post(url, _form(published, title="New title", topics=[]))
    assert no_topic.status_code == 400
    item = Item.objects.get(pk=published.pk)
    assert item.title == SECRET and item.marking == Marking.GREEN and item.corrected_at is None
    assert [(link.table, link.code) for link in item.references.all()] == [("cites", "Manis spp.")]
    # Nothing changed is said, and nothing is written.
    same = client.post(url, _form(published))
    assert same.status_code == 400 and "Nothing was changed." in same.content.decode()
    assert not Entry.objects.filter(action="library.item_corrected").exists()


def test_the_action_refuses_a_marking_its_audience_contradicts_whatever_the_caller(cast, published):
    correction = actions.Correction.of(published)
    correction.marking = Marking.AMBER_STRICT  # the whole network: never under AMBER+STRICT
    with pytest.raises(actions.Refused):
        actions.correct_item(request=None, person=cast.member, item=published, correction=correction)
    assert Item.objects.get(pk=published.pk).marking == Marking.GREEN


def test_narrowing_the_audience_shuts_a_removed_reader_out_everywhere_at_once(cast, published):
    outsider = signed_in(cast.other_focal_point)
    stored = LibraryFile.objects.get(edition__item=published)
    urls = [
        reverse("library:item", args=[published.pk]),
        reverse("library:file", args=[stored.pk]),
        reverse("library:preview", args=[stored.pk]),
        reverse("api:read_library_item", kwargs={"item_id": published.pk}),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 200, url
    api_search = reverse("api:search_library")
    assert SECRET in outsider.get(api_search, {"q": "okapiword"}).content.decode()
    notice = {"item": published.pk, "edition": published.editions.get().pk}
    assert notices.render(cast.other_focal_point, "library.published", notice) is not None
    feedback_actions.comment(request=None, person=cast.member, item=published, body="Seen at Mombasa too.")
    thread = published.comment_thread.thread
    assert messaging_access.threads_visible_to(cast.other_focal_point).filter(pk=thread.pk).exists()

    response = signed_in(cast.member).post(
        reverse("library:correct", args=[published.pk]),
        _form(
            published,
            marking=Marking.AMBER,
            audience=Audience.ORGANISATIONS,
            organisations=[cast.home.pk, cast.secretariat.pk],
        ),
    )
    assert response.status_code == 302
    entry = Entry.objects.get(action="library.item_corrected")
    assert entry.changes == {
        "fields": ["marking", "audience"],
        "marking": [Marking.GREEN, Marking.AMBER],
        "audience": [Audience.NETWORK, Audience.ORGANISATIONS],
    }

    missing = outsider.get(reverse("library:item", args=[10**9]))
    for url in urls:
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert SECRET.encode() not in response.content
        assert response.status_code == missing.status_code
    assert SECRET not in outsider.get(api_search, {"q": "okapiword"}).content.decode()
    page = outsider.get(reverse("library:home"), {"q": "okapiword"})
    assert SECRET.encode() not in page.content and b"0 items" in page.content
    for words in ("okapiword", ""):
        assert published not in search.search(person=cast.other_focal_point, filters=search.Filters(text=words))
    # The notice sent before is worded through today's rule: not shown at all.
    assert notices.render(cast.other_focal_point, "library.published", notice) is None
    # The comments follow the item's audience and marking.
    thread.refresh_from_db()
    assert (thread.marking, thread.audience) == (Marking.AMBER, Audience.ORGANISATIONS)
    assert not messaging_access.threads_visible_to(cast.other_focal_point).filter(pk=thread.pk).exists()
    # Those still in the audience read on.
    assert signed_in(cast.administrator).get(urls[0]).status_code == 200


def test_a_red_item_may_be_widened_by_its_publishing_organisation_under_the_marking_rule(cast):
    item = builders.publish(
        cast.member,
        marking=Marking.RED,
        audience=Audience.PEOPLE,
        people=[cast.focal_point],
        topics=[Topic.objects.get(code="B")],
    )
    assert signed_in(cast.other_focal_point).get(reverse("library:item", args=[item.pk])).status_code == 404
    form = _form(item, people=cast.focal_point.email)
    assert (
        signed_in(cast.member)
        .get(reverse("library:correct", args=[item.pk]))
        .content.decode()
        .count(cast.focal_point.email)
    )
    # Widening to the network under RED contradicts the rule; under GREEN it is what publishing allows.
    refused = signed_in(cast.member).post(reverse("library:correct", args=[item.pk]), {**form, "audience": "network"})
    assert refused.status_code == 400
    widened = signed_in(cast.focal_point).post(
        reverse("library:correct", args=[item.pk]), {**form, "audience": "network", "marking": Marking.GREEN}
    )
    assert widened.status_code == 302
    assert signed_in(cast.other_focal_point).get(reverse("library:item", args=[item.pk])).status_code == 200


def test_a_commenter_taken_out_of_the_item_loses_the_comments_they_opened(cast, published):
    # The first comment made its writer the thread's author, whom messaging always lets read: after the
    # narrowing, the thread passes to the item's publisher.
    feedback_actions.comment(request=None, person=cast.other_focal_point, item=published, body="First remark.")
    thread = published.comment_thread.thread
    assert thread.author == cast.other_focal_point
    response = signed_in(cast.member).post(
        reverse("library:correct", args=[published.pk]),
        _form(published, marking=Marking.AMBER, audience=Audience.ORGANISATIONS, organisations=[cast.home.pk]),
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.author == published.publisher
    assert not messaging_access.threads_visible_to(cast.other_focal_point).filter(pk=thread.pk).exists()
    assert messaging_access.threads_visible_to(cast.member).filter(pk=thread.pk).exists()
