"""Import jobs: a spreadsheet's rows checked and its records made in the task queue, all or nothing.

The import page reads the file at once and refuses what is not a readable spreadsheet (ImportForm).
``start_import`` then keeps the file sealed (environet.crypto) in an ImportJob and, after commit,
enqueues ``run_import``, which:
1. CHECKING: runs every row through the record forms (seizures/importer.py), committing its progress every
   PROGRESS_EVERY rows so that the job page can show it;
2. REFUSED when the file itself has a problem (its header, the choices made on the page) or no record passes:
   nothing is saved, and the report lists the problems;
2b. MAPPING when the header has columns nobody recognised, or required columns no column gives (and nothing
   that only a changed file puts right, such as a column of names): nothing is checked further, the sealed file
   is kept, and the officer says on the job's page what those columns hold and may give values for the whole
   file (seizures/import_mapping.py); ``confirm_mapping`` remembers the mapping for the organisation and runs
   the job again. The organisation's remembered mapping is applied at every run, without asking;
3. CHOOSING when some records pass and others do not: nothing is saved yet, the sealed file is kept, and the
   officer chooses on the job's page (``choose``) to import the records that pass or nothing. Importing them
   runs the job again with ``partial``: every row is checked again and the records that pass then are filed;
4. otherwise SAVING: files every record through seizures.actions.file_seizure in ONE transaction (written
   together: seizures.actions.filing_together), so an import (or the part of it chosen) is whole or absent, and
   a record never half saved; then DONE.
Whenever records are refused, their rows are kept sealed as a spreadsheet with a "problem" column
(seizures/import_refusals.py) that only the importer may download, to fix and send again.
An unexpected error ends it as FAILED with nothing saved; the error goes to the log, never to the page.
A job left waiting for its officer (MAPPING or CHOOSING) for IMPORT_WAIT_DAYS EXPIRES: see ``expire_waiting``.
However it ends, the sealed file is cleared. The audit trail gets counts, never the contents of a cell.
"""

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts.models import Person
from audit.actions import record
from environet import crypto, enqueue
from messaging import actions as messaging
from messaging import attachments
from messaging.forms import AudienceForm
from messaging.models import Marking
from seizures import access, actions, import_mapping, import_refusals, importer, notify
from seizures.import_columns import header_key
from seizures.models import WAITING_FOR_OFFICER, ColumnMapping, ImportJob, Seizure, Status
from seizures.problem_words import Words
from seizures.spreadsheets import ZIP_SIGNATURES, Sheet, Unreadable

logger = logging.getLogger(__name__)
State = ImportJob.State

PROGRESS_EVERY = 100
MAX_PROBLEMS = 1_000  # kept in the report; the rest are only counted


@dataclass(frozen=True)
class Received:
    name: str
    content: bytes
    sheet: Sheet


class ImportForm(AudienceForm):
    """The spreadsheet, and the audience and marking every record made from it gets."""

    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV UTF-8 file, laid out as explained above."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={
            "required": gettext_lazy("Choose the file to import."),
            "empty": gettext_lazy("The file is empty."),
        },
    )
    share = forms.TypedChoiceField(
        label=gettext_lazy("When the records are made"),
        choices=[
            ("0", gettext_lazy("Keep them as drafts: only your organisation sees them until you share each one")),
            ("1", gettext_lazy("Share them at once with the readers chosen above")),
        ],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].initial = Marking.AMBER
        self.fields.update(import_mapping.report_fields())
        self.order_fields(["file"])

    def clean_file(self) -> Received:
        upload = self.cleaned_data["file"]
        name = attachments.clean_name(upload.name)
        if (upload.size or 0) > settings.MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(attachments.too_large(upload.size or 0, name=name))
        content = upload.read()
        try:
            sheet = importer.open_sheet(content)
        except Unreadable as refused:
            raise forms.ValidationError(str(refused.message)) from None
        return Received(name=name, content=content, sheet=sheet)

    def options(self) -> dict[str, Any]:
        """What the job keeps of the choices: ids and codes, turned back into a form when the task runs."""
        data = self.cleaned_data
        return {
            "marking": data["marking"],
            "audience": data["audience"],
            "organisations": [organisation.pk for organisation in data["organisations"]],
            "countries": list(data["countries"]),
            "people": [person.pk for person in data["people"]],
            "share": data["share"],
            "report": import_mapping.report_values(data),
        }


def _context(job_id: int) -> str:
    return f"import:{job_id}"


def _refused_context(job_id: int) -> str:
    return f"import-refused:{job_id}"


