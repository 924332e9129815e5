from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from audit import access
from audit.models import Entry


def search_entries(
    *,
    person,
    action: str = "",
    actor: str = "",
    organisation_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Entry]:
    entries = access.entries_visible_to(person).select_related("organisation", "subject_organisation")
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if organisation_id:
        entries = entries.filter(organisation_id=organisation_id) | entries.filter(
            subject_organisation_id=organisation_id
        )
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        entries = entries.filter(at__lte=datetime.combine(until, time.max, tzinfo=zone))
    return entries.order_by("-seq")


def known_actions(person) -> list[str]:
    return sorted(set(access.entries_visible_to(person).values_list("action", flat=True).distinct()))
