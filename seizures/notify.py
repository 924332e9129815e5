"""Telling people about seizure records: related records found, and new records matching followed searches.

The work runs in the task queue after the transaction commits. Each person gets a live notice on their
open pages and, by their choice, an email, in their own language, saying only what they may know:
- the owners of two related records learn the other record's organisation and why they are related
  (its reference and facts only if they may read it). Within one organisation they are told as soon as
  the link is found; across organisations only once both records are shared, both at the same moment (a
  draft is its organisation's business, and its guesses at names must tell it nothing); each link once;
- a follower learns of a new record only if they may read it; AMBER, AMBER+STRICT and RED records never
  put their content in an email;
- a followed search on a company (or any nominal value) never confirms anything to someone outside the
  record's nominal-data grant: "a new record names ZQX Ltd" would tell them whom it names. A follower who
  may read the record's nominal data (its organisation, or one it grants) is told as any follower. Any
  other follower is told nothing; the record's officer is told instead that someone in the follower's
  organisation follows a company the record names (never who, nor what they follow), and may grant that
  organisation the nominal data (the follower is then told) or offer to get in touch.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from accounts.models import Person
from audit.actions import record
from environet import enqueue
from environet.mail import absolute, send_after_commit
from messaging import actions as messaging
from messaging.access import marking_allows_email_content
from seizures import access
from seizures.marking import strictest
from seizures.models import CONVENTION_TOPICS, FollowedSearch, Link, MatchKey, Seizure, WithheldMatch
from topics.models import TopicChoice

EMAIL_DELIVERIES = (TopicChoice.Delivery.LIVE_AND_EMAIL, TopicChoice.Delivery.LIVE_AND_DIGEST)


# While an import files its records, the records whose links are to be told are gathered here instead of
# each queueing its own task: the import then tells each person once (tell_related_import).
_gathered: ContextVar[list[int] | None] = ContextVar("gathered_related", default=None)


def related_after_commit(seizure_id: int) -> None:
    """A save found new links for the record, or the record was just shared: tell of each of its links that
    may now be known and was not told yet."""
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(seizure_id)
        return
    enqueue.after_commit(tell_related, seizure_id=seizure_id)


@contextmanager
def related_of_import(job_id: int) -> Iterator[None]:
    """Within it (an import saving its records), related records are told in one summary per person, after
    commit, instead of one notice and email per record."""
    gathered: list[int] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    if gathered:
        ids = list(dict.fromkeys(gathered))
        enqueue.after_commit(tell_related_import, job_id=job_id, seizure_ids=ids)


def followers_after_commit(seizure_id: int) -> None:
    enqueue.after_commit(tell_followers, seizure_id=seizure_id)


def reasons_text(reasons: int) -> str:
    """ "same container, same company" in the active language."""
    kinds = [kind for kind in MatchKey.Kind if reasons & (1 << kind.value)]
    return ", ".join(str(kind.label) for kind in kinds)


def wants_email(person: Person, seizure: Seizure) -> bool:
    """Related records reach people by email when they chose email (at once or daily) for one of the
    record's topics."""
    codes = {CONVENTION_TOPICS.get(line.convention, "G") for line in seizure.lines.all()} or {"G"}
    return TopicChoice.objects.filter(person=person, topic__code__in=codes, delivery__in=EMAIL_DELIVERIES).exists()


def _tell_owner(own: Seizure, other: Seizure, reasons: int) -> int:
    """Tell who decides for ``own`` (its officer, or their organisation's focal points when the officer is gone
    or the record was filed by a national system's service token) that it is related to ``other``."""
    told = _deciders(own)
    for person in told:
        _tell_of_related(person, own, other, reasons)
    return len(told)


def _tell_of_related(person: Person, own: Seizure, other: Seizure, reasons: int) -> None:
    link = absolute(reverse("seizures:record", args=[own.pk]) + "#related")
    context = {
        "person": person,
        "own": own,
        "organisation": other.organisation,
        "link": link,
        # The email is about the organisation's own record: its marking says what the email may hold.
        "with_content": marking_allows_email_content(own.marking),
    }
    with translation.override(person.language):
        context["reasons"] = reasons_text(reasons)
    # Ids only: the notice is worded when shown, through the access rule of that day (seizures.notices).
    messaging.notice(person=person, about="seizure.related", record=own.pk, other=other.pk)
    if wants_email(person, own):
        send_after_commit(to=person.email, template="seizures/email/related", language=person.language, context=context)


@task()
def tell_related(*, seizure_id: int, **_queued_before: object) -> int:
    """Announce each link of the record that may be known now (seizures.access.link_is_open) and was not
    announced yet: both owners are told together, each of their own record, once. A link across
    organisations is audited on both sides, by ids and the reasons' bits. Returns how many people were told.

    (Tasks queued by an earlier version also carried the pairs and their reasons: the links are read now.)"""
    with transaction.atomic():
        return _announce(seizure_id, _tell_owner)


