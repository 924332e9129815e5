"""The seizures part of the API: search, read, create, change and share records, with the same rules as the
pages.

Nominal data (persons and companies involved) is returned only to those who may read it, as on the
record page, and each such read is audited. A record sent through the API goes through the same forms as
the record page (SeizureForm, LineForm) and its problems are reported as the importer reports them (row,
column, message: the row is the commodity line's number, none for the record's own fields); nothing is
saved unless everything passes. Nominal data and files are not taken through the API yet."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status

from environet import submissions
from environet.api_errors import FiltersRefusedOut, InvalidOut, filters_refused, refusals
from seizures import access, actions, search, selectors
from seizures.forms import MAX_LINES, LineForm, SearchForm, SeizureForm, no_line, too_many_lines
from seizures.importer import Problem
from seizures.models import Seizure
from seizures.models import Status as RecordStatus
from seizures.views.records import filters_of

router = Router(tags=["seizures"])
PAGE_SIZE = 25


class SearchIn(Schema):
    q: str = ""
    convention: str = ""
    code: str = ""
    country: str = ""
    organisation: str = ""
    status: str = ""
    transport_mode: str = ""
    marking: str = ""
    date_from: str = ""
    date_to: str = ""
    container: str = ""
    page: int = 1


class LineOut(Schema):
    convention: str
    code: str
    specimen_type: str
    description: str
    cas_number: str
    hs_code: str
    hs_edition: str
    quantity: Decimal | None
    approximate: bool  # the quantity is an estimate ("about 300 kg")
    unit: str
    value: Decimal | None
    currency: str


class SummaryOut(Schema):
    id: int
    reference: str
    status: str
    marking: str
    marking_label: str
    occurred_on: date
    country: str
    place: str
    organisation: str
    url: str


class InvolvedOut(Schema):
    kind: str
    role: str
    name: str
    identifiers: list[str]
    address: str
    nationality: str
    born_on: str
    notes: str


class RelatedOut(Schema):
    organisation: str
    id: int | None  # only when the reader may open it
    reference: str
    reasons: list[str]
    handle: str  # how to refer to it (a request for contact), whether or not the reader may open it


class SeizureOut(SummaryOut):
    locode: str
    detection_method: str
    transport_mode: str
    vessel_imo: str
    vessel_name: str
    flight_number: str
    containers: list[str]
    air_waybill: str
    route: list[str]
    declared_goods: str
    found_goods: str
    concealment: str
    concealment_details: str
    summary: str
    evaluation: str
    updated_at: datetime
    lines: list[LineOut]
    involved: list[InvolvedOut] | None  # None: the reader may not read them
    related: list[RelatedOut]


class PageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[SummaryOut]


def _summary(seizure) -> dict[str, Any]:
    return {
        "id": seizure.pk,
        "reference": seizure.reference,
        "status": seizure.status,
        "marking": seizure.marking,
        "marking_label": seizure.get_marking_display(),
        "occurred_on": seizure.occurred_on,
        "country": seizure.country,
        "place": seizure.place,
        "organisation": str(seizure.organisation),
        "url": reverse("seizures:record", args=[seizure.pk]),
    }


@router.get(
    "/",
    response={200: PageOut, **refusals(), 400: FiltersRefusedOut},
    summary="Seizure records the signed-in person may read that match words and filters, latest first",
)
def search_seizures(request, filters: Query[SearchIn]) -> Any:
    person = request.auth
    criteria = {name: value for name, value in filters.dict(exclude={"page"}).items() if value}
    form = SearchForm(criteria)
    if not form.is_valid():
        return filters_refused(form)
    page = Paginator(search.search(person=person, filters=filters_of(form)), PAGE_SIZE).get_page(filters.page)
    return PageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        results=[SummaryOut(**_summary(seizure)) for seizure in page],
    )


@router.get(
    "/{seizure_id}",
    response={200: SeizureOut, **refusals(missing=True)},
    summary="One seizure record, as its page shows it to the reader",
)
def read_seizure(request, seizure_id: int) -> Any:
    person = request.auth
    seizure = access.seizure_for(person, seizure_id)
    involved = selectors.involved(person=person, seizure=seizure)
    if involved:
        actions.nominal_viewed(request=request, person=person, seizure=seizure)
    return SeizureOut(
        **_summary(seizure),
        locode=seizure.locode,
        detection_method=seizure.detection_method,
        transport_mode=seizure.transport_mode,
        vessel_imo=seizure.vessel_imo,
        vessel_name=seizure.vessel_name,
        flight_number=seizure.flight_number,
        containers=seizure.container_numbers,
        air_waybill=seizure.air_waybill,
        route=seizure.route,
        declared_goods=seizure.declared_goods,
        found_goods=seizure.found_goods,
        concealment=seizure.concealment,
        concealment_details=seizure.concealment_details,
        summary=seizure.summary,
        evaluation=seizure.evaluation,
        updated_at=seizure.updated_at,
        lines=[LineOut(**{name: getattr(line, name) for name in LineOut.model_fields}) for line in seizure.lines.all()],
        involved=None
        if involved is None
        else [
            InvolvedOut(
                kind=item.entry.kind,
                role=item.entry.role,
                name=item.data.name,
                identifiers=item.data.identifiers,
                address=item.data.address,
                nationality=item.data.nationality,
                born_on=item.data.born_on,
                notes=item.data.notes,
            )
            for item in involved
        ],
        related=[
            RelatedOut(
                organisation=str(item.other.organisation),
                id=item.other.pk if item.visible else None,
                reference=item.other.reference if item.visible else "",
                reasons=item.reasons,
                handle=item.handle,
            )
            for item in selectors.related_records(person=person, seizure=seizure)
        ],
    )


# --- Writing records ------------------------------------------------------------------------------------


class RecordIn(Schema):
    """A record as the record page's form takes it: ``record`` holds its fields by name (``occurred_on``,
    ``country``, ``marking``, ``audience``, ``organisations`` as ids...), ``lines`` one object per commodity
    line with the line form's fields (``convention``, ``code``, ``quantity``, ``approximate``, ``unit``...). A
    field the forms do not take is a problem, not left out."""

    record: dict[str, Any]
    lines: list[dict[str, Any]]


class SavedOut(Schema):
    id: int
    reference: str
    status: str
    url: str


class ProblemItem(Schema):
    row: int | None  # the commodity line's number (from 1); none for the record's own fields
    column: str
    message: str


class ProblemsOut(Schema):
    problems: list[ProblemItem]


# The refusals of environet.api_errors (404: missing, or not the caller's to change); a 422 is either the
# record's problems, nothing saved, or ninja's report of a body that is not a record at all (no ``record``
# or ``lines``) or of a path or header value that is not of its type.
WRITE_RESPONSES: dict[int, Any] = {**refusals(missing=True, unreadable_body=True), 422: ProblemsOut | InvalidOut}
IDEMPOTENCY = "A key of your choosing (up to 64 characters): the same request sent again with it is done once."


def _form_problems(form, row: int | None) -> list[Problem]:
    return [
        Problem(row, "" if name == "__all__" else name, str(message))
        for name, messages in form.errors.items()
        for message in messages
    ]


# Files come with the record page's form only (a JSON body carries none).
_RECORD_FIELDS = [name for name in SeizureForm.base_fields if name != "attachments"]


def _unknown(given: dict[str, Any], known: list[str], row: int | None) -> list[Problem]:
    """A field the forms do not take would be left out without a word (people involved, a status, another
    organisation): each is a problem instead, which says what is taken."""
    accepted = ", ".join(known)
    return [
        Problem(row, name, _("This field is not taken here. Fields taken: %(fields)s.") % {"fields": accepted})
        for name in given
        if name not in known
    ]


def _not_one_value(given: dict[str, Any], form_class, row: int | None) -> list[Problem]:
    """A list (or an object) where the form takes one value: the form would say "['KE'] is not one of the
    available choices"."""
    return [
        Problem(row, name, _("Give one value here, not a list."))
        for name, value in given.items()
        if name in form_class.base_fields
        and isinstance(value, list | dict)
        and not getattr(form_class.base_fields[name].widget, "allow_multiple_selected", False)
    ]


