"""The Server-Sent Events endpoint: one long response per open page."""

import asyncio
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from messaging import access, live
from messaging.models import Event, Follow
from topics.models import TopicChoice

BACKLOG_LIMIT = 2000


def load_reader(person, watching: int | None) -> access.Reader:
    follows = dict(Follow.objects.filter(person=person).values_list("thread_id", "state"))
    watched = watching if watching and access.threads_visible_to(person).filter(pk=watching).exists() else None
    return access.Reader(
        person_id=person.pk,
        organisation_id=person.organisation_id,
        country=person.organisation.country,
        forums=set(person.forums.values_list("pk", flat=True)),
        topics=set(
            TopicChoice.objects.filter(person=person)
            .exclude(delivery=TopicChoice.Delivery.NONE)
            .values_list("topic__code", flat=True)
        ),
        followed={thread for thread, state in follows.items() if state == Follow.State.FOLLOW},
        muted={thread for thread, state in follows.items() if state == Follow.State.MUTE},
        watching=watched,
    )


def stored_events(after: int, reader: access.Reader) -> list[dict]:
    """Events newer than ``after`` that this reader wants, oldest first."""
    rows = Event.objects.filter(pk__gt=after).order_by("pk").values("pk", "kind", "data")[:BACKLOG_LIMIT]
    events = ({"id": row["pk"], "kind": row["kind"], **row["data"]} for row in rows)
    return [event for event in events if reader.wants(event)]


def _last_event_id(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    return int(raw) if raw.isdigit() else -1


def _latest_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@require_safe
async def events(request: HttpRequest) -> HttpResponse:
    person = await request.auser()
    if not (person.is_authenticated and person.is_active):
        return HttpResponse(status=401)
    watching_raw = request.GET.get("thread", "")
    watching = int(watching_raw) if watching_raw.isdigit() else None
    reader = await sync_to_async(load_reader)(person, watching)
    after = _last_event_id(request)
    if after < 0:
        after = await sync_to_async(_latest_event_id)()  # a fresh page starts from now
    # The stream ends when the session would: the browser then reconnects through the session checks.
    session = request.session
    started = await sync_to_async(session.get)("signed_in_at", time.time())
    seen = await sync_to_async(session.get)("seen_at", time.time())
    remaining = min(started + settings.SESSION_MAX_SECONDS, seen + settings.SESSION_IDLE_SECONDS) - time.time()
    connection = live.hub.connect(reader)

    async def backlog(since: int, current: access.Reader) -> list[dict]:
        return await sync_to_async(stored_events)(since, current)

    async def reload_reader(watched: int | None) -> access.Reader:
        return await sync_to_async(load_reader)(person, watched)

    deadline = asyncio.get_running_loop().time() + max(remaining, 1)
    body = live.stream(connection, after=after, backlog=backlog, reload_reader=reload_reader, deadline=deadline)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
