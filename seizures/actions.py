"""Writes on seizure records: check access, validate, change, audit, correlate, notify after commit.

Each action runs in one transaction, so a record is saved whole or not at all; its files are removed
again if the transaction fails. Nominal data never reaches the audit trail, the search index or events.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Organisation, Person
from audit.actions import record
from messaging import actions as messaging
from messaging import attachments
from messaging.attachments import Upload
from messaging.models import Audience, Marking, Message
from seizures import access, correlation, nominal, notify, search
from seizures.models import (
    CONVENTION_TOPICS,
    CommodityLine,
    FollowedSearch,
    Link,
    NominalEntry,
    NominalGrant,
    Seizure,
    SeizureFile,
    Status,
    StatusChange,
    as_list_field,
)
from topics.models import Topic

# The non-nominal facts a form or an import sets on a record.
FACTS = (
    *("occurred_on", "country", "place", "locode", "detection_method"),
    *("transport_mode", "vessel_imo", "vessel_name", "flight_number", "vehicle", "tracking_number"),
    *("containers", "air_waybill", "origin_country", "export_country", "transit_countries", "destination_country"),
    *("declared_goods", "found_goods", "concealment", "concealment_details", "summary"),
    *("reason", "legal_basis", "sanction", "disposal", "traffic_types"),
    *("source_reliability", "information_credibility"),
)
LIST_FACTS = ("containers", "transit_countries", "traffic_types")
LINE_FIELDS = (
    *("convention", "code", "specimen_type", "description", "cas_number", "vessel_imo", "vessel_name"),
    *("hs_code", "quantity", "unit", "value", "currency", "reference_version"),
)


@dataclass
class Saved:
    """What a save wrote, as the correlation and the search index need it (not read back)."""

    lines: list[CommodityLine]
    people: list[tuple[NominalEntry, nominal.Nominal]]


class Refused(Exception):
    """The change is not allowed; views answer as if the object did not exist."""


@dataclass
class Involved:
    """A person or company involved, as the form or import gave it."""

    kind: str
    role: str
    data: nominal.Nominal


@dataclass
class Filing:
    """A record as its officer composed it (validated by the forms)."""

    facts: dict[str, Any]
    lines: list[dict[str, Any]]
    involved: list[Involved] = field(default_factory=list)
    marking: str = Marking.AMBER
    audience: str = Audience.NETWORK
    organisations: Sequence[Organisation] = ()
    countries: Sequence[str] = ()
    people: Sequence[Person] = ()
    files: Sequence[Upload] = ()


def _apply(seizure: Seizure, filing: Filing) -> list[str]:
    """Set the facts and audience on the record; returns the names of the facts that changed."""
    changed = []
    for name in FACTS:
        value = filing.facts.get(name, "")
        if name in LIST_FACTS:
            value = as_list_field(value)
        if getattr(seizure, name) != value:
            changed.append(name)
            setattr(seizure, name, value)
    columns = messaging.audience_columns(marking=filing.marking, audience=filing.audience, countries=filing.countries)
    for name, value in columns.items():
        if getattr(seizure, name) != value:
            changed.append(name)
            setattr(seizure, name, value)
    return changed


def _save_parts(seizure: Seizure, filing: Filing, *, author: Person, written: list[Path]) -> Saved:
    """The lines, the persons and companies involved, the audience members, and new files."""
    seizure.lines.all().delete()
    lines = CommodityLine.objects.bulk_create(
        [
            CommodityLine(seizure=seizure, position=position, **{name: _value(line, name) for name in LINE_FIELDS})
            for position, line in enumerate(filing.lines)
        ]
    )
    seizure.nominal_entries.all().delete()
    entries = []
    for position, involved in enumerate(filing.involved):
        entry = NominalEntry(seizure=seizure, position=position, kind=involved.kind, role=involved.role)
        nominal.seal(entry, involved.data)
        entries.append(entry)
    NominalEntry.objects.bulk_create(entries)  # with their ids: the matching keys point at them
    messaging.set_audience_members(
        seizure,
        audience=filing.audience,
        organisations=filing.organisations,
        people=filing.people,
        # Named people always include the officer who filed it, not whoever saves a change.
        author=seizure.officer,
    )
    for upload in filing.files:
        SeizureFile.objects.create(
            seizure=seizure, added_by=author, **attachments.write(upload=upload, written=written)
        )
    return Saved(
        lines=lines, people=[(entry, involved.data) for entry, involved in zip(entries, filing.involved, strict=True)]
    )


def _value(line: dict[str, Any], name: str) -> Any:
    """A line's field as stored: a missing quantity or value is unknown (None), a missing text is empty. A
    quantity of 0 stays 0."""
    value = line.get(name)
    if value is None or value == "":
        return None if name in ("quantity", "value") else ""
    return value


def _history(seizure: Seizure, status: str, by: Person, note: str = "") -> None:
    StatusChange.objects.create(seizure=seizure, status=status, by=by, note=note[:300])


def file_seizure(*, request, officer: Person, filing: Filing, share: bool = False) -> Seizure:
    """A new record, saved as a draft (seen by the reporting organisation only) or shared at once."""
    with attachments.removed_on_failure() as written:
        return _file(request=request, officer=officer, filing=filing, share=share, written=written)


@transaction.atomic
def _file(*, request, officer: Person, filing: Filing, share: bool, written: list[Path]) -> Seizure:
    if not access.can_file(officer):
        raise Refused
    _check_red(filing)
    seizure = Seizure(organisation=officer.organisation, officer=officer)
    _apply(seizure, filing)
    seizure.save()
    seizure.reference = f"{officer.organisation.country or 'INT'}-{seizure.occurred_on.year}-{seizure.pk:06d}"
    seizure.save(update_fields=["reference"])
    saved = _save_parts(seizure, filing, author=officer, written=written)
    _history(seizure, Status.DRAFT, officer)
    record(
        "seizure.filed",
        request=request,
        actor=officer,
        target=seizure,
        changes={"lines": len(filing.lines), "involved": len(filing.involved), "files": len(filing.files)},
    )
    _after_save(seizure, saved, new=True)
    if share:
        _share(request=request, person=officer, seizure=seizure, filed_now=True)
    return seizure


def _check_red(filing: Filing) -> None:
    if filing.marking == Marking.RED and (filing.audience != Audience.PEOPLE or not filing.people):
        raise Refused  # the form says why; this guards every other caller


def _after_save(seizure: Seizure, saved: Saved, *, new: bool) -> None:
    search.index(seizure, lines=saved.lines)
    related = correlation.correlate(seizure, lines=saved.lines, people=saved.people, new=new)
    if related.new:
        notify.related_after_commit(seizure.pk, related.new)


def update_seizure(*, request, person: Person, seizure: Seizure, filing: Filing) -> Seizure:
    with attachments.removed_on_failure() as written:
        return _update(request=request, person=person, seizure=seizure, filing=filing, written=written)


@transaction.atomic
def _update(*, request, person: Person, seizure: Seizure, filing: Filing, written: list[Path]) -> Seizure:
    seizure = Seizure.objects.select_for_update().get(pk=seizure.pk)
    if not access.can_change(person, seizure) or seizure.status == Status.CLOSED:
        raise Refused
    _check_red(filing)
    changed = _apply(seizure, filing)
    seizure.updated_at = timezone.now()
    if seizure.status == Status.SHARED:
        seizure.status = Status.UPDATED
    seizure.save()
    saved = _save_parts(seizure, filing, author=person, written=written)
    record(
        "seizure.updated",
        request=request,
        actor=person,
        target=seizure,
        # Only which facts changed: values may be long, and the lines and involved parties are not listed.
        changes={"facts": changed, "lines": len(filing.lines), "involved": len(filing.involved)},
    )
    if seizure.thread_id is not None:
        _history(seizure, Status.UPDATED, person)
        _sync_thread(seizure, person)
        _post(seizure, person, "seizures/thread_updated.md")
    _after_save(seizure, saved, new=False)
    return seizure


def _topics_of(seizure: Seizure) -> list[Topic]:
    codes = {CONVENTION_TOPICS.get(line.convention, "G") for line in seizure.lines.all()} or {"G"}
    return list(Topic.objects.filter(code__in=codes, is_forum=False))


def _thread_text(seizure: Seizure, template: str, person: Person) -> str:
    with translation.override(person.language):
        return render_to_string(template, {"seizure": seizure, "lines": list(seizure.lines.all())}).strip()


def _share(*, request, person: Person, seizure: Seizure, filed_now: bool = False) -> None:
    with translation.override(person.language):
        subject = render_to_string("seizures/thread_subject.txt", {"seizure": seizure}).strip()[:200]
    draft = messaging.Draft(
        subject=subject,
        topics=_topics_of(seizure),
        kind=Message.Kind.SEIZURE_NOTICE,
        body=_thread_text(seizure, "seizures/thread_body.md", person),
        marking=seizure.marking,
        audience=seizure.audience,
        organisations=list(seizure.audience_organisations.all()),
        countries=seizure.country_codes,
        people=list(seizure.audience_people.all()),
    )
    thread = messaging.start_thread(request=request, author=person, draft=draft)
    seizure.status, seizure.thread, seizure.updated_at = Status.SHARED, thread, timezone.now()
    seizure.save(update_fields=["status", "thread", "updated_at"])
    _history(seizure, Status.SHARED, person)
    record("seizure.shared", request=request, actor=person, target=seizure, changes={"thread": thread.pk})
    notify.followers_after_commit(seizure.pk)
    if not filed_now:
        notify.shared_after_commit(seizure)


@transaction.atomic
def share_seizure(*, request, person: Person, seizure: Seizure) -> None:
    """Share a draft with its audience: its discussion thread opens under the matching topics, and those
    who follow them, or follow a search it matches, are told at once."""
    seizure = Seizure.objects.select_for_update().get(pk=seizure.pk)
    if not access.can_share(person, seizure):
        raise Refused
    _share(request=request, person=person, seizure=seizure)


def _sync_thread(seizure: Seizure, person: Person) -> None:
    """The discussion thread is for the record's audience, whatever it becomes."""
    thread = seizure.thread
    assert thread is not None
    columns = messaging.audience_columns(
        marking=seizure.marking, audience=seizure.audience, countries=seizure.country_codes
    )
    for name, value in columns.items():
        setattr(thread, name, value)
    thread.save(update_fields=list(columns))
    messaging.set_audience_members(
        thread,
        audience=seizure.audience,
        organisations=list(seizure.audience_organisations.all()),
        people=[someone for someone in seizure.audience_people.all() if someone.pk != thread.author_id],
        author=thread.author,
    )


