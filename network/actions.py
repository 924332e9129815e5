"""Writes in an enforcement network: check, change, record the dated change, audit (references only).

Each action checks access itself (``Refused``, which views answer with 404) and validates the activity
itself (``Invalid``, naming each field), whatever its caller checked: a form is not the only way in.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Person
from audit.actions import record
from environet import dates
from messaging import attachments
from messaging.actions import Refused, notice
from network import access, coordination, history, regions
from network.models import (
    Activity,
    ActivityChange,
    ActivityType,
    Comment,
    Edition,
    Flag,
    FlagStep,
    Funding,
    Membership,
    Network,
    Resolution,
    Standing,
    Status,
    TermsOfReference,
    listed,
)
from reference import tables
from seizures.models import Convention
from topics.models import TOPIC_NAMES

__all__ = ["Invalid", "Refused"]


class Invalid(Exception):
    """The activity as given cannot be saved; ``errors`` maps each field (or "__all__") to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ActivityDraft:
    """An activity as the person typed it (the form turns text into these types)."""

    title: str
    kind: str
    leads: list[Organisation]
    status: str
    partners: list[Organisation] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    commodity_focus: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    funding_source: str = ""
    amount: Decimal | None = None
    currency: str = ""
    funding: str = ""
    description: str = ""
    expected_outputs: str = ""
    contact: Person | None = None


def problems(draft: ActivityDraft, *, on: date | None = None) -> dict[str, str]:
    """What is wrong with the draft saved on ``on`` (default today), by field; empty when it may be saved
    (duplicates are found on saving). The form, the roadmap import and a proposal at a meeting all ask this."""
    from accounts.places import country_codes

    errors: dict[str, str] = {}
    for name in ("starts_on", "ends_on"):
        wrong_year = dates.year_problem(getattr(draft, name))
        if wrong_year:
            errors[name] = wrong_year
    if draft.status == Status.COMPLETED and not errors:
        not_over = not_yet_over(draft.starts_on, draft.ends_on, on=on)
        if not_over:
            errors["ends_on" if draft.ends_on else "starts_on"] = not_over
    if not draft.title.strip():
        errors["title"] = _("Give the activity a title.")
    if draft.kind not in ActivityType.values:
        errors["kind"] = _("Choose the type of activity.")
    if not draft.leads:
        errors["leads"] = _("Name at least one lead organisation.")
    if draft.starts_on and draft.ends_on and draft.ends_on < draft.starts_on and not errors.get("ends_on"):
        errors["ends_on"] = _("The planned end (%(end)s) is before the planned start (%(start)s).") % {
            "end": draft.ends_on.isoformat(),
            "start": draft.starts_on.isoformat(),
        }
    unknown = sorted(set(draft.countries) - set(country_codes()))
    if unknown:
        errors["countries"] = _("Unknown country codes: %(codes)s. Use two-letter ISO codes such as KE or FR.") % {
            "codes": ", ".join(unknown)
        }
    unknown = sorted(set(draft.regions) - set(regions.region_codes()))
    if unknown:
        errors["regions"] = _("Unknown region codes: %(codes)s.") % {"codes": ", ".join(unknown)}
    if set(draft.conventions) - set(Convention.values):
        errors["conventions"] = _("Choose conventions from the list.")
    if set(draft.topics) - set(TOPIC_NAMES):
        errors["topics"] = _("Choose topics from A to G.")
    if draft.amount is not None and draft.amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    elif draft.amount is not None and not draft.currency:
        errors["currency"] = _("An amount needs its currency (for example USD or EUR).")
    if draft.currency and tables.currency(draft.currency) != draft.currency:
        errors["currency"] = _("%(code)s is not an ISO 4217 currency code.") % {"code": draft.currency}
    if draft.funding and draft.funding not in Funding.values:
        errors["funding"] = _("Choose whether the funding is secured or sought.")
    if draft.contact is not None and not draft.contact.is_active:
        errors["contact"] = _("Choose an active person as the contact.")
    return errors


def not_yet_over(starts_on: date | None, ends_on: date | None, *, on: date | None = None) -> str | None:
    """Why an activity of this period cannot be marked completed on ``on`` (default today), or None.

    Completed means over: its last planned day (its start, without an end) is not after that day. A completed
    activity in the future is a wrong status or a wrong date, and it would count as done in the repository and
    as closed in IATI before it happened."""
    last = ends_on or starts_on
    today = on or timezone.localdate()
    if last is None or last <= today:
        return None
    return _(
        "A completed activity is over, but its planned period runs until %(end)s, after today (%(today)s). "
        "Correct the dates or choose another status."
    ) % {"end": last.isoformat(), "today": today.isoformat()}


