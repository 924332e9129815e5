"""The demo network: 12 members and 6 observers, seven meetings, 60 activities over 2016–2027 in every status with
a history over past dates, every activity labelled as a demo; duplicates, clashes and gaps for the coordination
to find; outputs of completed activities. Seeded once: a second run changes nothing."""

from datetime import date

import pytest

from accounts import demo as accounts_demo
from audit.models import Entry
from library import demo as library_demo
from network import demo, history, selectors
from network.models import (
    Activity,
    ActivityChange,
    Flag,
    FlagKind,
    Lessons,
    Meeting,
    Network,
    Output,
    Review,
    Standing,
    Status,
    Trained,
)

COUNTED = (Activity, ActivityChange, Flag, Meeting, Output, Trained, Lessons, Entry)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
def test_it_seeds_enforce_with_a_dated_roadmap_once(settings):
    settings.DEBUG = True  # as `make run` seeds it
    accounts_demo.seed()
    assert demo.seed() == len(demo.ACTIVITIES) == 59
    seeded = _counts()
    assert demo.seed() == 0
    assert _counts() == seeded, "a second run must change nothing"
    network = Network.objects.get(short_name="ENFORCE")
    assert network.secretariat.short_name == "BRS"
    held = list(selectors.members_on(network, date(2026, 12, 1)))
    assert sum(m.standing == Standing.MEMBER for m in held) == 12
    assert sum(m.standing == Standing.OBSERVER for m in held) == 6
    standings = {str(m): m.standing for m in held}
    assert standings["KRA"] == "member" and standings["EIA"] == "observer" and standings["GRA"] == "member"
    # 59 from the list and one accepted from a proposal at the sixth meeting.
    activities = list(network.activities.all())
    assert len(activities) == 60
    assert all(a.title.startswith("Demo: ") and demo.NOTE in a.description for a in activities)
    assert {a.status for a in activities} == set(Status.values)
    years = {a.starts_on.year for a in activities if a.starts_on}
    assert min(years) == 2016 and max(years) == 2027
    # A history of dated changes, none of them after the day the demo's history stops.
    assert ActivityChange.objects.filter(activity__network=network).count() > 2 * len(activities)
    assert not ActivityChange.objects.filter(at__date__gt=date(2026, 11, 30)).exists()
    # The roadmap of 1 October 2020 has the activities proposed by then, in their statuses then.
    then = history.roadmap_on(network, date(2020, 10, 1))
    statuses_then = {state["title"]: state["status"] for state in then.values()}
    assert len(statuses_then) == ActivityChange.objects.filter(created=True, at__date__lte=date(2020, 10, 1)).count()
    assert (
        statuses_then["Demo: national training on detecting illegal e-waste shipments at Mombasa port"] == "completed"
    )
    assert statuses_then["Demo: training on hazardous waste declared as scrap at Manila ports"] == "ongoing"
    assert "Demo: training for Senegalese customs on hazardous waste controls" not in statuses_then  # proposed later


@pytest.mark.django_db
def test_it_seeds_a_duplicate_and_a_funder_clash_to_find(settings):
    settings.DEBUG = True
    accounts_demo.seed()
    demo.seed()
    titles = {
        (flag.kind, flag.first.title, flag.second.title) for flag in Flag.objects.select_related("first", "second")
    }
    assert (FlagKind.DUPLICATE, "Demo: training for West African port officers on detecting e-waste in containers",
            "Demo: West Africa port training on e-waste detection") in titles  # fmt: skip
    assert (FlagKind.FUNDER, "Demo: training for West African port officers on detecting e-waste in containers",
            "Demo: awareness campaign on illegal imports of refrigerants") in titles  # fmt: skip
    assert ("duplicate", "Demo: workshop on hazardous waste from ship recycling in South Asia",
            "Demo: South Asia workshop on ship recycling waste inspections") in titles  # fmt: skip
    # Flags of each kind are found, and the whole roadmap was checked once (by the secretariat).
    assert {kind for kind, _first, _second in titles} == set(FlagKind.values)
    assert Entry.objects.filter(action="network.roadmap_checked").count() == 1
    # Nothing is flagged as a duplicate but the two pairs meant to be.
    assert sum(kind == FlagKind.DUPLICATE for kind, _first, _second in titles) == 2


@pytest.mark.django_db
def test_it_leaves_gaps_for_the_coordination_to_find(settings):
    settings.DEBUG = True
    accounts_demo.seed()
    demo.seed()
    network = Network.objects.get(short_name="ENFORCE")
    live = network.activities.exclude(status__in=[Status.COMPLETED, Status.CANCELLED])
    covered = {region for activity in live for region in activity.regions}
    # Regions of the world with no live activity: the Caribbean, Central America, Central Asia.
    assert not covered & {"029", "013", "143"}
    assert not network.activities.filter(regions_list__contains=",143,").exists()


@pytest.mark.django_db
def test_completed_activities_have_outputs_that_link_demo_library_items(settings):
    settings.DEBUG = True
    accounts_demo.seed()
    library_demo.seed()
    demo.seed()
    network = Network.objects.get(short_name="ENFORCE")
    with_outputs = (
        network.activities.filter(trained__isnull=False).distinct()
        | network.activities.filter(outputs__isnull=False).distinct()
    )
    assert {a.status for a in with_outputs} == {Status.COMPLETED}
    assert with_outputs.count() == len(demo.OUTPUTS)
    assert Output.objects.filter(activity__network=network).count() >= 10
    assert all(link.item.title.startswith("Demo: ") for link in Output.objects.select_related("item"))
    east_africa = network.activities.get(
        title="Demo: regional training on the Basel Convention for East African customs"
    )
    assert sorted(east_africa.trained.values_list("country", flat=True)) == ["KE", "RW", "TZ", "UG"]
    assert Lessons.objects.filter(activity=east_africa).exists()
    seeded = _counts()
    demo.seed()
    assert _counts() == seeded


@pytest.mark.django_db
def test_it_seeds_seven_demo_meetings_with_their_input_once(settings):
    settings.DEBUG = True
    accounts_demo.seed()
    demo.seed()
    demo.seed()
    meetings = list(Meeting.objects.order_by("starts_on"))
    assert [m.number for m in meetings] == [f"ENFORCE-{n} (demo)" for n in range(1, 8)]
    for meeting in meetings:
        assert meeting.title.startswith("Demo: ") and meeting.minutes == demo.MINUTES
        assert meeting.agenda.count() >= 4 and meeting.participants.exists() and meeting.decisions.exists()
    sixth = meetings[5]
    proposed = sixth.inputs.get(kind="proposal")
    activity = Activity.objects.get(inputs=proposed)
    assert proposed.review == Review.ACCEPTED and activity.proposed_at == sixth
    assert activity.title.startswith("Demo: ") and demo.NOTE in activity.description
    assert sixth.inputs.get(kind="comment").review == Review.DECLINED
    assert meetings[6].inputs.filter(review=Review.PENDING).count() == 1
    assert Activity.objects.get(inputs__meeting=meetings[6], inputs__kind="status").status == "funded"
