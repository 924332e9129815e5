"""Who may see and do what with seizure records: the only place these rules live.

- A record's non-nominal facts: everyone in the reporting organisation, from the first draft; once it is
  shared, its audience too (the same audience rule as messages, messaging.access.audience_rule).
- Its nominal data (persons and companies involved): only the reporting organisation and the
  organisations it explicitly grants; nobody else, administrators included. Nothing else may tell it
  either: a followed search on a company is answered only inside that grant (seizures.notify).
- Filing and changing records: people of the reporting organisation who may post (not observers).
- Related records: a link between two records of one organisation may be known at once; a link between
  two organisations' records only once both are shared (``link_is_open``), so that a draft holding guessed
  names learns nothing from another organisation's records, and both sides learn of it at the same moment.
  A person then sees a link from a record they may read to another one if they may read the other one too,
  or if the record is their organisation's own (the owner is told "a related record exists at organisation
  X", and may ask for contact). A reason that comes from nominal data is shown only to the owner, or to
  someone who may read the nominal data of both records.

Fetching an object answers 404 both when it is missing and when it is forbidden.
"""

from collections.abc import Collection
from typing import cast

from django.db.models import Q, QuerySet
from django.http import Http404

from environet.compiled import Joined, Kept, Prepared, among, prepare
from messaging.access import audience_rule, can_post, is_reader, row_by_row, rule_key, threads_visible_to
from seizures import handles
from seizures.models import (
    ColumnMapping,
    FollowedSearch,
    ImportJob,
    Link,
    MatchKey,
    NominalGrant,
    Seizure,
    SeizureFile,
    Status,
    WithheldMatch,
)

NOMINAL_KINDS = frozenset(
    {MatchKey.Kind.COMPANY, MatchKey.Kind.PERSON, MatchKey.Kind.IDENTIFIER, MatchKey.Kind.ADDRESS}
)
NOMINAL_BITS = sum(1 << kind for kind in NOMINAL_KINDS)


def can_read(person) -> bool:
    return is_reader(person)


def can_file(person) -> bool:
    """Members, focal points and administrators file records; observers read."""
    return can_post(person)


def seizures_visible_to(person) -> QuerySet[Seizure]:
    if not is_reader(person):
        return Seizure.objects.none()
    own = Q(organisation_id=person.organisation_id)
    # The chosen organisations and named people are asked of each record as EXISTS (``row_by_row``): no record
    # comes twice, and the database asks the rule only of the records the rest of the query is about (a page
    # of the newest, one officer's drafts) instead of working out every record the person may read first.
    shared = ~Q(status=Status.DRAFT) & row_by_row(audience_rule(person, author="officer"), Seizure)
    return Seizure.objects.filter(own | shared)


def seizure_for(person, seizure_id: int) -> Seizure:
    """The record, if ``person`` may read it (``seizures_visible_to``); 404 alike when missing or forbidden.
    Asked on every record page and change: the rule for this one record is one statement compiled once per
    reader (``may_read``), then the record is read by its key."""
    if not may_read(person, seizure_id):
        raise Http404
    # ``Seizure.objects.select_related("organisation", "officer").get(pk=seizure_id)``, from a statement
    # compiled once (environet.compiled.Joined; test_record_read compares them).
    found = _WHOLE_RECORD.one(seizure_id)
    if found is None:  # gone between the two reads
        raise Http404
    return cast(Seizure, found)


_WHOLE_RECORD = Joined(Seizure, {"": None, "organisation": None, "officer": None})  # every field of each


# Stands for the record asked about while the statement is compiled (no record has a negative id).
_SOME_RECORD = -424_242
_MAY_READ: Kept[Prepared | None] = Kept(1024)


def may_read(person, seizure_id: int) -> bool:
    """``seizures_visible_to(person).filter(pk=seizure_id).exists()``, from a statement compiled once per reader:
    the rule reads of the person only what ``messaging.access.rule_key`` holds (the audience rule, their
    organisation), and building it cost a record page more than running it."""
    if not isinstance(seizure_id, int) or isinstance(seizure_id, bool):
        return False
    statement = _MAY_READ.statement(
        rule_key(person),
        lambda: prepare(seizures_visible_to(person).filter(pk=_SOME_RECORD).values("pk")[:1], _SOME_RECORD),
    )
    return statement is not None and bool(statement.rows(seizure_id))  # None: not a reader


_READABLE: Kept[Prepared | None] = Kept(1024)


def readable_among(person, ids: Collection[int]) -> set[int]:
    """Which of the records ``ids`` ``person`` may read (``seizures_visible_to``), from a statement compiled once
    per reader (``rule_key``): a record page asks it of its related records."""
    return among(_READABLE, rule_key(person), lambda: seizures_visible_to(person), ids)


def is_owner(person, seizure: Seizure) -> bool:
    """Of the reporting organisation."""
    return is_reader(person) and person.organisation_id == seizure.organisation_id


def can_change(person, seizure: Seizure) -> bool:
    return can_file(person) and is_owner(person, seizure)


def can_share(person, seizure: Seizure) -> bool:
    return can_change(person, seizure) and seizure.status == Status.DRAFT


def can_close(person, seizure: Seizure) -> bool:
    return can_change(person, seizure) and seizure.status in (Status.SHARED, Status.UPDATED)


def can_write_in_thread(person, seizure: Seizure) -> bool:
    """The record's discussion thread has the record's audience: a colleague of the reporting organisation
    who is outside it may change the record, but does not write in (or read) its discussion."""
    return (
        seizure.thread_id is not None
        and can_file(person)
        and threads_visible_to(person).filter(pk=seizure.thread_id).exists()
    )


