"""Outputs of completed activities: the library items they produced, the participants trained (by country, and
by sex where it was reported) and the lessons learned. Like network.actions: the action checks access itself
(``Refused``) and validates itself (``Invalid``, by field), changes everything or nothing, and audits with
references only (item ids, country codes, counts, whether the lessons changed; never a title or the lessons).

Which activities take outputs: completed ones only. Outputs say what an activity did produce; before it is
completed, what it should produce is its "expected outputs" field, and an activity whose planned end has passed
without being marked completed may as well have been postponed or cancelled. Its lead marks it completed first
(one status change, dated in its history), then records what it produced. Outputs already recorded stay, and
stay shown, if the status changes again later (a correction of the status is not a reason to lose them).

Library items: a person links only items they may read in the library (library.access), and sees only those.
Links to items they may not read, made by someone else, are neither shown to them nor touched by their save.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Person
from audit.actions import record
from library import access as library_access
from messaging.actions import Refused
from network import access
from network.actions import Invalid
from network.models import Activity, Lessons, Output, Status, Trained

__all__ = ["TAKES_OUTPUTS", "Invalid", "OutputsDraft", "Refused", "TrainedRow", "output_problems", "record_outputs"]

TAKES_OUTPUTS = (Status.COMPLETED,)
LESSONS_LENGTH = 10000


@dataclass
class TrainedRow:
    country: str
    women: int = 0
    men: int = 0
    not_reported: int = 0

    @property
    def counts(self) -> tuple[int, int, int]:
        return (self.women, self.men, self.not_reported)


@dataclass
class OutputsDraft:
    """What the person typed: library item ids, one row per country trained, the lessons."""

    items: list[int] = field(default_factory=list)
    trained: list[TrainedRow] = field(default_factory=list)
    lessons: str = ""


def output_problems(draft: OutputsDraft) -> dict[str, str]:
    """What is wrong with the draft, by field ("trained" for the rows); empty when it may be saved. Whether the
    items may be read is checked on saving, against the person."""
    from accounts.places import country_codes

    errors: dict[str, str] = {}
    known = set(country_codes())
    countries = [row.country for row in draft.trained]
    unknown = sorted({code for code in countries if code not in known})
    if unknown:
        errors["trained"] = _("Unknown country codes: %(codes)s. Use two-letter ISO codes such as KE or FR.") % {
            "codes": ", ".join(unknown)
        }
    elif any(count < 0 for row in draft.trained for count in row.counts):
        errors["trained"] = _("The numbers of participants cannot be negative.")
    elif any(sum(row.counts) == 0 for row in draft.trained):
        errors["trained"] = _("Give at least one number of participants for each country, or leave its row empty.")
    elif len(set(countries)) != len(countries):
        errors["trained"] = _("Each country once: add its numbers in one row.")
    if len(draft.lessons) > LESSONS_LENGTH:
        errors["lessons"] = _("The lessons are limited to %(count)d characters.") % {"count": LESSONS_LENGTH}
    return errors


@transaction.atomic
def record_outputs(*, request, person: Person, activity: Activity, draft: OutputsDraft) -> bool:
    """Set the outputs of a completed activity to the draft (the items the person may read, the rows, the
    lessons). Returns whether anything changed; nothing changed, nothing recorded."""
    # Checked against the row as it is now, locked: not against what the caller read earlier.
    activity = Activity.objects.select_for_update().select_related("network").get(pk=activity.pk)
    if not access.can_edit(person, activity):
        raise Refused
    errors = output_problems(draft)
    if activity.status not in TAKES_OUTPUTS:
        errors["__all__"] = _("Outputs are recorded once the activity is completed: mark it completed first.")
    readable = library_access.items_visible_to(person)
    wanted = set(readable.filter(pk__in=draft.items).values_list("pk", flat=True))
    if wanted != set(draft.items):
        # An item missing and an item the person may not read get the same answer.
        errors["items"] = _("Choose items of the library that you may read.")
    if errors:
        raise Invalid(errors)

    # Items: only the links to items the person may read are theirs to change.
    linked = set(activity.outputs.filter(item__in=readable).values_list("item_id", flat=True))
    added, removed = sorted(wanted - linked), sorted(linked - wanted)
    activity.outputs.filter(item_id__in=removed).delete()
    Output.objects.bulk_create([Output(activity=activity, item_id=pk, added_by=person) for pk in added])

    # Participants trained: one row per country, replaced by what was given.
    before = {row.country: row for row in activity.trained.all()}
    given = {row.country: row for row in draft.trained}
    changed_countries = sorted(
        code
        for code in set(before) | set(given)
        if code not in before
        or code not in given
        or (before[code].women, before[code].men, before[code].not_reported) != given[code].counts
    )
    for code in changed_countries:
        if code not in given:
            before[code].delete()
            continue
        row = given[code]
        Trained.objects.update_or_create(
            activity=activity,
            country=code,
            defaults={"women": row.women, "men": row.men, "not_reported": row.not_reported},
        )

    # Lessons: one text per activity.
    lessons = draft.lessons.strip()
    current = Lessons.objects.filter(activity=activity).first()
    lessons_changed = (current.text if current else "") != lessons
    if lessons_changed:
        Lessons.objects.update_or_create(
            activity=activity, defaults={"text": lessons, "updated_by": person, "updated_at": timezone.now()}
        )

    if not (added or removed or changed_countries or lessons_changed):
        return False
    facts: dict[str, object] = {"network": activity.network_id}
    if added:
        facts["items_added"] = added
    if removed:
        facts["items_removed"] = removed
    if changed_countries:
        facts["trained_countries"] = changed_countries
        facts["trained_total"] = sum(sum(row.counts) for row in given.values())
    if lessons_changed:
        facts["lessons"] = "changed"
    record("network.outputs_recorded", request=request, actor=person, target=activity, changes=facts)
    return True
