"""Writes on seizure records: check access, validate, change, audit, correlate, notify after commit.

Each action runs in one transaction, so a record is saved whole or not at all; its files are removed
again if the transaction fails. Nominal data never reaches the audit trail, the search index or events.
"""

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import throttle
from accounts.models import Organisation, Person
from audit.actions import record, record_each
from environet import bulk
from messaging import actions as messaging
from messaging import attachments
from messaging.access import marking_refusal
from messaging.attachments import Upload
from messaging.models import Audience, Marking, Message
from seizures import access, correlation, handles, nominal, notify, search
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
    WithheldMatch,
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
    *("hs_code", "quantity", "approximate", "unit", "value", "currency", "reference_version"),
)


NOMINAL_SAVES_SECONDS = 60 * 60  # SEIZURE_NOMINAL_SAVES_PER_HOUR refill over an hour


@dataclass
class Saved:
    """What a save wrote, as the correlation and the search index need it (not read back)."""

    lines: list[CommodityLine]
    people: list[tuple[NominalEntry, nominal.Nominal]]


# One refusal for both apps: sharing a record starts a thread, and whoever calls either hears the same error.
Refused = messaging.Refused


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
    if name == "approximate":
        return bool(value)
    if value is None or value == "":
        return None if name in ("quantity", "value") else ""
    return value


def _history(seizure: Seizure, status: str, by: Person, note: str = "") -> None:
    StatusChange.objects.create(seizure=seizure, status=status, by=by, note=note[:300])


class TooManyNominalSaves(Exception):
    """The person has saved persons or companies involved too often within the hour: nothing was saved."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    @property
    def message(self) -> str:
        return _(
            "You have saved persons or companies involved in many records within the hour. So that nobody can "
            "guess at names by trying them, ENVIRONET takes at most %(limit)d such saves an hour from one "
            "person: please try again in a few minutes. Nothing was saved."
        ) % {"limit": self.limit}


def _spend_nominal_save(*, request, person: Person) -> None:
    """Each save that names persons or companies (a new record, or new names on one) is a guess tested
    against every other record's names: at most SEIZURE_NOMINAL_SAVES_PER_HOUR an hour per person, refilling
    steadily (a token bucket in the database, as for signing in). A refusal is audited, so administrators
    see who was slowed down; it is written outside the save's transaction, which it stops."""
    per_hour = settings.SEIZURE_NOMINAL_SAVES_PER_HOUR
    if per_hour <= 0:
        return
    if not throttle.take(throttle.key("seizure-nominal", str(person.pk)), (per_hour, NOMINAL_SAVES_SECONDS)):
        record(
            "seizure.nominal_saves_throttled",
            request=request,
            actor=person,
            target=person,
            changes={"limit": per_hour, "seconds": NOMINAL_SAVES_SECONDS},
        )
        raise TooManyNominalSaves(per_hour)


def _names_change(seizure: Seizure, filing: Filing) -> bool:
    """Whether saving ``filing`` puts new names on the record (removing them all guesses nothing)."""
    if not filing.involved:
        return False
    current = [(entry.kind, nominal.unseal(entry)) for entry in seizure.nominal_entries.order_by("position")]
    return current != [(involved.kind, involved.data) for involved in filing.involved]


def file_seizure(*, request, officer: Person, filing: Filing, share: bool = False) -> Seizure:
    """A new record, saved as a draft (seen by the reporting organisation only) or shared at once. Raises
    TooManyNominalSaves when it names persons or companies and the officer has done so too often lately.
    Within ``filing_together`` (an import), the record is checked now and written when the block ends."""
    later = _file_later(request=request, officer=officer, filing=filing, share=share)
    if later is not None:
        return later
    if filing.involved:
        _spend_nominal_save(request=request, person=officer)
    with attachments.removed_on_failure() as written:
        return _file(request=request, officer=officer, filing=filing, share=share, written=written)