def can_see_nominal(person, seizure: Seizure) -> bool:
    if not is_reader(person):
        return False
    if person.organisation_id == seizure.organisation_id:
        return True
    return NominalGrant.objects.filter(seizure=seizure, organisation_id=person.organisation_id).exists()


def files_visible_to(person) -> QuerySet[SeizureFile]:
    """Photos and documents of the records the person may read."""
    return SeizureFile.objects.filter(seizure__in=seizures_visible_to(person))


def file_for(person, file_id: int) -> SeizureFile:
    """A photo or document of a record the person may read; checked again on every download."""
    try:
        return files_visible_to(person).select_related("seizure").get(pk=file_id)
    except SeizureFile.DoesNotExist:
        raise Http404 from None


def may_learn_of(person, other: Seizure) -> bool:
    """Whether a person may be told that ``other`` exists (as a related record): a draft is its
    organisation's business until it is shared."""
    return not other.is_draft or is_owner(person, other)


def link_is_open(seizure: Seizure, other: Seizure) -> bool:
    """Whether anyone may know of the link between two records: at once within one organisation; across
    organisations only once both are shared (then both owners are told together: seizures.notify)."""
    return seizure.organisation_id == other.organisation_id or not (seizure.is_draft or other.is_draft)


def visible_reasons(person, seizure: Seizure, other: Seizure, reasons: int, *, other_visible: bool) -> int:
    """The reasons of the link between ``seizure`` (which the person may read) and ``other`` that the
    person may be told; 0 means the link is not shown to them at all."""
    owner = is_owner(person, seizure)
    if not (owner or other_visible) or not may_learn_of(person, other) or not link_is_open(seizure, other):
        return 0
    if owner or (can_see_nominal(person, seizure) and can_see_nominal(person, other)):
        return reasons
    return reasons & ~NOMINAL_BITS


def link_for(person, seizure_id: int, other_id: int) -> tuple[Link, Seizure, Seizure]:
    """The link between the person's own organisation's record ``seizure_id`` and ``other_id``: (link, their
    record, the other), for someone of that organisation who may file."""
    try:
        link = Link.objects.select_related("low", "high").get(
            low_id=min(seizure_id, other_id), high_id=max(seizure_id, other_id)
        )
    except Link.DoesNotExist:
        raise Http404 from None
    own, other = (link.low, link.high) if link.low_id == seizure_id else (link.high, link.low)
    if not can_change(person, own) or not may_learn_of(person, other) or not link_is_open(own, other):
        raise Http404
    return link, own, other


def link_by_handle(person, handle: str) -> tuple[Link, Seizure, Seizure]:
    """``link_for`` by the handle the person's record page gives the other record (seizures.handles)."""
    found = handles.pair(handle)
    if found is None:
        raise Http404
    return link_for(person, *found)


def record_by_handle(person, handle: str) -> Seizure:
    """Where a handle takes a person: to the record it names if they may read it, else to the record it is
    seen from if they may read that one (the two sides of a request for contact each land on their own)."""
    found = handles.pair(handle)
    if found is None or not Link.objects.filter(low_id=min(found), high_id=max(found)).exists():
        raise Http404
    records = Seizure.objects.in_bulk(found)
    if len(records) < 2 or not link_is_open(*records.values()):
        raise Http404
    seen_from, other = found
    readable = set(seizures_visible_to(person).filter(pk__in=found).values_list("pk", flat=True))
    if other in readable:
        return seizure_for(person, other)
    if seen_from in readable:
        return seizure_for(person, seen_from)
    raise Http404


def withheld_match_for(person, seizure_id: int, withheld_id: int) -> WithheldMatch:
    """A followed company's match withheld from its follower (seizures.notify), for the people of the
    record's organisation who may change it: they decide whether to grant the follower's organisation or to
    offer contact. Nobody else, the follower included, learns it exists."""
    seizure = seizure_for(person, seizure_id)
    if not can_change(person, seizure):
        raise Http404
    try:
        match = WithheldMatch.objects.select_related("followed__person__organisation").get(
            pk=withheld_id, seizure=seizure
        )
    except WithheldMatch.DoesNotExist:
        raise Http404 from None
    match.seizure = seizure
    return match


def followed_searches_of(person) -> QuerySet[FollowedSearch]:
    return FollowedSearch.objects.filter(person=person) if is_reader(person) else FollowedSearch.objects.none()


def followed_search_for(person, search_id: int) -> FollowedSearch:
    try:
        return followed_searches_of(person).get(pk=search_id)
    except FollowedSearch.DoesNotExist:
        raise Http404 from None


def import_jobs_of(person) -> QuerySet[ImportJob]:
    """Only the person who started an import follows it."""
    return ImportJob.objects.filter(person=person) if can_file(person) else ImportJob.objects.none()


def import_job_for(person, job_id: int) -> ImportJob:
    try:
        return import_jobs_of(person).get(pk=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None


def column_mappings_of(person) -> QuerySet[ColumnMapping]:
    """The headers an organisation's imports have mapped: used by that organisation's people only (those who
    may file), whoever confirmed them."""
    if not can_file(person) or person.organisation_id is None:
        return ColumnMapping.objects.none()
    return ColumnMapping.objects.filter(organisation_id=person.organisation_id)


def can_report_for(person, country: str) -> bool:
    """A Party's treaty reports: its own people (not observers), and administrators for any Party."""
    if not can_file(person):
        return False
    # An international body has no country: "" is no Party.
    return person.is_administrator or (bool(country) and person.organisation.country == country)
