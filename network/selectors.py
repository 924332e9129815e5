"""Reads in an enforcement network. Every function takes an object that came through network.access
(``network_for``, ``activity_for``), or the person, and reads nothing the person may not see."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import places
from accounts.models import Organisation, Person
from network import access, coordination, history, regions
from network.models import (
    IATI_ACTIVITY_STATUS,
    Activity,
    ActivityChange,
    ActivityType,
    Flag,
    FlagStep,
    Funding,
    Meeting,
    Membership,
    Network,
    Review,
    RoadmapInput,
    Standing,
    Status,
)
from seizures.models import Convention
from seizures.templatetags.quantities import money
from topics.models import TOPIC_NAMES

LABELS = {
    "title": gettext_lazy("Title"),
    "kind": gettext_lazy("Type"),
    "status": gettext_lazy("Status"),
    "leads": gettext_lazy("Lead organisations"),
    "partners": gettext_lazy("Partners"),
    "countries": gettext_lazy("Target countries"),
    "regions": gettext_lazy("Target regions"),
    "conventions": gettext_lazy("Conventions"),
    "topics": gettext_lazy("Topics"),
    "commodity_focus": gettext_lazy("Commodity focus"),
    "starts_on": gettext_lazy("Planned start"),
    "ends_on": gettext_lazy("Planned end"),
    "funding_source": gettext_lazy("Funding source or donor"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "funding": gettext_lazy("Funding"),
    "description": gettext_lazy("Description"),
    "expected_outputs": gettext_lazy("Expected outputs"),
    "contact": gettext_lazy("Contact person"),
}


# --- Networks and membership -------------------------------------------------------------------------


def networks(person) -> QuerySet[Network]:
    return access.networks_visible_to(person).select_related("secretariat")


def members_on(network: Network, day: date) -> QuerySet[Membership]:
    """Who was in the network on ``day`` (members and observers, organisations and experts)."""
    return (
        network.memberships.filter(access.held_on(day))
        .select_related("organisation", "expert__organisation")
        .prefetch_related("focal_points")
        .order_by("standing", "organisation__name", "expert__full_name")
    )


def membership_history(network: Network) -> QuerySet[Membership]:
    return network.memberships.select_related("organisation", "expert").order_by("joined_on", "pk")


def organisations_on(network: Network, day: date, standing: str | None = None) -> list[Organisation]:
    held = members_on(network, day).filter(organisation__isnull=False)
    if standing:
        held = held.filter(standing=standing)
    return [membership.organisation for membership in held if membership.organisation]


def people_of(network: Network) -> QuerySet[Person]:
    return access.people_of(network).select_related("organisation")


def latest_terms(network: Network):
    return network.terms.order_by("-pk").first()


# --- Showing an activity's fields --------------------------------------------------------------------


@dataclass
class Names:
    """Organisation and people names for showing states, read once per page."""

    organisations: dict[int, str]
    people: dict[int, str]

    @classmethod
    def for_states(cls, states) -> "Names":
        organisation_ids: set[int] = set()
        people_ids: set[int] = set()
        for state in states:
            organisation_ids.update(state.get("leads") or [])
            organisation_ids.update(state.get("partners") or [])
            if state.get("contact"):
                people_ids.add(state["contact"])
        return cls(
            organisations={o.pk: str(o) for o in Organisation.objects.filter(pk__in=organisation_ids)},
            people=dict(Person.objects.filter(pk__in=people_ids).values_list("pk", "full_name")),
        )


# The labels of the fields with choices (lazy: translated when shown).
CHOICES: dict[str, dict[str, Any]] = {
    "kind": dict(ActivityType.choices),
    "status": dict(Status.choices),
    "funding": dict(Funding.choices),
}


def shown(name: str, value: Any, names: Names) -> str:
    """One field of a state as words in the reader's language ("" when empty)."""
    if value in (None, "", []):
        return ""
    if name in CHOICES:
        return str(CHOICES[name].get(value, value))
    if name in ("leads", "partners"):
        return ", ".join(names.organisations.get(pk, f"#{pk}") for pk in value)
    if name == "contact":
        return names.people.get(value, f"#{value}")
    if name == "countries":
        return ", ".join(places.country_name(code) for code in value)
    if name == "regions":
        return ", ".join(regions.region_name(code) for code in value)
    if name == "conventions":
        labels = dict(Convention.choices)
        return ", ".join(str(labels.get(code, code)) for code in value)
    if name == "topics":
        return ", ".join(f"{code} – {TOPIC_NAMES[code]}" if code in TOPIC_NAMES else code for code in value)
    return str(value)