def refused_rows(job: ImportJob) -> bytes | None:
    """The spreadsheet of the job's refused rows, in the active language; None when no row was refused."""
    if job.refused_rows is None:
        return None
    opened = crypto.open_sealed(bytes(job.refused_rows), context=_refused_context(job.pk))
    if opened.startswith(ZIP_SIGNATURES):
        return opened  # kept as a spreadsheet, in the checker's language, before the rows were kept as such
    return import_refusals.from_kept(opened)


@transaction.atomic
def start_import(*, request, person: Person, form: ImportForm) -> ImportJob:
    if not access.can_file(person):
        raise actions.Refused
    received: Received = form.cleaned_data["file"]
    job = ImportJob.objects.create(
        person=person,
        organisation=person.organisation,
        file_name=received.name,
        options=form.options(),
        total_rows=len(received.sheet.rows),
    )
    # The job's id binds the envelope to it, so the job is made first.
    job.sealed = crypto.seal(received.content, context=_context(job.pk))
    job.save(update_fields=["sealed"])
    record(
        "seizures.import_started",
        request=request,
        actor=person,
        target=job,
        changes={"format": received.sheet.kind, "rows": job.total_rows, "share": job.options["share"]},
    )
    job_id = job.pk
    enqueue.after_commit(run_import, job_id=job_id)
    return job


@task()
def run_import(*, job_id: int) -> str:
    return process(job_id)


def process(job_id: int) -> str:
    """Run a waiting job to its end; returns the state it ended in. Never raises for what the file holds."""
    if not ImportJob.objects.filter(pk=job_id, state=State.WAITING).update(state=State.CHECKING):
        return "not waiting"  # already run, or running: a job runs once
    job = ImportJob.objects.select_related("person", "organisation").get(pk=job_id)
    with translation.override(job.person.language or settings.LANGUAGE_CODE), _collector_paused():
        try:
            _run(job)
        except Exception:
            # Whatever it was, the transaction that saves the records was rolled back: nothing was imported.
            logger.exception("Import job %s failed", job_id)
            _fail(job_id)
    return ImportJob.objects.values_list("state", flat=True).get(pk=job_id)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collector rounds while a job runs. An import makes and drops objects by the hundred thousand,
    nearly all freed as soon as they are dropped, but their count alone set off a few hundred rounds an import
    and one or two full rounds through every object of the process (Django's, the reference tables'): a
    twentieth of an import. What an import of 1,000 records leaves in cycles is a few thousand objects,
    collected after it as any others. A process whose collector was already off is left so."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run(job: ImportJob) -> None:
    if not access.can_file(job.person):
        _refuse(job, [importer.Problem(None, "", Words.of(gettext_lazy("Your account may no longer file records.")))])
        return
    content = crypto.open_sealed(bytes(job.sealed or b""), context=_context(job.pk))
    try:
        sheet = importer.open_sheet(content)
    except Unreadable as refused:
        _refuse(job, [importer.Problem(None, "", refused.message)])
        return
    job.total_rows = len(sheet.rows)
    confirmed = job.options.get("mapping") or {}
    mapping = {**import_mapping.remembered(job.person), **confirmed}
    layout = importer.Layout(
        sheet.header, header_row=sheet.header_row, mapping=mapping, report=job.options.get("report") or {}
    )
    # Said on the job's page, so that nobody is surprised by a column read through the organisation's memory.
    job.options = {
        **job.options,
        "remembered": [
            {"header": text[:60], "column": column}
            for text, column in layout.mapped
            if header_key(text) not in confirmed
        ],
    }
    job.save(update_fields=["total_rows", "options"])
    if layout.needs_mapping:
        _ask_mapping(job, layout)
        return
    checked = importer.check(sheet, options=job.options, progress=_progress(job), mapping=mapping)
    job.checked_rows = job.total_rows
    if checked.problems:
        job.refused_rows = _sealed_refusals(job, sheet, checked)
    if checked.problems and not checked.partial:
        _refuse(job, checked.problems)
        return
    if checked.partial and not job.options.get("partial"):
        _offer_choice(job, checked)
        return
    ImportJob.objects.filter(pk=job.pk).update(state=State.SAVING, checked_rows=job.total_rows)
    _save(job, checked.filings, problems=checked.problems)


def _sealed_refusals(job: ImportJob, sheet: Sheet, checked: importer.Checked) -> bytes | None:
    if not checked.refused or checked.whole_file:
        return None  # the file's own problems come first: its rows are not worth sending back yet
    content = import_refusals.kept(header=sheet.header, refused=checked.refused, marking=job.options["marking"])
    return crypto.seal(content, context=_refused_context(job.pk))


