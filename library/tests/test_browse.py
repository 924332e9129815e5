"""Browse by kind, topic, convention, language, organisation and year; search across titles, summaries and the
files' text with the same filters."""

from datetime import date

from django.urls import reverse

from conftest import signed_in
from library import search
from library.tests import builders
from topics.models import Topic


def _found(person, **filters):
    return {item.title for item in search.search(person=person, filters=search.Filters(**filters))}


def test_it_filters_by_each_field(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        builders.publish(cast.member, title="Pangolin guide", languages=["en", "fr"])
        builders.publish(
            cast.other_focal_point,
            title="Manuel SAO",
            kind="manual",
            topics=[Topic.objects.get(code="D")],
            conventions=["montreal"],
            languages=["fr"],
            published_on=date(2024, 5, 1),
            references=[("montreal", "HCFC-22")],
            files=[builders.upload("sao.docx", builders.docx("Frigorigènes HCFC contrebande"))],
        )
    someone = cast.observer
    assert _found(someone, kind="manual") == {"Manuel SAO"}
    assert _found(someone, topic=Topic.objects.get(code="B")) == {"Pangolin guide"}
    assert _found(someone, convention="montreal") == {"Manuel SAO"}
    assert _found(someone, language="fr") == {"Pangolin guide", "Manuel SAO"}
    assert _found(someone, language="en") == {"Pangolin guide"}
    assert _found(someone, organisation=cast.other) == {"Manuel SAO"}
    assert _found(someone, year=2024) == {"Manuel SAO"}
    assert _found(someone, text="Frigorigènes") == {"Manuel SAO"}  # from the file
    assert _found(someone, text="contrebande", language="en") == set()
    assert _found(someone, text='"pangolin guide"') == {"Pangolin guide"}
    assert _found(someone, text="-pangolin") == set()


def test_the_page_keeps_the_filters_and_says_how_many(cast):
    builders.publish(cast.member, title="Pangolin guide")
    page = signed_in(cast.observer).get(reverse("library:home"), {"q": "pangolin", "kind": "guide"})
    assert page.status_code == 200
    assert b"1 item" in page.content and b'value="pangolin"' in page.content
    assert b"Add an item" not in page.content  # observers read
    assert b"Add an item" in signed_in(cast.member).get(reverse("library:home")).content


def test_it_answers_bad_filters_plainly(cast):
    page = signed_in(cast.member).get(reverse("library:home"), {"year": "abc"})
    assert page.status_code == 400 and b"Enter a whole number." in page.content
