"""Reads for experts and requests for assistance, always through assistance.access."""

import statistics
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import CONVENTIONS, REGIONS
from accounts.models import Person
from accounts.places import language_name
from assistance import access
from assistance.models import ACTIVE_STATES, Area, Availability, ExpertProfile, Request, State
from environet.compiled import Kept, Prepared, prepare
from library.access import items_visible_to


def profile_of(person: Person) -> ExpertProfile:
    """The expert's profile, or an unsaved default one (available, no commodity groups)."""
    found = ExpertProfile.objects.filter(person=person).first()
    return found or ExpertProfile(person=person)


def available_on(profile: ExpertProfile, day: date) -> bool:
    return not (profile.availability == Availability.AWAY and profile.away_until and profile.away_until >= day)


# --- The directory ---------------------------------------------------------------------------------------


@dataclass
class Filters:
    text: str = ""
    area: str = ""
    convention: str = ""
    topic: str = ""
    language: str = ""
    region: str = ""
    available_only: bool = False


def directory(*, person, filters: Filters) -> list[tuple[Person, ExpertProfile]]:
    """The experts this person may see, matching every filter given, with their profiles."""
    experts: QuerySet[Person] = access.experts_visible_to(person)
    if filters.text.strip():
        words = filters.text.strip()
        experts = experts.filter(
            Q(full_name__icontains=words) | Q(organisation__name__icontains=words) | Q(position__icontains=words)
        )
    if filters.area:
        experts = experts.filter(expert_profile__areas__contains=f",{filters.area},")
    found = []
    today = timezone.localdate()
    profiles = {profile.person_id: profile for profile in ExpertProfile.objects.filter(person__in=experts)}
    for expert in experts.order_by("full_name"):
        # The lists on Person are JSON: filtered here, portably, over a list that is small by nature.
        if filters.convention and filters.convention not in (expert.expert_conventions or []):
            continue
        if filters.topic and filters.topic not in (expert.expert_topics or []):
            continue
        if filters.language and filters.language not in (expert.expert_languages or []):
            continue
        if filters.region and filters.region not in (expert.expert_regions or []):
            continue
        profile = profiles.get(expert.pk) or ExpertProfile(person=expert)
        if filters.available_only and not available_on(profile, today):
            continue
        found.append((expert, profile))
    return found


def expert_page(*, viewer, expert: Person) -> dict:
    """What an expert's profile shows: what they published in the library and the requests they answered,
    each only if the viewer may read it."""
    return {
        "expert": expert,
        "profile": profile_of(expert),
        "published": items_visible_to(viewer).filter(publisher=expert).order_by("-published_on")[:20],
        "answered": access.requests_visible_to(viewer)
        .filter(expert=expert, state__in=[State.ANSWERED, State.CLOSED])
        .select_related("thread")
        .order_by("-answered_at")[:20],
        "convention_names": dict(CONVENTIONS),
        "region_names": dict(REGIONS),
    }


# --- Suggestions ------------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    expert: Person
    profile: ExpertProfile
    score: int
    reasons: list[str] = field(default_factory=list)