def said(name: str, state: dict[str, Any], names: Names) -> str:
    """One field of a state as a page says it: as ``shown`` says it, but the amount as money in the reader's
    language with the currency of the same state ("€95,000.00", "95 000,00 €"), as the roadmap shows it.
    Exports keep ``shown``'s plain number ("95000.00"), which a spreadsheet reads as a number."""
    if name == "amount":
        return money(state.get(name), state.get("currency") or "")
    return shown(name, state.get(name), names)


def rows_of(state: dict[str, Any], names: Names) -> list[tuple[str, str]]:
    return [(str(LABELS[name]), said(name, state, names)) for name in history.FIELDS]


# --- The roadmap -------------------------------------------------------------------------------------


@dataclass
class Entry:
    id: int
    state: dict[str, Any]
    fields: dict[str, str]  # field -> words

    @property
    def iati_status(self) -> int:
        return IATI_ACTIVITY_STATUS[self.state["status"]]


# Fields whose words are the value itself: nothing to look up, nothing worth remembering.
AS_TEXT = frozenset(("title", "commodity_focus", "starts_on", "ends_on", "funding_source", "amount", "currency",
                     "description", "expected_outputs"))  # fmt: skip


def _entries(states: dict[int, dict[str, Any]], names: Names | None = None) -> list[Entry]:
    if names is None:
        names = Names.for_states(states.values())
    # Types, statuses, countries, leads... repeat from one activity to the next: each is put in words once (a
    # list as its items' words, joined as ``shown`` joins them).
    known: dict[tuple[str, Any], str] = {}

    def item_words(name: str, item: Any, listed: bool) -> str:
        found = known.get((name, item))
        if found is None:
            found = known[name, item] = shown(name, [item] if listed else item, names)
        return found

    def words(name: str, value: Any) -> str:
        if value is None or name in AS_TEXT:
            return "" if value is None else str(value)
        if isinstance(value, list):
            return ", ".join([item_words(name, item, True) for item in value])
        return item_words(name, value, False)

    entries = [
        Entry(id=pk, state=state, fields={name: words(name, state.get(name)) for name in history.FIELDS})
        for pk, state in states.items()
    ]
    return sorted(entries, key=lambda entry: (entry.state.get("starts_on") or "9999", entry.id))


def roadmap(network: Network, day: date) -> list[tuple[str, list[Entry]]]:
    """The roadmap as it stood at the end of ``day``, in sections by status (in the lifecycle's order)."""
    entries = _entries(history.roadmap_on(network, day))
    sections: dict[str, list[Entry]] = {}
    for entry in entries:
        sections.setdefault(entry.state["status"], []).append(entry)
    return [(str(label), sections[status]) for status, label in Status.choices if status in sections]


@dataclass
class Change:
    id: int
    title: str
    fields: list[tuple[str, str, str]]  # label, old, new


@dataclass
class Comparison:
    added: list[Entry]
    removed: list[Entry]
    changed: list[Change]


def compare(network: Network, first: date, second: date) -> Comparison:
    """What changed in the roadmap between the end of ``first`` and the end of ``second``."""
    before, after = history.roadmap_on(network, first), history.roadmap_on(network, second)
    found = history.diff(before, after)
    names = Names.for_states([*before.values(), *after.values()])
    added = _entries({pk: after[pk] for pk in found.added})
    removed = _entries({pk: before[pk] for pk in found.removed})
    changed = [
        Change(
            id=pk,
            title=after[pk]["title"],
            fields=[
                (str(LABELS[name]), said(name, before[pk], names), said(name, after[pk], names)) for name in fields
            ],
        )
        for pk, fields in found.changed.items()
    ]
    return Comparison(added=added, removed=removed, changed=changed)


@dataclass
class Step:
    at: Any
    by: str
    created: bool
    fields: list[tuple[str, str, str]]


def activity_history(activity: Activity) -> list[Step]:
    """Every change of the activity, oldest first: when, by whom, each field old → new, in the words of the
    rest of the page (``said``: an amount is money in the currency the activity had before, and after)."""
    changes = list(ActivityChange.objects.filter(activity=activity).select_related("by").order_by("at", "pk"))
    seen = [{name: value for name, pair in change.changes.items() for value in pair[1:]} for change in changes]
    seen += [{name: pair[0] for name, pair in change.changes.items()} for change in changes]
    names = Names.for_states(seen)
    steps = []
    state: dict[str, Any] = {}  # the activity as it stood after each change: a change names only what changed
    for change in changes:
        before = {**state, **{name: old for name, (old, _new) in change.changes.items()}}
        state = {**state, **{name: new for name, (_old, new) in change.changes.items()}}
        fields = [
            (str(LABELS.get(name, name)), said(name, before, names), said(name, state, names))
            for name, (_old, new) in change.changes.items()
            if not (change.created and new in (None, "", []))
        ]
        by = change.by.full_name if change.by else ""
        steps.append(Step(at=change.at, by=by, created=change.created, fields=fields))
    return steps