@transaction.atomic
def _file(*, request, officer: Person, filing: Filing, share: bool, written: list[Path]) -> Seizure:
    if not access.can_file(officer):
        raise Refused
    _check_marking(marking=filing.marking, audience=filing.audience, people=filing.people)
    seizure = Seizure(organisation=officer.organisation, officer=officer)
    _apply(seizure, filing)
    seizure.save()
    seizure.reference = _reference(officer, seizure)
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


@dataclass
class _Together:
    """Records filed within ``filing_together``, written when it ends."""

    officer: Person
    share: bool
    seizures: list[Seizure] = field(default_factory=list)
    filings: list[Filing] = field(default_factory=list)


_together: ContextVar[_Together | None] = ContextVar("filing_together", default=None)


@contextmanager
def filing_together(*, officer: Person, share: bool = False) -> Iterator[None]:
    """Within it, ``file_seizure`` of ``officer``'s records without persons, companies or files (what an import
    makes) checks each at once as always, but writes them all when the block ends, each kind of row in one
    statement for all of them instead of one per record: for an import of many records. Call inside the
    transaction that must hold them all; the records ``file_seizure`` returned have their ids once the block has
    ended. Each record gets what ``file_seizure`` alone gives it: its lines, audience members, history, audit
    entry and search entry; it is correlated with every other record in the order filed (each with those filed
    before it, as one by one, though in a few statements for all of them: seizures.correlation.correlate_new),
    its newly related records told after commit; and shared when ``share``. When the block ends with an error
    nothing is written (and the transaction is rolled back)."""
    if _together.get() is not None:
        raise RuntimeError("filing_together does not nest")
    together = _Together(officer=officer, share=share)
    token = _together.set(together)
    try:
        yield
    finally:
        _together.reset(token)
    _write_together(together)


def _file_later(*, request, officer: Person, filing: Filing, share: bool) -> Seizure | None:
    """The record as file_seizure makes it, kept to be written with the others, when a filing_together block
    for this officer and this sharing is open and the record may wait (filed by a task, not a request, and with
    no persons, companies or files: their saves are throttled and written one by one); None otherwise."""
    together = _together.get()
    if together is None or request is not None or filing.involved or filing.files:
        return None
    if (officer, share) != (together.officer, together.share):
        return None
    if not access.can_file(officer):
        raise Refused
    _check_marking(marking=filing.marking, audience=filing.audience, people=filing.people)
    seizure = Seizure(organisation=officer.organisation, officer=officer)
    _apply(seizure, filing)
    together.seizures.append(seizure)
    together.filings.append(filing)
    return seizure


# Rows written in one statement: a few hundred, as the databases take them in one go.
_BATCH = 500


@transaction.atomic
def _write_together(together: _Together) -> None:
    seizures, filings, officer = together.seizures, together.filings, together.officer
    _write_records(seizures, officer)
    lines = [
        [
            CommodityLine(seizure=seizure, position=position, **{name: _value(line, name) for name in LINE_FIELDS})
            for position, line in enumerate(filing.lines)
        ]
        for seizure, filing in zip(seizures, filings, strict=True)
    ]
    bulk.create([line for each in lines for line in each])
    _add_audience_members(seizures, filings)
    bulk.create([StatusChange(seizure=seizure, status=Status.DRAFT, by=officer) for seizure in seizures])
    record_each(
        "seizure.filed",
        actor=officer,
        targets=[
            (seizure, {"lines": len(filing.lines), "involved": 0, "files": 0})
            for seizure, filing in zip(seizures, filings, strict=True)
        ],
    )
    search.index_each(list(zip(seizures, lines, strict=True)))
    # Correlated together: each record as if alone, after those before it, in a few statements for them all.
    for seizure, related in zip(
        seizures, correlation.correlate_new(list(zip(seizures, lines, strict=True))), strict=True
    ):
        if related.new:
            notify.related_after_commit(seizure.pk)
    if together.share:
        for seizure in seizures:
            _share(request=None, person=officer, seizure=seizure, filed_now=True)


