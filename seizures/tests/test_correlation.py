"""Related records: true links are found, unrelated records are not linked, common values stop linking."""

import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command

from seizures import actions, correlation
from seizures.models import Link, MatchKey, Seizure, ValueCount
from seizures.tests.builders import DAY, company, file, filing, line, person

pytestmark = pytest.mark.django_db
Kind = MatchKey.Kind


def links() -> dict[frozenset[int], list[MatchKey.Kind]]:
    return {frozenset((link.low_id, link.high_id)): link.kinds() for link in Link.objects.all()}


def related(one: Seizure, two: Seizure) -> list[MatchKey.Kind]:
    return links().get(frozenset((one.pk, two.pk)), [])


_goods = itertools.count()


def plain(**fields):
    """A record that shares nothing with any other but what ``fields`` say: goods of its own."""
    goods = [line("other", f"goods number {next(_goods)}")]
    return {"lines": goods, "origin_country": "BR", "destination_country": "PT", "country": "BR"} | fields


def test_it_links_records_sharing_a_container(cast):
    one = file(cast.member, containers=["CSQU3054383"], **plain())
    two = file(cast.other_focal_point, containers=["CSQU3054383", "MSCU1234566"], **plain(country="PT"))
    assert related(one, two) == [Kind.CONTAINER]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme Trading Ltd", "ACME TRADING LIMITED"),
        ("Société Générale d'Import S.A.", "societe generale d import"),
        ("Zhang Wei Holdings Co., Ltd.", "zhang wei holdings"),
    ],
)
def test_it_links_the_same_company_whatever_its_legal_form_and_spelling_of_case(cast, first, second):
    one = file(cast.member, involved=[company(first)], **plain())
    two = file(cast.other_focal_point, involved=[company(second)], **plain())
    assert related(one, two) == [Kind.COMPANY]


def test_it_links_a_person_named_in_another_order_and_the_same_passport(cast):
    one = file(cast.member, involved=[person("SMITH John", identifiers=["Passport: X1234567"])], **plain())
    two = file(cast.other_focal_point, involved=[person("John Smith", identifiers=["x 123 4567"])], **plain())
    assert related(one, two) == [Kind.PERSON, Kind.IDENTIFIER]


def test_it_does_not_link_a_company_and_a_person_of_the_same_name(cast):
    one = file(cast.member, involved=[company("Jordan Ali")], **plain())
    two = file(cast.other_focal_point, involved=[person("Ali Jordan")], **plain())
    assert related(one, two) == []


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [("vessel_imo", "9074729", Kind.VESSEL), ("air_waybill", "176-12345675", Kind.AIR_WAYBILL)],
)
def test_it_links_the_same_vessel_or_air_waybill(cast, field, value, kind):
    one = file(cast.member, **plain(**{field: value}))
    two = file(cast.other_focal_point, **plain(**{field: value}))
    assert related(one, two) == [kind]


def test_it_links_the_same_flight_within_the_window_only(cast, settings):
    settings.SEIZURE_WINDOW_DAYS = 30
    one = file(cast.member, **plain(flight_number="KQ310"))
    near = file(cast.member, **plain(flight_number="KQ310", occurred_on=DAY - timedelta(days=29)))
    far = file(cast.other_focal_point, **plain(flight_number="KQ310", occurred_on=DAY - timedelta(days=45)))
    assert related(one, near) == [Kind.FLIGHT]
    assert related(one, far) == []
    assert related(near, far) == [Kind.FLIGHT]  # 16 days apart


def test_it_links_the_same_species_on_an_overlapping_route_within_the_window(cast):
    ivory = [line("cites", "Loxodonta africana")]
    kenya_vietnam = file(cast.member, lines=ivory, origin_country="KE", destination_country="VN")
    via_kenya = file(
        cast.other_focal_point,
        lines=ivory,
        country="VN",
        origin_country="UG",
        transit_countries=["KE"],
        destination_country="VN",
        occurred_on=DAY + timedelta(days=20),
    )
    assert related(kenya_vietnam, via_kenya) == [Kind.COMMODITY_ROUTE]


def test_it_does_not_link_routes_sharing_one_country_or_other_species_or_far_apart_in_time(cast, settings):
    settings.SEIZURE_WINDOW_DAYS = 90
    ivory, pangolin = [line("cites", "Loxodonta africana")], [line("cites", "Manis gigantea")]
    one = file(cast.member, lines=ivory, origin_country="KE", destination_country="VN")
    one_country = file(
        cast.other_focal_point,
        lines=ivory,
        country="TZ",
        origin_country="TZ",
        transit_countries=["KE"],
        destination_country="MY",
    )
    other_species = file(cast.other_focal_point, lines=pangolin, origin_country="KE", destination_country="VN")
    later = file(
        cast.other_focal_point,
        lines=ivory,
        origin_country="KE",
        destination_country="VN",
        occurred_on=DAY - timedelta(days=200),
    )
    assert related(one, one_country) == []
    assert related(one, other_species) == []
    assert related(one, later) == []


def test_it_leaves_unrelated_records_unlinked(cast):
    file(cast.member, containers=["CSQU3054383"], involved=[company("Acme Ltd")], **plain())
    file(
        cast.other_focal_point,
        containers=["MSCU1234566"],
        involved=[company("Zenith Exports")],
        lines=[line("montreal", "HCFC-22")],
        country="FR",
        origin_country="CN",
        destination_country="FR",
    )
    assert Link.objects.count() == 0