def _post(seizure: Seizure, person: Person, template: str) -> None:
    thread = seizure.thread
    assert thread is not None
    if thread.is_locked or not access.can_write_in_thread(person, seizure):
        return
    messaging.reply(
        request=None,
        author=person,
        thread=thread,
        kind=Message.Kind.SEIZURE_NOTICE,
        body=_thread_text(seizure, template, person),
    )


@transaction.atomic
def close_seizure(*, request, person: Person, seizure: Seizure, note: str = "") -> None:
    seizure = Seizure.objects.select_for_update().get(pk=seizure.pk)
    if not access.can_close(person, seizure):
        raise Refused
    seizure.status, seizure.updated_at = Status.CLOSED, timezone.now()
    seizure.save(update_fields=["status", "updated_at"])
    _history(seizure, Status.CLOSED, person, note)
    record("seizure.closed", request=request, actor=person, target=seizure)
    if seizure.thread_id is not None:
        _post(seizure, person, "seizures/thread_closed.md")


@transaction.atomic
def set_grants(*, request, person: Person, seizure: Seizure, organisations: Sequence[Organisation]) -> None:
    """Which organisations, besides the reporting one, may read the record's nominal data."""
    if not access.can_change(person, seizure):
        raise Refused
    wanted = {organisation.pk for organisation in organisations if organisation.pk != seizure.organisation_id}
    current = set(NominalGrant.objects.filter(seizure=seizure).values_list("organisation_id", flat=True))
    NominalGrant.objects.filter(seizure=seizure, organisation_id__in=current - wanted).delete()
    NominalGrant.objects.bulk_create(
        [NominalGrant(seizure=seizure, organisation_id=pk, granted_by=person) for pk in sorted(wanted - current)]
    )
    if wanted != current:
        record(
            "seizure.nominal_grants",
            request=request,
            actor=person,
            target=seizure,
            changes={"granted": sorted(wanted - current), "withdrawn": sorted(current - wanted)},
        )


