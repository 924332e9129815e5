"""The candidates of the coordination rules are chosen in SQL (network.coordination.candidates), so that saving
an activity does not read the whole roadmap: whatever the roadmap, what is found from them is exactly what
checking the rules against every activity finds."""

import itertools
from datetime import date
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from network import coordination
from network.models import Activity, ActivityType, Network, Status, listed

NETWORKS = itertools.count()
LEADS = ["home", "other", "secretariat", "fourth", "fifth"]
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
        # Leads from five organisations, mostly one each: sharing a lead is not what brings most pairs together.
        "leads": draw(
            st.lists(st.sampled_from(LEADS), min_size=1, max_size=draw(st.sampled_from([1, 1, 2])), unique=True)
        ),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "funding": draw(st.sampled_from(["", "sought", "secured"])),
        "funding_source": draw(st.sampled_from(FUNDERS)),
        "description": draw(st.sampled_from(DESCRIPTIONS)),
        "title": draw(st.sampled_from(["Port training", "Customs manual"])),
        "elsewhere": draw(st.booleans()) and draw(st.booleans()),  # in another network, a quarter of the time
    }


def networks(cast, suffix: str) -> tuple[Network, Network]:
    """The roadmap's network, and another one (whose activities no rule may pair with the first's)."""
    return (
        Network.objects.create(name="Candidates", short_name=f"CAND{suffix}", secretariat=cast.secretariat),
        Network.objects.create(name="Elsewhere", short_name=f"ELSE{suffix}", secretariat=cast.secretariat),
    )


def make(cast, net, other_net, organisations, number: int | str, values: dict) -> Activity:
    activity = Activity.objects.create(
        network=other_net if values["elsewhere"] else net,
        title=values["title"],
        kind=values["kind"],
        status=values["status"],
        countries_list=listed(sorted(values["countries"])),
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        funding=values["funding"],
        funding_source=values["funding_source"],
        description=values["description"],
        proposed_by=cast.member,
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
    net, other_net = networks(cast, str(number))
    organisations = {"home": cast.home, "other": cast.other, "secretariat": cast.secretariat}
    for name in ("fourth", "fifth"):
        organisations[name] = Organisation.objects.create(name=f"{name} {number}", short_name=name, kind="customs")
    made = [
        make(cast, net, other_net, organisations, f"{number}-{index}", values) for index, values in enumerate(roadmap)
    ]
    # Both networks, every status, in the roadmap's order.
    everything = list(Activity.objects.filter(network__in=[net, other_net]))
    for activity in made:
        saved = Activity.objects.get(pk=activity.pk)  # as raise_flags is given it: nothing read beforehand
        full_scan = [finding for other in everything for finding in coordination.findings(saved, other)]
        assert pairs(coordination.findings_for(saved)) == pairs(full_scan)


def test_the_candidates_leave_out_what_no_rule_can_hold(cast):
    """Of a roadmap where every other activity overlaps in time, only those that may meet a rule are read."""
    net, other_net = networks(cast, "X")
    organisations = {"home": cast.home, "other": cast.other, "secretariat": cast.secretariat}
    add = partial(make, cast, net, other_net, organisations)
    base = {"kind": ActivityType.TRAINING, "status": Status.PLANNED, "countries": ["KE"], "leads": ["home"],
            "starts_on": date(2027, 3, 1), "ends_on": date(2027, 3, 5), "funding": "sought",
            "funding_source": "Demo donor", "description": DESCRIPTIONS[1], "title": "Port training",
            "elsewhere": False}  # fmt: skip
    saved = add(0, base)
    same_place = add(1, {**base, "leads": ["other"], "funding": ""})
    same_lead = add(2, {**base, "kind": "workshop", "countries": [], "funding": ""})
    same_funding = add(3, {**base, "kind": "workshop", "leads": ["other"], "funding_source": "Other fund"})
    add(4, {**base, "kind": "workshop", "leads": ["other"], "funding": ""})
    add(5, {**base, "countries": ["FR"], "leads": ["other"], "funding": ""})
    add(6, {**base, "status": Status.COMPLETED})
    add(7, {**base, "starts_on": date(2027, 3, 6), "ends_on": None})
    add(8, {**base, "elsewhere": True})

    found = coordination.candidates(Activity.objects.get(pk=saved.pk))

    assert sorted(candidate.pk for candidate in found) == [same_place.pk, same_lead.pk, same_funding.pk]
    assert {candidate.pk: bool(candidate.shares_lead) for candidate in found} == {  # type: ignore[attr-defined]
        same_place.pk: False, same_lead.pk: True, same_funding.pk: False
    }  # fmt: skip
