"""Who may see and do what with seizure records: the only place these rules live.

- A record's non-nominal facts: everyone in the reporting organisation, from the first draft; once it is
  shared, its audience too (the same audience rule as messages, messaging.access.audience_rule).
- Its nominal data (persons and companies involved): only the reporting organisation and the
  organisations it explicitly grants; nobody else, administrators included.
- Filing and changing records: people of the reporting organisation who may post (not observers).
- Related records: a person sees a link from a record they may read to another one if they may read the
  other one too, or if the record is their organisation's own and the other one is not another
  organisation's draft (the owner is told "a related record exists
  at organisation X", and may ask for contact). A reason that comes from nominal data is shown only to
  the owner, or to someone who may read the nominal data of both records.

Fetching an object answers 404 both when it is missing and when it is forbidden.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from messaging.access import audience_rule, can_post, is_reader, threads_visible_to
from seizures.models import FollowedSearch, ImportJob, Link, MatchKey, NominalGrant, Seizure, SeizureFile, Status

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
    shared = ~Q(status=Status.DRAFT) & audience_rule(person, author="officer")
    # The audience joins many-to-many tables: select ids first so no record comes twice.
    visible = Seizure.objects.filter(own | shared).values("pk")
    return Seizure.objects.filter(pk__in=visible)


def seizure_for(person, seizure_id: int) -> Seizure:
    try:
        return seizures_visible_to(person).select_related("organisation", "officer").get(pk=seizure_id)
    except Seizure.DoesNotExist:
        raise Http404 from None


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


def file_for(person, file_id: int) -> SeizureFile:
    """A photo or document of a record the person may read; checked again on every download."""
    try:
        return SeizureFile.objects.select_related("seizure").get(pk=file_id, seizure__in=seizures_visible_to(person))
    except SeizureFile.DoesNotExist:
        raise Http404 from None


def may_learn_of(person, other: Seizure) -> bool:
    """Whether a person may be told that ``other`` exists (as a related record): a draft is its
    organisation's business until it is shared."""
    return not other.is_draft or is_owner(person, other)


def visible_reasons(person, seizure: Seizure, other: Seizure, reasons: int, *, other_visible: bool) -> int:
    """The reasons of the link between ``seizure`` (which the person may read) and ``other`` that the
    person may be told; 0 means the link is not shown to them at all."""
    owner = is_owner(person, seizure)
    if not (owner or other_visible) or not may_learn_of(person, other):
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
    if not can_change(person, own) or not may_learn_of(person, other):
        raise Http404
    return link, own, other


def followed_searches_of(person) -> QuerySet[FollowedSearch]:
    return FollowedSearch.objects.filter(person=person) if is_reader(person) else FollowedSearch.objects.none()


def followed_search_for(person, search_id: int) -> FollowedSearch:
    try:
        return followed_searches_of(person).get(pk=search_id)
    except FollowedSearch.DoesNotExist:
        raise Http404 from None


def import_job_for(person, job_id: int) -> ImportJob:
    """Only the person who started an import follows it."""
    if not can_file(person):
        raise Http404
    try:
        return ImportJob.objects.get(pk=job_id, person=person)
    except ImportJob.DoesNotExist:
        raise Http404 from None


def can_report_for(person, country: str) -> bool:
    """A Party's treaty reports: its own people (not observers), and administrators for any Party."""
    if not can_file(person):
        return False
    # An international body has no country: "" is no Party.
    return person.is_administrator or (bool(country) and person.organisation.country == country)