def _submission_key(network: Network, draft: ActivityDraft) -> str:
    title = " ".join(draft.title.split()).casefold()
    leads = ",".join(str(pk) for pk in sorted(lead.pk for lead in draft.leads))
    start = draft.starts_on.isoformat() if draft.starts_on else ""
    return hashlib.sha256(f"{network.pk}|{title}|{leads}|{start}".encode()).hexdigest()


def _duplicate() -> Invalid:
    return Invalid(
        {"__all__": _("This network already has an activity with this title, lead organisation and planned start.")}
    )


def _apply(activity: Activity, draft: ActivityDraft) -> None:
    activity.title = " ".join(draft.title.split())
    activity.kind = draft.kind
    activity.status = draft.status
    activity.countries_list = listed(sorted(set(draft.countries)))
    activity.regions_list = listed(sorted(set(draft.regions)))
    activity.conventions_list = listed(sorted(set(draft.conventions)))
    activity.topics_list = listed(sorted(set(draft.topics)))
    activity.commodity_focus = draft.commodity_focus.strip()
    activity.starts_on, activity.ends_on = draft.starts_on, draft.ends_on
    activity.funding_source = draft.funding_source.strip()
    activity.amount = draft.amount
    activity.currency = draft.currency
    activity.funding = draft.funding
    activity.description = draft.description.strip()
    activity.expected_outputs = draft.expected_outputs.strip()
    activity.contact = draft.contact


def _check(
    person: Person, network: Network, draft: ActivityDraft, activity: Activity | None, at: datetime | None = None
) -> None:
    errors = problems(draft, on=timezone.localdate(at) if at else None)
    if errors:
        raise Invalid(errors)
    if draft.contact is not None and not access.may_be_contact(draft.contact, network):
        # Naming someone outside the network would show their name to it.
        raise Invalid({"contact": _("Choose a contact person from the network's organisations.")})
    if draft.status not in access.statuses_for(person, network, activity):
        raise Invalid({"status": _("You may not give this activity that status.")})


def _when(at: datetime | None, activity: Activity | None = None) -> datetime:
    # ``at`` lets the demo seed a history over past dates; a change never lands before an earlier one.
    moment = at or timezone.now()
    if activity is not None:
        last = activity.changes.order_by("-at", "-pk").values_list("at", flat=True).first()
        if last is not None and moment < last:
            raise ValueError("an activity's changes are appended in time order")
    return moment


def propose_activity(
    *, request, person: Person, network: Network, draft: ActivityDraft, at: datetime | None = None
) -> Activity:
    """Add an activity to the roadmap (proposed, unless the secretariat gives it another status)."""
    if not access.can_propose(person, network):
        raise Refused
    _check(person, network, draft, None, at)
    try:
        return _propose(request=request, person=person, network=network, draft=draft, at=_when(at))
    except IntegrityError:
        raise _duplicate() from None


def add_from_meeting(
    *,
    request,
    person: Person,
    network: Network,
    draft: ActivityDraft,
    author: Person,
    meeting,
    at: datetime | None = None,
) -> Activity:
    """The secretariat (``person``) accepts into the roadmap an activity ``author`` proposed at ``meeting``: it
    is proposed by the author, "proposed at" the meeting, and its first change is the secretariat's."""
    if not access.can_manage(person, network):
        raise Refused
    _check(person, network, draft, None, at)
    try:
        return _propose(request=request, person=person, network=network, draft=draft, at=_when(at),
                        proposed_by=author, proposed_at=meeting)  # fmt: skip
    except IntegrityError:
        raise _duplicate() from None


def draft_of(activity: Activity) -> ActivityDraft:
    """The activity as it is now, as a draft to change."""
    return ActivityDraft(
        title=activity.title, kind=activity.kind, leads=list(activity.leads.all()), status=activity.status,
        partners=list(activity.partners.all()), countries=activity.countries, regions=activity.regions,
        conventions=activity.conventions, topics=activity.topics, commodity_focus=activity.commodity_focus,
        starts_on=activity.starts_on, ends_on=activity.ends_on, funding_source=activity.funding_source,
        amount=activity.amount, currency=activity.currency, funding=activity.funding,
        description=activity.description, expected_outputs=activity.expected_outputs, contact=activity.contact,
    )  # fmt: skip