def test_it_stores_each_pair_once_with_every_reason(cast):
    one = file(cast.member, containers=["CSQU3054383"], involved=[company("Acme Ltd")], **plain())
    two = file(cast.other_focal_point, containers=["CSQU3054383"], involved=[company("ACME")], **plain())
    # Saved again (an update): still one row for the pair.
    actions.update_seizure(
        request=None,
        person=cast.member,
        seizure=one,
        filing=filing(containers=["CSQU3054383"], involved=[company("Acme Ltd")], **plain()),
    )
    assert Link.objects.count() == 1
    assert related(one, two) == [Kind.COMPANY, Kind.CONTAINER]
    link = Link.objects.get()
    assert link.low_id == one.pk and link.high_id == two.pk


def test_it_unlinks_records_when_the_shared_value_is_corrected_away(cast):
    one = file(cast.member, containers=["CSQU3054383"], **plain())
    two = file(cast.other_focal_point, containers=["CSQU3054383"], **plain())
    actions.update_seizure(
        request=None, person=cast.member, seizure=one, filing=filing(containers=["MSCU1234566"], **plain())
    )
    assert related(one, two) == []
    assert ValueCount.objects.get(digest=MatchKey.objects.get(seizure=two, kind=Kind.CONTAINER).digest).count == 1


def test_it_stops_linking_a_value_held_by_too_many_records_and_says_so(cast, settings):
    settings.SEIZURE_COMMON_LIMIT = 3
    vessel = {"vessel_imo": "9074729"}
    first = [file(cast.member, **plain(**vessel)) for _ in range(4)]
    assert len(Link.objects.all()) == 6  # 4 records, each linked to the others: 3 others at most
    late = file(cast.other_focal_point, **plain(**vessel))
    # The fifth makes the vessel common: it relates nobody, and the links it made are taken back.
    assert Link.objects.count() == 0
    for seizure in [*first, late]:
        assert [key.label for key in correlation.common_values(seizure)] == ["IMO 9074729"]
    # Later holders find it common at once.
    file(cast.member, **plain(**vessel))
    assert Link.objects.count() == 0


def test_it_takes_back_only_what_the_common_value_alone_related(cast, settings):
    settings.SEIZURE_COMMON_LIMIT = 2
    one = file(cast.member, **plain(vessel_imo="9074729", containers=["CSQU3054383"]))
    two = file(cast.member, **plain(vessel_imo="9074729", containers=["CSQU3054383"]))
    three = file(cast.member, **plain(vessel_imo="9074729"))
    assert related(one, two) == [Kind.CONTAINER, Kind.VESSEL]
    file(cast.member, **plain(vessel_imo="9074729"))
    assert related(one, two) == [Kind.CONTAINER]
    assert related(one, three) == [] and related(two, three) == []


def test_it_counts_windowed_values_in_their_window_only(cast, settings):
    settings.SEIZURE_COMMON_LIMIT, settings.SEIZURE_WINDOW_DAYS = 2, 30
    for days in (100, 110, 120, 130):  # four flights long before: common then, not now
        file(cast.member, **plain(flight_number="KQ310", occurred_on=DAY - timedelta(days=days)))
    one = file(cast.member, **plain(flight_number="KQ310"))
    two = file(cast.other_focal_point, **plain(flight_number="KQ310", occurred_on=DAY - timedelta(days=5)))
    assert related(one, two) == [Kind.FLIGHT]
    assert correlation.common_values(one) == []


def test_it_keeps_linking_through_other_values_when_one_is_common(cast, settings):
    settings.SEIZURE_COMMON_LIMIT = 2
    for _ in range(3):
        file(cast.member, **plain(vessel_imo="9074729"))
    one = file(cast.member, **plain(vessel_imo="9074729", containers=["CSQU3054383"]))
    two = file(cast.other_focal_point, **plain(vessel_imo="9074729", containers=["CSQU3054383"]))
    assert related(one, two) == [Kind.CONTAINER]


def test_it_keeps_no_nominal_value_in_the_clear(cast):
    seizure = file(cast.member, involved=[company("Zebulon Quixote Exports", address="12 Harbour Road, Mombasa")])
    keys = MatchKey.objects.filter(seizure=seizure, kind__in=[Kind.COMPANY, Kind.ADDRESS])
    assert keys.count() == 2
    assert all(key.label == "" and len(bytes(key.digest)) == 16 for key in keys)


def test_it_rebuilds_the_same_links_it_made_record_by_record(cast, settings):
    settings.SEIZURE_COMMON_LIMIT = 2
    for index in range(4):
        file(cast.member, **plain(vessel_imo="9074729", containers=["CSQU3054383"] if index % 2 else []))
    file(cast.other_focal_point, involved=[company("Acme Ltd")], **plain())
    file(cast.member, involved=[company("ACME")], **plain())
    before = links()
    call_command("recorrelate", verbosity=0)
    assert links() == before
    # Values without a time window are counted; windowed ones are counted in their window when looked up.
    plain_keys = MatchKey.objects.exclude(kind__in=correlation.WINDOWED).count()
    assert sum(ValueCount.objects.values_list("count", flat=True)) == plain_keys
