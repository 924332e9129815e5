"""The messaging part of the API: search, with the same rules and filters as the search page."""

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema

from environet.api_errors import FiltersRefusedOut, filters_refused, refusals
from messaging import search, selectors
from messaging.forms import SearchForm

router = Router(tags=["messages"])
PAGE_SIZE = 20


class SearchIn(Schema):
    q: str = ""
    topic: str = ""
    kind: str = ""
    marking: str = ""
    organisation: str = ""
    country: str = ""
    author: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1


class FoundOut(Schema):
    id: int
    thread: int
    subject: str
    marking: str
    marking_label: str
    kind: str
    author: str
    organisation: str
    created_at: datetime
    snippet: str
    url: str


class MessageSearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[FoundOut]


@router.get(
    "/search",
    response={200: MessageSearchOut, **refusals(), 400: FiltersRefusedOut},
    summary="Messages the signed-in person may see that match words and filters, newest first",
)
def search_messages(request, filters: Query[SearchIn]) -> Any:
    person = request.auth
    criteria = filters.dict(exclude={"page"})
    form = SearchForm({name: value for name, value in criteria.items() if value}, person=person)
    if not form.is_valid():
        return filters_refused(form)
    chosen = form.filters()
    page = search.page(person=person, filters=chosen, number=filters.page, size=PAGE_SIZE)  # every match counted
    return MessageSearchOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        results=[
            FoundOut(
                id=message.pk,
                thread=message.thread_id,
                subject=message.thread.subject,
                marking=message.thread.marking,
                marking_label=message.thread.get_marking_display(),
                kind=message.kind,
                author=message.author.full_name,
                organisation=str(message.author.organisation),
                created_at=message.created_at,
                snippet=search.snippet_text(message.body, chosen.text),
                url=selectors.message_url(message),
            )
            for message in page
        ],
    )