def _checked(form, given: dict[str, Any], known: list[str], row: int | None) -> list[Problem]:
    """What is wrong with one form's values: fields it does not take, lists where it takes one value, and its
    own refusals of the rest."""
    not_one = _not_one_value(given, type(form), row)
    named = {problem.column for problem in not_one}
    refused = [problem for problem in _form_problems(form, row) if problem.column not in named]
    return _unknown(given, known, row) + not_one + refused


def _filing(body: RecordIn) -> tuple[actions.Filing | None, list[Problem]]:
    """The record checked by the record page's own forms, or what is wrong with it."""
    data = dict(body.record)
    if isinstance(data.get("organisations"), list):
        data["organisations"] = [str(value) for value in data["organisations"]]
    record = SeizureForm(data)
    record.is_valid()
    problems = _checked(record, data, _RECORD_FIELDS, None)
    on = record.cleaned_data.get("occurred_on")
    lines = []
    if not body.lines:
        problems.append(Problem(None, "lines", no_line()))
    if len(body.lines) > MAX_LINES:
        problems.append(Problem(None, "lines", too_many_lines()))
    for number, values in enumerate(body.lines, start=1):
        line = LineForm(dict(values), on=on)
        line.is_valid()
        wrong = _checked(line, values, list(LineForm.base_fields), number)
        if wrong:
            problems += wrong
        else:
            lines.append(line.cleaned_data)
    if problems:
        return None, problems
    facts = record.cleaned_data
    return actions.Filing(
        facts={name: facts.get(name, "") for name in actions.FACTS}, lines=lines, **record.audience_choice()
    ), []


