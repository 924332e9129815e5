"""Items link to reference entries; a seizure record and each reference page show the items for what they hold,
only those the reader may read; a guide linked to a genus is shown for its species."""

from django.urls import reverse

from conftest import signed_in
from library import links
from library.tests import builders
from messaging.models import Audience, Marking
from seizures.tests.builders import file, line


def test_it_accepts_any_rank_and_refuses_unknown_codes():
    found, unknown = links.parse_references(
        "cites: Manis spp.\ncites: Felidae\nbasel: A1180\nmontreal: hcfc 22\nstockholm: pfos\n"
        "rotterdam: alachlor\ntimber: Dalbergia nigra\nfish: Thunnus thynnus\ncites: Unicornus\nnowhere: X1"
    )
    assert ("cites", "Manis spp.") in found and ("cites", "Felidae spp.") in found
    assert ("montreal", "HCFC-22") in found and ("basel", "A1180") in found
    assert len(found) == 8
    assert unknown == ["cites: Unicornus", "nowhere: X1"]


def test_it_shows_genus_guides_on_a_record_of_one_of_its_species(cast):
    builders.publish(cast.member, title="Identifying pangolin scales", languages=["en", "fr"])
    builders.publish(cast.focal_point, title="Pangolin scales: a field card", languages=["fr"],
                     references=[("cites", "Manis javanica")])  # fmt: skip
    builders.publish(cast.member, title="Ivory guide", references=[("cites", "Loxodonta africana")])
    record = file(cast.member, share=True, lines=[line(code="Manis javanica", specimen_type="SCA")])
    page = signed_in(cast.observer).get(reverse("seizures:record", args=[record.pk]))
    text = page.content.decode()
    assert "In the library" in text
    assert "Manis javanica (Sunda pangolin): 2 library items, EN/FR" in text
    assert "Identifying pangolin scales" in text and "Pangolin scales: a field card" in text
    assert "Ivory guide" not in text


def test_it_shows_a_reader_only_the_items_they_may_read(cast):
    builders.publish(
        cast.member,
        title="Restricted pangolin routes",
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home],
    )
    record = file(cast.other_focal_point, share=True, country="FR", lines=[line(code="Manis javanica")])
    page = signed_in(cast.other_focal_point).get(reverse("seizures:record", args=[record.pk]))
    assert b"Restricted pangolin routes" not in page.content and b"In the library" not in page.content
    reference = signed_in(cast.other_focal_point).get(reverse("reference:table", args=["cites"]), {"q": "Manis"})
    assert b"Restricted pangolin routes" not in reference.content


def test_it_shows_the_items_on_the_reference_page(cast):
    builders.publish(cast.member, title="Identifying pangolin scales")
    page = signed_in(cast.observer).get(reverse("reference:table", args=["cites"]), {"q": "Manis javanica"})
    assert page.status_code == 200
    assert b"Identifying pangolin scales" in page.content and b"1 library item, EN" in page.content
    units = signed_in(cast.observer).get(reverse("reference:table", args=["units"]))
    assert b"In the library" not in units.content