def _write_records(seizures: Sequence[Seizure], officer: Person) -> None:
    """The records written, each with its id and its reference (which holds the id)."""
    if connection.vendor == "postgresql":
        # The ids taken from the table's own sequence first, as the inserts would take them: each record is
        # written once with its reference, instead of written and then written again to set it.
        for seizure, pk in zip(seizures, bulk.next_ids(Seizure, len(seizures)), strict=True):
            seizure.pk = pk
            seizure.reference = _reference(officer, seizure)
        bulk.create(seizures)
        return
    # Elsewhere (SQLite: no sequence to take ids from) the id is known once the record is written: until then
    # each holds a placeholder of its own (the column is unique), never seen outside this transaction.
    placeholder = secrets.token_hex(8)
    for position, seizure in enumerate(seizures):
        seizure.reference = f"~{placeholder}-{position}"
    Seizure.objects.bulk_create(seizures, batch_size=_BATCH)
    for seizure in seizures:
        seizure.reference = _reference(officer, seizure)
    # One short statement a record, sent together: Django's bulk_update would build one CASE of a thousand arms.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Seizure._meta.db_table} SET reference = %s WHERE id = %s",  # noqa: S608
            [(seizure.reference, seizure.pk) for seizure in seizures],
        )


def _reference(officer: Person, seizure: Seizure) -> str:
    return f"{officer.organisation.country or 'INT'}-{seizure.occurred_on.year}-{seizure.pk:06d}"


def _add_audience_members(seizures: Sequence[Seizure], filings: Sequence[Filing]) -> None:
    """``messaging.set_audience_members`` for new records, in one statement per kind of member: the chosen
    organisations, or the named people with the officer who filed the record."""
    for name, members in (
        ("audience_organisations", lambda seizure, filing: filing.organisations),
        ("audience_people", lambda seizure, filing: [*filing.people, seizure.officer]),
    ):
        wanted = Audience.ORGANISATIONS if name == "audience_organisations" else Audience.PEOPLE
        field = Seizure._meta.get_field(name)
        through = field.remote_field.through  # type: ignore[union-attr]
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"  # type: ignore[union-attr]
        rows = [
            through(**{source: seizure.pk, target: pk})
            for seizure, filing in zip(seizures, filings, strict=True)
            if filing.audience == wanted
            for pk in dict.fromkeys(member.pk for member in members(seizure, filing))
        ]
        through.objects.bulk_create(rows, batch_size=_BATCH)


def _check_marking(*, marking: str, audience: str, people: Sequence[Person]) -> None:
    problem = marking_refusal(marking=marking, audience=audience, people=people)
    if problem:
        raise Refused(problem)  # the form says it first; this guards every other caller


def _after_save(seizure: Seizure, saved: Saved, *, new: bool) -> None:
    search.index(seizure, lines=saved.lines)
    related = correlation.correlate(seizure, lines=saved.lines, people=saved.people, new=new)
    if related.new:
        notify.related_after_commit(seizure.pk)


def update_seizure(*, request, person: Person, seizure: Seizure, filing: Filing) -> Seizure:
    """Save a change; raises TooManyNominalSaves as ``file_seizure`` does when it changes the names."""
    if access.can_change(person, seizure) and _names_change(seizure, filing):
        _spend_nominal_save(request=request, person=person)
    with attachments.removed_on_failure() as written:
        return _update(request=request, person=person, seizure=seizure, filing=filing, written=written)