@transaction.atomic
def _offer_choice(job: ImportJob, checked: importer.Checked) -> None:
    """Nothing saved; the file stays sealed until the officer chooses what to import."""
    record(
        "seizures.import_checked",
        actor=job.person,
        target=job,
        changes={"passing": len(checked.filings), "refused": len(checked.refused), "problems": len(checked.problems)},
    )
    job.state, job.passing, job.waiting_since = State.CHOOSING, len(checked.filings), timezone.now()
    job.problems = _kept(checked.problems)
    job.save(update_fields=["state", "passing", "problems", "checked_rows", "refused_rows", "waiting_since"])


@transaction.atomic
def _ask_mapping(job: ImportJob, layout: importer.Layout) -> None:
    """Nothing checked further; the file stays sealed until the officer says what its columns hold."""
    record(
        "seizures.import_mapping_asked",
        actor=job.person,
        target=job,
        changes={"unrecognised": len(layout.unknown), "missing": sorted(layout.missing)},
    )
    job.state, job.waiting_since = State.MAPPING, timezone.now()
    job.problems = _kept(layout.problems)  # what is wrong with the header as it is, for the record
    job.save(update_fields=["state", "problems", "waiting_since"])


@transaction.atomic
def confirm_mapping(*, request, person: Person, job: ImportJob, form: import_mapping.MappingForm) -> bool:
    """Keep the officer's mapping and values for the whole file in the job, remember the mapping for the
    organisation, and run the job again (every row checked as in any import). False when the job no longer
    waits for a mapping (answered in another tab, or expired: past its time, it expires here)."""
    if job.person_id != person.pk or not access.can_file(person):
        raise actions.Refused
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != State.MAPPING or _expired_now(job):
        return False
    mapping = form.mapping()
    report = import_mapping.report_values(form.cleaned_data)
    for header, column in mapping.items():
        ColumnMapping.objects.update_or_create(
            organisation_id=person.organisation_id, header=header, defaults={"column": column, "confirmed_by": person}
        )
    record(
        "seizures.import_mapped",
        request=request,
        actor=person,
        target=job,
        # Column names and counts only: a header is the file's own text.
        changes={
            "mapped": sorted(column for column in mapping.values() if column),
            "left_out": sum(1 for column in mapping.values() if not column),
            "for_the_whole_file": sorted(report),
        },
    )
    job.state, job.problems = State.WAITING, []
    job.options = {**job.options, "mapping": mapping, "report": report}
    job.save(update_fields=["state", "options", "problems"])
    job_id = job.pk
    enqueue.after_commit(run_import, job_id=job_id)
    return True


class Choice:
    PASSING = "passing"
    NOTHING = "nothing"


@transaction.atomic
def choose(*, request, person: Person, job: ImportJob, choice: str) -> bool:
    """The officer's answer to a partial check: import the records that pass (the job runs again, checking
    every row again) or nothing. False when the job no longer waits for a choice (answered in another tab, or
    expired: past its time, it expires here)."""
    if job.person_id != person.pk or choice not in (Choice.PASSING, Choice.NOTHING):
        raise actions.Refused
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != State.CHOOSING or _expired_now(job):
        return False
    record(
        "seizures.import_chosen",
        request=request,
        actor=person,
        target=job,
        changes={"import": choice, "passing": job.passing},
    )
    if choice == Choice.NOTHING:
        _end(job, State.REFUSED, problems=job.problems)
        return True
    job.state, job.options = State.WAITING, {**job.options, "partial": True}
    job.save(update_fields=["state", "options"])
    job_id = job.pk
    enqueue.after_commit(run_import, job_id=job_id)
    return True


# --- Jobs left waiting ---------------------------------------------------------------------------------------
# A job waiting for its officer holds the uploaded file (sealed) and the rows of the records to be. Unanswered
# for IMPORT_WAIT_DAYS, it expires: the file and everything read from it are deleted, nothing is saved, and the
# importer is told once. The task worker's heartbeat sweeps every hour (environet/worker.py SWEEP_EVERY;
# ``manage.py expire_imports`` runs the same sweep by hand); an answer that comes after the time but before the
# sweep expires the job there and then, so a job never outlives its date by a sweep's delay.