def _announce(seizure_id: int, tell: Callable[[Seizure, Seizure, int], int]) -> int:
    links = list(Link.objects.filter(Q(low_id=seizure_id) | Q(high_id=seizure_id), announced=False))
    records = Seizure.objects.select_related("officer", "organisation").in_bulk(
        {pk for link in links for pk in (link.low_id, link.high_id)}
    )
    told = 0
    for link in links:
        low, high = records[link.low_id], records[link.high_id]
        if not access.link_is_open(low, high) or not _claim(link):
            continue
        # The record this task is about first: one officer who filed both is told once, of that one.
        first, second = (low, high) if low.pk == seizure_id else (high, low)
        told += tell(first, second, link.reasons)
        if second.officer_id != first.officer_id:
            told += tell(second, first, link.reasons)
        if low.organisation_id != high.organisation_id:
            for own, other in ((low, high), (high, low)):
                record(
                    "seizure.related_announced",
                    target=own,
                    changes={"related": other.pk, "organisation": other.organisation_id, "reasons": link.reasons},
                )
    return told


@task()
def tell_related_import(*, job_id: int, seizure_ids: list[int]) -> int:
    """The links an import's records made, announced as ``tell_related`` does (each once, audited alike), but
    each person told once: a notice and, by their choice, an email saying how many of their records have
    related records, with a link (the import's page for the importer). Returns how many people were told."""
    from seizures.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return 0
    concerned: dict[int, set[int]] = defaultdict(set)  # person id -> their records with a new link

    def gather(own: Seizure, other: Seizure, reasons: int) -> int:
        if not own.officer.is_active:
            return 0
        concerned[own.officer_id].add(own.pk)
        if other.officer_id == own.officer_id:
            concerned[own.officer_id].add(other.pk)  # told once of both (see _announce)
        return 0

    with transaction.atomic():
        for seizure_id in seizure_ids:
            _announce(seizure_id, gather)
        people = Person.objects.in_bulk(list(concerned))
        for person_id, own_ids in concerned.items():
            _tell_summary(people[person_id], job, sorted(own_ids))
    return len(concerned)


def _tell_summary(person: Person, job, own_ids: list[int]) -> None:
    imported = len(job.created)
    mine = job.person_id == person.pk
    path = reverse("seizures:import_job", args=[job.pk]) if mine else reverse("seizures:record", args=[own_ids[0]])
    messaging.notice(person=person, about="seizure.related_import", job=job.pk, records=own_ids)
    own = list(Seizure.objects.filter(pk__in=own_ids).prefetch_related("lines"))
    if not any(wants_email(person, seizure) for seizure in own):
        return
    context = {
        "person": person,
        "mine": mine,
        "imported": imported,
        "related": len(own_ids),
        "organisation": job.organisation,
        "marking": strictest([seizure.marking for seizure in own]),
        "link": absolute(path),
    }
    send_after_commit(
        to=person.email, template="seizures/email/related_import", language=person.language, context=context
    )


def _claim(link: Link) -> bool:
    """Mark the link announced; False when another task did first (so nobody is told twice)."""
    return bool(Link.objects.filter(low_id=link.low_id, high_id=link.high_id, announced=False).update(announced=True))


def matches(followed: FollowedSearch, seizure: Seizure, *, codes: set[str], countries: set[str], companies) -> bool:
    if followed.code and followed.code.casefold() not in codes:
        return False
    if followed.country and followed.country not in countries:
        return False
    return not (followed.company_digest and bytes(followed.company_digest) not in companies)


def followers_of(seizure: Seizure) -> list[FollowedSearch]:
    """The followed searches a newly shared record matches, of people who may read it (not its officer)."""
    lines = list(seizure.lines.all())
    conventions = {line.convention for line in lines}
    codes = {line.code.casefold() for line in lines}
    countries = {seizure.country, *seizure.route}
    companies = {
        bytes(digest)
        for digest in MatchKey.objects.filter(seizure=seizure, kind=MatchKey.Kind.COMPANY).values_list(
            "digest", flat=True
        )
    }
    candidates = (
        FollowedSearch.objects.filter(convention__in=[*conventions, ""], country__in=[*countries, ""])
        .exclude(person_id=seizure.officer_id)
        .select_related("person", "person__organisation")
    )
    found = []
    for followed in candidates:
        person = followed.person
        if not person.is_active or not matches(
            followed, seizure, codes=codes, countries=countries, companies=companies
        ):
            continue
        if access.seizures_visible_to(person).filter(pk=seizure.pk).exists():
            found.append(followed)
    return found


