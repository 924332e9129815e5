"""Writes about a network's meetings: the meeting, its agenda, documents, participants, decisions, and the input
to the roadmap given at it and its review. Like network.actions: each checks access itself (``Refused``) and
validates itself (``Invalid``, by field), changes, and audits with references only; email leaves after commit.

Input is taken while the meeting runs: from its first day to its last, in the site's time zone.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Person
from audit.actions import record
from environet import dates, mail
from messaging import attachments
from messaging.actions import Refused
from network import access, actions, invitations
from network.actions import ActivityDraft, Invalid
from network.models import (
    AgendaItem,
    Comment,
    Decision,
    FollowUp,
    InputKind,
    Meeting,
    MeetingDocument,
    Network,
    Participant,
    Participation,
    Review,
    RoadmapInput,
    Status,
)


@dataclass
class MeetingDraft:
    number: str
    title: str
    starts_on: date
    ends_on: date
    place: str = ""
    online: bool = False
    host: Organisation | None = None
    minutes: str = ""


# The longest meetings a network holds, the conventions' joint conferences of the parties, last two weeks; a
# month leaves room for any. A longer one is a mistyped date, and it would take input to the roadmap (open
# from the first day to the last) for all that time.
LONGEST_MEETING_DAYS = 31


def meeting_problems(draft: MeetingDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not draft.number.strip():
        errors["number"] = _("Give the meeting its number, for example ENFORCE-7.")
    if not draft.title.strip():
        errors["title"] = _("Give the meeting a title.")
    for name in ("starts_on", "ends_on"):
        wrong_year = dates.year_problem(getattr(draft, name))
        if wrong_year:
            errors[name] = wrong_year
    length = (draft.ends_on - draft.starts_on).days + 1
    if "starts_on" in errors or "ends_on" in errors:
        pass  # a mistyped year says so first
    elif length < 1:
        errors["ends_on"] = _("The last day (%(end)s) is before the first day (%(start)s).") % {
            "end": draft.ends_on.isoformat(),
            "start": draft.starts_on.isoformat(),
        }
    elif length > LONGEST_MEETING_DAYS:
        errors["ends_on"] = _(
            "A meeting lasts at most %(days)d days; from %(start)s to %(end)s is %(length)d days. Check the dates."
        ) % {
            "days": LONGEST_MEETING_DAYS,
            "start": draft.starts_on.isoformat(),
            "end": draft.ends_on.isoformat(),
            "length": length,
        }
    if not draft.place.strip() and not draft.online:
        errors["place"] = _("Say where the meeting is held, or that it is online.")
    return errors


def _manage(person: Person, network: Network) -> None:
    if not access.can_manage(person, network):
        raise Refused


def _taken(network: Network, number: str, meeting: Meeting | None = None) -> bool:
    found = network.meetings.filter(number__iexact=number.strip())
    return (found.exclude(pk=meeting.pk) if meeting else found).exists()


@transaction.atomic
def open_meeting(*, request, person: Person, network: Network, draft: MeetingDraft) -> Meeting:
    _manage(person, network)
    errors = meeting_problems(draft)
    if not errors and _taken(network, draft.number):
        errors["number"] = _("This network already has a meeting numbered %(number)s.") % {"number": draft.number}
    if errors:
        raise Invalid(errors)
    meeting = Meeting.objects.create(network=network, **_fields(draft))
    record("network.meeting_opened", request=request, actor=person, target=meeting, changes={"network": network.pk})
    return meeting


def _fields(draft: MeetingDraft) -> dict:
    return {
        "number": draft.number.strip(),
        "title": " ".join(draft.title.split()),
        "starts_on": draft.starts_on,
        "ends_on": draft.ends_on,
        "place": draft.place.strip(),
        "online": draft.online,
        "host": draft.host,
        "minutes": draft.minutes.strip(),
    }


@transaction.atomic
def update_meeting(*, request, person: Person, meeting: Meeting, draft: MeetingDraft) -> Meeting:
    """Change the meeting (its minutes included); the names of the fields that changed are audited."""
    _manage(person, meeting.network)
    errors = meeting_problems(draft)
    if not errors and _taken(meeting.network, draft.number, meeting):
        errors["number"] = _("This network already has a meeting numbered %(number)s.") % {"number": draft.number}
    if errors:
        raise Invalid(errors)
    changed = []
    for name, value in _fields(draft).items():
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed.append(name)
    if changed:
        meeting.save()
        record("network.meeting_changed", request=request, actor=person, target=meeting, changes={"fields": changed})
    return meeting


@transaction.atomic
def add_agenda_item(*, request, person: Person, meeting: Meeting, title: str) -> AgendaItem:
    """Add an item at the end of the agenda."""
    _manage(person, meeting.network)
    if not title.strip():
        raise Invalid({"title": _("Give the agenda item a title.")})
    Meeting.objects.select_for_update().get(pk=meeting.pk)  # one numbering at a time
    last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(meeting=meeting, position=last + 1, title=" ".join(title.split()))
    record("network.agenda_item_added", request=request, actor=person, target=meeting,
           changes={"position": item.position})  # fmt: skip
    return item


def add_document(*, request, person: Person, meeting: Meeting, upload: attachments.Upload) -> MeetingDocument:
    """Store a document of the meeting, encrypted, with the meeting or not at all."""
    _manage(person, meeting.network)
    with attachments.removed_on_failure() as written:
        return _add_document(request=request, person=person, meeting=meeting, upload=upload, written=written)


@transaction.atomic
def _add_document(*, request, person, meeting, upload, written: list[Path]) -> MeetingDocument:
    stored = MeetingDocument.objects.create(
        meeting=meeting, added_by=person, **attachments.write(upload=upload, written=written)
    )
    record("network.meeting_document_added", request=request, actor=person, target=stored,
           changes={"meeting": meeting.pk, "content_type": stored.content_type, "size": stored.size})  # fmt: skip
    return stored


def download_document(*, request, person: Person, document: MeetingDocument) -> bytes:
    content = attachments.content_of(document)
    record("network.meeting_document_downloaded", request=request, actor=person, target=document,
           changes={"meeting": document.meeting_id})  # fmt: skip
    return content


# --- Participants ------------------------------------------------------------------------------------


@transaction.atomic
def invite(*, request, person: Person, meeting: Meeting, invitee: Person) -> Participant:
    """Invite someone of the network; they are emailed, in their language, once saved, with the link to their
    calendar invitation."""
    _manage(person, meeting.network)
    if not access.may_be_contact(invitee, meeting.network):
        raise Invalid({"person": _("%(name)s is not in the network: invite people of its organisations only.")
                       % {"name": invitee.full_name}})  # fmt: skip
    if meeting.participants.filter(person=invitee).exists():
        raise Invalid({"person": _("%(name)s is already a participant.") % {"name": invitee.full_name}})
    participant = Participant.objects.create(meeting=meeting, person=invitee, state=Participation.INVITED)
    record("network.participant_invited", request=request, actor=person, target=meeting,
           changes={"participant": participant.pk, "person": invitee.pk})  # fmt: skip
    short_name = meeting.network.short_name
    link = mail.absolute(reverse("network:meeting", args=[short_name, meeting.pk]))
    mail.send_after_commit(
        to=invitee.email,
        template="network/email/meeting_invitation",
        language=invitee.language,
        context={
            "person": invitee,
            "meeting": meeting,
            "link": link,
            "calendar": mail.absolute(reverse("network:invitation", args=[short_name, meeting.pk, participant.pk])),
        },
        attachments=[("invitation.ics", invitations.ics(meeting, participant, url=link).decode(), "text/calendar")],
    )
    return participant


@transaction.atomic
def set_participation(*, request, person: Person, participant: Participant, state: str) -> Participant:
    _manage(person, participant.meeting.network)
    if state not in Participation.values:
        raise Invalid({"state": _("Choose invited, registered or attended.")})
    if participant.state != state:
        record("network.participation_changed", request=request, actor=person, target=participant.meeting,
               changes={"participant": participant.pk, "state": [participant.state, state]})  # fmt: skip
        participant.state = state
        participant.save(update_fields=["state"])
    return participant


# --- Decisions ---------------------------------------------------------------------------------------


@dataclass
class FollowUpDraft:
    text: str
    owner: Organisation
    due_on: date | None = None


@transaction.atomic
def add_decision(*, request, person: Person, meeting: Meeting, text: str, follow_ups: list[FollowUpDraft]) -> Decision:
    """Record the meeting's next decision (numbered 1, 2, ... in the meeting) with its follow-up actions, each
    owned by an organisation of the network."""
    network = meeting.network
    _manage(person, network)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Write the decision.")
    allowed = {network.secretariat_id} | set(
        network.memberships.filter(access.held_on(timezone.localdate())).values_list("organisation_id", flat=True)
    )
    outside = [str(item.owner) for item in follow_ups if item.owner.pk not in allowed]
    if outside:
        errors["follow_ups"] = _("Follow-up actions are owned by organisations of the network; not: %(names)s.") % {
            "names": ", ".join(outside)
        }
    if any(not item.text.strip() for item in follow_ups):
        errors["follow_ups"] = _("Each follow-up action needs its text.")
    wrong_years = [problem for item in follow_ups if (problem := dates.year_problem(item.due_on))]
    if wrong_years:
        errors["follow_ups"] = wrong_years[0]
    if errors:
        raise Invalid(errors)
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    number = (meeting.decisions.aggregate(last=Max("number"))["last"] or 0) + 1
    decision = Decision.objects.create(meeting=meeting, number=number, text=text.strip())
    for item in follow_ups:
        FollowUp.objects.create(decision=decision, text=item.text.strip(), owner=item.owner, due_on=item.due_on)
    record("network.decision_added", request=request, actor=person, target=meeting,
           changes={"decision": number, "follow_ups": len(follow_ups)})  # fmt: skip
    return decision


# --- Input to the roadmap, and its review ------------------------------------------------------------


@dataclass
class InputDraft:
    kind: str
    activity_id: int | None = None
    status: str = ""
    body: str = ""
    proposal: ActivityDraft | None = None  # for a new activity: title, type, leads, countries, period, description


def _proposal_json(draft: ActivityDraft) -> dict:
    return {
        "title": " ".join(draft.title.split()),
        "kind": draft.kind,
        "leads": sorted(lead.pk for lead in draft.leads),
        "countries": sorted(set(draft.countries)),
        "starts_on": draft.starts_on.isoformat() if draft.starts_on else None,
        "ends_on": draft.ends_on.isoformat() if draft.ends_on else None,
        "description": draft.description.strip(),
    }


def proposal_draft(data: dict) -> ActivityDraft:
    """The activity a stored proposal describes, as a draft with status "proposed"."""
    return ActivityDraft(
        title=data["title"],
        kind=data["kind"],
        status=Status.PROPOSED,
        leads=list(Organisation.objects.filter(pk__in=data["leads"])),
        countries=data["countries"],
        starts_on=date.fromisoformat(data["starts_on"]) if data.get("starts_on") else None,
        ends_on=date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None,
        description=data.get("description", ""),
    )


def _input_problems(meeting: Meeting, draft: InputDraft, on: date | None = None) -> tuple[dict[str, str], object]:
    errors: dict[str, str] = {}
    activity = None
    if draft.kind not in InputKind.values:
        return {"kind": _("Choose what kind of input this is.")}, None
    if draft.kind == InputKind.PROPOSAL:
        if draft.proposal is None:
            return {"title": _("Describe the activity you propose.")}, None
        errors.update(actions.problems(draft.proposal, on=on))
    else:
        activity = meeting.network.activities.filter(pk=draft.activity_id).first() if draft.activity_id else None
        if activity is None:
            errors["activity"] = _("Choose an activity of the roadmap.")
        if draft.kind == InputKind.STATUS and draft.status not in Status.values:
            errors["status"] = _("Choose the new status.")
        elif draft.kind == InputKind.STATUS and activity is not None and draft.status == activity.status:
            errors["status"] = _("The activity already has this status.")
        elif draft.kind == InputKind.STATUS and activity is not None and draft.status == Status.COMPLETED:
            not_over = actions.not_yet_over(activity.starts_on, activity.ends_on, on=on)
            if not_over:
                errors["status"] = not_over
        if draft.kind == InputKind.COMMENT and not draft.body.strip():
            errors["body"] = _("Write your comment.")
    return errors, activity


def _input_key(meeting: Meeting, person: Person, draft: InputDraft) -> str:
    content = {
        "kind": draft.kind,
        "activity": draft.activity_id if draft.kind != InputKind.PROPOSAL else None,
        "status": draft.status if draft.kind == InputKind.STATUS else "",
        "body": " ".join(draft.body.split()).casefold(),
        "proposal": _proposal_json(draft.proposal) if draft.kind == InputKind.PROPOSAL and draft.proposal else {},
    }
    text = json.dumps([meeting.pk, person.pk, content], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def takes_input(meeting: Meeting, on: date | None = None) -> bool:
    """Whether the meeting takes input on ``on`` (default today): from its first day to its last."""
    return meeting.starts_on <= (on or timezone.localdate()) <= meeting.ends_on


def submit_input(
    *, request, person: Person, meeting: Meeting, draft: InputDraft, on: date | None = None
) -> RoadmapInput:
    """Input to the roadmap at a meeting, while it runs (``on``, default today, lets the demo seed past
    meetings). The same input from the same person at the same meeting is refused the second time."""
    if not access.can_give_input(person, meeting.network):
        raise Refused
    if not takes_input(meeting, on):
        raise Invalid({"__all__": _("Input is taken during the meeting, from %(start)s to %(end)s.")
                       % {"start": meeting.starts_on.isoformat(), "end": meeting.ends_on.isoformat()}})  # fmt: skip
    errors, activity = _input_problems(meeting, draft, on)
    if errors:
        raise Invalid(errors)
    try:
        return _submit(request=request, person=person, meeting=meeting, draft=draft, activity=activity)
    except IntegrityError:
        raise _sent_twice() from None


def _sent_twice() -> Invalid:
    return Invalid({"__all__": _("You have already given this input at this meeting.")})


@transaction.atomic
def _submit(*, request, person, meeting, draft: InputDraft, activity) -> RoadmapInput:
    key = _input_key(meeting, person, draft)
    if meeting.inputs.filter(submission_key=key).exists():
        raise _sent_twice()
    given = RoadmapInput.objects.create(
        meeting=meeting,
        kind=draft.kind,
        author=person,
        activity=activity,
        proposal=_proposal_json(draft.proposal) if draft.kind == InputKind.PROPOSAL and draft.proposal else {},
        status=draft.status if draft.kind == InputKind.STATUS else "",
        body=draft.body.strip(),
        submission_key=key,
    )
    record("network.input_given", request=request, actor=person, target=meeting,
           changes={"input": given.pk, "kind": given.kind, "activity": given.activity_id})  # fmt: skip
    return given


def review_input(
    *, request, person: Person, given: RoadmapInput, accept: bool, reason: str = "", at: datetime | None = None
) -> RoadmapInput:
    """The secretariat accepts input into the roadmap (a proposal becomes an activity "proposed at" the
    meeting; a status update changes the activity; a comment is added to it), or declines it with a reason.
    ``at`` (default now) lets the demo seed reviews at past meetings."""
    meeting = given.meeting
    _manage(person, meeting.network)
    with transaction.atomic():
        given = RoadmapInput.objects.select_for_update().select_related("meeting__network").get(pk=given.pk)
        if given.review != Review.PENDING:
            raise Invalid({"__all__": _("This input has already been reviewed.")})
        if not accept and not reason.strip():
            raise Invalid({"reason": _("Say why the input is declined.")})
        if accept:
            _accept(request=request, person=person, given=given, at=at)
        given.review = Review.ACCEPTED if accept else Review.DECLINED
        given.reviewed_by, given.reviewed_at = person, at or timezone.now()
        given.decline_reason = "" if accept else reason.strip()
        given.save()
        record("network.input_reviewed", request=request, actor=person, target=meeting,
               changes={"input": given.pk, "review": given.review, "activity": given.activity_id})  # fmt: skip
    return given


def _accept(*, request, person: Person, given: RoadmapInput, at: datetime | None) -> None:
    meeting = given.meeting
    if given.kind == InputKind.PROPOSAL:
        given.activity = actions.add_from_meeting(
            request=request, person=person, network=meeting.network, draft=proposal_draft(given.proposal),
            author=given.author, meeting=meeting, at=at,
        )  # fmt: skip
    elif given.kind == InputKind.STATUS:
        activity = given.activity
        assert activity is not None  # a status update is about an activity from the start
        draft = actions.draft_of(activity)
        draft.status = given.status
        actions.update_activity(request=request, person=person, activity=activity, draft=draft, at=at)
    else:
        assert given.activity is not None  # a comment is about an activity from the start
        note = Comment.objects.create(activity=given.activity, author=given.author, body=given.body)
        record("network.comment_added", request=request, actor=person, target=note,
               changes={"activity": given.activity_id, "input": given.pk})  # fmt: skip


__all__ = ["FollowUpDraft", "InputDraft", "Invalid", "MeetingDraft", "Refused"]