# --- The repository ----------------------------------------------------------------------------------


@dataclass
class Filters:
    text: str = ""
    starts: date | None = None
    ends: date | None = None
    kind: str = ""
    country: str = ""
    region: str = ""
    convention: str = ""
    lead: int | None = None
    funder: str = ""


def repository(network: Network, filters: Filters) -> QuerySet[Activity]:
    """Completed activities and those whose planned end has passed, newest first, filtered."""
    found = network.activities.filter(Q(status=Status.COMPLETED) | Q(ends_on__lt=timezone.localdate()))
    if filters.text:
        found = found.filter(Q(title__icontains=filters.text) | Q(description__icontains=filters.text))
    if filters.starts:  # the activity's period overlaps the chosen one
        found = found.filter(Q(ends_on__gte=filters.starts) | Q(ends_on__isnull=True, starts_on__gte=filters.starts))
    if filters.ends:
        found = found.filter(starts_on__lte=filters.ends)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.country:  # named, or in a region named (network.regions)
        found = found.filter(regions.covering_country(filters.country))
    if filters.region:  # any part of the region: itself, a region sharing a country with it, or a country of it
        found = found.filter(regions.touching_region(filters.region))
    if filters.convention:
        found = found.filter(conventions_list__contains=f",{filters.convention},")
    if filters.lead:
        found = found.filter(leads=filters.lead)
    if filters.funder:
        found = found.filter(funding_source__icontains=filters.funder)
    return found.prefetch_related("leads").order_by("-ends_on", "-pk").distinct()


def standing_label(value: str) -> str:
    return str(dict(Standing.choices).get(value, _("Secretariat") if value == access.SECRETARIAT else value))


# --- Coordination flags ------------------------------------------------------------------------------


@dataclass
class ShownFlag:
    flag: Flag
    explanation: str


def _shown_flags(found) -> list[ShownFlag]:
    return [
        ShownFlag(flag=flag, explanation=coordination.explain(flag.kind, flag.first, flag.second)) for flag in found
    ]


def flags(person, network: Network, *, open_only: bool = False) -> list[ShownFlag]:
    """The flags the person may see, newest first, each explained from the activities as they are now."""
    found = access.flags_visible_to(person, network).select_related("first", "second")
    if open_only:
        found = found.filter(closed_at__isnull=True)
    return _shown_flags(found.prefetch_related("first__leads", "second__leads"))


def flags_of(person, activity: Activity) -> list[ShownFlag]:
    found = access.flags_visible_to(person, activity.network).filter(Q(first=activity) | Q(second=activity))
    return _shown_flags(found.select_related("first", "second").prefetch_related("first__leads", "second__leads"))


def explained(flag: Flag) -> ShownFlag:
    return _shown_flags([flag])[0]


def flag_steps(flag: Flag) -> QuerySet[FlagStep]:
    return flag.steps.select_related("by__organisation")


# --- Meetings ----------------------------------------------------------------------------------------


@dataclass
class MeetingView:
    agenda: list
    documents: list
    participants: list  # (participant, may download their invitation)
    decisions: list
    inputs: list  # (input, proposal rows or None)


def meeting_view(person, meeting: Meeting) -> MeetingView:
    """Everything shown on a meeting's page to someone who sees its network (access.meeting_for)."""
    secretariat = access.standing(person, meeting.network) == access.SECRETARIAT
    participants = meeting.participants.select_related("person__organisation")
    inputs = list(meeting.inputs.select_related("author__organisation", "activity", "reviewed_by"))
    states = [given.proposal for given in inputs if given.proposal]
    names = Names.for_states(states)
    proposal_fields = ("title", "kind", "leads", "countries", "starts_on", "ends_on", "description")
    return MeetingView(
        agenda=list(meeting.agenda.all()),
        documents=list(meeting.documents.order_by("pk")),
        participants=[(p, secretariat or p.person_id == person.pk) for p in participants],
        decisions=list(meeting.decisions.prefetch_related("follow_ups__owner")),
        inputs=[
            (
                given,
                [(str(LABELS[name]), shown(name, given.proposal.get(name), names)) for name in proposal_fields]
                if given.proposal
                else None,
            )
            for given in inputs
        ],
    )


def inputs_of(activity: Activity) -> QuerySet[RoadmapInput]:
    """Input accepted into this activity at meetings (proposal, status updates, comments), oldest first."""
    return activity.inputs.filter(review=Review.ACCEPTED).select_related("meeting", "author").order_by("created_at")
