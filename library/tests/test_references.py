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


def test_the_links_a_page_reads_are_the_orms(cast):
    """``links._links_to`` reads the links of a page's codes from a statement compiled once per set of tables, the
    keys given as one value: the links the ORM reads, with their items, and not a link to the same key in
    another of the tables than the one asked (a timber species also listed by CITES)."""
    from django.db.models import Q

    from conftest import typed
    from library.models import ReferenceLink

    builders.publish(cast.member, title="Rosewoods", references=[("cites", "Dalbergia nigra")])
    builders.publish(
        cast.member, title="Rosewood timber", references=[("timber", "Dalbergia nigra"), ("basel", "A1180")]
    )
    builders.publish(cast.member, title="Pangolins", references=[("cites", "Manis spp.")])
    cites, timber = links.key("cites", "Dalbergia nigra"), links.key("timber", "Dalbergia nigra")
    asked = {"cites": {cites, links.key("cites", "Manis spp.")}, "basel": {links.key("basel", "A1180")}}
    found = links._links_to(asked)
    condition = Q(table="cites", key__in=sorted(asked["cites"])) | Q(table="basel", key__in=sorted(asked["basel"]))
    orm = list(ReferenceLink.objects.filter(condition).select_related("item"))
    assert [typed(link) for link in found] == [typed(link) for link in orm] and len(orm) == 3
    assert [typed(link.item) for link in found] == [typed(link.item) for link in orm]
    assert timber == cites and ("timber", timber) not in {(link.table, link.key) for link in found}
    assert [link.item.title for link in links._links_to({"timber": {timber}})] == ["Rosewood timber"]
    # Both tables asked, the species under one of them only: the other's link to the same key is not its.
    mahogany = links.key("timber", "Swietenia macrophylla")
    assert [link.item.title for link in links._links_to({"cites": {cites}, "timber": {mahogany}})] == ["Rosewoods"]
