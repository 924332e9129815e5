"""The demo library that `make run` seeds: at least 30 items of several kinds and languages, with real files
whose text the task reads, linked to taxa and substances, clearly marked as demo content; seeding twice adds
nothing."""

from django.core.management import call_command
from django.test import override_settings

from library import demo, search
from library.models import Collection, Download, Edition, Extraction, Item, LibraryFile, Rating, ReferenceLink
from seizures.models import Seizure


def test_it_seeds_a_demo_library(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    with override_settings(DEBUG=True), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    items = Item.objects.all()
    assert items.count() >= 30
    assert len(set(items.values_list("kind", flat=True))) == 8
    languages = {code for item in items for code in item.language_codes}
    assert {"en", "fr", "es", "pt"} <= languages
    assert all(item.title.startswith("Demo: ") for item in items)
    assert {name.rsplit(".", 1)[1] for name in LibraryFile.objects.values_list("name", flat=True)} >= {
        "pdf", "docx", "xlsx", "pptx", "odt", "txt"
    }  # fmt: skip
    assert not items.filter(extraction=Extraction.FAILED).exists()
    texts = [" ".join(text.split()) for text in LibraryFile.objects.values_list("text", flat=True)]
    assert all(demo.NOTICE[:40] in text for text in texts), [text[:80] for text in texts]
    assert ReferenceLink.objects.filter(table="cites", code="Manis spp.").exists()
    assert ReferenceLink.objects.filter(table="montreal").exists() and ReferenceLink.objects.filter(table="basel")
    assert Edition.objects.filter(number=2).exists() and Download.objects.exists()
    assert items.filter(external_url__startswith="https://").count() == 1
    officer = Seizure.objects.filter(lines__code__startswith="Manis").first()
    found = search.search(person=officer.officer, filters=search.Filters(text="pangolin")) if officer else items
    assert found.exists()

    kit = Collection.objects.get(name=demo.STARTER_KIT)
    assert kit.entries.count() == len(demo.STARTER_ITEMS)
    assert Rating.objects.count() == len(demo.RATINGS)

    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Item.objects.count() == items.count()
    assert Collection.objects.count() == 1 and kit.entries.count() == len(demo.STARTER_ITEMS)
    assert Rating.objects.count() == len(demo.RATINGS)


def test_the_demo_records_show_their_guides(db, settings, tmp_path):
    from django.urls import reverse

    from conftest import signed_in
    from library.models import Item

    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from accounts.models import Person

    reader = Person.objects.get(email="admin@demo.environet.test")
    client = signed_in(reader)
    shown = 0
    for seizure in Seizure.objects.exclude(status="draft"):
        page = client.get(reverse("seizures:record", args=[seizure.pk]))
        assert page.status_code == 200
        shown += b"In the library" in page.content
    assert shown >= 5
    for item in Item.objects.all():
        assert client.get(reverse("library:item", args=[item.pk])).status_code in (200, 404)
