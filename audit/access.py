"""Who may read which part of the audit trail."""

from django.db.models import Q, QuerySet

from audit.models import Entry


def can_browse(person) -> bool:
    return person.is_authenticated and (person.is_administrator or person.is_focal_point)


def entries_visible_to(person) -> QuerySet[Entry]:
    """Administrators see everything; a focal point sees what their organisation's people did and what
    was done to their organisation or its people."""
    if not person.is_authenticated:
        return Entry.objects.none()
    if person.is_administrator:
        return Entry.objects.all()
    if person.is_focal_point:
        mine = person.organisation_id
        return Entry.objects.filter(Q(organisation_id=mine) | Q(subject_organisation_id=mine))
    return Entry.objects.none()
