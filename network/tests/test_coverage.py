"""Coverage of a roadmap (network.gaps, network.coverage_views): gaps weighted by the viewer's shared seizure
records, geographic spread against the members, and the page."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from conftest import signed_in
from network import actions, gaps
from network.models import Status, Trained
from network.tests.builders import build, draft
from seizures.tests.builders import file, line

pytestmark = pytest.mark.django_db

YEAR = gaps.Period.years(2026, 2026)
TODAY = date(2026, 12, 15)
WASTE = line("basel", "Y46")
IVORY = line("cites", "Loxodonta africana")
URL = "/network/ENFORCE/coverage/"


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def add(cast, net):
    def add(title, **fields):
        values = {
            "status": Status.PLANNED,
            "countries": [],
            "regions": [],
            "conventions": ["basel"],
            "starts_on": date(2026, 3, 1),
            "ends_on": date(2026, 3, 5),
            **fields,
        }
        return actions.propose_activity(
            request=None, person=net.clerk, network=net.network, draft=draft(cast, title=title, **values)
        )

    return add


def shared(officer, country, lines=(WASTE,), **fields):
    return file(officer, share=True, country=country, occurred_on=date(2026, 10, 1), lines=list(lines), **fields)


def _gaps(person, net, **options):
    options.setdefault("conventions", ["basel"])
    return gaps.gaps(person, net.network, YEAR, today=TODAY, **options)


def _countries(found) -> dict[tuple[str, str], int]:
    return {(gap.place, gap.convention): gap.records for gap in found.countries}


def test_a_country_without_an_activity_is_a_gap_weighted_by_its_shared_records(cast, net, add):
    add("East Africa training", regions=["014"])  # covers Kenya, the home organisation's country
    shared(cast.member, "NG")
    shared(cast.member, "NG")
    shared(cast.member, "KE")
    found = gaps.gaps(cast.member, net.network, YEAR, today=TODAY)
    assert found.conventions == ["basel"]  # the conventions the network's activities name
    assert _countries(found) == {("NG", "basel"): 2}  # Kenya is covered through Eastern Africa
    assert found.records_by_country == {"NG": 2}
    regions = {(gap.place, gap.convention): gap.records for gap in found.regions}
    assert regions[("011", "basel")] == 2 and ("014", "basel") not in regions
    assert [gap.records for gap in found.regions][:1] == [2]  # heaviest first


def test_a_region_named_by_an_activity_covers_its_countries(cast, net, add):
    shared(cast.member, "SN")
    shared(cast.member, "KE")
    assert set(_countries(_gaps(cast.member, net))) == {("SN", "basel"), ("KE", "basel")}
    add("West Africa port training", regions=["011"])
    assert set(_countries(_gaps(cast.member, net))) == {("KE", "basel")}


def test_it_never_counts_a_record_the_viewer_may_not_read(cast, net, add):
    shared(cast.member, "NG")
    # The other organisation's record, for one named person of the home organisation only.
    secret = dict(audience="people", marking="red", origin_country="CN", destination_country="BR")
    shared(cast.other_focal_point, "FR", people=[cast.focal_point], **secret)
    shared(cast.other_focal_point, "NG", people=[cast.focal_point], **secret)
    file(cast.member, country="GH", lines=[WASTE])  # a draft: nobody counts it
    for person in (cast.member, cast.observer):
        found = _gaps(person, net)
        assert _countries(found) == {("NG", "basel"): 1, ("KE", "basel"): 0}
        assert found.records_by_country == {"NG": 1}
    found = _gaps(cast.focal_point, net)
    assert _countries(found) == {("NG", "basel"): 2, ("FR", "basel"): 1, ("KE", "basel"): 0}
    page = signed_in(cast.member).get(URL, {"from_year": 2026}).content.decode()
    assert "France" not in page and "Ghana" not in page


def test_only_records_of_the_gaps_convention_weigh_it(cast, net, add):
    shared(cast.member, "NG", lines=[IVORY])
    shared(cast.member, "NG", lines=[IVORY, WASTE])
    found = _gaps(cast.member, net, conventions=["basel", "cites"])
    assert _countries(found) == {("NG", "cites"): 2, ("NG", "basel"): 1, ("KE", "basel"): 0, ("KE", "cites"): 0}
    assert found.records_by_country == {"NG": 2}  # each record once on the map


def test_only_activities_of_the_period_and_taking_place_fill_a_gap(cast, net, add):
    add("Last year's training", countries=["KE"], starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 5))
    add("Cancelled training", countries=["KE"], status=Status.CANCELLED)
    add("Postponed training", countries=["KE"], status=Status.POSTPONED)
    add("Undated idea", countries=["KE"], starts_on=None, ends_on=None)
    assert ("KE", "basel") in _countries(_gaps(cast.member, net))
    last_year = gaps.gaps(cast.member, net.network, gaps.Period.years(2025, 2025), conventions=["basel"])
    assert ("KE", "basel") not in _countries(last_year)
    add("Training across the new year", countries=["KE"], starts_on=date(2025, 12, 1), ends_on=date(2026, 1, 10))
    assert ("KE", "basel") not in _countries(_gaps(cast.member, net))


def test_an_activity_fills_only_the_gaps_of_its_conventions_and_commodity(cast, net, add):
    add("E-waste training", countries=["KE"], commodity_focus="E-waste and used batteries")
    found = _gaps(cast.member, net, conventions=["basel", "cites"])
    assert set(_countries(found)) == {("KE", "cites")}
    assert set(_countries(_gaps(cast.member, net, commodity="e-waste"))) == set()
    assert set(_countries(_gaps(cast.member, net, commodity="mercury"))) == {("KE", "basel")}


def test_the_records_weigh_a_span_as_long_as_the_period_ending_no_later_than_this_month():
    window = gaps.seizure_window(gaps.Period.years(2027, 2027), date(2026, 12, 4))
    assert (window.start, window.end) == (date(2026, 1, 1), date(2026, 12, 1))
    window = gaps.seizure_window(gaps.Period.years(2020, 2021), date(2026, 12, 4))
    assert (window.start, window.end) == (date(2020, 1, 1), date(2021, 12, 1))


def test_spread_counts_activities_and_organisations_per_continent_and_year_against_members(cast, net, add):
    add("Africa and Europe study", countries=["KE", "FR"], starts_on=date(2025, 6, 1), ends_on=date(2026, 2, 1),
        partners=[cast.other])  # fmt: skip
    workshop = add("Kenya workshop", countries=["KE"], status=Status.COMPLETED)
    add("Undirected study", countries=[], regions=[])
    Trained.objects.create(activity=workshop, country="KE", women=7, men=5)
    Trained.objects.create(activity=workshop, country="FR", not_reported=2)
    found = gaps.spread(net.network, gaps.Period.years(2025, 2026))
    assert found.years == [2025, 2026]
    assert found.activities == {"002": [1, 2], "150": [1, 1], "": [0, 1]}
    # The home organisation (Kenya) leads all three; French Customs partners the first.
    assert found.organisations == {"002": [1, 1], "150": [1, 1]}
    assert found.members == {"002": 1} and found.observers == {"": 1}
    assert found.in_period == {"002": 2, "150": 1, "": 1}
    assert found.trained == {"002": [0, 12], "150": [0, 2]}


# --- The page ------------------------------------------------------------------------------------------------------


def _svgs(page: str) -> list[ET.Element]:
    found = []
    start = page.find("<svg")
    while start != -1:
        end = page.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(page[start:end]))
        start = page.find("<svg", end)
    return found


@pytest.mark.parametrize("role", ["observer", "member", "focal_point", "administrator"])
def test_whoever_reads_the_roadmap_sees_the_coverage_page(cast, net, add, role):
    add("East Africa training", regions=["014"])
    shared(cast.member, "NG")
    response = signed_in(cast.by_role[role]).get(URL, {"from_year": 2026, "to_year": 2026})
    assert response.status_code == 200
    page = response.content.decode()
    svgs = _svgs(page)
    assert len(svgs) == 5  # the map; activities, organisations and trained over time; members
    assert not [element for svg in svgs for element in svg.iter() if element.tag.endswith("script")]
    assert "Nigeria" in page and "<table>" in page
    assert "Western Africa" in page  # a region gap


def test_the_coverage_page_is_not_found_outside_the_network(cast, net):
    assert signed_in(cast.other_focal_point).get(URL).status_code == 404


def test_the_coverage_page_sorts_the_gaps_by_weight_or_by_place(cast, net, add):
    # Japan (named by an activity of another year) and Kenya (a member's country) are looked at, neither covered.
    add("Earlier in Japan", countries=["JP"], starts_on=date(2024, 3, 1), ends_on=date(2024, 3, 5))
    shared(cast.member, "JP")
    by_weight = signed_in(cast.member).get(URL, {"from_year": 2026}).content.decode()
    by_place = signed_in(cast.member).get(URL, {"from_year": "2026", "sort": "place"}).content.decode()
    table = by_weight.index('id="gap-countries"')
    assert by_weight.index("Japan", table) < by_weight.index("Kenya", table)
    table = by_place.index('id="gap-countries"')
    assert by_place.index("Japan", table) < by_place.index("Kenya", table)
    shared(cast.member, "KE")
    shared(cast.member, "KE")
    by_weight = signed_in(cast.member).get(URL, {"from_year": 2026}).content.decode()
    by_place = signed_in(cast.member).get(URL, {"from_year": "2026", "sort": "place"}).content.decode()
    table = by_weight.index('id="gap-countries"')
    assert by_weight.index("Kenya", table) < by_weight.index("Japan", table)
    table = by_place.index('id="gap-countries"')
    assert by_place.index("Japan", table) < by_place.index("Kenya", table)


def test_the_coverage_page_fills_in_what_is_left_empty(cast, net):
    response = signed_in(cast.member).get(URL, {"from_year": "2026", "to_year": "", "convention": "", "sort": ""})
    assert response.status_code == 200
    assert "Gaps from 2026 to 2026" in response.content.decode()
    assert signed_in(cast.member).get(URL).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from_year": 2027, "to_year": 2026}, "before the first one"),
        ({"from_year": 2000, "to_year": 2026}, "15 years or less"),
        ({"from_year": "soon"}, "Enter a whole number"),
    ],
)
def test_the_coverage_page_explains_a_bad_period(cast, net, query, message):
    response = signed_in(cast.member).get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode() and "<svg" not in response.content.decode()


def test_it_counts_in_the_database_with_the_same_few_queries_however_many_records(
    cast, net, add, django_assert_num_queries
):
    add("East Africa training", regions=["014"])
    for country in ("NG", "GH", "FR", "NG"):
        shared(cast.member, country)
    # The records per country and convention, the activities of the period, the members' countries, the
    # countries activities named, and the map's records per country.
    with django_assert_num_queries(5):
        found = _gaps(cast.member, net)
    for country in ("SN", "CN", "BR", "NG", "JP"):
        shared(cast.member, country)
    with django_assert_num_queries(5):
        more = _gaps(cast.member, net)
    assert len(more.countries) > len(found.countries)
