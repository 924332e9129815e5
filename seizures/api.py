"""The seizures part of the API: search and read records, with the same rules as the pages.

Nominal data (persons and companies involved) is returned only to those who may read it, as on the
record page, and each such read is audited."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.urls import reverse
from ninja import Query, Router, Schema, Status

from seizures import access, actions, search, selectors
from seizures.forms import SearchForm
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


class ProblemOut(Schema):
    detail: dict[str, list[str]]


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
    response={200: PageOut, 400: ProblemOut},
    summary="Seizure records the signed-in person may read that match words and filters, latest first",
)
def search_seizures(request, filters: Query[SearchIn]) -> Any:
    person = request.auth
    criteria = {name: value for name, value in filters.dict(exclude={"page"}).items() if value}
    form = SearchForm(criteria)
    if not form.is_valid():
        return Status(400, ProblemOut(detail={name: [str(e) for e in errors] for name, errors in form.errors.items()}))
    page = Paginator(search.search(person=person, filters=filters_of(form)), PAGE_SIZE).get_page(filters.page)
    return PageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        results=[SummaryOut(**_summary(seizure)) for seizure in page],
    )


@router.get("/{seizure_id}", response=SeizureOut, summary="One seizure record, as its page shows it to the reader")
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
