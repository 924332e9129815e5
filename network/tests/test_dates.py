"""Dates the network takes (environet.dates: the years 1950 to 2100), refused where they are typed and by the
actions whatever their caller; the pages and downloads that read a date never fail on one, nor on a period
stored before the rule; meetings of a sensible length; "completed" only once over; follow-ups not dropped."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from conftest import signed_in
from environet import dates
from network import actions, charts, history, meeting_actions
from network.models import Activity, Meeting, Status
from network.tests.builders import build, draft, form_data
from network.tests.test_import import post as post_import
from network.tests.test_import import problems as import_problems
from network.tests.test_meetings import meeting_draft, page

NS = "{http://www.w3.org/2000/svg}"
TODAY = timezone.localdate()
MISTYPED = "9999-12-31"


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def meeting(cast, net):
    return meeting_actions.open_meeting(request=None, person=net.clerk, network=net.network, draft=meeting_draft())


# --- Activities: the form, the import and the action refuse a mistyped year ----------------------------------


@pytest.mark.parametrize(
    ("field", "value"), [("ends_on", MISTYPED), ("starts_on", "0001-01-01"), ("starts_on", "1949-12-31")]
)
def test_the_activity_form_refuses_a_year_out_of_range_next_to_the_field(cast, net, field, value):
    data = form_data(cast, title="A typed title to keep", **{field: value})
    response = signed_in(cast.member).post("/network/ENFORCE/activities/new/", data)
    page_ = response.content.decode()
    assert response.status_code == 400
    assert f"{value} is outside the years 1950 to 2100: check the year." in page_
    assert 'value="A typed title to keep"' in page_ and not Activity.objects.exists()


def test_the_import_refuses_the_row_with_a_mistyped_year(cast, net):
    text = "Title,Type,Status,Lead organisation,Start,End\nQA,training,planned,KRA,2027-01-01,9999-12-31\n"
    response = post_import(signed_in(net.clerk), text.encode(), "roadmap.csv")
    assert response.status_code == 400
    assert import_problems(response) == [("2", "End", "9999-12-31 is outside the years 1950 to 2100: check the year.")]
    assert not Activity.objects.exists()


def test_the_action_refuses_a_mistyped_year_whatever_its_caller(cast, net):
    with pytest.raises(actions.Invalid) as refused:
        actions.propose_activity(request=None, person=cast.member, network=net.network,
                                 draft=draft(cast, ends_on=date.max))  # fmt: skip
    assert "outside the years 1950 to 2100" in refused.value.errors["ends_on"]
    assert not Activity.objects.exists()


# --- "Completed" means over ----------------------------------------------------------------------------------


def test_a_completed_activity_cannot_end_after_today(cast, net):
    later = TODAY + timedelta(days=30)
    data = form_data(cast, title="A typed title to keep", status="completed",
                     starts_on=TODAY.isoformat(), ends_on=later.isoformat())  # fmt: skip
    response = signed_in(net.clerk).post("/network/ENFORCE/activities/new/", data)
    assert response.status_code == 400
    assert f"A completed activity is over, but its planned period runs until {later.isoformat()}" in (
        response.content.decode()
    )
    with pytest.raises(actions.Invalid) as refused:  # the action's own guard, without the form
        actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                 draft=draft(cast, status=Status.COMPLETED, starts_on=later, ends_on=None))  # fmt: skip
    assert "is over" in refused.value.errors["starts_on"]
    done = actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                    draft=draft(cast, status=Status.COMPLETED, starts_on=TODAY - timedelta(days=5),
                                                ends_on=TODAY))  # fmt: skip
    assert done.status == Status.COMPLETED


def test_completed_is_judged_on_the_day_of_the_change(cast, net):
    """The demo seeds past changes (``at``): completed in 2020, an activity must have ended by then."""
    training = actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                        draft=draft(cast, starts_on=date(2020, 3, 1), ends_on=date(2020, 12, 1)),
                                        at=datetime(2020, 1, 15, tzinfo=UTC))  # fmt: skip
    with pytest.raises(actions.Invalid):
        actions.update_activity(request=None, person=net.clerk, activity=training,
                                draft=draft(cast, starts_on=date(2020, 3, 1), ends_on=date(2020, 12, 1),
                                            status=Status.COMPLETED),
                                at=datetime(2020, 11, 20, tzinfo=UTC))  # fmt: skip


def test_the_import_refuses_a_completed_row_in_the_future(cast, net):
    text = "Title,Type,Status,Lead organisation,Start,End\nQA,training,completed,KRA,2099-01-01,2099-02-01\n"
    response = post_import(signed_in(net.clerk), text.encode(), "roadmap.csv")
    assert response.status_code == 400
    [(row, column, message)] = import_problems(response)
    assert (row, column) == ("2", "End") and message.startswith("A completed activity is over")


def test_a_status_update_at_a_meeting_cannot_complete_an_activity_not_over(cast, net, meeting):
    planned = actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                       draft=draft(cast, status=Status.PLANNED, starts_on=TODAY + timedelta(days=9),
                                                   ends_on=TODAY + timedelta(days=10)))  # fmt: skip
    response = signed_in(cast.member).post(
        f"{page(meeting)}input/", {"kind": "status", "activity": planned.pk, "status": "completed"}
    )
    assert response.status_code == 400 and "A completed activity is over" in response.content.decode()
    assert not meeting.inputs.exists()


# --- The roadmap as of a date: a mistyped year is said, never a 500 -------------------------------------------


@pytest.mark.parametrize("query", [f"as_of={MISTYPED}", f"compare={MISTYPED}", f"as_of=2020-01-01&compare={MISTYPED}"])
def test_the_roadmap_page_says_a_date_is_out_of_range(cast, net, query):
    response = signed_in(cast.member).get(f"/network/ENFORCE/roadmap/?{query}")
    assert response.status_code == 400
    assert f"{MISTYPED} is outside the years 1950 to 2100: check the year." in response.content.decode()


def test_the_timeline_page_says_a_date_is_out_of_range(cast, net):
    response = signed_in(cast.member).get(f"/network/ENFORCE/timeline/?as_of={MISTYPED}")
    assert response.status_code == 400
    assert "is outside the years 1950 to 2100" in response.content.decode()


@pytest.mark.parametrize("download", ["roadmap.xlsx", "roadmap.pdf", "roadmap-iati.xml"])
@pytest.mark.parametrize("value", [MISTYPED, "not-a-date"])
def test_a_download_with_a_wrong_date_answers_400_saying_why(cast, net, download, value):
    response = signed_in(cast.member).get(f"/network/ENFORCE/{download}?as_of={value}")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")
    assert ("is outside the years 1950 to 2100" if value == MISTYPED else "Enter a valid date.") in (
        response.content.decode()
    )


def test_as_of_the_last_day_python_knows_is_everything():
    assert history.end_of(date.max) > history.end_of(date(2100, 12, 31))


# --- Periods stored before the rule still draw --------------------------------------------------------------


def test_the_timeline_draws_a_period_stored_before_the_rule(cast, net, monkeypatch):
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(dates, "year_problem", lambda day: None)
        actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                 draft=draft(cast, title="QA", status=Status.PLANNED, starts_on=date(2027, 1, 1),
                                             ends_on=date.max))  # fmt: skip
        actions.propose_activity(request=None, person=net.clerk, network=net.network,
                                 draft=draft(cast, title="Ancient", status=Status.PLANNED, starts_on=date(1, 1, 1),
                                             ends_on=date(1, 1, 2)))  # fmt: skip
    response = signed_in(cast.member).get("/network/ENFORCE/timeline/")
    assert response.status_code == 200
    assert "QA" in response.content.decode()


def test_the_chart_cuts_a_bar_at_the_years_it_shows():
    bars = [charts.Bar("QA", date(2027, 1, 1), date.max, "planned"), charts.Bar("Old", date.min, date.min, "planned")]
    svg = ET.fromstring(str(charts.timeline([("All", bars)], [("planned", "Planned")], title="Timeline")))
    years = {text.text for text in svg.iter(f"{NS}text")}
    assert {"1950", "2100"} & years and "9999" not in years
    titled = [rect for rect in svg.iter(f"{NS}rect") if rect.find(f"{NS}title") is not None]
    hovers = [rect.findtext(f"{NS}title") or "" for rect in titled]
    assert len(hovers) == 2 and "12/31/9999" in hovers[0]  # the real date in its hover text


# --- Meetings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_on": "0001-01-01", "ends_on": "0001-01-02"}, "0001-01-01 is outside the years 1950 to 2100"),
        ({"starts_on": "2027-06-01", "ends_on": "2037-06-01"}, "A meeting lasts at most 31 days"),
    ],
)
def test_it_refuses_a_meeting_in_year_one_or_lasting_years(cast, net, fields, message):
    data = {"number": "ENFORCE-9", "title": "Typed title kept", "place": "Nairobi", **fields}
    response = signed_in(net.clerk).post("/network/ENFORCE/meetings/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode() and "Typed title kept" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_action_refuses_them_whatever_its_caller(cast, net):
    for first, last in [(date(1, 1, 1), date(1, 1, 2)), (date(2027, 6, 1), date(2037, 6, 1))]:
        with pytest.raises(meeting_actions.Invalid) as refused:
            meeting_actions.open_meeting(request=None, person=net.clerk, network=net.network,
                                         draft=meeting_draft(starts_on=first, ends_on=last))  # fmt: skip
        assert set(refused.value.errors) <= {"starts_on", "ends_on"}
    month = meeting_actions.open_meeting(
        request=None,
        person=net.clerk,
        network=net.network,
        draft=meeting_draft(starts_on=date(2027, 6, 1), ends_on=date(2027, 7, 1)),
    )
    assert (month.ends_on - month.starts_on).days + 1 == meeting_actions.LONGEST_MEETING_DAYS


def test_a_follow_up_with_a_due_date_but_no_text_is_refused_keeping_what_was_typed(cast, net, meeting):
    data = {"text": "Kept decision", "due_1": "2027-07-01"}
    response = signed_in(net.clerk).post(f"{page(meeting)}decisions/", data)
    content = response.content.decode()
    assert response.status_code == 400 and "Say what the action is." in content
    assert "Kept decision" in content and 'value="2027-07-01"' in content
    assert not meeting.decisions.exists()


def test_a_follow_up_due_in_year_one_is_refused(cast, net, meeting):
    data = {"text": "Kept decision", "follow_up_1": "Do it", "owner_1": cast.home.pk, "due_1": "0001-01-01"}
    response = signed_in(net.clerk).post(f"{page(meeting)}decisions/", data)
    assert response.status_code == 400 and "0001-01-01 is outside the years" in response.content.decode()
    with pytest.raises(meeting_actions.Invalid):
        meeting_actions.add_decision(request=None, person=net.clerk, meeting=meeting, text="Decided", follow_ups=[
            meeting_actions.FollowUpDraft(text="Do it", owner=cast.home, due_on=date(1, 1, 1))])  # fmt: skip
    assert not meeting.decisions.exists()
