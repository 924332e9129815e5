"""Meetings of a network (network/meeting_actions.py and meeting_views.py): the meeting, agenda, documents,
participants and their calendar invitations, decisions, and the input to the roadmap given at a meeting and
reviewed into it by the secretariat."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar

from audit.models import Entry
from conftest import make_person, signed_in
from messaging import attachments
from network import access, actions, meeting_actions
from network.models import (
    Activity,
    Comment,
    Flag,
    FlagKind,
    Meeting,
    MeetingDocument,
    Participant,
    Review,
    RoadmapInput,
    Status,
)
from network.tests.builders import build, draft

TODAY = timezone.localdate()  # input is taken while the meeting runs, in the site's time zone


@pytest.fixture
def net(cast):
    return build(cast)


def meeting_draft(**fields) -> meeting_actions.MeetingDraft:
    values: dict[str, Any] = {"number": "ENFORCE-7", "title": "Seventh meeting of ENFORCE", "starts_on": TODAY,
              "ends_on": TODAY + timedelta(days=1), "place": "Geneva"}  # fmt: skip
    values.update(fields)
    return meeting_actions.MeetingDraft(**values)


@pytest.fixture
def meeting(cast, net):
    return meeting_actions.open_meeting(request=None, person=net.clerk, network=net.network, draft=meeting_draft())


def page(meeting) -> str:
    return f"/network/ENFORCE/meetings/{meeting.pk}/"


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", content)


# --- The meeting -------------------------------------------------------------------------------------


def test_the_secretariat_adds_a_meeting(cast, net):
    response = signed_in(net.clerk).post(
        "/network/ENFORCE/meetings/new/",
        {"number": "ENFORCE-7", "title": "Seventh meeting", "starts_on": "2027-06-01", "ends_on": "2027-06-02",
         "place": "", "online": "on", "host": cast.home.pk},
    )  # fmt: skip

    made = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == page(made)
    assert (made.number, made.online, made.host) == ("ENFORCE-7", True, cast.home)
    content = signed_in(cast.member).get(page(made)).content.decode()
    assert "ENFORCE-7: Seventh meeting" in content and "Online" in content and "Hosted by KRA" in content
    assert "ENFORCE-7" in signed_in(net.watcher).get("/network/ENFORCE/meetings/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_on": "2027-06-05", "ends_on": "2027-06-01"}, "The last day (2027-06-01) is before the first day"),
        ({"starts_on": "2027-02-30"}, "Enter a valid date."),
        ({"place": "", "online": ""}, "Say where the meeting is held, or that it is online."),
        ({"number": "enforce-6"}, "This network already has a meeting numbered enforce-6."),
    ],
)
def test_it_refuses_a_bad_meeting_keeping_what_was_typed(cast, net, fields, message):
    meeting_actions.open_meeting(request=None, person=net.clerk, network=net.network,
                                 draft=meeting_draft(number="ENFORCE-6"))  # fmt: skip
    data = {"number": "ENFORCE-7", "title": "Typed title kept", "starts_on": "2027-06-01", "ends_on": "2027-06-02",
            "place": "Nairobi", **fields}  # fmt: skip

    response = signed_in(net.clerk).post("/network/ENFORCE/meetings/new/", data)

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content and "Typed title kept" in content and "Nothing was saved" in content
    assert Meeting.objects.count() == 1


def test_only_the_secretariat_holds_meetings(cast, net, meeting):
    for person in (cast.member, cast.focal_point, net.watcher):
        client = signed_in(person)
        assert client.get("/network/ENFORCE/meetings/new/").status_code == 404
        assert client.get(f"{page(meeting)}edit/").status_code == 404
        assert client.post(f"{page(meeting)}agenda/", {"title": "Item"}).status_code == 404
    with pytest.raises(actions.Refused):
        meeting_actions.open_meeting(request=None, person=cast.member, network=net.network,
                                     draft=meeting_draft(number="X"))  # fmt: skip
    with pytest.raises(actions.Refused):
        meeting_actions.add_agenda_item(request=None, person=cast.focal_point, meeting=meeting, title="Item")
    assert not meeting.agenda.exists()


def test_it_keeps_the_agenda_in_order_and_the_minutes(cast, net, meeting):
    client = signed_in(net.clerk)
    for title in ("Opening", "Roadmap of activities", "Closing"):
        assert client.post(f"{page(meeting)}agenda/", {"title": title}).status_code == 302
    data = {"number": "ENFORCE-7", "title": meeting.title, "starts_on": TODAY, "ends_on": TODAY, "place": "Geneva",
            "minutes": "The meeting opened at 9:00."}  # fmt: skip
    assert client.post(f"{page(meeting)}edit/", data).status_code == 302

    assert [(i.position, i.title) for i in meeting.agenda.all()] == [
        (1, "Opening"), (2, "Roadmap of activities"), (3, "Closing")
    ]  # fmt: skip
    content = signed_in(net.watcher).get(page(meeting)).content.decode()
    assert content.index("Opening") < content.index("Roadmap of activities") < content.index("Closing")
    assert "The meeting opened at 9:00." in content
    assert Entry.objects.get(action="network.meeting_changed").changes == {"fields": ["ends_on", "minutes"]}


def test_it_stores_documents_encrypted_for_the_network_only(cast, net, meeting, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in(net.clerk).post(
        f"{page(meeting)}documents/", {"document": SimpleUploadedFile("agenda.txt", b"Provisional agenda.\n")}
    )
    assert response.status_code == 302
    stored = MeetingDocument.objects.get()
    on_disk = b"".join(path.read_bytes() for path in attachments.stored_files(stored).values())
    assert b"Provisional agenda" not in on_disk

    download = signed_in(net.watcher).get(f"{page(meeting)}documents/{stored.pk}/")
    assert download.status_code == 200 and download.content == b"Provisional agenda.\n"
    assert signed_in(cast.other_focal_point).get(f"{page(meeting)}documents/{stored.pk}/").status_code == 404
    entry = Entry.objects.get(action="network.meeting_document_added")
    assert entry.object_label == "" and "agenda" not in str(entry.changes)


# --- Participants and invitations --------------------------------------------------------------------


def test_it_invites_people_of_the_network_and_emails_them_in_their_language(
    cast, net, meeting, mailbox, django_capture_on_commit_callbacks
):
    cast.member.language = "fr"
    cast.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(net.clerk).post(f"{page(meeting)}participants/", {"person": cast.member.pk})

    assert response.status_code == 302
    participant = Participant.objects.get()
    assert (participant.person, participant.state) == (cast.member, "invited")
    [email] = mailbox.to(cast.member.email)
    body = mailbox.body(email)
    assert f"/network/ENFORCE/meetings/{meeting.pk}/participants/{participant.pk}/invitation.ics" in body
    assert "ENFORCE-7" in email["Subject"] and "Mohamed" in body
    # The invitation itself goes with the email, so a calendar takes it in one click.
    [attached] = [part for part in email.walk() if part.get_content_type() == "text/calendar"]
    assert attached.get_filename() == "invitation.ics"
    [event] = Calendar.from_ical(attached.get_payload(decode=True)).walk("VEVENT")
    assert str(event["attendee"]) == f"mailto:{cast.member.email}"
    assert str(event["organizer"]) == "mailto:no-reply@environet.invalid"


def test_the_invitation_email_is_in_the_participants_language(cast, net, meeting, monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr("environet.mail.send_after_commit", lambda **kwargs: sent.append(kwargs))
    cast.member.language = "es"
    cast.member.save()

    participant = meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=cast.member)

    [email] = sent
    assert (email["to"], email["language"], email["template"]) == (
        cast.member.email, "es", "network/email/meeting_invitation"
    )  # fmt: skip
    assert email["context"]["calendar"].endswith(
        f"/network/ENFORCE/meetings/{meeting.pk}/participants/{participant.pk}/invitation.ics"
    )


@pytest.mark.parametrize("who", ["outsider", "twice"])
def test_it_refuses_a_participant_outside_the_network_or_invited_twice(cast, net, meeting, who):
    meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=cast.member)
    invitee = cast.other_focal_point if who == "outsider" else cast.member
    expected = "is not in the network" if who == "outsider" else "is already a participant"

    response = signed_in(net.clerk).post(f"{page(meeting)}participants/", {"person": invitee.pk})

    assert response.status_code == 400 and expected in response.content.decode()
    assert Participant.objects.count() == 1


def test_it_records_registration_and_attendance(cast, net, meeting):
    participant = meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=cast.member)
    client = signed_in(net.clerk)
    for state in ("registered", "attended"):
        assert client.post(f"{page(meeting)}participants/{participant.pk}/", {"state": state}).status_code == 302
    participant.refresh_from_db()
    assert participant.state == "attended"
    assert client.post(f"{page(meeting)}participants/{participant.pk}/", {"state": "bogus"}).status_code == 400
    with pytest.raises(actions.Refused):
        meeting_actions.set_participation(request=None, person=cast.member, participant=participant, state="invited")


def test_the_calendar_invitation_parses_back(cast, net, meeting):
    meeting_actions.add_agenda_item(request=None, person=net.clerk, meeting=meeting, title="Roadmap")
    participant = meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=cast.member)
    meeting_actions.set_participation(request=None, person=net.clerk, participant=participant, state="registered")

    response = signed_in(cast.member).get(f"{page(meeting)}participants/{participant.pk}/invitation.ics")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["summary"]) == "ENFORCE-7: Seventh meeting of ENFORCE"
    assert event.decoded("dtstart") == TODAY
    assert event.decoded("dtend") == TODAY + timedelta(days=2)  # the day after the last (RFC 5545, exclusive)
    assert str(event["location"]) == "Geneva"
    assert "1. Roadmap" in str(event["description"])
    attendee = event["attendee"]
    assert str(attendee) == f"mailto:{cast.member.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED" and attendee.params["CN"] == cast.member.full_name
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")


def test_an_invitation_is_for_its_participant_and_the_secretariat(cast, net, meeting):
    participant = meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=cast.member)
    url = f"{page(meeting)}participants/{participant.pk}/invitation.ics"

    assert signed_in(net.clerk).get(url).status_code == 200
    for person in (cast.focal_point, net.watcher, cast.other_focal_point):
        assert signed_in(person).get(url).status_code == 404
    content = signed_in(cast.focal_point).get(page(meeting)).content.decode()
    assert "invitation.ics" not in content and "Mohamed" in content


# --- Decisions ---------------------------------------------------------------------------------------


def test_it_numbers_decisions_with_their_follow_up_actions(cast, net, meeting):
    client = signed_in(net.clerk)
    first = {"text": "The roadmap is adopted.", "follow_up_1": "Publish the roadmap", "owner_1": cast.secretariat.pk,
             "due_1": "2027-07-01", "follow_up_2": "Report on the training", "owner_2": cast.home.pk}  # fmt: skip
    assert client.post(f"{page(meeting)}decisions/", first).status_code == 302
    assert client.post(f"{page(meeting)}decisions/", {"text": "Next meeting in Nairobi."}).status_code == 302

    decisions = list(meeting.decisions.all())
    assert [(d.number, d.text) for d in decisions] == [(1, "The roadmap is adopted."), (2, "Next meeting in Nairobi.")]
    assert [(f.text, f.owner, f.due_on) for f in decisions[0].follow_ups.all()] == [
        ("Publish the roadmap", cast.secretariat, date(2027, 7, 1)), ("Report on the training", cast.home, None)
    ]  # fmt: skip
    content = signed_in(cast.member).get(page(meeting)).content.decode()
    assert "Decision ENFORCE-7/1" in content and "owner: KRA" in content


def test_it_refuses_follow_ups_without_owner_or_owned_outside_the_network(cast, net, meeting):
    client = signed_in(net.clerk)
    response = client.post(f"{page(meeting)}decisions/", {"text": "Kept decision", "follow_up_1": "Do it"})
    assert response.status_code == 400 and "Name the organisation that owns this action." in response.content.decode()
    assert "Kept decision" in response.content.decode()
    response = client.post(f"{page(meeting)}decisions/",
                           {"text": "Kept", "follow_up_1": "Do it", "owner_1": cast.other.pk})  # fmt: skip
    assert response.status_code == 400 and "not: DGDDI" in response.content.decode()
    assert not meeting.decisions.exists()


# --- Input to the roadmap ----------------------------------------------------------------------------

PROPOSAL = {
    "kind": "proposal",
    "title": "Training on e-waste for West African ports",
    "activity_kind": "training",
    "leads": [],  # filled in by the tests
    "countries": "GH, NG, SN",
    "starts_on": "2027-06-01",
    "ends_on": "2027-07-15",
    "description": "Port officers learn to detect e-waste in containers.",
}


def test_an_observer_proposes_and_the_secretariat_accepts_it_proposed_at_the_meeting(cast, net, meeting):
    data = {**PROPOSAL, "leads": [net.observer_organisation.pk]}
    response = signed_in(net.watcher).post(f"{page(meeting)}input/", data)
    assert response.status_code == 302
    given = RoadmapInput.objects.get()
    assert (given.kind, given.review, given.activity) == ("proposal", Review.PENDING, None)
    assert not Activity.objects.exists()

    response = signed_in(net.clerk).post(f"{page(meeting)}input/{given.pk}/review/", {"decision": "accept"})

    assert response.status_code == 302
    given.refresh_from_db()
    activity = Activity.objects.get()
    assert given.review == Review.ACCEPTED and given.activity == activity and given.reviewed_by == net.clerk
    assert (activity.proposed_by, activity.proposed_at, activity.status) == (net.watcher, meeting, Status.PROPOSED)
    assert activity.countries == ["GH", "NG", "SN"] and list(activity.leads.all()) == [net.observer_organisation]
    assert activity.changes.get().by == net.clerk
    content = signed_in(cast.member).get(f"/network/ENFORCE/activities/{activity.pk}/").content.decode()
    assert f'Proposed at <a href="/network/ENFORCE/meetings/{meeting.pk}/">ENFORCE-7</a>.' in content


def test_an_accepted_proposal_is_flagged_against_a_members_overlapping_activity(cast, net, meeting):
    theirs = actions.propose_activity(
        request=None, person=cast.member, network=net.network,
        draft=draft(cast, title="West Africa port training", countries=["GH", "NG"], starts_on=date(2027, 6, 10),
                    ends_on=date(2027, 6, 20), description="Port officers detect e-waste in containers."),
    )  # fmt: skip
    signed_in(net.watcher).post(f"{page(meeting)}input/", {**PROPOSAL, "leads": [net.observer_organisation.pk]})
    given = RoadmapInput.objects.get()

    meeting_actions.review_input(request=None, person=net.clerk, given=given, accept=True)

    flag = Flag.objects.get(kind=FlagKind.DUPLICATE)
    assert {flag.first, flag.second} == {theirs, Activity.objects.get(proposed_at=meeting)}
    assert access.can_see_flag(cast.member, flag) and access.can_see_flag(net.watcher, flag)


def test_a_status_update_and_a_comment_go_into_the_roadmap_when_accepted(cast, net, meeting):
    activity = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    actions.update_activity(request=None, person=net.clerk, activity=activity, draft=draft(cast, status="planned"))
    member = signed_in(cast.member)
    assert member.post(f"{page(meeting)}input/", {"kind": "status", "activity": activity.pk,
                                                  "status": "funded"}).status_code == 302  # fmt: skip
    comment = {"kind": "comment", "activity": activity.pk, "body": "EIA can train."}
    assert signed_in(net.watcher).post(f"{page(meeting)}input/", comment).status_code == 302
    status_input, comment_input = RoadmapInput.objects.order_by("pk")

    for given in (status_input, comment_input):
        meeting_actions.review_input(request=None, person=net.clerk, given=given, accept=True)

    activity.refresh_from_db()
    assert activity.status == Status.FUNDED
    assert activity.changes.order_by("-pk")[0].changes == {"status": ["planned", "funded"]}
    assert Comment.objects.get().author == net.watcher
    content = signed_in(cast.focal_point).get(f"/network/ENFORCE/activities/{activity.pk}/").content.decode()
    assert "Input at meetings" in content and "Status update on an activity (Funded)" in content


def test_the_secretariat_declines_with_a_reason_once(cast, net, meeting):
    signed_in(net.watcher).post(f"{page(meeting)}input/", {**PROPOSAL, "leads": [net.observer_organisation.pk]})
    given = RoadmapInput.objects.get()
    client = signed_in(net.clerk)

    response = client.post(f"{page(meeting)}input/{given.pk}/review/", {"decision": "decline", "reason": ""})
    assert response.status_code == 400 and "Say why the input is declined." in response.content.decode()
    response = client.post(f"{page(meeting)}input/{given.pk}/review/",
                           {"decision": "decline", "reason": "Already in the roadmap."})  # fmt: skip
    assert response.status_code == 302
    given.refresh_from_db()
    assert (given.review, given.decline_reason) == (Review.DECLINED, "Already in the roadmap.")
    assert "Already in the roadmap." in signed_in(net.watcher).get(page(meeting)).content.decode()
    with pytest.raises(actions.Invalid):
        meeting_actions.review_input(request=None, person=net.clerk, given=given, accept=True)
    with pytest.raises(actions.Refused):
        meeting_actions.review_input(request=None, person=cast.member, given=given, accept=True)
    assert not Activity.objects.exists()
    assert Entry.objects.get(action="network.input_reviewed").changes == {
        "input": given.pk, "review": "declined", "activity": None
    }  # fmt: skip


def test_it_refuses_the_same_input_twice_and_bad_input_keeping_what_was_typed(cast, net, meeting):
    client = signed_in(net.watcher)
    data = {**PROPOSAL, "leads": [net.observer_organisation.pk]}
    assert client.post(f"{page(meeting)}input/", data).status_code == 302

    again = client.post(f"{page(meeting)}input/", data)
    assert again.status_code == 400 and "You have already given this input at this meeting." in again.content.decode()
    bad = client.post(f"{page(meeting)}input/", {**data, "title": "Kept title", "starts_on": "2027-07-01",
                                                 "ends_on": "2027-06-01"})  # fmt: skip
    assert bad.status_code == 400
    assert "The planned end (2027-06-01) is before the planned start (2027-07-01)." in bad.content.decode()
    assert "Kept title" in bad.content.decode()
    no_activity = client.post(f"{page(meeting)}input/", {"kind": "comment", "body": "Kept comment"})
    assert no_activity.status_code == 400 and "Choose an activity of the roadmap." in no_activity.content.decode()
    assert RoadmapInput.objects.count() == 1


def test_it_takes_input_only_while_the_meeting_runs(cast, net):
    past = meeting_actions.open_meeting(
        request=None, person=net.clerk, network=net.network,
        draft=meeting_draft(number="ENFORCE-6", starts_on=TODAY - timedelta(days=30),
                            ends_on=TODAY - timedelta(days=29)),
    )  # fmt: skip
    response = signed_in(net.watcher).post(f"{page(past)}input/", {**PROPOSAL, "leads": [net.observer_organisation.pk]})
    assert response.status_code == 400 and "Input is taken during the meeting" in response.content.decode()
    assert not RoadmapInput.objects.exists()
    content = signed_in(net.watcher).get(page(past)).content.decode()
    assert "Input is taken during the meeting" in content and "Send to the secretariat" not in content


def test_it_audits_input_with_references_only(cast, net, meeting):
    activity = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    meeting_actions.submit_input(request=None, person=net.watcher, meeting=meeting,
                                 draft=meeting_actions.InputDraft(kind="comment", activity_id=activity.pk,
                                                                  body="Secret plan"))  # fmt: skip
    entry = Entry.objects.get(action="network.input_given")
    assert "Secret plan" not in str(entry.changes) and entry.object_label == ""


# --- Who sees meetings -------------------------------------------------------------------------------


def test_an_outsider_gets_404_like_a_missing_meeting(cast, net, meeting):
    participant = meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=cast.member)
    client = signed_in(cast.other_focal_point)
    for url in (
        "/network/ENFORCE/meetings/",
        page(meeting),
        f"{page(meeting)}participants/{participant.pk}/invitation.ics",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{page(meeting)}input/", {"kind": "comment", "body": "x"}).status_code == 404
    forbidden, missing = client.get(page(meeting)), client.get("/network/ENFORCE/meetings/999999/")
    assert _without_tokens(forbidden.content) == _without_tokens(missing.content)
    insider = signed_in(cast.member)
    assert insider.get("/network/ENFORCE/meetings/999999/").status_code == 404


def test_a_meeting_of_another_network_is_not_reachable_through_this_one(cast, net, meeting):
    second = build(cast, short_name="REGIONAL")
    assert signed_in(second.clerk).get(f"/network/REGIONAL/meetings/{meeting.pk}/").status_code == 404


def test_the_guards_hold_without_the_pages(cast, net, meeting):
    stranger = make_person("sam@dgddi.example", "Sam Stranger", cast.other)
    with pytest.raises(actions.Refused):
        meeting_actions.submit_input(request=None, person=stranger, meeting=meeting,
                                     draft=meeting_actions.InputDraft(kind="comment"))  # fmt: skip
    with pytest.raises(actions.Refused):
        meeting_actions.invite(request=None, person=cast.focal_point, meeting=meeting, invitee=cast.member)
    with pytest.raises(actions.Invalid) as refused:
        meeting_actions.invite(request=None, person=net.clerk, meeting=meeting, invitee=stranger)
    assert "not in the network" in refused.value.errors["person"]
    backwards = meeting_draft(number="ENFORCE-8", ends_on=TODAY - timedelta(days=1))
    with pytest.raises(actions.Invalid):
        meeting_actions.open_meeting(request=None, person=net.clerk, network=net.network, draft=backwards)
