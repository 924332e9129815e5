"""Writes for experts and requests for assistance: validate, change, audit (references only), tell after commit.

Each action checks its own rules (assistance.access) whatever its caller checked, and refuses with
``Refused``, carrying a sentence for the form when there is one to say. The conversation itself is a
messaging thread, started with ``messaging.actions.start_thread``.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import CONVENTIONS, REGIONS
from accounts.models import Organisation, Person
from accounts.places import language_choices
from assistance import access, notify
from assistance.models import Area, Availability, ExpertProfile, Invitation, Request, State, StateChange
from audit.actions import record
from environet import dates
from library import actions as library_actions
from library.models import Item, Kind
from messaging import actions as messaging_actions
from messaging import attachments
from messaging.actions import Refused
from messaging.attachments import Upload
from messaging.models import Audience, Marking, Message

__all__ = ["Refused", "RequestDraft", "accept", "ask", "close", "invite", "mark_answered", "withdraw"]


@dataclass
class RequestDraft:
    """A new request as typed (validated by the form, and again here)."""

    subject: str
    question: str
    topics: list[Any]
    deadline: date
    urgency: str = "routine"
    conventions: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    region: str = ""
    seizure_id: int | None = None
    open_to_all: bool = False
    experts: list[Person] = field(default_factory=list)
    attachments: list[Upload] = field(default_factory=list)
    marking: str = Marking.GREEN
    audience: str = Audience.NETWORK
    organisations: list[Organisation] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


# How far ahead a deadline, or an expert's return, may be: a request is about goods held now, and an absence
# longer than this is better said again when it is known (a mistyped year, 9999, is refused with a sentence).
YEARS_AHEAD = 1


def deadline_problem(day: date) -> str:
    """Why a request may not have this deadline, in the active language; empty if it may."""
    if day < dates.today():
        return _("The deadline cannot be in the past.")
    if day > dates.years_from_today(YEARS_AHEAD):
        return _("The deadline cannot be more than a year from today: check the year.")
    return ""


def away_until_problem(day: date | None) -> str:
    """Why an expert may not be away until this day, in the active language; empty if they may."""
    if day is None:
        return _("Say until when you are away.")
    if day < dates.today():
        return _("This date is in the past.")
    if day > dates.years_from_today(YEARS_AHEAD):
        return _("Say a date within a year from today (check the year); you can change it later.")
    return ""


def _codes(codes) -> str:
    return "," + ",".join(codes) + "," if codes else ""


def problems_with(asker: Person, draft: RequestDraft) -> list[str]:
    """Why the draft may not be sent, in the active language; empty if it may."""
    problems = []
    named = [*draft.people, *draft.experts] if draft.audience == Audience.PEOPLE else draft.people
    refusal = access.marking_refusal(marking=draft.marking, audience=draft.audience, people=named)
    if refusal:
        problems.append(refusal)
    deadline = deadline_problem(draft.deadline)
    if deadline:
        problems.append(deadline)
    if not draft.topics or any(topic.is_forum for topic in draft.topics):
        problems.append(_("Choose at least one topic (A to G)."))
    if set(draft.conventions) - {code for code, _name in CONVENTIONS}:
        problems.append(_("Choose conventions from the list."))
    if set(draft.areas) - set(Area.values):
        problems.append(_("Choose commodity groups from the list."))
    if set(draft.languages) - {code for code, _name in language_choices()}:
        problems.append(_("Choose languages from the list."))
    if draft.region and draft.region not in {code for code, _name in REGIONS}:
        problems.append(_("Choose a region from the list."))
    for expert in draft.experts:
        if not access.is_expert(expert) or expert.pk == asker.pk:
            problems.append(_("%(name)s is not an expert who can be invited.") % {"name": expert.full_name})
        elif not access.audience_reaches(
            expert,
            audience=draft.audience,
            organisations=draft.organisations,
            countries=draft.countries,
            people=draft.people,
        ):
            problems.append(
                _("%(name)s is outside the audience of this request: choose named people to include them.")
                % {"name": expert.full_name}
            )
    if draft.seizure_id is not None and not access.can_link_seizure(asker, draft.seizure_id):
        problems.append(_("That seizure record cannot be linked: you cannot read it."))
    return problems


def ask(*, request, asker: Person, draft: RequestDraft) -> Request:
    """Open a request: its thread (kind "request for assistance") with the draft's audience and marking, the
    request itself, its first history row, and the invitations of the experts chosen."""
    if not access.can_ask(asker):
        raise Refused
    problems = problems_with(asker, draft)
    if problems:
        raise Refused(" ".join(problems))
    with transaction.atomic():
        people = list(draft.people)
        if draft.audience == Audience.PEOPLE:
            people += [expert for expert in draft.experts if expert not in people]
        thread = messaging_actions.start_thread(
            request=request,
            author=asker,
            draft=messaging_actions.Draft(
                subject=draft.subject,
                topics=draft.topics,
                kind=Message.Kind.REQUEST,
                body=draft.question,
                marking=draft.marking,
                audience=draft.audience,
                organisations=draft.organisations,
                countries=draft.countries,
                people=people,
                attachments=draft.attachments,
            ),
        )
        found = Request.objects.create(
            thread=thread,
            asker=asker,
            organisation=asker.organisation,
            conventions=_codes(draft.conventions),
            areas=_codes(draft.areas),
            languages=_codes(draft.languages),
            region=draft.region,
            urgency=draft.urgency,
            deadline=draft.deadline,
            open_to_all=draft.open_to_all,
            seizure_id=draft.seizure_id,
        )
        StateChange.objects.create(request=found, state=State.OPEN, by=asker)
        record(
            "assistance.request_opened",
            request=request,
            actor=asker,
            target=found,
            changes={
                "thread": thread.pk,
                "urgency": found.urgency,
                "deadline": found.deadline.isoformat(),
                "open_to_all": found.open_to_all,
                "seizure": found.seizure_id,
            },
        )
        if draft.experts:
            _invite(request=request, asker=asker, found=found, experts=draft.experts)
        if found.open_to_all:
            notify.open_to_all_after_commit(found)
    return found


def invite(*, request, asker: Person, found: Request, experts: list[Person]) -> list[Person]:
    """Invite experts by name; returns those newly invited. With a named-people audience they are added to it;
    otherwise an expert outside the audience cannot be invited (the request is not widened by inviting)."""
    with transaction.atomic():
        found = Request.objects.select_for_update().get(pk=found.pk)
        if not access.can_invite(asker, found):
            raise Refused
        return _invite(request=request, asker=asker, found=found, experts=experts)


def _invite(*, request, asker: Person, found: Request, experts: list[Person]) -> list[Person]:
    thread = found.thread
    invited = []
    for expert in experts:
        if not access.is_expert(expert) or expert.pk == asker.pk:
            raise Refused(_("%(name)s is not an expert who can be invited.") % {"name": expert.full_name})
        if thread.audience == Audience.PEOPLE:
            thread.audience_people.add(expert)
        elif not access.may_read(expert, found):
            raise Refused(
                _("%(name)s is outside the audience of this request: choose named people to include them.")
                % {"name": expert.full_name}
            )
        _row, created = Invitation.objects.get_or_create(request=found, expert=expert, defaults={"invited_by": asker})
        if created:
            invited.append(expert)
            record(
                "assistance.expert_invited", request=request, actor=asker, target=found, changes={"expert": expert.pk}
            )
            notify.tell(person=expert, what="invited", found=found)
    return invited


def _move(
    *, request, actor: Person | None, found: Request, state: str, action: str, changes: dict | None = None
) -> None:
    before = found.state
    found.state = state
    StateChange.objects.create(request=found, state=state, by=actor)
    record(
        f"assistance.{action}",
        request=request,
        actor=actor,
        target=found,
        changes={"state": [before, state], **(changes or {})},
    )


def _locked(found: Request) -> Request:
    return Request.objects.select_for_update().select_related("thread").get(pk=found.pk)


@transaction.atomic
def accept(*, request, expert: Person, found: Request) -> Request:
    found = _locked(found)
    if not access.can_accept(expert, found):
        raise Refused
    found.expert = expert
    _move(request=request, actor=expert, found=found, state=State.ACCEPTED, action="request_accepted")
    found.save(update_fields=["state", "expert"])
    notify.tell(person=found.asker, what="accepted", found=found)
    return found


def mark_answered(*, request, expert: Person, found: Request, answer: str = "") -> Request:
    """The expert who accepted says the request is answered; ``answer``, if given, is posted in its thread."""
    with transaction.atomic():
        found = _locked(found)
        if not access.can_mark_answered(expert, found):
            raise Refused
        if answer.strip():
            messaging_actions.reply(
                request=request, author=expert, thread=found.thread, kind=Message.Kind.INFORMATION, body=answer
            )
        found.answered_at = timezone.now()
        _move(request=request, actor=expert, found=found, state=State.ANSWERED, action="request_answered")
        found.save(update_fields=["state", "answered_at"])
        notify.tell(person=found.asker, what="answered", found=found)
    return found


@transaction.atomic
def close(*, request, asker: Person, found: Request, useful: bool, consent: bool) -> Request:
    """The asker closes an answered request, saying whether it was useful and whether it may become a library
    item."""
    found = _locked(found)
    if not access.can_close(asker, found):
        raise Refused
    found.useful = useful
    found.consent_to_publish = consent
    _move(
        request=request,
        actor=asker,
        found=found,
        state=State.CLOSED,
        action="request_closed",
        changes={"useful": useful, "consent_to_publish": consent},
    )
    found.save(update_fields=["state", "useful", "consent_to_publish"])
    if found.expert is not None:
        notify.tell(person=found.expert, what="closed", found=found)
    return found


@transaction.atomic
def withdraw(*, request, asker: Person, found: Request) -> Request:
    found = _locked(found)
    if not access.can_withdraw(asker, found):
        raise Refused
    _move(request=request, actor=asker, found=found, state=State.WITHDRAWN, action="request_withdrawn")
    found.save(update_fields=["state"])
    if found.expert is not None:
        notify.tell(person=found.expert, what="withdrawn", found=found)
    return found


@transaction.atomic
def expire(*, found: Request) -> bool:
    """An open request nobody accepted, well past its deadline, expires (the daily task). False if it had
    moved on meanwhile."""
    found = _locked(found)
    if found.state != State.OPEN:
        return False
    _move(request=None, actor=None, found=found, state=State.EXPIRED, action="request_expired")
    found.save(update_fields=["state"])
    notify.tell(person=found.asker, what="expired", found=found)
    return True


def publish_to_library(*, request, person: Person, found: Request) -> Item:
    """Turn an answered request into a library item of kind "best practice", with the request's own audience and
    marking (never wider), its question and the conversation as a text file. Needs the asker's consent."""
    with transaction.atomic():
        found = _locked(found)
        if not access.can_publish_to_library(person, found):
            raise Refused(_("This request cannot be published: the asker has not consented, or it is not answered."))
        thread = found.thread
        text = _conversation_text(found)
        upload = attachments.inspect(
            SimpleUploadedFile(f"request-{found.pk}.txt", text.encode("utf-8"), content_type="text/plain")
        )
        item = library_actions.publish_item(
            request=request,
            publisher=person,
            draft=library_actions.ItemDraft(
                title=thread.subject,
                kind=Kind.BEST_PRACTICE,
                summary=_("Question and answer from a request for assistance."),
                topics=list(thread.topics.all()),
                conventions=[code for code in found.codes("conventions") if code in _library_conventions()],
                languages=found.codes("languages") or [found.asker.language],
                published_on=timezone.localdate(),
                authors=", ".join(p.full_name for p in (found.asker, found.expert) if p is not None),
                files=[upload],
                marking=thread.marking,
                audience=thread.audience,
                organisations=list(thread.audience_organisations.all()),
                countries=thread.country_codes,
                people=[p for p in thread.audience_people.all() if p.pk != person.pk],
            ),
        )
        found.library_item = item
        found.save(update_fields=["library_item"])
        record(
            "assistance.published_to_library", request=request, actor=person, target=found, changes={"item": item.pk}
        )
    return item


