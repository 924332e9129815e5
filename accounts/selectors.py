"""Reads about people and organisations, always through access."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from accounts import access
from accounts.models import ApiToken, Organisation, Person
from environet.compiled import Kept, Prepared, prepare

if TYPE_CHECKING:
    from messaging.selectors import Unread


def people_list(
    *, person: Person, query: str = "", state: str = "", organisation_id: int | None = None
) -> QuerySet[Person]:
    people = access.people_managed_by(person).select_related("organisation")
    if query:
        people = people.filter(full_name__icontains=query) | people.filter(email__icontains=query)
    if state:
        people = people.filter(state=state)
    if organisation_id:
        people = people.filter(organisation_id=organisation_id)
    return people.order_by("organisation__name", "full_name")


def waiting_requests(*, person: Person) -> QuerySet[Person]:
    return access.requests_decided_by(person).select_related("organisation").order_by("date_joined")


def organisations_list(*, person: Person) -> QuerySet[Organisation]:
    return access.organisations_managed_by(person).order_by("-proposed", "name")


def usual_topic_codes(*, organisation: Organisation | None, inviter: Person) -> list[str]:
    """The topics a newcomer of ``organisation`` is offered at first: those its active people follow (the
    organisation's remit as its officers see it), or, for an organisation nobody follows anything in yet,
    those the inviter follows. Only topics A–G: a forum is joined by being made a member of it."""
    from topics.models import TopicChoice

    followed = TopicChoice.objects.filter(topic__is_forum=False).exclude(delivery=TopicChoice.Delivery.NONE)
    if organisation is not None:
        codes = set(
            followed.filter(person__organisation=organisation, person__state=Person.State.ACTIVE).values_list(
                "topic__code", flat=True
            )
        )
        if codes:
            return sorted(codes)
    return sorted(set(followed.filter(person=inviter).values_list("topic__code", flat=True)))


@dataclass(frozen=True)
class Need:
    """One thing that needs the person now, said plainly: how many, in words, and where to see them."""

    count: int
    text: str
    url: str


def _first_or_list(ids: list, one, many: str) -> str:
    """The page of the one thing when there is only one, else the list they are in."""
    return one(ids[0]) if len(ids) == 1 else many


def home_summary(*, person: Person) -> dict:
    """What needs the person now, most urgent first, each through its own app's access rule (so nothing
    they may not see is counted), then their topics with what is unread in each. The same few queries
    whatever the amount of data."""
    from messaging.selectors import home_unread
    from topics.selectors import followed_topics, visible_topics

    visible = visible_topics(person)  # read once for the topics followed and the unread counts
    topics = followed_topics(person=person, visible=visible)
    unread, by_topic = home_unread(person=person, topics=topics, visible=visible)
    counts = {topic.pk: count for topic, count in by_topic}
    return {
        "needs": [need for need in _needs(person, unread) if need.count],
        "topics": topics,
        "topic_rows": [(topic, counts.get(topic.pk, 0)) for topic in topics],
    }


def _needs(person: Person, unread: "Unread") -> list[Need]:
    """``unread``: what ``messaging.selectors.home_unread`` says of the person's unread messages."""
    from assistance import selectors as assistance

    needs: list[Need] = []
    overdue = assistance.overdue_count(person=person)
    needs.append(
        Need(
            overdue,
            ngettext(
                "%(count)d request for assistance is overdue.",
                "%(count)d requests for assistance are overdue.",
                overdue,
            )
            % {"count": overdue},
            reverse("assistance:tracker") + "#overdue",
        )
    )
    waiting = assistance.waiting_count(person=person)
    needs.append(
        Need(
            waiting,
            ngettext(
                "%(count)d request for assistance is waiting for you.",
                "%(count)d requests for assistance are waiting for you.",
                waiting,
            )
            % {"count": waiting},
            reverse("assistance:tracker"),
        )
    )
    alerts = unread.alert_threads
    alert_count = unread.alerts
    needs.append(
        Need(
            alert_count,
            ngettext("%(count)d alert you have not read.", "%(count)d alerts you have not read.", alert_count)
            % {"count": alert_count},
            _first_or_list(alerts, lambda pk: reverse("messaging:thread", args=[pk]), reverse("messaging:overview")),
        )
    )
    mentions = unread.mentions
    needs.append(
        Need(
            mentions,
            ngettext(
                "%(count)d message mentions you and is unread.",
                "%(count)d messages mention you and are unread.",
                mentions,
            )
            % {"count": mentions},
            reverse("messaging:overview"),
        )
    )
    if access.can_manage_people(person):
        people = waiting_requests(person=person).count()
        needs.append(
            Need(
                people,
                ngettext(
                    "%(count)d access request is waiting for your decision.",
                    "%(count)d access requests are waiting for your decision.",
                    people,
                )
                % {"count": people},
                reverse("accounts:people"),
            )
        )
    needs.extend(_network_needs(person))
    needs.extend(_seizure_needs(person))
    in_topics = unread.in_topics
    needs.append(
        Need(
            in_topics,
            ngettext(
                "%(count)d message in your topics is unread.",
                "%(count)d messages in your topics are unread.",
                in_topics,
            )
            % {"count": in_topics},
            reverse("messaging:overview"),
        )
    )
    from seizures.selectors import newest_drafts

    drafts, draft_count = newest_drafts(person=person, most=2)
    needs.append(
        Need(
            draft_count,
            ngettext(
                "%(count)d seizure record of yours is a draft, not shared yet.",
                "%(count)d seizure records of yours are drafts, not shared yet.",
                draft_count,
            )
            % {"count": draft_count},
            _first_or_list(
                drafts, lambda pk: reverse("seizures:record", args=[pk]), reverse("seizures:records") + "?status=draft"
            ),
        )
    )
    return needs


