"""Collections: made by an organisation's people who may post, open to every reader by their address, each
reader seeing (and counting, and exporting) only the items they may read; reordered with buttons; every change
audited with references only; bad input refused with a sentence and nothing saved."""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Person
from audit.models import Entry
from conftest import make_person, signed_in
from library import access, collection_actions, collection_export, selectors
from library.models import Collection, CollectionEntry
from library.tests import builders
from messaging.models import Audience, Marking

RED_TITLE = "Okapi horn courier names"


@pytest.fixture
def red(cast):
    """A TLP:RED item of Mohamed's for the focal point alone (and himself)."""
    return builders.publish(
        cast.member, title=RED_TITLE, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.focal_point]
    )


@pytest.fixture
def kit(cast, red):
    """Mohamed's collection: an open item, the RED item, another open item, in that order."""
    kit = collection_actions.make_collection(request=None, person=cast.member, name="Starter kit for new officers")
    first = builders.publish(cast.member, title='=HYPERLINK("http://evil.example")')
    last = builders.publish(cast.other_focal_point, title="Customs codes primer")
    for item in (first, red, last):
        collection_actions.add_item(request=None, person=cast.member, collection=kit, item_id=item.pk)
    return kit


def _titles(person, kit):
    return [entry.item.title for entry in selectors.collection_items(person=person, collection=kit)]


def test_it_lists_a_red_item_only_to_its_readers(cast, kit):
    url = reverse("library:collection", args=[kit.pk])
    for reader in (cast.member, cast.focal_point):
        page = signed_in(reader).get(url)
        assert RED_TITLE.encode() in page.content and b"3 items you may read" in page.content
    for outsider in (cast.observer, cast.other_focal_point, cast.administrator):
        page = signed_in(outsider).get(url)
        assert page.status_code == 200, outsider
        assert RED_TITLE.encode() not in page.content and b"2 items you may read" in page.content
    listing = signed_in(cast.other_focal_point).get(reverse("library:collections"))
    assert b"2 items" in listing.content and b"3 items" not in listing.content