def _library_conventions() -> set[str]:
    from seizures.models import Convention

    return set(Convention.values)


def _conversation_text(found: Request) -> str:
    lines = [found.thread.subject, ""]
    for message in found.thread.messages.filter(retracted_at__isnull=True, hidden_at__isnull=True).order_by(
        "created_at", "pk"
    ):
        lines += [f"--- {message.created_at:%Y-%m-%d}", message.body, ""]
    return "\n".join(lines)


@transaction.atomic
def update_profile(
    *, request, expert: Person, areas: list[str], availability: str, away_until: date | None
) -> ExpertProfile:
    """An expert's own commodity groups and availability (the rest of their expertise is set on their person
    page by their focal point)."""
    if not access.is_expert(expert):
        raise Refused
    if set(areas) - set(Area.values) or availability not in Availability.values:
        raise Refused(_("Choose from the lists."))
    if availability == Availability.AWAY and away_until_problem(away_until):
        raise Refused(away_until_problem(away_until))
    profile, _created = ExpertProfile.objects.get_or_create(person=expert)
    before = {"areas": profile.areas, "availability": profile.availability, "away_until": profile.away_until}
    profile.areas = _codes(areas)
    profile.availability = availability
    profile.away_until = away_until if availability == Availability.AWAY else None
    profile.updated_at = timezone.now()
    profile.save()
    after = {"areas": profile.areas, "availability": profile.availability, "away_until": profile.away_until}
    # Lists of codes stay lists (said in words on the trail), a date its ISO form.
    changes = {key: [_stored(before[key]), _stored(after[key])] for key in before if before[key] != after[key]}
    if changes:
        record("assistance.expert_profile_changed", request=request, actor=expert, target=expert, changes=changes)
    return profile


def _stored(value):
    """A profile's value as the audit trail stores it: JSON, never a Python repr ("['waste']")."""
    return value.isoformat() if isinstance(value, date) else value