def expire_waiting(*, now: datetime | None = None) -> int:
    """Expire every job waiting for its officer past its time; how many expired."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_WAIT_DAYS)
    # waiting_since is set whenever a job starts waiting (and by migration 0007 for those waiting before).
    due = ImportJob.objects.filter(state__in=WAITING_FOR_OFFICER, waiting_since__lt=cutoff).values_list("pk", flat=True)
    expired = 0
    for job_id in list(due):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().select_related("person").get(pk=job_id)
            expired += _expired_now(job, now=now)
    return expired


@transaction.atomic
def expire_if_due(job: ImportJob) -> ImportJob:
    """The job as it is now, expired first if it waited past its time (its page and answers come after the
    time, before the sweep)."""
    if job.expires_at is None or job.expires_at > timezone.now():
        return job
    job = ImportJob.objects.select_for_update().select_related("person").get(pk=job.pk)
    _expired_now(job)
    return job


def _expired_now(job: ImportJob, *, now: datetime | None = None) -> bool:
    """Expire ``job`` (locked by the caller's transaction) if it is waiting for its officer past its time."""
    expires_at = job.expires_at
    if expires_at is None or expires_at > (now or timezone.now()):
        return False
    record("seizures.import_expired", actor=None, target=job, changes={"waited_in": job.state, "rows": job.total_rows})
    # Nothing read from the file is kept: its rows, the problems quoting its cells, the headers it was mapped by.
    job.refused_rows = None
    job.options = {name: value for name, value in job.options.items() if name not in _READ_FROM_FILE}
    job.save(update_fields=["refused_rows", "options"])
    _end(job, State.EXPIRED)
    messaging.notice(person=job.person, about="seizure.import_expired", job=job.pk)
    return True


_READ_FROM_FILE = ("remembered", "mapping", "report")


def _progress(job: ImportJob):
    """Commit the count of checked rows now and then (the task runs outside any transaction)."""
    saved = 0

    def tell(done: int) -> None:
        nonlocal saved
        if done - saved >= PROGRESS_EVERY:
            ImportJob.objects.filter(pk=job.pk).update(checked_rows=done)
            saved = done

    return tell


@transaction.atomic
def _save(job: ImportJob, filings: list[actions.Filing], *, problems: list[importer.Problem]) -> None:
    share = bool(job.options.get("share"))
    # Related records are told in one summary per person for the whole import, after commit; the records are
    # written together once all are checked (actions.filing_together), each as file_seizure alone would.
    with notify.related_of_import(job.pk), actions.filing_together(officer=job.person, share=share):
        made = [
            actions.file_seizure(request=None, officer=job.person, filing=filing, share=share) for filing in filings
        ]
    lines = sum(len(filing.lines) for filing in filings)
    changes = {"records": len(made), "lines": lines, "shared": share}
    if problems:
        changes["refused_problems"] = len(problems)
    record("seizures.imported", actor=job.person, target=job, changes=changes)
    _end(job, State.DONE, created=[seizure.pk for seizure in made], problems=_kept(problems))


def _kept(problems: list[importer.Problem]) -> list[dict]:
    kept = [problem.kept() for problem in problems[:MAX_PROBLEMS]]
    rest = len(problems) - len(kept)
    if rest:
        message = Words.of(
            gettext_lazy("%(count)d more problems are not listed: correct these first, then send the file again."),
            {"count": rest},
        )
        kept.append({"row": None, "column": "", "message": str(message), "words": message.parts, "more": rest})
    return kept


@transaction.atomic
def _refuse(job: ImportJob, problems: list[importer.Problem]) -> None:
    record(
        "seizures.import_refused",
        actor=job.person,
        target=job,
        changes={"problems": len(problems), "rows": job.total_rows},
    )
    _end(job, State.REFUSED, problems=_kept(problems))


def _end(job: ImportJob, state: str, *, created: list[int] | None = None, problems: list[dict] | None = None) -> None:
    job.state, job.sealed, job.finished_at = state, None, timezone.now()
    job.created, job.problems = created or [], problems or []
    fields = ["state", "sealed", "finished_at", "created", "problems", "checked_rows", "refused_rows"]
    job.save(update_fields=fields)


@transaction.atomic
def _fail(job_id: int) -> None:
    job = ImportJob.objects.select_related("person").get(pk=job_id)
    record("seizures.import_failed", actor=job.person, target=job, changes={"rows": job.total_rows})
    _end(job, State.FAILED)


def drafts_of(person: Person, job: ImportJob) -> list[Seizure]:
    """The records the import made that are still drafts the person may share."""
    if job.person_id != person.pk or job.state != State.DONE or not job.created:
        return []
    found = Seizure.objects.filter(pk__in=job.created, status=Status.DRAFT).order_by("pk")
    return [seizure for seizure in found if access.can_share(person, seizure)]


@transaction.atomic
def share_imported(*, request, person: Person, job: ImportJob) -> int:
    """Share at once the import's drafts, each with the audience and marking chosen for the import (as it
    kept them): all or none (a record whose marking its audience may no longer have refuses the whole, with
    its reason). Related records are told in one summary per person. Returns how many were shared."""
    drafts = drafts_of(person, job)
    if not drafts:
        return 0
    with notify.related_of_import(job.pk):
        for seizure in drafts:
            actions.share_seizure(request=request, person=person, seizure=seizure)
    record("seizures.import_shared", request=request, actor=person, target=job, changes={"records": len(drafts)})
    return len(drafts)
