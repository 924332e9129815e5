"""Regions of UN M49 and which countries they hold (network.regions), and the repository's filters using it."""

from datetime import date

import pytest
from django.utils import translation

from network import actions, regions, selectors
from network.models import Status
from network.tests.builders import build, draft


def test_a_region_holds_its_countries_at_every_level():
    western_africa = regions.countries_in("011")
    assert {"SN", "GH", "NG", "CI"} <= western_africa
    assert "KE" not in western_africa
    assert western_africa <= regions.countries_in("202") <= regions.countries_in("002") <= regions.countries_in("001")
    assert regions.countries_in("nowhere") == frozenset()


def test_composed_groupings_follow_m49_and_cldr():
    # Sub-Saharan Africa is Africa without Northern Africa, where M49 places Sudan.
    assert regions.countries_in("202") == regions.countries_in("002") - regions.countries_in("015")
    assert "SD" not in regions.countries_in("202") and "SS" in regions.countries_in("202")
    latin_america = regions.countries_in("419")
    assert {"MX", "BR", "JM"} <= latin_america and "US" not in latin_america
    north_america = regions.countries_in("003")  # CLDR: Northern and Central America and the Caribbean
    assert {"US", "CA", "MX", "JM"} <= north_america and "BR" not in north_america
    assert "NR" in regions.countries_in("057")  # Nauru is in Micronesia (M49), not in Polynesia


def test_every_region_offered_has_its_countries_and_every_country_one_continent_and_one_subregion():
    assert all(regions.countries_in(code) for code in regions.region_codes())
    for country in regions.countries_in("001"):
        assert len([code for code in regions.continents() if country in regions.countries_in(code)]) == 1
        assert len([code for code in regions.subregions() if country in regions.countries_in(code)]) == 1
    assert regions.continent_of("SN") == "002" and regions.subregion_of("SN") == "011"
    assert regions.continent_of("") is None


def test_an_activity_covers_the_countries_of_the_regions_it_names():
    assert regions.covered(["KE"], ["011"]) == {"KE"} | regions.countries_in("011")
    assert "011" in regions.regions_holding("SN") and "001" in regions.regions_holding("SN")
    assert set(regions.overlapping("011")) >= {"011", "202", "002", "001"}
    assert "014" not in regions.overlapping("011")


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def past(cast, net):
    def add(title, **fields):
        fields = {"status": Status.COMPLETED, "starts_on": date(2019, 3, 1), "ends_on": date(2019, 3, 5), **fields}
        return actions.propose_activity(
            request=None, person=net.clerk, network=net.network, draft=draft(cast, title=title, **fields)
        )

    add("West Africa port training", countries=[], regions=["011"])
    add("Ghana inspection", countries=["GH"], regions=[])
    add("Kenya workshop", countries=["KE"], regions=[])


def _titles(net, **filters) -> set[str]:
    return {activity.title for activity in selectors.repository(net.network, selectors.Filters(**filters))}


def test_the_repository_finds_a_country_through_the_region_an_activity_names(net, past):
    assert _titles(net, country="SN") == {"West Africa port training"}
    assert _titles(net, country="GH") == {"West Africa port training", "Ghana inspection"}
    assert _titles(net, country="KE") == {"Kenya workshop"}


def test_the_repository_finds_any_activity_in_part_of_a_region(net, past):
    assert _titles(net, region="011") == {"West Africa port training", "Ghana inspection"}
    assert _titles(net, region="002") == {"West Africa port training", "Ghana inspection", "Kenya workshop"}
    assert _titles(net, region="014") == {"Kenya workshop"}
    assert _titles(net, region="150") == set()


def test_regions_are_listed_in_the_readers_alphabetical_order():
    with translation.override("es"):
        names = [name for _code, name in regions.region_choices()]
    assert names.index("África") < names.index("América") < names.index("Oceanía")