_NETWORK_NEEDS: Kept[tuple[Prepared | None, Prepared | None]] = Kept(1024)


def _network_needs(person: Person) -> list[Need]:
    """Meeting invitations not answered yet, and open roadmap flags on activities of the person's
    organisation (or that they proposed), in the networks they see today (network.access)."""
    from django.db.models import Q
    from django.utils import timezone

    from messaging.access import is_reader
    from network.access import networks_visible_to
    from network.models import Activity, Flag, Participant, Participation

    def compiled() -> tuple[Prepared | None, Prepared | None]:
        networks = networks_visible_to(person)
        invited = (
            Participant.objects.filter(
                person=person,
                state=Participation.INVITED,
                meeting__network__in=networks,
                meeting__ends_on__gte=today,
            )
            .order_by("meeting__starts_on")
            .values_list("meeting__network__short_name", "meeting_id")
        )
        ours = Activity.objects.filter(Q(proposed_by=person) | Q(leads=person.organisation_id)).values("pk")
        flagged = (
            Flag.objects.filter(network__in=networks, closed_at__isnull=True)
            .filter(Q(first__in=ours) | Q(second__in=ours))
            .values_list("network__short_name")
        )
        return prepare(invited), prepare(flagged)

    # Compiled once per person and day (what the queries are built from): building them cost home more than
    # running them.
    today = timezone.localdate()
    key = (person.pk, person.organisation_id, person.is_administrator, is_reader(person), today)
    invited, flagged = _NETWORK_NEEDS.statement(key, compiled)
    invitations = [] if invited is None else invited.rows()
    flags = [] if flagged is None else [short_name for (short_name,) in flagged.rows()]
    flag_networks = sorted(set(flags))
    return [
        Need(
            len(invitations),
            ngettext(
                "%(count)d meeting invitation is waiting for your answer.",
                "%(count)d meeting invitations are waiting for your answer.",
                len(invitations),
            )
            % {"count": len(invitations)},
            _first_or_list(
                invitations, lambda found: reverse("network:meeting", args=found), reverse("network:networks")
            ),
        ),
        Need(
            len(flags),
            ngettext(
                "%(count)d roadmap flag on your organisation's activities is open.",
                "%(count)d roadmap flags on your organisation's activities are open.",
                len(flags),
            )
            % {"count": len(flags)},
            _first_or_list(
                flag_networks, lambda short: reverse("network:flags", args=[short]), reverse("network:networks")
            ),
        ),
    ]


def _seizure_needs(person: Person) -> list[Need]:
    from seizures.selectors import NOTICE_WINDOW_DAYS, noticed_records

    records = noticed_records(person=person)
    count = len(records)
    return [
        Need(
            count,
            ngettext(
                "%(count)d seizure record is related to yours or matches a search you follow (last %(days)d days).",
                "%(count)d seizure records are related to yours or match a search you follow (last %(days)d days).",
                count,
            )
            % {"count": count, "days": NOTICE_WINDOW_DAYS},
            _first_or_list(
                [record.pk for record in records],
                lambda pk: reverse("seizures:record", args=[pk]),
                reverse("seizures:following"),
            ),
        )
    ]


def api_tokens(*, person: Person) -> QuerySet[ApiToken]:
    """The person's own API tokens, newest first, revoked and expired ones included (with their dates)."""
    return ApiToken.objects.filter(person=person)


def service_tokens(*, person: Person, organisation: Organisation) -> QuerySet[ApiToken]:
    """The organisation's service tokens for someone who manages them (none for anyone else), newest first,
    revoked and expired ones included (with their dates)."""
    if not access.can_manage_service_tokens(person, organisation):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(
        person__organisation=organisation, person__state=Person.State.SERVICE
    ).select_related("made_by")