@transaction.atomic
def _propose(
    *, request, person: Person, network: Network, draft: ActivityDraft, at: datetime, proposed_by=None, proposed_at=None
) -> Activity:
    key = _submission_key(network, draft)
    if Activity.objects.filter(network=network, submission_key=key).exists():
        raise _duplicate()
    activity = Activity(network=network, proposed_by=proposed_by or person, proposed_at=proposed_at,
                        submission_key=key, created_at=at, updated_at=at)  # fmt: skip
    _apply(activity, draft)
    activity.save()
    activity.leads.set(draft.leads)
    activity.partners.set(draft.partners)
    ActivityChange.objects.create(
        activity=activity, at=at, by=person, created=True, changes=history.changed(None, history.state_of(activity))
    )
    facts = {"network": network.pk, "status": activity.status}
    if proposed_at is not None:
        facts["meeting"] = proposed_at.pk
    record("network.activity_proposed", request=request, actor=person, target=activity, changes=facts)
    raise_flags(request=request, activity=activity)
    return activity


def update_activity(
    *, request, person: Person, activity: Activity, draft: ActivityDraft, at: datetime | None = None
) -> Activity:
    """Save a change; the fields that changed are recorded, dated and attributed. Nothing changed, nothing
    recorded."""
    try:
        return _update(request=request, person=person, activity=activity, draft=draft, at=at)
    except IntegrityError:
        raise _duplicate() from None


@transaction.atomic
def _update(*, request, person: Person, activity: Activity, draft: ActivityDraft, at: datetime | None) -> Activity:
    # Checked against the row as it is now, locked: not against what the caller read earlier.
    activity = Activity.objects.select_for_update().select_related("network").get(pk=activity.pk)
    if not access.can_edit(person, activity):
        raise Refused
    _check(person, activity.network, draft, activity, at)
    moment = _when(at, activity)
    before = history.state_of(activity)
    key = _submission_key(activity.network, draft)
    if Activity.objects.filter(network_id=activity.network_id, submission_key=key).exclude(pk=activity.pk).exists():
        raise _duplicate()
    _apply(activity, draft)
    activity.submission_key = key
    activity.updated_at = moment
    activity.save()
    activity.leads.set(draft.leads)
    activity.partners.set(draft.partners)
    fields = history.changed(before, history.state_of(activity))
    if not fields:
        return activity
    ActivityChange.objects.create(activity=activity, at=moment, by=person, changes=fields)
    facts: dict[str, object] = {"fields": sorted(fields)}
    if "status" in fields:
        facts["status"] = fields["status"]
    record("network.activity_changed", request=request, actor=person, target=activity, changes=facts)
    raise_flags(request=request, activity=activity)
    return activity


@transaction.atomic
def comment(*, request, person: Person, activity: Activity, body: str) -> Comment:
    if not access.can_comment(person, activity.network):
        raise Refused
    if not body.strip():
        raise Invalid({"body": _("Write a comment first.")})
    note = Comment.objects.create(activity=activity, author=person, body=body.strip())
    record("network.comment_added", request=request, actor=person, target=note, changes={"activity": activity.pk})
    return note


@transaction.atomic
def publish(*, request, person: Person, network: Network, as_of: date) -> Edition:
    """The secretariat publishes the roadmap "with updated status as of" a date (not in the future)."""
    if not access.can_manage(person, network):
        raise Refused
    if as_of > timezone.localdate():
        raise Invalid({"as_of": _("An edition cannot be dated in the future.")})
    edition = Edition.objects.create(network=network, as_of=as_of, published_by=person)
    record("network.roadmap_published", request=request, actor=person, target=network, changes={"as_of": str(as_of)})
    return edition


def roadmap_exported(*, request, person: Person, network: Network, as_of: date) -> None:
    record("network.roadmap_exported", request=request, actor=person, target=network, changes={"as_of": str(as_of)})


# --- Networks and membership ------------------------------------------------------------------------


def open_network(
    *,
    request,
    person: Person,
    name: str,
    short_name: str,
    mandate: str,
    secretariat: Organisation,
    terms: attachments.Upload | None = None,
) -> Network:
    """Open a network (administrators); its terms of reference, if given, are stored with it or not at all."""
    with attachments.removed_on_failure() as written, transaction.atomic():
        network = _open_network(request=request, person=person, name=name, short_name=short_name, mandate=mandate,
                                secretariat=secretariat)  # fmt: skip
        if terms is not None:
            _store_terms(request=request, person=person, network=network, terms=terms, written=written)
        return network


