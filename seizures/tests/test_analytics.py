"""The analytics dashboard: its figures (seizures.analytics) and its page (seizures.views.analytics)."""

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from html import unescape

import pycountry
import pytest
from django.utils import timezone

from conftest import signed_in
from seizures import analytics
from seizures.analytics import Filters, Route
from seizures.tests.builders import file, line
from seizures.views import analytics as views

pytestmark = pytest.mark.django_db

URL = "/seizures/analytics/"
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
AUTUMN = Filters(start=SEPTEMBER, end=OCTOBER)
PAGE_PERIOD = {"from_month": "2026-09", "to_month": "2026-10"}
NS = "{http://www.w3.org/2000/svg}"
IVORY = line("cites", "Loxodonta africana")
PANGOLIN = line("cites", "Manis temminckii")
HOUSEHOLD_WASTE = line("basel", "Y46")


def shared(officer, **fields):
    return file(officer, share=True, **fields)


# --- The figures -------------------------------------------------------------------------------------------


def test_it_counts_records_per_month_per_convention_once_in_each(cast):
    shared(cast.member, occurred_on=OCTOBER, lines=[IVORY, HOUSEHOLD_WASTE])
    shared(cast.member, occurred_on=date(2026, 10, 20), lines=[IVORY, PANGOLIN])  # two CITES lines: once
    shared(cast.member, occurred_on=SEPTEMBER, lines=[line("montreal", "HCFC-22")])
    assert analytics.per_month_by_convention(cast.member, AUTUMN) == [
        ("cites", [0, 2]),
        ("basel", [0, 1]),
        ("montreal", [1, 0]),
    ]


def test_it_counts_a_record_once_per_topic(cast):
    shared(cast.member, lines=[HOUSEHOLD_WASTE, line("stockholm", "pfos"), IVORY])  # Basel and Stockholm: both A
    assert analytics.per_month_by_topic(cast.member, AUTUMN) == [("A", [0, 1]), ("B", [0, 1])]


def test_it_ranks_routes_and_leaves_out_unknown_ends(cast):
    shared(cast.member, origin_country="KE", destination_country="VN")
    shared(cast.member, origin_country="KE", destination_country="VN")
    shared(cast.member, origin_country="NG", destination_country="CN")
    shared(cast.member, origin_country="", destination_country="CN")
    shared(cast.member, origin_country="NG", destination_country="XX")
    assert analytics.top_routes(cast.member, AUTUMN) == [Route("KE", "VN", 2), Route("NG", "CN", 1)]
    assert analytics.top_routes(cast.member, AUTUMN, limit=1) == [Route("KE", "VN", 2)]


def test_it_counts_records_per_country_of_seizure(cast):
    shared(cast.member, country="KE")
    shared(cast.member, country="TZ")
    shared(cast.member, country="TZ")
    assert analytics.per_country(cast.member, AUTUMN) == [("TZ", 2), ("KE", 1)]
    assert analytics.total(cast.member, AUTUMN) == 3


def test_it_ranks_species_by_records_with_their_total_in_the_unit_most_records_use(cast):
    for quantity in ("10", "5.5", "2"):
        shared(cast.member, lines=[line("cites", "Loxodonta africana", quantity=Decimal(quantity), unit="KGM")])
    shared(cast.member, lines=[line("cites", "Loxodonta africana", quantity=Decimal(3), unit="H87")])
    shared(cast.member, lines=[line("cites", "Manis temminckii", quantity=Decimal(1), unit="KGM")])
    shared(cast.member, lines=[line("cites", "Manis temminckii", quantity=Decimal(4), unit="H87")])
    ivory, pangolin = analytics.top_commodities(cast.member, AUTUMN)
    assert (ivory.code, ivory.records, ivory.quantity, ivory.unit) == ("Loxodonta africana", 4, Decimal("17.5"), "KGM")
    assert (ivory.quantity_records, ivory.measured_records) == (3, 4)
    # Half in kilograms, half in pieces: no total would be honest.
    assert (pangolin.code, pangolin.records, pangolin.quantity, pangolin.unit) == ("Manis temminckii", 2, None, "")


def test_it_counts_a_species_once_per_record_and_keeps_the_top_ones(cast):
    shared(cast.member, lines=[IVORY, IVORY, PANGOLIN])
    shared(cast.member, lines=[IVORY])
    assert [(item.code, item.records) for item in analytics.top_commodities(cast.member, AUTUMN)] == [
        ("Loxodonta africana", 2),
        ("Manis temminckii", 1),
    ]
    assert len(analytics.top_commodities(cast.member, AUTUMN, limit=1)) == 1