@transaction.atomic
def _update(*, request, person: Person, seizure: Seizure, filing: Filing, written: list[Path]) -> Seizure:
    seizure = Seizure.objects.select_for_update().get(pk=seizure.pk)
    if not access.can_change(person, seizure) or seizure.status == Status.CLOSED:
        raise Refused
    _check_marking(marking=filing.marking, audience=filing.audience, people=filing.people)
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
        subject = seizure.thread_subject()  # as stored and indexed; shown in each reader's language
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
    # start_thread refuses a marking its audience may not have (a draft saved before the rule): the whole
    # share is rolled back, and the officer edits the record first.
    thread = messaging.start_thread(request=request, author=person, draft=draft)
    seizure.status, seizure.thread, seizure.updated_at = Status.SHARED, thread, timezone.now()
    seizure.save(update_fields=["status", "thread", "updated_at"])
    _history(seizure, Status.SHARED, person)
    record("seizure.shared", request=request, actor=person, target=seizure, changes={"thread": thread.pk})
    notify.followers_after_commit(seizure.pk)
    if not filed_now:  # (filed and shared at once: the save has told of what it found)
        # Its links with other organisations' records may be known now: both sides are told together.
        notify.related_after_commit(seizure.pk)


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
    if wanted - current:
        notify.withheld_after_commit(seizure.pk)  # followers there whose company match was withheld are told


def grant_to_follower(*, request, person: Person, withheld: WithheldMatch) -> None:
    """Let the organisation of someone following a company the record names read its nominal data: they
    are then told of the record as any follower (seizures.notify.tell_withheld)."""
    seizure = withheld.seizure
    granted = NominalGrant.objects.filter(seizure=seizure).select_related("organisation")
    organisations = [grant.organisation for grant in granted] + [withheld.followed.person.organisation]
    set_grants(request=request, person=person, seizure=seizure, organisations=organisations)


@transaction.atomic
def offer_contact_to_follower(*, request, person: Person, withheld: WithheldMatch, note: str = "") -> int:
    """Open a TLP:RED conversation with someone who follows a company the record names. By the officer's
    choice the follower learns that this record names it, and the officer learns who follows it; the
    conversation names the record only if the follower may read it, and never a person or company.
    Returns the thread id."""
    seizure = withheld.seizure
    if not access.can_change(person, seizure):
        raise Refused
    follower = withheld.followed.person
    named = seizure if access.seizures_visible_to(follower).filter(pk=seizure.pk).exists() else None
    context = {"person": person, "seizure": named, "note": note}
    with translation.override(follower.language):
        subject = render_to_string("seizures/follower_contact_subject.txt", context).strip()[:200]
        body = render_to_string("seizures/follower_contact_body.md", context).strip()
    draft = messaging.Draft(
        subject=subject,
        topics=_topics_of(named) if named else list(Topic.objects.filter(code="G", is_forum=False)),
        kind=Message.Kind.REQUEST,
        body=body,
        marking=Marking.RED,
        audience=Audience.PEOPLE,
        people=[follower],
    )
    thread = messaging.start_thread(request=request, author=person, draft=draft)
    WithheldMatch.objects.filter(pk=withheld.pk).update(thread=thread)
    WithheldMatch.objects.filter(pk=withheld.pk, state=WithheldMatch.State.WAITING).update(
        state=WithheldMatch.State.CONTACTED
    )
    record(
        "seizure.follower_contacted",
        request=request,
        actor=person,
        target=seizure,
        changes={"withheld": withheld.pk, "organisation": follower.organisation_id, "thread": thread.pk},
    )
    return thread.pk


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
    only what both may read: why the records are related, and each record's reference (and topics) only if
    the other side may read it too; the records themselves by their handle. Returns the thread id."""
    if not access.can_change(person, own):
        raise Refused
    officer = other.officer
    own_named = own if access.seizures_visible_to(officer).filter(pk=own.pk).exists() else None
    other_named = other if access.seizures_visible_to(person).filter(pk=other.pk).exists() else None
    context = {
        "person": person,
        "own_named": own_named,
        "other_named": other_named,
        "link": link,
        "note": note,
        "path": reverse("seizures:related", args=[handles.handle(own.pk, other.pk)]),
    }
    with translation.override(officer.language):
        subject = render_to_string("seizures/contact_subject.txt", context).strip()[:200]
        body = render_to_string("seizures/contact_body.md", context).strip()
    named = own_named or other_named
    draft = messaging.Draft(
        subject=subject,
        # A record's topics say what it is about: only those of a record both may read; else the general one.
        topics=_topics_of(named) if named else list(Topic.objects.filter(code="G", is_forum=False)),
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