def _open_network(*, request, person, name, short_name, mandate, secretariat) -> Network:
    if not access.can_open_networks(person):
        raise Refused
    if short_name.lower() == "new":  # /network/new/ opens a network
        raise Invalid({"short_name": _("This short name is reserved; choose another.")})
    if Network.objects.filter(short_name__iexact=short_name).exists():
        raise Invalid({"short_name": _("Another network has this short name.")})
    network = Network.objects.create(name=name, short_name=short_name, mandate=mandate, secretariat=secretariat)
    record("network.opened", request=request, actor=person, target=network, changes={"secretariat": secretariat.pk})
    return network


def update_network(
    *, request, person: Person, network: Network, name: str, mandate: str, terms: attachments.Upload | None = None
) -> Network:
    """Change the name and mandate; a new terms-of-reference file is stored encrypted beside the old ones."""
    if not access.can_manage(person, network):
        raise Refused
    with attachments.removed_on_failure() as written:
        return _update_network(request=request, person=person, network=network, name=name, mandate=mandate,
                               terms=terms, written=written)  # fmt: skip


@transaction.atomic
def _update_network(*, request, person, network, name, mandate, terms, written: list[Path]) -> Network:
    fields = [name for name, value in (("name", name), ("mandate", mandate)) if getattr(network, name) != value]
    network.name, network.mandate = name, mandate
    network.save(update_fields=["name", "mandate"])
    if terms is not None:
        _store_terms(request=request, person=person, network=network, terms=terms, written=written)
        fields.append("terms")
    if fields:
        record("network.changed", request=request, actor=person, target=network, changes={"fields": fields})
    return network


def _store_terms(*, request, person, network: Network, terms: attachments.Upload, written: list[Path]) -> None:
    stored = TermsOfReference.objects.create(
        network=network, added_by=person, **attachments.write(upload=terms, written=written)
    )
    record("network.terms_added", request=request, actor=person, target=stored, changes={"network": network.pk})


def download_terms(*, request, person: Person, terms: TermsOfReference) -> bytes:
    content = attachments.content_of(terms)
    record("network.terms_downloaded", request=request, actor=person, target=terms,
           changes={"network": terms.network_id})  # fmt: skip
    return content


@dataclass
class MembershipDraft:
    standing: str
    joined_on: date
    organisation: Organisation | None = None
    expert: Person | None = None
    left_on: date | None = None
    decision: str = ""
    focal_points: list[Person] = field(default_factory=list)