def nominal_viewed(*, request, person: Person, seizure: Seizure) -> None:
    """Reading nominal data is recorded, as downloads are."""
    record("seizure.nominal_viewed", request=request, actor=person, target=seizure)


def download_file(*, request, person: Person, stored: SeizureFile, thumbnail: bool = False) -> bytes:
    content = attachments.content_of(stored, thumbnail=thumbnail)
    record(
        "seizure.file_downloaded",
        request=request,
        actor=person,
        target=stored,
        changes={"seizure": stored.seizure_id, "part": "thumbnail" if thumbnail else "file"},
        subject_organisation=stored.seizure.organisation,
    )
    return content


@transaction.atomic
def ask_for_contact(*, request, person: Person, link: Link, own: Seizure, other: Seizure, note: str = "") -> int:
    """Open a TLP:RED conversation between the person and the officer who filed the related record, saying
    only what both already know: the two references and why they are related. Returns the thread id."""
    if not access.can_change(person, own):
        raise Refused
    officer = other.officer
    with translation.override(officer.language):
        context = {"person": person, "own": own, "other": other, "link": link, "note": note}
        subject = render_to_string("seizures/contact_subject.txt", context).strip()[:200]
        body = render_to_string("seizures/contact_body.md", context).strip()
    draft = messaging.Draft(
        subject=subject,
        topics=_topics_of(own) or _topics_of(other),
        kind=Message.Kind.REQUEST,
        body=body,
        marking=Marking.RED,
        audience=Audience.PEOPLE,
        people=[officer],
    )
    thread = messaging.start_thread(request=request, author=person, draft=draft)
    record("seizure.contact_asked", request=request, actor=person, target=own, changes={"related": other.pk})
    return thread.pk


@transaction.atomic
def follow_search(
    *, request, person: Person, name: str, convention: str, code: str, country: str, company: str, by_email: bool
) -> FollowedSearch:
    if not access.can_read(person):
        raise Refused
    followed = FollowedSearch(
        person=person, name=name, convention=convention, code=code, country=country, by_email=by_email
    )
    if company:
        key = nominal.company_key(company)
        followed.company_digest = nominal.digest(f"company:{key}")
        followed.company_sealed = nominal.seal_text(company, context=f"followed-company:{person.pk}")
    followed.save()
    record(
        "settings.search_followed",
        request=request,
        actor=person,
        target=person,
        changes={"search": followed.pk, "convention": convention, "code": code, "country": country},
    )
    return followed


@transaction.atomic
def unfollow_search(*, request, person: Person, followed: FollowedSearch) -> None:
    if followed.person_id != person.pk:
        raise Refused
    record("settings.search_unfollowed", request=request, actor=person, target=person, changes={"search": followed.pk})
    followed.delete()