def answered(followed: FollowedSearch, seizure: Seizure) -> bool:
    """Whether a matching search may be answered: a search on a company only for someone who may read the
    record's nominal data (its organisation, or one it grants); else the answer would tell whom it names."""
    return not followed.company_digest or access.can_see_nominal(followed.person, seizure)


@task()
def tell_followers(*, seizure_id: int) -> int:
    """Tell the followers of searches a newly shared record matches; a match on a company outside the
    record's nominal-data grant is withheld from its follower and told to the record's officer instead.
    Returns how many followers were told."""
    seizure = Seizure.objects.select_related("organisation", "officer").filter(pk=seizure_id).first()
    if seizure is None or seizure.is_draft:
        return 0
    told = set()
    with transaction.atomic():
        found = followers_of(seizure)
        withheld = [followed for followed in found if not answered(followed, seizure)]
        found = [followed for followed in found if answered(followed, seizure)]
        # Several of a person's searches may match: one notice, and an email if any of them asks for one.
        by_email = {followed.person_id for followed in found if followed.by_email}
        for followed in found:
            if followed.person_id in told:
                continue  # several of their searches match: one notice is enough
            told.add(followed.person_id)
            _tell_follower(seizure, followed, by_email=followed.person_id in by_email)
        for followed in withheld:
            _withhold(seizure, followed)
    return len(told)


def _tell_follower(seizure: Seizure, followed: FollowedSearch, *, by_email: bool) -> None:
    person = followed.person
    messaging.notice(person=person, about="seizure.match", record=seizure.pk, search=followed.pk)
    if by_email:
        send_after_commit(
            to=person.email,
            template="seizures/email/match",
            language=person.language,
            context={
                "person": person,
                "seizure": seizure,
                "followed": followed,
                "lines": list(seizure.lines.all()),
                "with_content": marking_allows_email_content(seizure.marking),
                "link": absolute(reverse("seizures:record", args=[seizure.pk])),
                "preferences": absolute(reverse("seizures:following")),
            },
        )


def _withhold(seizure: Seizure, followed: FollowedSearch) -> None:
    """The follower hears nothing; the record's officer hears that someone in the follower's organisation
    follows a company it names (never who, nor what they follow), and decides (seizures.views.followed)."""
    match, created = WithheldMatch.objects.get_or_create(seizure=seizure, followed=followed)
    if not created:
        return
    organisation = followed.person.organisation
    record("seizure.follow_withheld", target=seizure, changes={"withheld": match.pk, "organisation": organisation.pk})
    path = reverse("seizures:followed_company", args=[seizure.pk, match.pk])
    for decider in _deciders(seizure):
        messaging.notice(person=decider, about="seizure.followed_company", record=seizure.pk, withheld=match.pk)
        if wants_email(decider, seizure):
            send_after_commit(
                to=decider.email,
                template="seizures/email/followed_company",
                language=decider.language,
                context={
                    "person": decider,
                    "seizure": seizure,
                    "organisation": organisation,
                    "with_content": marking_allows_email_content(seizure.marking),
                    "link": absolute(path),
                },
            )


def _deciders(seizure: Seizure) -> list[Person]:
    """Who decides for the record: its officer; when they are no longer active, their organisation's
    focal points."""
    if seizure.officer.is_active:
        return [seizure.officer]
    return list(
        Person.objects.filter(
            organisation_id=seizure.organisation_id, role=Person.Role.FOCAL_POINT, state=Person.State.ACTIVE
        )
    )


def withheld_after_commit(seizure_id: int) -> None:
    """Organisations were granted the record's nominal data: followers there whose company match was
    withheld may be told now."""
    enqueue.after_commit(tell_withheld, seizure_id=seizure_id)


@task()
def tell_withheld(*, seizure_id: int) -> int:
    """Tell each follower whose company match on the record was withheld and who may now read its nominal
    data (their organisation was granted), once, as any follower. Returns how many were told."""
    seizure = Seizure.objects.select_related("organisation").filter(pk=seizure_id).first()
    if seizure is None or seizure.is_draft:
        return 0
    told = 0
    with transaction.atomic():
        waiting = WithheldMatch.objects.filter(seizure=seizure).exclude(state=WithheldMatch.State.TOLD)
        for match in waiting.select_related("followed__person__organisation"):
            followed = match.followed
            person = followed.person
            if not person.is_active or not answered(followed, seizure):
                continue
            if not access.seizures_visible_to(person).filter(pk=seizure.pk).exists():
                continue
            # Marked first, so that two grants in quick succession tell them once.
            claimed = (
                WithheldMatch.objects.filter(pk=match.pk)
                .exclude(state=WithheldMatch.State.TOLD)
                .update(state=WithheldMatch.State.TOLD)
            )
            if claimed:
                _tell_follower(seizure, followed, by_email=followed.by_email)
                told += 1
    return told