def test_it_keeps_only_the_months_of_the_period(cast):
    shared(cast.member, occurred_on=date(2026, 8, 31))
    shared(cast.member, occurred_on=SEPTEMBER)
    shared(cast.member, occurred_on=date(2026, 10, 31))
    shared(cast.member, occurred_on=date(2026, 11, 1))
    assert analytics.total(cast.member, AUTUMN) == 2
    assert analytics.per_month_by_convention(cast.member, AUTUMN) == [("cites", [1, 1])]


def test_it_counts_only_records_and_lines_of_the_chosen_convention(cast):
    shared(cast.member, lines=[IVORY, HOUSEHOLD_WASTE])
    shared(cast.member, lines=[HOUSEHOLD_WASTE])
    basel = Filters(start=SEPTEMBER, end=OCTOBER, convention="cites")
    assert analytics.total(cast.member, basel) == 1
    assert analytics.per_month_by_convention(cast.member, basel) == [("cites", [0, 1])]
    assert [item.code for item in analytics.top_commodities(cast.member, basel)] == ["Loxodonta africana"]


@pytest.mark.parametrize(("region", "counted"), [("002", 1), ("014", 1), ("150", 0), ("155", 0), ("", 1)])
def test_it_counts_a_record_seized_in_kenya_under_africa_and_eastern_africa_only(cast, region, counted):
    shared(cast.member, country="KE", origin_country="FR", destination_country="DE")  # the route does not matter
    assert analytics.total(cast.member, Filters(start=SEPTEMBER, end=OCTOBER, region=region)) == counted


def test_it_places_every_country_but_antarctica_in_exactly_one_subregion():
    placed = [
        code for subregions in analytics.REGIONS.values() for codes in subregions.values() for code in codes.split()
    ]
    assert len(placed) == len(set(placed))
    assert {country.alpha_2 for country in pycountry.countries} - set(placed) == {"AQ"}
    assert analytics.countries_in("002") >= analytics.countries_in("014") >= {"KE"}
    assert analytics.countries_in("nowhere") == frozenset()


def test_it_covers_the_last_twelve_months_by_default():
    assert analytics.default_filters(date(2026, 12, 15)) == Filters(start=date(2026, 1, 1), end=date(2026, 12, 1))
    assert analytics.default_filters(date(2027, 2, 1)) == Filters(start=date(2026, 3, 1), end=date(2027, 2, 1))


def everything(person, filters: Filters = AUTUMN) -> tuple:
    return (
        analytics.total(person, filters),
        analytics.per_month_by_convention(person, filters),
        analytics.per_month_by_topic(person, filters),
        analytics.top_routes(person, filters),
        analytics.per_country(person, filters),
        [(item.code, item.records, item.quantity) for item in analytics.top_commodities(person, filters)],
    )


def test_it_counts_no_draft_not_even_of_the_persons_own_organisation(cast):
    nothing = everything(cast.member)
    file(cast.member, lines=[line("cites", "Loxodonta africana", quantity=Decimal(1), unit="KGM")])
    file(cast.other_focal_point, country="FR")
    assert everything(cast.member) == everything(cast.other_focal_point) == nothing


def test_it_never_counts_a_record_the_person_may_not_read(cast):
    for officer in (cast.member, cast.member, cast.focal_point):
        shared(officer, country="KE")
    before = everything(cast.member)
    # The other organisation's record, for one named person of the home organisation only.
    secret = dict(country="FR", origin_country="CN", destination_country="BR", audience="people", marking="red")
    shared(cast.other_focal_point, people=[cast.focal_point], lines=[PANGOLIN], **secret)
    assert everything(cast.member) == before
    assert everything(cast.observer) == before
    assert everything(cast.focal_point) != before
    assert analytics.per_country(cast.focal_point, AUTUMN) == [("KE", 3), ("FR", 1)]
    shown = page(cast.member)
    assert shown.context["total"] == 3
    assert "France" not in shown.content.decode()


def test_it_counts_in_the_database_with_the_same_few_queries_however_many_records(cast, django_assert_num_queries):
    for country in ("KE", "TZ", "UG"):
        shared(cast.member, country=country, lines=[line(quantity=Decimal(1), unit="KGM"), HOUSEHOLD_WASTE])
    # The total, two series over time, routes, countries, and species with their units: one query each.
    with django_assert_num_queries(7):
        views.dashboard(cast.member, AUTUMN)


# --- The page --------------------------------------------------------------------------------------------------


def page(person, **query: str):
    return signed_in(person).get(URL, {**PAGE_PERIOD, **query})