def _membership_problems(draft: MembershipDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (draft.organisation is None) == (draft.expert is None):
        errors["__all__"] = _("Choose an organisation or a named expert, not both.")
    if draft.standing not in Standing.values:
        errors["standing"] = _("Choose member or observer.")
    if draft.left_on and draft.left_on <= draft.joined_on:
        errors["left_on"] = _("The date left must be after the date joined.")
    return errors


@transaction.atomic
def add_membership(*, request, person: Person, network: Network, draft: MembershipDraft) -> Membership:
    """Admit an organisation or an expert; a past membership stays as it was (joining again is a new row)."""
    if not access.can_manage(person, network):
        raise Refused
    errors = _membership_problems(draft)
    overlapping = network.memberships.filter(organisation=draft.organisation, expert=draft.expert).exclude(
        left_on__isnull=False, left_on__lte=draft.joined_on
    )
    if draft.left_on:
        overlapping = overlapping.filter(joined_on__lt=draft.left_on)
    if not errors and overlapping.exists():
        errors["__all__"] = _("They are already in the network for part of that period.")
    if errors:
        raise Invalid(errors)
    membership = Membership.objects.create(
        network=network,
        organisation=draft.organisation,
        expert=draft.expert,
        standing=draft.standing,
        joined_on=draft.joined_on,
        left_on=draft.left_on,
        decision=draft.decision.strip(),
    )
    membership.focal_points.set(draft.focal_points)
    record(
        "network.membership_added",
        request=request,
        actor=person,
        target=network,
        changes={"membership": membership.pk, "organisation": membership.organisation_id,
                 "expert": membership.expert_id, "standing": membership.standing},
    )  # fmt: skip
    return membership


@transaction.atomic
def update_membership(
    *, request, person: Person, membership: Membership, left_on: date | None, decision: str, focal_points: list[Person]
) -> Membership:
    """Record the date left, the decision and the focal points. The standing and the date joined stay: a
    change of standing is leaving and joining again, so the history says when it changed."""
    if not access.can_manage(person, membership.network):
        raise Refused
    if left_on and left_on <= membership.joined_on:
        raise Invalid({"left_on": _("The date left must be after the date joined.")})
    before = {
        "left_on": str(membership.left_on or ""),
        "focal_points": sorted(p.pk for p in membership.focal_points.all()),
    }
    membership.left_on, membership.decision = left_on, decision.strip()
    membership.save(update_fields=["left_on", "decision"])
    membership.focal_points.set(focal_points)
    after = {"left_on": str(left_on or ""), "focal_points": sorted(p.pk for p in focal_points)}
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    record(
        "network.membership_changed",
        request=request,
        actor=person,
        target=membership.network,
        changes={"membership": membership.pk, **changes},
    )
    return membership


# --- Coordination flags ------------------------------------------------------------------------------


def raise_flags(*, request, activity: Activity) -> list[Flag]:
    """Flag what the activity, as saved, may duplicate or compete with (network.coordination); close its open
    flags that no longer apply. Each new flag is audited and told live, after commit, to the people who may
    see it. Returns the new flags. Called by the actions that save an activity, inside their transaction."""
    found = coordination.findings_for(activity)
    holding = {(f.kind, f.first.pk, f.second.pk) for f in found}
    lapsed = Flag.objects.filter(closed_at__isnull=True).filter(models.Q(first=activity) | models.Q(second=activity))
    for flag in lapsed:
        if (flag.kind, flag.first_id, flag.second_id) not in holding:
            flag.closed_at = timezone.now()
            flag.save(update_fields=["closed_at"])
            FlagStep.objects.create(flag=flag, what=FlagStep.What.LAPSED, at=flag.closed_at)
            record("network.flag_lapsed", request=request, target=flag, changes={"network": flag.network_id})
    raised = []
    for finding in found:
        flag, created = Flag.objects.get_or_create(
            kind=finding.kind, first=finding.first, second=finding.second, defaults={"network": activity.network}
        )
        if not created:
            continue  # open, or resolved once: never raised twice for the same reason
        FlagStep.objects.create(flag=flag, what=FlagStep.What.RAISED, at=flag.raised_at)
        record(
            "network.flag_raised",
            request=request,
            target=flag,
            changes={"network": flag.network_id, "kind": flag.kind, "activities": [flag.first_id, flag.second_id]},
        )
        for person in access.flag_audience(flag):
            notice(person=person, about="network.flag", flag=flag.pk)
        raised.append(flag)
    return raised


@transaction.atomic
def check_roadmap(*, request, person: Person, network: Network) -> list[Flag]:
    """The secretariat checks the whole roadmap at once; returns the flags newly raised."""
    if not access.can_manage(person, network):
        raise Refused
    raised: list[Flag] = []
    for activity in network.activities.filter(status__in=coordination.LIVE).order_by("pk"):
        raised.extend(raise_flags(request=request, activity=activity))
    record("network.roadmap_checked", request=request, actor=person, target=network,
           changes={"raised": len(raised)})  # fmt: skip
    return raised


@transaction.atomic
def resolve_flag(*, request, person: Person, flag: Flag, reason: str, note: str = "") -> Flag:
    """The secretariat resolves an open flag with a reason ("other" needs words); kept in the flag's history."""
    flag = Flag.objects.select_for_update().select_related("network").get(pk=flag.pk)
    if not access.can_manage(person, flag.network):
        raise Refused
    errors: dict[str, str] = {}
    if reason not in Resolution.values:
        errors["reason"] = _("Choose a reason.")
    elif reason == Resolution.OTHER and not note.strip():
        errors["note"] = _("Say why in a few words when the reason is “other”.")
    if not flag.is_open:
        errors["__all__"] = _("This flag has already been closed.")
    if errors:
        raise Invalid(errors)
    flag.closed_at, flag.resolution = timezone.now(), reason
    flag.save(update_fields=["closed_at", "resolution"])
    FlagStep.objects.create(flag=flag, what=FlagStep.What.RESOLVED, at=flag.closed_at, by=person, reason=reason,
                            note=note.strip())  # fmt: skip
    record("network.flag_resolved", request=request, actor=person, target=flag, changes={"reason": reason})
    return flag
