"""The roadmap as of a date, rebuilt from the dated history; the diff between two dates; the XLSX export."""

import io
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import signed_in
from network import actions, history, selectors
from network.models import ActivityType, Status
from network.tests.builders import build, draft

NETWORKS = itertools.count()
START = datetime(2019, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def net(cast):
    return build(cast)


# --- The property: any edits at increasing times, rebuilt at each time, equal the snapshot taken then ----

# Periods over before the first step (2019): any status may be drawn with any of them, "completed" included.
PERIODS = [
    (None, None),
    (date(2017, 3, 1), date(2017, 3, 5)),
    (date(2018, 1, 10), None),
    (date(2018, 6, 1), date(2018, 9, 30)),
]
FUNDING = [(None, ""), (Decimal("15000.00"), "USD"), (Decimal("2500.50"), "EUR")]


@st.composite
def fields(draw) -> dict:
    """Every field of an activity, drawn from small pools (so that edits often change only some fields)."""
    starts_on, ends_on = draw(st.sampled_from(PERIODS))
    amount, currency = draw(st.sampled_from(FUNDING))
    return {
        "title": draw(st.sampled_from(["Training on e-waste", "Joint operation on plastic waste", "Customs manual"])),
        "kind": draw(st.sampled_from(ActivityType.values)),
        "status": draw(st.sampled_from(Status.values)),
        "leads": draw(st.lists(st.sampled_from(["home", "secretariat"]), min_size=1, max_size=2, unique=True)),
        "partners": draw(st.lists(st.sampled_from(["other", "observer"]), max_size=2, unique=True)),
        "countries": draw(st.lists(st.sampled_from(["KE", "TZ", "FR", "PH", "BR"]), max_size=3, unique=True)),
        "regions": draw(st.lists(st.sampled_from(["011", "014", "142", "419"]), max_size=2, unique=True)),
        "conventions": draw(st.lists(st.sampled_from(["basel", "cites", "montreal"]), max_size=2, unique=True)),
        "topics": draw(st.lists(st.sampled_from(list("ABDG")), max_size=2, unique=True)),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "amount": amount,
        "currency": currency,
        "funding": draw(st.sampled_from(["", "secured", "sought"])),
        "description": draw(st.sampled_from(["", "Two days in class.", "A week at the port."])),
    }


# A step: wait (seconds, from one second to about a year), then propose a new activity or edit one of those made.
steps = st.lists(
    st.tuples(st.integers(1, 3600 * 24 * 400), st.integers(0, 3), fields()),
    min_size=1,
    max_size=8,
)


def expected_state(values: dict, organisations: dict, number: int) -> dict:
    """The test's own account of what the activity holds, from what it sent (not from the code under test)."""
    return {
        "title": f"{values['title']} #{number}",
        "kind": values["kind"],
        "status": values["status"],
        "leads": sorted(organisations[name].pk for name in values["leads"]),
        "partners": sorted(organisations[name].pk for name in values["partners"]),
        "countries": sorted(values["countries"]),
        "regions": sorted(values["regions"]),
        "conventions": sorted(values["conventions"]),
        "topics": sorted(values["topics"]),
        "commodity_focus": "",
        "starts_on": values["starts_on"].isoformat() if values["starts_on"] else None,
        "ends_on": values["ends_on"].isoformat() if values["ends_on"] else None,
        "funding_source": "",
        "amount": None if values["amount"] is None else str(values["amount"]),
        "currency": values["currency"],
        "funding": values["funding"],
        "description": values["description"],
        "expected_outputs": "",
        "contact": None,
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(sequence=steps)
def test_the_roadmap_of_any_past_moment_is_rebuilt_exactly(cast, sequence):
    net = build(cast, short_name=f"NET{next(NETWORKS)}")
    organisations = {"home": cast.home, "secretariat": cast.secretariat, "other": cast.other,
                     "observer": net.observer_organisation}  # fmt: skip
    made: list = []
    snapshots: list[tuple[datetime, dict[int, dict]]] = []
    expected: dict[int, dict] = {}
    moment = START
    for wait, which, values in sequence:
        moment += timedelta(seconds=wait)
        sent = {**values, "leads": [organisations[n] for n in values["leads"]],
                "partners": [organisations[n] for n in values["partners"]]}  # fmt: skip
        if which >= len(made) or not made:
            number = len(made)
            activity = actions.propose_activity(
                request=None, person=net.clerk, network=net.network, at=moment,
                draft=actions.ActivityDraft(**{**sent, "title": f"{values['title']} #{number}"}),
            )  # fmt: skip
            made.append(activity)
        else:
            number, activity = which, made[which]
            actions.update_activity(
                request=None, person=net.clerk, activity=activity, at=moment,
                draft=actions.ActivityDraft(**{**sent, "title": f"{values['title']} #{number}"}),
            )  # fmt: skip
        expected[activity.pk] = expected_state(values, organisations, number)
        snapshots.append((moment, {pk: dict(state) for pk, state in expected.items()}))
        # The live rows say the same as the test's account.
        for item in made:
            item.refresh_from_db()
            assert history.state_of(item) == expected[item.pk]

    assert history.replay(net.network, before=START) == {}
    for index, (at, snapshot) in enumerate(snapshots):
        # Exactly at the step (a moment later), and at any moment before the next step.
        assert history.replay(net.network, before=at + timedelta(microseconds=1)) == snapshot
        following = snapshots[index + 1][0] if index + 1 < len(snapshots) else at + timedelta(days=30)
        assert history.replay(net.network, before=at + (following - at) / 2 + timedelta(microseconds=1)) == snapshot
        # By day: the roadmap as of the step's day is the snapshot after the last step of that day.
        last_that_day = [snap for when, snap in snapshots if when.date() <= at.date()][-1]
        assert history.roadmap_on(net.network, at.date()) == last_that_day
    # The diff between two steps names exactly what differs.
    first, last = snapshots[0][1], snapshots[-1][1]
    found = history.diff(first, last)
    assert set(found.added) == set(last) - set(first) and not found.removed
    for pk, changes in found.changed.items():
        assert {name: [first[pk][name], last[pk][name]] for name in changes} == changes


def test_a_change_is_never_written_before_an_earlier_one(cast, net):
    made = actions.propose_activity(request=None, person=net.clerk, network=net.network, draft=draft(cast),
                                    at=datetime(2024, 5, 1, tzinfo=UTC))  # fmt: skip
    with pytest.raises(ValueError):
        actions.update_activity(request=None, person=net.clerk, activity=made, draft=draft(cast, title="Earlier"),
                                at=datetime(2024, 4, 1, tzinfo=UTC))  # fmt: skip


# --- Pages and export --------------------------------------------------------------------------------


@pytest.fixture
def dated(cast, net):
    """Proposed on 2020-01-15, approved on 2020-03-01, held 5-9 October and completed on 2020-11-20; a second
    proposed 2020-06-01."""
    held = {"starts_on": date(2020, 10, 5), "ends_on": date(2020, 10, 9)}  # over when it is marked completed
    money = {"amount": Decimal(1000), "currency": "USD"}
    first = actions.propose_activity(request=None, person=cast.member, network=net.network,
                                     draft=draft(cast, title="E-waste training", **money, **held),
                                     at=datetime(2020, 1, 15, 10, tzinfo=UTC))  # fmt: skip
    actions.update_activity(request=None, person=net.clerk, activity=first,
                            draft=draft(cast, title="E-waste training", **money, status=Status.PLANNED, **held),
                            at=datetime(2020, 3, 1, 10, tzinfo=UTC))  # fmt: skip
    done = draft(cast, title="E-waste training", **money, status=Status.COMPLETED, **held)
    actions.update_activity(request=None, person=cast.member, activity=first, draft=done,
                            at=datetime(2020, 11, 20, 10, tzinfo=UTC))  # fmt: skip
    second = actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                      draft=draft(cast, title="=HYPERLINK(\"x\") guidance", kind="tool",
                                                  leads=[cast.secretariat], starts_on=None, ends_on=None),
                                      at=datetime(2020, 6, 1, 10, tzinfo=UTC))  # fmt: skip
    return first, second


def test_the_roadmap_page_shows_the_roadmap_as_of_a_date_and_what_changed(cast, net, dated):
    client = signed_in(net.watcher)
    page = client.get("/network/ENFORCE/roadmap/?as_of=2020-10-01").content.decode()
    assert "status as of 2020-10-01" in page and "E-waste training" in page and "guidance" in page
    assert "<h2>Planned</h2>" in page and "<h2>Completed</h2>" not in page
    before = client.get("/network/ENFORCE/roadmap/?as_of=2020-02-01").content.decode()
    assert "<h2>Proposed</h2>" in before and "guidance" not in before
    compared = client.get("/network/ENFORCE/roadmap/?as_of=2020-12-31&compare=2020-02-01").content.decode()
    assert "What changed between 2020-02-01 and 2020-12-31" in compared
    assert "<h3>Added</h3>" in compared and "<td>Proposed</td><td>Completed</td>" in compared
    assert client.get("/network/ENFORCE/roadmap/?as_of=2019-12-31").content.decode().count("No activities") == 1
    assert client.get("/network/ENFORCE/roadmap/?as_of=not-a-date").status_code == 400


def test_selectors_compare_two_dates(cast, net, dated):
    first, second = dated
    found = selectors.compare(net.network, date(2020, 2, 1), date(2020, 12, 31))
    assert [entry.id for entry in found.added] == [second.pk]
    assert [change.id for change in found.changed] == [first.pk]
    assert ("Status", "Proposed", "Completed") in found.changed[0].fields
    backwards = selectors.compare(net.network, date(2020, 12, 31), date(2020, 2, 1))
    assert [entry.id for entry in backwards.removed] == [second.pk]


def test_it_exports_the_roadmap_as_of_a_date_as_xlsx(cast, net, dated):
    response = signed_in(cast.member).get("/network/ENFORCE/roadmap.xlsx?as_of=2020-10-01")
    assert response.status_code == 200 and "ENFORCE-roadmap-2020-10-01.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "ENFORCE roadmap of activities, status as of 2020-10-01"
    header = rows[1]
    by_title = {row[header.index("Title")]: row for row in rows[2:]}
    training = by_title["E-waste training"]
    assert training[header.index("Status")] == "Planned" and training[header.index("IATI status code")] == 1
    assert training[header.index("Amount")] == "1000.00" and training[header.index("Currency")] == "USD"
    # A title that looks like a formula stays text.
    guidance = next(row for title, row in by_title.items() if title.startswith("=HYPERLINK"))
    assert guidance[header.index("Type")] == "Tool or guidance development"
    from audit.models import Entry

    assert Entry.objects.get(action="network.roadmap_exported").changes == {"as_of": "2020-10-01"}


def test_the_secretariat_publishes_an_edition(cast, net, dated):
    client = signed_in(net.clerk)
    assert client.post("/network/ENFORCE/roadmap/publish/", {"as_of": "2020-10-01"}).status_code == 302
    page = client.get("/network/ENFORCE/roadmap/").content.decode()
    assert "Status as of 2020-10-01" in page and "?as_of=2020-10-01" in page
    assert client.post("/network/ENFORCE/roadmap/publish/", {"as_of": "2999-01-01"}).status_code == 400
    assert signed_in(cast.member).post("/network/ENFORCE/roadmap/publish/", {"as_of": "2020-10-01"}).status_code == 404


def test_the_iati_mapping_covers_every_status():
    from network.models import IATI_ACTIVITY_STATUS

    assert set(IATI_ACTIVITY_STATUS) == set(Status.values)
    assert set(IATI_ACTIVITY_STATUS.values()) <= {1, 2, 3, 4, 5, 6}
    assert IATI_ACTIVITY_STATUS["cancelled"] == 5 and IATI_ACTIVITY_STATUS["postponed"] == 6


def test_the_diff_reads_from_the_earlier_date_whichever_field_holds_it(cast, net, dated):
    client = signed_in(cast.member)
    one = client.get("/network/ENFORCE/roadmap/?as_of=2020-02-01&compare=2020-12-31").content.decode()
    assert "What changed between 2020-02-01 and 2020-12-31" in one and "<h3>Added</h3>" in one
    assert "<h3>Removed</h3>" not in one