@pytest.mark.parametrize("role", ["member", "observer"])
def test_it_shows_the_dashboard_to_members_and_observers(cast, role):
    shared(cast.member, lines=[IVORY])
    response = page(getattr(cast, role))
    assert response.status_code == 200
    text = response.content.decode()
    for slug in ("by-convention", "by-topic", "routes", "countries", "commodities"):
        assert f'id="{slug}"' in text
    assert "These figures count 1 shared record seized from September 2026 to October 2026." in text
    assert "They include only the records you may read." in text
    assert "<script" not in text.split('<main id="main">')[1]  # the charts need none
    assert "/static/environet/vendor/world/world.svg" in text


def test_it_links_the_dashboard_from_the_list_of_records(cast):
    assert f'href="{URL}"' in signed_in(cast.member).get("/seizures/").content.decode()


def sections(html: str) -> dict[str, tuple[ET.Element, list[list[str]]]]:
    """Each section's chart, parsed, and its table's rows of cell texts (headers included)."""
    found = {}
    for slug, body in re.findall(r'<section id="([\w-]+)".*?>(.*?)</section>', html, re.S):
        svg = re.search(r"<svg.*?</svg>", body, re.S)
        assert svg, slug
        rows = [
            [unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        ]
        found[slug] = (ET.fromstring(svg.group()), rows)
    return found


def hovers(svg: ET.Element) -> set[str]:
    """The exact values the chart shows on hover, one per shape."""
    return {
        title.text or "" for shape in svg.iter() if shape.tag != f"{NS}svg" for title in shape.findall(f"{NS}title")
    }


def test_it_puts_every_number_of_each_chart_in_its_table(cast):
    shared(cast.member, country="KE", origin_country="KE", destination_country="VN", lines=[IVORY, HOUSEHOLD_WASTE])
    shared(cast.member, country="KE", origin_country="KE", destination_country="VN", lines=[IVORY])
    shared(cast.member, occurred_on=SEPTEMBER, country="TZ", origin_country="TZ", destination_country="CN")
    found = sections(page(cast.member).content.decode())

    chart, rows = found["by-convention"]
    assert rows[0] == ["Month", "CITES: wildlife", "Basel: hazardous waste", "Total"]
    assert rows[1:] == [["Sep 2026", "1", "0", "1"], ["Oct 2026", "2", "1", "3"]]
    assert hovers(chart) >= {
        "CITES: wildlife, Sep 2026: 1",
        "CITES: wildlife, Oct 2026: 2",
        "Basel: hazardous waste, Oct 2026: 1",
    }
    assert {"1", "3"} <= {text.text for text in chart.iter(f"{NS}text")}  # the totals above the columns

    chart, rows = found["by-topic"]
    assert rows[1:] == [["Sep 2026", "0", "1", "1"], ["Oct 2026", "1", "2", "3"]]

    chart, rows = found["routes"]
    assert rows[1:] == [["Kenya", "Vietnam", "2"], ["Tanzania", "China", "1"]]
    assert hovers(chart) == {"Kenya → Vietnam: 2", "Tanzania → China: 1"}

    chart, rows = found["countries"]
    assert rows[1:] == [["Kenya", "2"], ["Tanzania", "1"]]
    assert {"Kenya: 2", "Tanzania: 1"} <= hovers(chart)

    chart, rows = found["commodities"]
    assert [row[:3] for row in rows[1:]] == [
        ["Loxodonta africana (African elephant)", "CITES: wildlife", "3"],
        ["Y46 – Wastes collected from households", "Basel: hazardous waste", "1"],
    ]
    shown = [text.text for text in chart.iter(f"{NS}text")]
    assert shown[-2:] == ["3", "1"]


def test_it_gives_the_total_quantity_beside_the_species(cast):
    shared(cast.member, lines=[line("cites", "Loxodonta africana", quantity=Decimal("1250.5"), unit="KGM")])
    shared(cast.member, lines=[line("cites", "Loxodonta africana", quantity=Decimal("4"), unit="KGM")])
    shared(cast.member, lines=[IVORY])
    [header, ivory] = sections(page(cast.member).content.decode())["commodities"][1]
    assert header[-1] == "Total quantity"
    assert ivory[-1] == "1,254.5 kilogram, from 2 of 3 records"


def test_it_escapes_a_label_with_markup(cast):
    shared(cast.member, lines=[line("other", "<b>bold</b> & <script>alert(1)</script>")])
    text = page(cast.member).content.decode()
    assert "<b>bold</b>" not in text
    assert "<script>alert(1)" not in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from_month": "last spring"}, "from_month", "Write a month as year and month, for example 2026-03."),
        ({"from_month": "2026-10", "to_month": "2026-09"}, "to_month", "This month is before the “From” month"),
        ({"from_month": "2010-01", "to_month": "2026-10"}, "from_month", "Choose a period of ten years or less."),
        ({"to_month": "2999-01"}, "to_month", "This month has not begun yet"),
        ({"from_month": "1900-01"}, "from_month", "Choose 1950-01 or later."),
        ({"convention": "gold"}, "convention", "Select a valid choice."),
        ({"region": "999"}, "region", "Select a valid choice."),
    ],
)
def test_it_answers_400_with_a_message_on_the_field_for_invalid_filters(cast, query, field, message):
    shared(cast.member)
    response = page(cast.member, **query)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert response.context["form"].errors[field]
    assert "<svg" not in response.content.decode()  # no chart of other filters