def suggestions(*, found: Request, limit: int = 10) -> list[Suggestion]:
    """Experts who match the request, best first, each with why: shared topics, conventions, commodity groups,
    languages and region, and their availability. Experts away beyond the deadline are left out, and so is
    anyone who could not read the request (unless its audience is named people: an invited expert joins it).
    """
    topic_names = {topic.code: topic.display_name for topic in found.thread.topics.all()}
    topics = set(topic_names)
    conventions, areas = set(found.codes("conventions")), set(found.codes("areas"))
    languages = set(found.codes("languages")) or {found.asker.language}
    invited = set(found.invitations.values_list("expert_id", flat=True))
    names: dict[str, dict[str, Any]] = {
        "conventions": dict(CONVENTIONS),
        "areas": dict(Area.choices),
        "regions": dict(REGIONS),
    }
    profiles = {profile.person_id: profile for profile in ExpertProfile.objects.all()}
    found_people = found.thread.audience == "people"
    result = []
    for expert in Person.objects.filter(is_expert=True, state=Person.State.ACTIVE).exclude(pk=found.asker_id):
        if expert.pk in invited or not access.is_expert(expert):
            continue
        profile = profiles.get(expert.pk) or ExpertProfile(person=expert)
        if not available_on(profile, found.deadline):
            continue
        if not found_people and not access.may_read(expert, found):
            continue
        reasons, score = [], 0
        shared = sorted(topics & set(expert.expert_topics or []))
        if shared:
            score += 3 * len(shared)
            reasons.append(
                _("Topics: %(list)s") % {"list": ", ".join(f"{code} {topic_names[code]}" for code in shared)}
            )
        shared = sorted(conventions & set(expert.expert_conventions or []))
        if shared:
            score += 3 * len(shared)
            labels = ", ".join(str(names["conventions"].get(code, code)) for code in shared)
            reasons.append(_("Conventions: %(list)s") % {"list": labels})
        shared = sorted(areas & set(profile.area_codes))
        if shared:
            score += 4 * len(shared)
            labels = ", ".join(str(names["areas"].get(code, code)) for code in shared)
            reasons.append(_("Commodity groups: %(list)s") % {"list": labels})
        if not score:
            continue  # a language or a region alone is not expertise
        shared = sorted(languages & set(expert.expert_languages or []))
        if shared:
            score += 2
            reasons.append(_("Languages: %(list)s") % {"list": ", ".join(language_name(code) for code in shared)})
        if found.region and found.region in (expert.expert_regions or []):
            score += 2
            reasons.append(_("Covers the region: %(region)s") % {"region": names["regions"].get(found.region)})
        if profile.availability == Availability.AVAILABLE:
            score += 1
            reasons.append(_("Available"))
        else:
            reasons.append(str(profile.get_availability_display()))
        result.append(Suggestion(expert=expert, profile=profile, score=score, reasons=reasons))
    result.sort(key=lambda s: (-s.score, s.expert.full_name))
    return result[:limit]


# --- The tracker ------------------------------------------------------------------------------------------


def _for_me(person) -> Q:
    return Q(invitations__expert=person, state=State.OPEN) | Q(expert=person, state=State.ACCEPTED)


def tracker(*, person) -> dict[str, list[Request]]:
    """My requests, requests for me, open requests in my topics, and overdue ones: only what the person may
    read, so neither the lists nor their counts say anything of a request outside its audience."""
    visible = access.requests_visible_to(person).select_related("thread", "asker", "expert")
    today = timezone.localdate()

    def ids(query: Q) -> list[Request]:
        return list(visible.filter(pk__in=visible.filter(query).values("pk")).order_by("deadline", "pk"))

    sections = {
        "mine": ids(Q(asker=person)),
        "for_me": ids(_for_me(person)) if access.is_expert(person) else [],
        "in_my_topics": ids(Q(state=State.OPEN, open_to_all=True, thread__topics__code__in=person.expert_topics or []))
        if access.is_expert(person)
        else [],
        "overdue": ids(
            Q(state__in=ACTIVE_STATES, deadline__lt=today)
            & (Q(asker=person) | _for_me(person) | Q(thread__topics__code__in=_followed_topics(person)))
        ),
    }
    sections["in_my_topics"] = [r for r in sections["in_my_topics"] if r.asker_id != person.pk]
    return sections


def _followed_topics(person) -> list[str]:
    """Focal points watch the overdue requests of the topics they follow; others only their own."""
    if not person.is_focal_point and not person.is_administrator:
        return []
    from topics.models import TopicChoice

    return list(
        TopicChoice.objects.filter(person=person)
        .exclude(delivery=TopicChoice.Delivery.NONE)
        .values_list("topic__code", flat=True)
    )


def waiting_count(*, person) -> int:
    """Requests waiting for this person: invitations to take up, requests they accepted and have not answered,
    and their own answered requests to close. Counted over what they may read only."""
    if not access.can_see_directory(person) and not access.can_ask(person):
        return 0
    expert = access.is_expert(person)

    def waiting(today: date) -> Q:
        query = _for_me(person) if expert else Q(pk__in=[])
        return query | Q(asker=person, state=State.ANSWERED)

    return _count_visible(person, ("waiting", expert), waiting)


def overdue_count(*, person) -> int:
    """How many of the tracker's overdue requests there are (``tracker``'s "overdue"), counted in the database."""
    topics = tuple(_followed_topics(person))

    def overdue(today: date) -> Q:
        return Q(state__in=ACTIVE_STATES, deadline__lt=today) & (
            Q(asker=person) | _for_me(person) | Q(thread__topics__code__in=topics)
        )

    return _count_visible(person, ("overdue", topics), overdue)


