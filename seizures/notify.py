"""Telling people about seizure records: related records found, and new records matching followed searches.

The work runs in the task queue after the transaction commits. Each person gets a live notice on their
open pages and, by their choice, an email, in their own language, saying only what they may know:
- the owners of two related records learn the other record's organisation and why they are related
  (its reference and facts only if they may read it);
- a follower learns of a new record only if they may read it; AMBER, AMBER+STRICT and RED records never
  put their content in an email.
"""

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from accounts.models import Person
from environet.mail import absolute, send_after_commit
from messaging import actions as messaging
from messaging.access import marking_allows_email_content
from seizures import access
from seizures.models import CONVENTION_TOPICS, FollowedSearch, Link, MatchKey, Seizure
from topics.models import TopicChoice

EMAIL_DELIVERIES = (TopicChoice.Delivery.LIVE_AND_EMAIL, TopicChoice.Delivery.LIVE_AND_DIGEST)


def related_after_commit(seizure_id: int, new: dict[int, int]) -> None:
    pairs = {str(other): reasons for other, reasons in new.items()}
    transaction.on_commit(lambda: tell_related.enqueue(seizure_id=seizure_id, others=pairs))


def followers_after_commit(seizure_id: int) -> None:
    transaction.on_commit(lambda: tell_followers.enqueue(seizure_id=seizure_id))


def reasons_text(reasons: int) -> str:
    """ "same container, same company" in the active language."""
    kinds = [kind for kind in MatchKey.Kind if reasons & (1 << kind.value)]
    return ", ".join(str(kind.label) for kind in kinds)


def wants_email(person: Person, seizure: Seizure) -> bool:
    """Related records reach people by email when they chose email (at once or daily) for one of the
    record's topics."""
    codes = {CONVENTION_TOPICS.get(line.convention, "G") for line in seizure.lines.all()} or {"G"}
    return TopicChoice.objects.filter(person=person, topic__code__in=codes, delivery__in=EMAIL_DELIVERIES).exists()


def _tell_owner(own: Seizure, other: Seizure, reasons: int) -> None:
    officer = own.officer
    if not officer.is_active:
        return
    path = reverse("seizures:record", args=[own.pk]) + "#related"
    link = absolute(path)
    context = {
        "person": officer,
        "own": own,
        "organisation": other.organisation,
        "link": link,
        # The email is about the officer's own record: its marking says what the email may hold.
        "with_content": marking_allows_email_content(own.marking),
    }
    with translation.override(officer.language):
        context["reasons"] = reasons_text(reasons)
    # Ids only: the notice is worded when shown, through the access rule of that day (seizures.notices).
    messaging.notice(person=officer, about="seizure.related", record=own.pk, other=other.pk)
    if wants_email(officer, own):
        send_after_commit(
            to=officer.email, template="seizures/email/related", language=officer.language, context=context
        )


@task()
def tell_related(*, seizure_id: int, others: dict[str, int], announce: bool = False) -> int:
    """The owners of each newly related pair are told, each of the other record once it is shared (a draft
    is its organisation's business). With ``announce`` (the record was just shared), only the other
    records' owners are told: its own officer heard of the links when they were found. Returns how many
    people were told."""
    seizure = Seizure.objects.select_related("officer", "organisation").filter(pk=seizure_id).first()
    if seizure is None:
        return 0
    told = 0
    records = Seizure.objects.select_related("officer", "organisation").in_bulk([int(pk) for pk in others])
    with transaction.atomic():
        for pk, other in records.items():
            reasons = others[str(pk)]
            if not Link.objects.filter(low_id=min(pk, seizure_id), high_id=max(pk, seizure_id)).exists():
                continue  # undone meanwhile
            if not announce and access.may_learn_of(seizure.officer, other):
                _tell_owner(seizure, other, reasons)
                told += 1
            if other.officer_id != seizure.officer_id and access.may_learn_of(other.officer, seizure):
                _tell_owner(other, seizure, reasons)
                told += 1
    return told


def shared_after_commit(seizure: Seizure) -> None:
    """A draft was shared: the owners of the records it is related to, who could not be told of a draft,
    are told now."""
    links = Link.objects.filter(Q(low=seizure) | Q(high=seizure)).values_list("low_id", "high_id", "reasons")
    pairs = {str(high if low == seizure.pk else low): reasons for low, high, reasons in links}
    if pairs:
        seizure_id = seizure.pk
        transaction.on_commit(lambda: tell_related.enqueue(seizure_id=seizure_id, others=pairs, announce=True))


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


@task()
def tell_followers(*, seizure_id: int) -> int:
    seizure = Seizure.objects.select_related("organisation").filter(pk=seizure_id).first()
    if seizure is None or seizure.is_draft:
        return 0
    told = set()
    link = absolute(reverse("seizures:record", args=[seizure.pk]))
    with transaction.atomic():
        found = followers_of(seizure)
        # Several of a person's searches may match: one notice, and an email if any of them asks for one.
        by_email = {followed.person_id for followed in found if followed.by_email}
        for followed in found:
            person = followed.person
            if person.pk in told:
                continue  # several of their searches match: one notice is enough
            told.add(person.pk)
            messaging.notice(person=person, about="seizure.match", record=seizure.pk, search=followed.pk)
            if person.pk in by_email:
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
                        "link": link,
                        "preferences": absolute(reverse("seizures:following")),
                    },
                )
    return len(told)