def test_it_exports_only_the_items_the_person_may_read(cast, kit, red):
    def rows(person):
        response = signed_in(person).get(reverse("library:collection_export", args=[kit.pk]))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
        sheet = openpyxl.load_workbook(BytesIO(response.content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    seen = rows(cast.focal_point)
    assert seen[0] == ["Title", "Kind", "Languages", "Organisation", "Date", "Link"]
    assert [row[0] for row in seen[1:]] == ['=HYPERLINK("http://evil.example")', RED_TITLE, "Customs codes primer"]
    assert seen[2][5].endswith(reverse("library:item", args=[red.pk]))
    outsider = rows(cast.other_focal_point)
    assert RED_TITLE not in str(outsider) and len(outsider) == 3
    exported = Entry.objects.filter(action="library.collection_exported", actor=cast.other_focal_point).get()
    assert exported.changes == {"items": 2} and exported.object_label == ""


def test_it_keeps_a_title_that_looks_like_a_formula_as_text(cast, kit):
    workbook = openpyxl.load_workbook(
        BytesIO(collection_export.export(request=None, person=cast.member, collection=kit))
    )
    cell = workbook.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix


def test_it_moves_items_up_and_down(cast, kit):
    primer = access.items_visible_to(cast.member).get(title="Customs codes primer")
    client = signed_in(cast.member)
    move = reverse("library:collection_move", args=[kit.pk])
    response = client.post(move, {"item": primer.pk, "direction": "up"})
    assert response.status_code == 302
    assert _titles(cast.member, kit)[1:] == ["Customs codes primer", RED_TITLE]
    client.post(move, {"item": primer.pk, "direction": "up"})
    assert _titles(cast.member, kit)[0] == "Customs codes primer"
    client.post(move, {"item": primer.pk, "direction": "up"})  # already first: nothing changes
    assert _titles(cast.member, kit)[0] == "Customs codes primer"
    client.post(move, {"item": primer.pk, "direction": "down"})
    assert _titles(cast.member, kit)[1] == "Customs codes primer"
    entry = Entry.objects.filter(action="library.collection_reordered").first()
    assert entry is not None and set(entry.changes) == {"item", "position"}


def test_it_moves_past_an_item_the_mover_may_not_read_without_touching_it(cast, kit, red):
    # A colleague of Mohamed's who may change the collection but is not named on the RED item.
    colleague = make_person("mary@kra.example", "Mary Member", cast.home, role=Person.Role.MEMBER)
    primer = access.items_visible_to(colleague).get(title="Customs codes primer")
    red_position = CollectionEntry.objects.get(collection=kit, item=red).position
    collection_actions.move_item(request=None, person=colleague, collection=kit, item_id=primer.pk, direction="up")
    assert _titles(colleague, kit) == ["Customs codes primer", '=HYPERLINK("http://evil.example")']
    assert CollectionEntry.objects.get(collection=kit, item=red).position == red_position
    assert _titles(cast.member, kit) == ["Customs codes primer", RED_TITLE, '=HYPERLINK("http://evil.example")']


def test_it_removes_an_item(cast, kit, red):
    response = signed_in(cast.focal_point).post(reverse("library:collection_remove", args=[kit.pk]), {"item": red.pk})
    assert response.status_code == 302
    assert RED_TITLE not in _titles(cast.member, kit)
    removed = Entry.objects.get(action="library.collection_item_removed")
    assert removed.changes == {"item": red.pk} and removed.object_label == ""


def test_it_makes_a_collection_and_audits_it_with_references_only(cast):
    client = signed_in(cast.member)
    response = client.post(reverse("library:new_collection"), {"name": "Tentative list of resources"})
    made = Collection.objects.get(name="Tentative list of resources")
    assert response.status_code == 302 and response["Location"] == reverse("library:collection", args=[made.pk])
    assert made.organisation == cast.home and made.made_by == cast.member
    entry = Entry.objects.get(action="library.collection_made")
    assert entry.object_id == str(made.pk) and entry.object_label == "" and not entry.changes


def test_it_refuses_a_duplicate_name_in_the_same_organisation(cast, kit):
    client = signed_in(cast.focal_point)
    response = client.post(reverse("library:new_collection"), {"name": "  starter KIT for new   officers "})
    assert response.status_code == 400
    assert b"Your organisation already has a collection of that name." in response.content
    assert Collection.objects.count() == 1
    # Another organisation may use the same name.
    collection_actions.make_collection(request=None, person=cast.other_focal_point, name=kit.name)
    assert Collection.objects.count() == 2


def test_it_refuses_an_item_the_person_may_not_read_and_saves_nothing(cast, red):
    theirs = collection_actions.make_collection(request=None, person=cast.other_focal_point, name="Mine")
    client = signed_in(cast.other_focal_point)
    response = client.post(reverse("library:collection_add", args=[theirs.pk]), {"item": red.pk}, follow=True)
    assert b"Choose an item of the library that you may read." in response.content
    assert RED_TITLE.encode() not in response.content
    missing = client.post(reverse("library:collection_add", args=[theirs.pk]), {"item": 10**9}, follow=True)
    assert missing.content.count(b"Choose an item of the library that you may read.") == 1
    assert not CollectionEntry.objects.exists()
    assert not Entry.objects.filter(action="library.collection_item_added").exists()


def test_it_refuses_an_item_twice(cast, kit, red):
    with pytest.raises(collection_actions.Refused, match="already in the collection"):
        collection_actions.add_item(request=None, person=cast.member, collection=kit, item_id=red.pk)
    assert CollectionEntry.objects.filter(collection=kit).count() == 3


def test_the_actions_refuse_observers_and_other_organisations(cast, kit, red):
    # The guards themselves, not only the pages.
    with pytest.raises(collection_actions.Refused):
        collection_actions.make_collection(request=None, person=cast.observer, name="Observer's list")
    for person in (cast.observer, cast.administrator, cast.other_focal_point):
        with pytest.raises(collection_actions.Refused):
            collection_actions.remove_item(request=None, person=person, collection=kit, item_id=red.pk)
        with pytest.raises(collection_actions.Refused):
            collection_actions.move_item(request=None, person=person, collection=kit, item_id=red.pk, direction="up")
    assert CollectionEntry.objects.filter(collection=kit).count() == 3
    with pytest.raises(collection_actions.Refused, match="Give the collection a name"):
        collection_actions.make_collection(request=None, person=cast.member, name="   ")
    with pytest.raises(collection_actions.Refused, match="up or down"):
        collection_actions.move_item(request=None, person=cast.member, collection=kit, item_id=red.pk, direction="x")


def test_it_offers_the_item_pages_add_buttons_only_to_those_who_may_change_a_collection(cast, kit):
    item = builders.publish(cast.member, title="New guide")
    url = reverse("library:item", args=[item.pk])
    add = reverse("library:collection_add", args=[kit.pk])
    assert add.encode() in signed_in(cast.focal_point).get(url).content
    for person in (cast.observer, cast.administrator):
        assert add.encode() not in signed_in(person).get(url).content
    response = signed_in(cast.focal_point).post(add, {"item": item.pk, "next": url})
    assert response["Location"] == url
    assert add.encode() not in signed_in(cast.focal_point).get(url).content  # already in it
    added = Entry.objects.filter(action="library.collection_item_added").order_by("pk").last()
    assert added is not None and added.changes == {"item": item.pk, "position": 4}


def test_it_returns_only_to_a_page_of_this_site(cast, kit):
    item = builders.publish(cast.member, title="New guide")
    response = signed_in(cast.member).post(
        reverse("library:collection_add", args=[kit.pk]), {"item": item.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("library:collection", args=[kit.pk])


def test_the_audit_trail_names_a_collection_for_readers(cast, kit):
    from audit import labels

    shown = labels.show(cast.other_focal_point, Entry.objects.filter(action="library.collection_made"))
    assert shown[0].label == kit.name
