"""The demo roadmap: seeded once, with a history over past dates, every activity labelled as a demo."""

from datetime import date

import pytest

from accounts import demo as accounts_demo
from network import demo, history, selectors
from network.models import Activity, Flag, FlagKind, Meeting, Network, Review


@pytest.mark.django_db
def test_it_seeds_enforce_with_a_dated_roadmap_once(settings):
    settings.DEBUG = True  # as `make run` seeds it
    accounts_demo.seed()
    assert demo.seed() == len(demo.ACTIVITIES) == 15
    assert demo.seed() == 0
    network = Network.objects.get(short_name="ENFORCE")
    assert network.secretariat.short_name == "BRS"
    standings = {str(m): m.standing for m in selectors.members_on(network, date(2026, 1, 1))}
    assert standings["KRA"] == "member" and standings["EIA"] == "observer"
    assert all(a.title.startswith("Demo: ") and demo.NOTE in a.description for a in network.activities.all())
    statuses = {a.status for a in network.activities.all()}
    assert len(statuses) >= 6
    # The roadmap of 1 October 2020 has the activities proposed by then, in their statuses then.
    then = history.roadmap_on(network, date(2020, 10, 1))
    assert sorted(state["status"] for state in then.values()) == ["completed", "planned"]


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


@pytest.mark.django_db
def test_it_seeds_three_demo_meetings_with_their_input_once(settings):
    settings.DEBUG = True
    accounts_demo.seed()
    demo.seed()
    demo.seed()
    meetings = list(Meeting.objects.order_by("starts_on"))
    assert [m.number for m in meetings] == ["ENFORCE-5 (demo)", "ENFORCE-6 (demo)", "ENFORCE-7 (demo)"]
    for meeting in meetings:
        assert meeting.title.startswith("Demo: ") and meeting.minutes == demo.MINUTES
        assert meeting.agenda.count() >= 4 and meeting.participants.exists() and meeting.decisions.exists()
    sixth = meetings[1]
    proposed = sixth.inputs.get(kind="proposal")
    activity = Activity.objects.get(inputs=proposed)
    assert proposed.review == Review.ACCEPTED and activity.proposed_at == sixth
    assert activity.title.startswith("Demo: ") and demo.NOTE in activity.description
    assert sixth.inputs.get(kind="comment").review == Review.DECLINED
    assert meetings[2].inputs.filter(review=Review.PENDING).count() == 1
    assert Activity.objects.get(inputs__meeting=meetings[2], inputs__kind="status").status == "funded"