# Stands for today while a count's statement is compiled (no deadline is this early), then replaced by today.
_TODAY = date(1900, 1, 2)
_COUNTS: Kept[Prepared | None] = Kept(1024)


def _count_visible(person, facts: Hashable, query: Callable[[date], Q]) -> int:
    """How many of the requests the person may read match ``query(today)``.

    The ids matching come first (the query's joins of invitations and topics would repeat a request), then the
    rule is asked of those. Building that query (the rule above all) cost home more than running it, so the
    statement is compiled once per reader (``access.rule_key``: all the rule reads of the person) and ``facts``
    (everything else ``query`` reads of the person: what they are, the topics they follow), today being its one
    parameter that changes; what the database holds (invitations, states, deadlines) it reads when it runs."""
    field = Request._meta.get_field("deadline")

    def compile() -> Prepared | None:
        matching = Request.objects.filter(query(_TODAY)).values("pk")
        counted = access.requests_visible_to(person).filter(pk__in=matching).values("pk")
        return prepare(counted, field.get_db_prep_value(_TODAY, connection, prepared=False), counted=True)

    statement = _COUNTS.statement((access.rule_key(person), facts), compile)
    if statement is None:
        return 0  # nothing to count (not a reader)
    return statement.rows(field.get_db_prep_value(timezone.localdate(), connection, prepared=False))[0][0]


def request_page(*, person, found: Request) -> dict:
    return {
        "found": found,
        "thread": found.thread,
        "history": list(found.history.select_related("by")),
        "invited": [invitation.expert for invitation in found.invitations.select_related("expert")],
        "seizure": access.seizure_for_reader(person, found),
        "is_asker": access.is_asker(person, found),
        "can_accept": access.can_accept(person, found),
        "can_mark_answered": access.can_mark_answered(person, found),
        "can_close": access.can_close(person, found),
        "can_withdraw": access.can_withdraw(person, found),
        "can_invite": access.can_invite(person, found),
        "can_publish": access.can_publish_to_library(person, found),
        "library_item": items_visible_to(person).filter(pk=found.library_item_id).first()
        if found.library_item_id
        else None,
        "suggestions": suggestions(found=found) if access.can_invite(person, found) else [],
        "overdue": found.is_overdue(),
        "topics": list(found.thread.topics.all()),
        "conventions": found.codes("conventions"),
        "areas": found.codes("areas"),
        "languages": found.codes("languages"),
        "region": [found.region] if found.region else [],
        "convention_names": dict(CONVENTIONS),
        "area_names": dict(Area.choices),
        "region_names": dict(REGIONS),
    }


# --- Figures for administrators ---------------------------------------------------------------------------


@dataclass
class Figures:
    label: str
    asked: int
    answered: int
    within_deadline: int
    median_hours: float | None


def _figures(label: str, requests: list[Request]) -> Figures:
    answered = [found for found in requests if found.answered_at is not None]
    hours = sorted(
        (found.answered_at - found.created_at).total_seconds() / 3600 for found in answered if found.answered_at
    )
    return Figures(
        label=label,
        asked=len(requests),
        answered=len(answered),
        within_deadline=sum(
            1 for found in answered if found.answered_at and timezone.localdate(found.answered_at) <= found.deadline
        ),
        median_hours=round(statistics.median(hours), 1) if hours else None,
    )


def figures(*, person) -> list[Figures] | None:
    """For administrators: requests asked, answered, answered within their deadline and the median time to an
    answer, in all and per topic and region. Counted over the requests they may read only; None for others."""
    if not person.is_administrator:
        return None
    requests = list(access.requests_visible_to(person).prefetch_related("thread__topics"))
    rows = [_figures(_("All requests"), requests)]
    topics = sorted({topic for found in requests for topic in found.thread.topics.all()}, key=lambda t: t.code)
    for topic in topics:
        chosen = [found for found in requests if topic in found.thread.topics.all()]
        rows.append(_figures(f"{topic.code} {topic.display_name}", chosen))
    for code, name in REGIONS:
        chosen = [found for found in requests if found.region == code]
        if chosen:
            rows.append(_figures(str(name), chosen))
    return rows