def _refusal(problems: list[Problem]) -> Status:
    return Status(422, ProblemsOut(problems=[ProblemItem(**problem.as_dict()) for problem in problems]))


def _saved(seizure: Seizure) -> SavedOut:
    return SavedOut(id=seizure.pk, reference=seizure.reference, status=seizure.status, url=_summary(seizure)["url"])


def _replayed(person, key: str, status: int) -> Status | None:
    """The answer to the first request sent with this key, if there was one: the record as it is now."""
    url = submissions.earlier_result(person, key) if key else None
    if url is None:
        return None
    seizure = access.seizure_for(person, int(url.rstrip("/").rsplit("/", 1)[1]))
    return Status(status, _saved(seizure))


def _checked_and_saved(
    person, body: RecordIn, key: str, status: int, save: Callable[[actions.Filing], Seizure]
) -> Status:
    """The record checked as the record page checks it, then saved once per key; problems as a 422 report."""
    filing, problems = _filing(body)
    if filing is None:
        return _refusal(problems)
    try:
        return _once(person, key, status, lambda: save(filing))
    except actions.Refused as refused:
        return _refusal([Problem(None, "marking", str(refused.args[0]) if refused.args else "")])


def _once(person, key: str, status: int, work) -> Status:
    """Run ``work`` (which saves and returns the record) once per key: the key is remembered in the same
    transaction, so two requests racing with one key save one record, and the loser answers as the winner."""
    replay = _replayed(person, key, status)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            seizure = work()
            if key:
                submissions.remember(person, key, reverse("api:read_seizure", args=[seizure.pk]))
    except IntegrityError:
        replay = _replayed(person, key, status)
        if replay is None:
            raise
        return replay
    return Status(status, _saved(seizure))


@router.post(
    "/",
    response={201: SavedOut, **WRITE_RESPONSES},
    summary="File a seizure record (a draft, or shared at once), checked as the record page checks it",
)
def create_seizure(
    request,
    body: RecordIn,
    share: bool = False,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64, description=IDEMPOTENCY),
) -> Any:
    person = request.auth
    if not access.can_file(person):
        raise Http404
    return _checked_and_saved(
        person,
        body,
        idempotency_key,
        201,
        lambda filing: actions.file_seizure(request=request, officer=person, filing=filing, share=share),
    )


@router.put(
    "/{seizure_id}",
    response={200: SavedOut, **WRITE_RESPONSES},
    summary="Replace a record's facts, lines and audience, checked as the record page checks them",
)
def update_seizure(
    request,
    seizure_id: int,
    body: RecordIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64, description=IDEMPOTENCY),
) -> Any:
    person = request.auth
    seizure = access.seizure_for(person, seizure_id)
    if not access.can_change(person, seizure) or seizure.status == RecordStatus.CLOSED:
        raise Http404
    return _checked_and_saved(
        person,
        body,
        idempotency_key,
        200,
        lambda filing: actions.update_seizure(request=request, person=person, seizure=seizure, filing=filing),
    )


@router.post(
    "/{seizure_id}/share",
    response={200: SavedOut, **refusals(missing=True), 422: ProblemsOut | InvalidOut},
    summary="Share a draft with its audience, which opens its discussion",
)
def share_seizure(request, seizure_id: int) -> Any:
    person = request.auth
    seizure = access.seizure_for(person, seizure_id)
    if not access.can_share(person, seizure):
        raise Http404
    try:
        actions.share_seizure(request=request, person=person, seizure=seizure)
    except actions.Refused as refused:
        if not refused.args:
            raise Http404 from None
        return _refusal([Problem(None, "marking", str(refused.args[0]))])
    seizure.refresh_from_db()
    return Status(200, _saved(seizure))