def test_it_shows_the_last_twelve_months_when_no_filter_is_chosen(cast):
    this_month = timezone.localdate().replace(day=1)
    shared(cast.member, occurred_on=this_month)
    shared(cast.member, occurred_on=analytics.add_months(this_month, -12))
    response = signed_in(cast.member).get(URL)
    assert response.status_code == 200
    assert response.context["total"] == 1
    assert f'value="{this_month:%Y-%m}"' in response.content.decode()


def test_it_names_regions_in_the_readers_language(cast):
    cast.member.language = "fr"
    cast.member.save()
    text = signed_in(cast.member).get(URL).content.decode()
    assert '<option value="014">Afrique orientale</option>' in text
    assert '<optgroup label="Europe">' in text


# --- One colour per category -----------------------------------------------------------------------------------


def resolved(svg: ET.Element, fill: str) -> tuple:
    """What a fill looks like: a colour, or a pattern's colour, marks and turn (its id differs per chart)."""
    found = re.fullmatch(r"url\(#(.+)\)", fill)
    if not found:
        return (fill,)
    pattern = next(p for p in svg.iter(f"{NS}pattern") if p.get("id") == found.group(1))
    marks = [(child.tag, child.get("fill"), child.get("stroke"), child.get("d")) for child in pattern]
    return (*marks, pattern.get("patternTransform"))


def legend(svg: ET.Element) -> dict[str, tuple]:
    """Each legend entry's name and how its swatch looks."""
    groups = [group for group in svg.findall(f"{NS}g") if group.get("stroke_width") or group.get("stroke-width")]
    swatches = groups[0].findall(f"{NS}rect")
    texts = svg.findall(f"{NS}g")[1].findall(f"{NS}text")
    names = [text.findtext(f"{NS}title") or text.text or "" for text in texts]  # a name cut short is whole on hover
    return {name: resolved(svg, rect.get("fill", "")) for name, rect in zip(names, swatches, strict=True)}


def test_a_convention_has_the_same_fill_in_every_chart_of_the_page(cast):
    # Montreal and Basel only in some records, CITES in most: each chart shows them in a different order.
    shared(cast.member, lines=[line("montreal", "HCFC-22")])
    shared(cast.member, lines=[line("montreal", "HCFC-22")])
    shared(cast.member, lines=[line("montreal", "HCFC-22")])
    shared(cast.member, lines=[HOUSEHOLD_WASTE, IVORY])
    shared(cast.member, lines=[IVORY])
    found = sections(page(cast.member).content.decode())

    by_convention = legend(found["by-convention"][0])
    cites, basel, montreal = (by_convention[str(views.CONVENTIONS[code])] for code in ("cites", "basel", "montreal"))
    assert len({cites, basel, montreal}) == 3

    by_topic = legend(found["by-topic"][0])
    topic_fill = {name.split(" – ")[0]: fill for name, fill in by_topic.items()}
    assert (topic_fill["A"], topic_fill["B"], topic_fill["D"]) == (basel, cites, montreal)

    chart, rows = found["commodities"]
    assert legend(chart) == {
        str(views.CONVENTIONS["montreal"]): montreal,
        str(views.CONVENTIONS["cites"]): cites,
        str(views.CONVENTIONS["basel"]): basel,
    }
    bars = [
        rect for group in chart.findall(f"{NS}g") for rect in group.findall(f"{NS}rect") if rect.get("height") == "20"
    ]
    conventions = [row[1] for row in rows[1:]]
    assert [resolved(chart, bar.get("fill", "")) for bar in bars] == [by_convention[name] for name in conventions]


def test_routes_take_no_colour_that_means_a_convention(cast):
    shared(cast.member, origin_country="KE", destination_country="VN", lines=[IVORY])
    shared(cast.member, origin_country="TZ", destination_country="CN", lines=[HOUSEHOLD_WASTE])
    chart, _rows = sections(page(cast.member).content.decode())["routes"]
    strokes = {path.get("stroke") for path in chart.iter(f"{NS}path") if path.find(f"{NS}title") is not None}
    assert strokes == {views.ROUTE_COLOUR}
    assert not strokes & {colour for colour, _ink in views.charts.PALETTE}
