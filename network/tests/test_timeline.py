"""The roadmap's timeline (network.charts.timeline and its page) and the counts by status on the roadmap."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from conftest import signed_in
from network import actions, charts
from network.models import Status
from network.tests.builders import build, draft

pytestmark = pytest.mark.django_db

NS = "{http://www.w3.org/2000/svg}"
STATUSES = [("planned", "Planned"), ("ongoing", "Ongoing"), ("completed", "Completed")]
URL = "/network/ENFORCE/timeline/"


def _svg(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def _number(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


def _hovers(svg: ET.Element) -> list[str]:
    return [rect.findtext(f"{NS}title") or "" for rect in svg.iter(f"{NS}rect") if rect.find(f"{NS}title") is not None]


def test_the_timeline_draws_a_bar_per_activity_under_its_group_over_the_years():
    groups = [
        ("Africa", [charts.Bar("Port training", date(2026, 3, 1), date(2026, 3, 5), "planned")]),
        (
            "Europe",
            [
                charts.Bar("Joint operation", date(2025, 1, 1), date(2026, 12, 31), "ongoing"),
                charts.Bar("Study <draft>", date(2027, 6, 1), date(2027, 6, 1), "completed"),
            ],
        ),
    ]
    markup = charts.timeline(groups, STATUSES, title="Timeline", description="By region")
    svg = _svg(markup)
    assert svg.get("role") == "img" and svg.findtext(f"{NS}title") == "Timeline"
    texts = ["".join(text.itertext()) for text in svg.iter(f"{NS}text")]
    assert {"Africa", "Europe", "Port training", "Joint operation", "Study <draft>"} <= set(texts)
    assert {"2025", "2026", "2027"} <= set(texts)  # the years of the axis
    assert {"Planned", "Ongoing", "Completed"} <= set(texts)  # the legend
    hovers = _hovers(svg)
    assert len(hovers) == 3
    assert any(hover.startswith("Joint operation:") and hover.endswith("Ongoing") for hover in hovers)
    assert "<draft>" not in str(markup)  # escaped
    bars = {
        rect.findtext(f"{NS}title", "").split(":")[0]: rect
        for rect in svg.iter(f"{NS}rect")
        if rect.find(f"{NS}title") is not None
    }
    # Two years against five days: the joint operation's bar is the longer one, the one-day study still shows.
    assert _number(bars["Joint operation"], "width") > 50 * _number(bars["Port training"], "width")
    assert _number(bars["Study <draft>"], "width") >= 3
    assert _number(bars["Joint operation"], "x") < _number(bars["Port training"], "x")
    # Each status its own fill (colour and texture), the same status the same.
    fills = {rect.get("fill") for rect in svg.iter(f"{NS}rect") if rect.find(f"{NS}title") is not None}
    assert len(fills) == 3
    assert "style" not in str(markup) and "<script" not in str(markup)


def test_the_timeline_of_nothing_says_so():
    svg = _svg(charts.timeline([], STATUSES, title="Timeline"))
    assert "No activity with a planned period." in "".join(svg.itertext())


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def roadmap(cast, net):
    def add(title, **fields):
        return actions.propose_activity(
            request=None, person=net.clerk, network=net.network, draft=draft(cast, title=title, **fields)
        )

    add("East Africa training", status=Status.PLANNED, countries=["KE"], regions=[])
    add("Sahel joint operation", kind="joint_operation", status=Status.ONGOING, countries=[], regions=["011"],
        leads=[cast.secretariat])  # fmt: skip
    add("Undated idea", status=Status.PROPOSED, countries=[], regions=[], starts_on=None, ends_on=None)


@pytest.mark.parametrize("role", ["observer", "member", "focal_point", "administrator"])
def test_whoever_reads_the_roadmap_sees_the_timeline_with_its_table(cast, net, roadmap, role):
    response = signed_in(cast.by_role[role]).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == 1 and "<table>" in page
    assert "Sahel joint operation" in page and "Western Africa" not in page  # grouped by continent
    assert "Africa" in page and "No target country or region" in page  # the undated idea, in the table only


def test_the_timeline_is_not_found_outside_the_network(cast, net):
    assert signed_in(cast.other_focal_point).get(URL).status_code == 404


@pytest.mark.parametrize(
    ("by", "groups"),
    [("kind", ["Training", "Joint operation"]), ("lead", ["KRA", "WCO"]), ("region", ["Africa"]),
     ("subregion", ["Eastern Africa", "Western Africa"])],
)  # fmt: skip
def test_the_timeline_groups_by_region_sub_region_type_or_lead(cast, net, roadmap, by, groups):
    page = signed_in(cast.member).get(URL, {"by": by}).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    for group in groups:
        assert f">{group}" in svg


def test_the_timeline_shows_the_roadmap_as_of_a_past_date(cast, net, roadmap):
    page = signed_in(cast.member).get(URL, {"as_of": "2000-01-01"}).content.decode()
    assert "Sahel joint operation" not in page and "No activity with a planned period." in page
    assert signed_in(cast.member).get(URL, {"as_of": "soon"}).status_code == 400


def test_the_roadmap_counts_its_activities_by_status(cast, net, roadmap):
    page = signed_in(cast.member).get("/network/ENFORCE/roadmap/").content.decode()
    assert "Activities by status: Proposed 1 · Planned 1 · Ongoing 1." in page
    assert f'href="{URL}?as_of=' in page
