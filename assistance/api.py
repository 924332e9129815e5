"""The requests-for-assistance part of the API, read only: the tracker's lists (my requests, requests for me, open
requests in my topics, overdue ones) and one request with its dated state history.

Everything through assistance.access and selectors: a request is listed or read only by those who may read its
thread (its audience and marking), and one outside it gets 404 exactly like a missing request. A linked seizure
record is given only to a caller who may read that record (``access.seizure_for_reader``), and then only its
facts: the persons and companies involved (nominal data) never appear here, whoever asks."""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Query, Router, Schema

from assistance import access, selectors
from assistance.models import Request
from environet.api_errors import refusals
from library.access import items_visible_to

router = Router(tags=["assistance"])

Section = Literal["mine", "for_me", "in_my_topics", "overdue"]


class SectionIn(Schema):
    section: Section = "mine"


class PersonOut(Schema):
    id: int
    name: str
    organisation: str


class RequestSummaryOut(Schema):
    id: int
    subject: str
    state: str
    state_label: str
    urgency: str
    deadline: date
    overdue: bool
    marking: str
    marking_label: str
    organisation: str
    url: str


class ListOut(Schema):
    section: Section
    count: int
    results: list[RequestSummaryOut]


class StateChangeOut(Schema):
    state: str
    state_label: str
    at: datetime
    by: str | None


class SeizureLineOut(Schema):
    convention: str
    code: str


class LinkedSeizureOut(Schema):
    """The linked record's facts, for a caller who may read the record; never its persons or companies."""

    id: int
    reference: str
    status: str
    marking: str
    occurred_on: date
    country: str
    organisation: str
    url: str
    lines: list[SeizureLineOut]


class RequestOut(RequestSummaryOut):
    audience: str
    topics: list[str]
    conventions: list[str]
    areas: list[str]
    languages: list[str]
    region: str
    open_to_all: bool
    asker: PersonOut
    expert: PersonOut | None
    invited: list[PersonOut]
    created_at: datetime
    answered_at: datetime | None
    useful: bool | None
    thread_id: int
    thread_url: str
    library_item_url: str | None  # only when the caller may read the item
    seizure: LinkedSeizureOut | None  # None: none linked, or the caller may not read it
    history: list[StateChangeOut]


def _summary(found: Request) -> dict[str, Any]:
    thread = found.thread
    return {
        "id": found.pk,
        "subject": thread.subject,
        "state": found.state,
        "state_label": found.get_state_display(),
        "urgency": found.urgency,
        "deadline": found.deadline,
        "overdue": found.is_overdue(),
        "marking": thread.marking,
        "marking_label": thread.get_marking_display(),
        "organisation": str(found.organisation),
        "url": reverse("assistance:request", args=[found.pk]),
    }


def _person(person) -> PersonOut:
    return PersonOut(id=person.pk, name=person.full_name, organisation=str(person.organisation))


@router.get(
    "/requests",
    response={200: ListOut, **refusals()},
    summary="Requests for assistance in one section of the caller's tracker, only those the caller may read",
)
def list_assistance_requests(request, filters: Query[SectionIn]) -> Any:
    found = selectors.tracker(person=request.auth)[filters.section]
    return ListOut(
        section=filters.section, count=len(found), results=[RequestSummaryOut(**_summary(one)) for one in found]
    )


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, **refusals(missing=True)},
    summary="One request for assistance with its state history, as its audience may read it",
)
def read_assistance_request(request, request_id: int) -> Any:
    person = request.auth
    found = access.request_for(person, request_id)  # 404 for missing and forbidden alike
    seizure = access.seizure_for_reader(person, found)
    item_url = None
    if found.library_item_id and items_visible_to(person).filter(pk=found.library_item_id).exists():
        item_url = reverse("library:item", args=[found.library_item_id])
    return RequestOut(
        **_summary(found),
        audience=found.thread.audience,
        topics=list(found.thread.topics.values_list("code", flat=True)),
        conventions=found.codes("conventions"),
        areas=found.codes("areas"),
        languages=found.codes("languages"),
        region=found.region,
        open_to_all=found.open_to_all,
        asker=_person(found.asker),
        expert=_person(found.expert) if found.expert else None,
        invited=[_person(invitation.expert) for invitation in found.invitations.select_related("expert__organisation")],
        created_at=found.created_at,
        answered_at=found.answered_at,
        useful=found.useful,
        thread_id=found.thread_id,
        thread_url=reverse("messaging:thread", args=[found.thread_id]),
        library_item_url=item_url,
        seizure=LinkedSeizureOut(
            id=seizure.pk,
            reference=str(seizure),
            status=seizure.status,
            marking=seizure.marking,
            occurred_on=seizure.occurred_on,
            country=seizure.country,
            organisation=str(seizure.organisation),
            url=reverse("seizures:record", args=[seizure.pk]),
            lines=[SeizureLineOut(convention=line.convention, code=line.code) for line in seizure.lines.all()],
        )
        if seizure is not None
        else None,
        history=[
            StateChangeOut(
                state=change.state,
                state_label=change.get_state_display(),
                at=change.at,
                by=change.by.full_name if change.by else None,
            )
            for change in found.history.select_related("by")
        ],
    )
