"""Taxa at any rank: an item linked to a family or an order ("Manidae", "Pholidota") is found for a record of one of
its species, through the rank columns of the CITES table (reference.tables.lineage); and the reference page of a
higher taxon lists the items linked to it and says how many are about its species, only what the reader may read."""

from django.urls import reverse

from conftest import signed_in
from library import links
from library.tests import builders
from messaging.models import Audience, Marking
from reference import tables
from seizures.tests.builders import file, line


def test_a_family_or_an_order_is_linked_as_all_its_species():
    found, unknown = links.parse_references("cites: Manidae\ncites: pholidota spp\ntimber: Fabaceae\ncites: Manoidae")
    assert found == [("cites", "Manidae spp."), ("cites", "Pholidota spp."), ("timber", "Fabaceae spp.")]
    assert unknown == ["cites: Manoidae"]
    assert links.label("cites", "Manidae spp.") == "Manidae spp. (family)"


def test_the_ranks_of_a_species_come_from_the_table():
    assert tables.lineage("Manis javanica") == [
        ("genus", "Manis"),
        ("family", "Manidae"),
        ("order", "Pholidota"),
        ("class", "Mammalia"),
        ("phylum", "Chordata"),
        ("kingdom", "Animalia"),
    ]
    # A family with no row of its own takes the ranks above it from a row below it.
    assert tables.lineage("Manidae")[0] == ("order", "Pholidota")
    # A species the CITES table does not know keeps only its genus: nothing is made up.
    assert tables.lineage("Thunnus thynnus") == [("genus", "Thunnus")]
    assert {entry.code for entry in tables.members("Manidae")} == {
        entry.code for entry in tables.table("cites").entries if entry.code.startswith("Manis ")
    }


def test_the_real_rank_columns_agree_with_themselves():
    """Each genus sits in one family, each family in one order and class; a species' genus is its first word."""
    family_of: dict[str, str] = {}
    above: dict[str, tuple[str, str, str]] = {}
    for entry in tables.table("cites").entries:
        row = entry.row
        if row["rank"] in ("species", "subspecies", "genus"):
            assert row["genus"] == entry.code.split()[0], entry.code
        if row["genus"] and row["family"]:
            assert family_of.setdefault(row["genus"], row["family"]) == row["family"], entry.code
        if row["family"]:
            wanted = (row["order"], row["class"], row["kingdom"])
            assert above.setdefault(row["family"], wanted) == wanted, entry.code
        assert row["kingdom"] in ("Animalia", "Plantae"), entry.code


def test_a_record_shows_the_items_linked_to_its_family_and_order(cast):
    builders.publish(cast.member, title="Pangolins of the world", references=[("cites", "Manidae spp.")])
    builders.publish(cast.member, title="Scaly mammals", languages=["fr"], references=[("cites", "Pholidota spp.")])
    builders.publish(cast.member, title="Cats", references=[("cites", "Felidae spp.")])
    builders.publish(
        cast.member,
        title="Restricted pangolin family sheet",
        references=[("cites", "Manidae spp.")],
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home],
    )
    record = file(cast.member, share=True, lines=[line(code="Manis javanica", specimen_type="SCA")])
    text = signed_in(cast.member).get(reverse("seizures:record", args=[record.pk])).content.decode()
    assert "Manis javanica (Sunda pangolin): 3 library items, EN/FR" in text
    assert "Pangolins of the world" in text and "Scaly mammals" in text and "Cats" not in text
    # The other focal point reads the record but not the restricted sheet: neither its title nor its count.
    outsider = signed_in(cast.other_focal_point).get(reverse("seizures:record", args=[record.pk])).content.decode()
    assert "Restricted pangolin family sheet" not in outsider
    assert "Manis javanica (Sunda pangolin): 2 library items, EN/FR" in outsider


def test_the_page_of_a_family_lists_its_items_and_counts_those_about_its_species(cast):
    builders.publish(cast.member, title="Pangolins of the world", references=[("cites", "Manidae spp.")])
    builders.publish(cast.member, title="Sunda pangolin card", references=[("cites", "Manis javanica")])
    builders.publish(cast.member, title="Pangolin genus key", references=[("cites", "Manis spp.")])
    builders.publish(
        cast.member,
        title="Restricted Chinese pangolin card",
        references=[("cites", "Manis pentadactyla")],
        marking=Marking.AMBER,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home],
    )
    url = reverse("reference:table", args=["cites"])
    text = signed_in(cast.member).get(url, {"q": "manidae"}).content.decode()
    assert "Manidae <small>(family)</small>" in text and "Pholidota" in text
    assert "Pangolins of the world" in text
    assert "3 library items about its species" in text
    outsider = signed_in(cast.other_focal_point).get(url, {"q": "manidae"}).content.decode()
    assert "2 library items about its species" in outsider and "Restricted Chinese pangolin card" not in outsider


def test_a_family_row_of_the_table_counts_the_items_about_its_species(cast):
    builders.publish(cast.member, title="Tiger parts", references=[("cites", "Panthera tigris")])
    text = signed_in(cast.observer).get(reverse("reference:table", args=["cites"]), {"q": "Felidae"}).content.decode()
    assert "1 library item about its species" in text


def test_a_timber_family_page_counts_the_items_about_its_timber_species(cast):
    builders.publish(cast.member, title="Siamese rosewood logs", references=[("timber", "Dalbergia cochinchinensis")])
    assert "Dalbergia cochinchinensis" in {entry.code for entry in tables.members("Fabaceae", "timber")}
    url = reverse("reference:table", args=["timber"])
    text = signed_in(cast.observer).get(url, {"q": "Fabaceae"}).content.decode()
    assert "Fabaceae <small>(family)</small>" in text and "Dalbergia cochinchinensis" in text
    assert "1 library item about its species" in text
