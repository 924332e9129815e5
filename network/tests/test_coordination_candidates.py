"""The candidates of the coordination rules are chosen in SQL (network.coordination.candidates), so that saving
an activity does not read the whole roadmap: whatever the roadmap, what is found from them is exactly what
checking the rules against every activity finds."""

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import coordination
from network.models import Activity, ActivityType, Status, listed
from network.tests.builders import build

NETWORKS = itertools.count()
PERIODS = [
    (None, None),
    (date(2027, 3, 1), date(2027, 3, 5)),
    (date(2027, 3, 5), date(2027, 3, 5)),
    (date(2027, 3, 6), None),
    (date(2027, 3, 4), None),
    (date(2027, 1, 1), date(2027, 12, 31)),
    (date(2026, 1, 1), date(2026, 2, 1)),
]
DESCRIPTIONS = [
    "",
    "Two days in class on detecting e-waste shipments and a day at the port.",
    "Two days in class on detecting illegal e-waste shipments and a day at the port of Mombasa.",
    "A manual on ozone depleting substances for customs laboratories.",
    "Two days in class.",
]
# Spelt alike up to case and spaces, or not; blank.
FUNDERS = ["Demo donor", "  demo   DONOR ", "Other fund", "", "   "]


@st.composite
def activities(draw) -> dict:
    starts_on, ends_on = draw(st.sampled_from(PERIODS))
    return {
        "kind": draw(st.sampled_from([ActivityType.TRAINING, ActivityType.WORKSHOP])),
        "status": draw(st.sampled_from(Status.values)),
        "countries": draw(st.lists(st.sampled_from(["KE", "TZ", "FR", "BR"]), max_size=3, unique=True)),
        "leads": draw(st.lists(st.sampled_from(["home", "other", "secretariat"]), min_size=1, max_size=2, unique=True)),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "funding": draw(st.sampled_from(["", "sought", "secured"])),
        "funding_source": draw(st.sampled_from(FUNDERS)),
        "description": draw(st.sampled_from(DESCRIPTIONS)),
        "title": draw(st.sampled_from(["Port training", "Customs manual"])),
        "elsewhere": draw(st.booleans()) and draw(st.booleans()),  # in another network, a quarter of the time
    }


def make(net, other_net, organisations, number: int, values: dict) -> Activity:
    activity = Activity.objects.create(
        network=(other_net if values["elsewhere"] else net).network,
        title=values["title"],
        kind=values["kind"],
        status=values["status"],
        countries_list=listed(sorted(values["countries"])),
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        funding=values["funding"],
        funding_source=values["funding_source"],
        description=values["description"],
        proposed_by=net.clerk,
        submission_key=f"candidates-{number}",
    )
    activity.leads.set([organisations[name] for name in values["leads"]])
    return activity


def pairs(found: list[coordination.Finding]) -> list[tuple[str, int, int]]:
    return [(finding.kind, finding.first.pk, finding.second.pk) for finding in found]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(roadmap=st.lists(activities(), min_size=1, max_size=9))
def test_the_candidates_find_exactly_what_a_full_scan_finds(cast, roadmap):
    number = next(NETWORKS)
    net, other_net = build(cast, short_name=f"CAND{number}"), build(cast, short_name=f"ELSE{number}")
    organisations = {"home": cast.home, "other": cast.other, "secretariat": cast.secretariat}
    made = [make(net, other_net, organisations, index, values) for index, values in enumerate(roadmap)]
    everything = list(Activity.objects.all())  # both networks, every status, in the roadmap's order
    for activity in made:
        saved = Activity.objects.get(pk=activity.pk)  # as raise_flags is given it: nothing read beforehand
        full_scan = [finding for other in everything for finding in coordination.findings(saved, other)]
        assert pairs(coordination.findings_for(saved)) == pairs(full_scan)


def test_the_candidates_leave_out_what_no_rule_can_hold(cast):
    """Of a roadmap where every other activity overlaps in time, only those that may meet a rule are read."""
    net, other_net = build(cast, short_name="CANDX"), build(cast, short_name="ELSEX")
    organisations = {"home": cast.home, "other": cast.other, "secretariat": cast.secretariat}
    base = {"kind": ActivityType.TRAINING, "status": Status.PLANNED, "countries": ["KE"], "leads": ["home"],
            "starts_on": date(2027, 3, 1), "ends_on": date(2027, 3, 5), "funding": "sought",
            "funding_source": "Demo donor", "description": DESCRIPTIONS[1], "title": "Port training",
            "elsewhere": False}  # fmt: skip
    saved = make(net, other_net, organisations, 0, base)
    same_place = make(net, other_net, organisations, 1, {**base, "leads": ["other"], "funding": ""})
    same_lead = make(net, other_net, organisations, 2, {**base, "kind": "workshop", "countries": [], "funding": ""})
    same_funding = make(net, other_net, organisations, 3, {**base, "kind": "workshop", "leads": ["other"],
                                                            "funding_source": "Other fund"})  # fmt: skip
    make(net, other_net, organisations, 4, {**base, "kind": "workshop", "leads": ["other"], "funding": ""})
    make(net, other_net, organisations, 5, {**base, "countries": ["FR"], "leads": ["other"], "funding": ""})
    make(net, other_net, organisations, 6, {**base, "status": Status.COMPLETED})
    make(net, other_net, organisations, 7, {**base, "starts_on": date(2027, 3, 6), "ends_on": None})
    make(net, other_net, organisations, 8, {**base, "elsewhere": True})

    found = coordination.candidates(Activity.objects.get(pk=saved.pk))

    assert sorted(candidate.pk for candidate in found) == [same_place.pk, same_lead.pk, same_funding.pk]
    assert {candidate.pk: bool(candidate.shares_lead) for candidate in found} == {  # type: ignore[attr-defined]
        same_place.pk: False, same_lead.pk: True, same_funding.pk: False
    }  # fmt: skip
