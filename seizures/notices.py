"""What the seizure notices say, worded when they are shown (environet.notices), through today's access rule.

A notice row holds only ids; each renderer below reads the records again and says only what the person
may know now, or nothing (None) when they may no longer know of it: a link taken back, a record moved out
of their reach, a search they stopped following.

- ``seizure.related`` (``record``, ``other``): a record of the person's organisation is related to another.
- ``seizure.related_import`` (``job``, ``records``): an import made links to several of the person's records,
  told once (seizures.notify.tell_related_import).
- ``seizure.import_expired`` (``job``): the person's import waited for their answer too long and expired.
- ``seizure.match`` (``record``, ``search``): a new shared record matches a search the person follows
  (on a company: only while they may read the record's nominal data).
- ``seizure.followed_company`` (``record``, ``withheld``): someone in organisation X follows a company the
  person's organisation's record names (the follower, outside the record's grant, was told nothing).
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from environet import notices
from seizures import access
from seizures.models import FollowedSearch, ImportJob, Link, Seizure, WithheldMatch
from seizures.notify import reasons_text


def _id(references: dict[str, Any], name: str) -> int | None:
    value = references.get(name)
    return value if isinstance(value, int) else None


@notices.renderer("seizure.related")
def related(person, references: dict[str, Any]) -> notices.Shown | None:
    own_id, other_id = _id(references, "record"), _id(references, "other")
    if own_id is None or other_id is None:
        return None
    records = Seizure.objects.select_related("organisation").in_bulk([own_id, other_id])
    own, other = records.get(own_id), records.get(other_id)
    if own is None or other is None or not access.is_owner(person, own):
        return None
    link = Link.objects.filter(low_id=min(own_id, other_id), high_id=max(own_id, other_id)).first()
    if link is None:
        return None  # taken back since
    other_visible = access.seizures_visible_to(person).filter(pk=other_id).exists()
    reasons = access.visible_reasons(person, own, other, link.reasons, other_visible=other_visible)
    if not reasons:
        return None
    text = _("%(reference)s is related to a record of %(organisation)s: %(reasons)s.") % {
        "reference": own.reference,
        "organisation": other.organisation,
        "reasons": reasons_text(reasons),
    }
    return notices.Shown(text=text, url=reverse("seizures:record", args=[own.pk]) + "#related")


@notices.renderer("seizure.related_import")
def related_import(person, references: dict[str, Any]) -> notices.Shown | None:
    job_id, ids = _id(references, "job"), references.get("records")
    if job_id is None or not isinstance(ids, list):
        return None
    job = ImportJob.objects.select_related("organisation").filter(pk=job_id).first()
    if job is None:
        return None
    own = [
        seizure
        for seizure in Seizure.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
        if access.is_owner(person, seizure)
    ]
    if not own:
        return None  # moved out of their reach since
    if job.person_id == person.pk:
        text = _("Your import of %(imported)d records: %(related)d have related records.") % {
            "imported": len(job.created),
            "related": len(own),
        }
        return notices.Shown(text=text, url=reverse("seizures:import_job", args=[job.pk]))
    text = _("An import by %(organisation)s holds records related to %(related)d of your records.") % {
        "organisation": job.organisation,
        "related": len(own),
    }
    return notices.Shown(text=text, url=reverse("seizures:record", args=[own[0].pk]) + "#related")


@notices.renderer("seizure.import_expired")
def import_expired(person, references: dict[str, Any]) -> notices.Shown | None:
    job_id = _id(references, "job")
    job = access.import_jobs_of(person).filter(pk=job_id).first() if job_id is not None else None
    if job is None or job.state != ImportJob.State.EXPIRED:
        return None
    text = _("Your import of %(file)s expired without being finished; nothing was saved.") % {"file": job.file_name}
    return notices.Shown(text=text, url=reverse("seizures:import_job", args=[job.pk]))


@notices.renderer("seizure.match")
def match(person, references: dict[str, Any]) -> notices.Shown | None:
    seizure_id, search_id = _id(references, "record"), _id(references, "search")
    if seizure_id is None or search_id is None:
        return None
    followed = FollowedSearch.objects.filter(pk=search_id, person=person).first()
    seizure = access.seizures_visible_to(person).filter(pk=seizure_id).first()
    if followed is None or seizure is None or seizure.is_draft:
        return None
    if followed.company_digest and not access.can_see_nominal(person, seizure):
        return None  # a match on a company tells whom the record names: only inside its grant
    text = _("New seizure record %(reference)s (%(marking)s) matches “%(search)s”.") % {
        "reference": seizure.reference,
        "marking": seizure.get_marking_display(),
        "search": followed.name,
    }
    return notices.Shown(text=text, url=reverse("seizures:record", args=[seizure.pk]))


@notices.renderer("seizure.followed_company")
def followed_company(person, references: dict[str, Any]) -> notices.Shown | None:
    seizure_id, withheld_id = _id(references, "record"), _id(references, "withheld")
    if seizure_id is None or withheld_id is None:
        return None
    match = (
        WithheldMatch.objects.select_related("seizure", "followed__person__organisation")
        .filter(pk=withheld_id, seizure_id=seizure_id)
        .first()
    )
    if match is None or not access.can_change(person, match.seizure):
        return None
    text = _("Someone in %(organisation)s follows a company named in your record %(reference)s.") % {
        "organisation": match.followed.person.organisation,
        "reference": match.seizure.reference,
    }
    return notices.Shown(text=text, url=reverse("seizures:followed_company", args=[seizure_id, withheld_id]))
