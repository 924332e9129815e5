"""Live notices without Redis, as under ``make run``: one uvicorn process serves the pages, the task worker
is another process. A notice the worker writes (a followed search matched by a newly shared seizure record)
must reach the follower's open page although no broker carries it between the processes: the server
follows the event table while it has open streams, with one query per interval for all of them.
"""

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest
from asgiref.sync import sync_to_async

from conftest import Cast
from environet import broker
from messaging import live
from messaging.access import Reader
from messaging.models import Event
from messaging.tests.servers import ROOT, WAIT, Server, Servers, Visitor
from seizures import actions
from seizures.tests.builders import file, line
from topics.models import TOPIC_NAMES, Topic

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def topics(transactional_db) -> None:
    for position, (code, name) in enumerate(TOPIC_NAMES.items()):
        Topic.objects.get_or_create(code=code, defaults={"name": str(name), "position": position})


@pytest.fixture
def server(transactional_db) -> Iterator[Server]:
    """uvicorn without REDIS_URL: the in-process broker, as under ``make run``."""
    started = Servers()
    try:
        yield started.start(redis_url="")
    finally:
        started.stop_all()


def in_another_process(server: Server, code: str) -> str:
    """Run ``code`` in ``manage.py shell`` in a process of its own, against the server's database."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def test_a_notice_written_by_the_task_worker_process_reaches_an_open_stream_without_redis(server: Server, cast: Cast):
    kenyan, french = cast.member, cast.other_focal_point
    # Shared before anyone follows pangolins: the task that ran at sharing told nobody.
    seizure = file(kenyan, share=True, lines=[line("cites", "Manis gigantea")])
    assert not Event.objects.filter(kind="notice", person=french).exists()
    actions.follow_search(
        request=None,
        person=french,
        name="Pangolins",
        convention="cites",
        code="Manis gigantea",
        country="",
        company="",
        by_email=False,
    )

    stream = Visitor(french).stream(server)
    try:
        assert stream.status == 200
        stream.wait(lambda s: s.heartbeats >= 1, "the stream to be open and beating")
        # The worker's task, in a process of its own: its broker has no listener, the server hears nothing.
        told = in_another_process(
            server, f"from seizures.notify import tell_followers; print(tell_followers.call(seizure_id={seizure.pk}))"
        )
        assert told.strip() == "1", told
        written = Event.objects.get(kind="notice", person=french)

        stream.wait(lambda s: any(frame.event == "notice" for frame in s.frames), "the worker's notice", WAIT)
        [frame] = [frame for frame in stream.frames if frame.event == "notice"]
        assert frame.id == written.pk
        assert seizure.reference in frame.data["text"] and "Pangolins" in frame.data["text"]
        assert frame.data["url"].endswith(f"/seizures/{seizure.pk}/")
    finally:
        stream.close()


def test_one_task_follows_the_table_for_all_the_streams_of_a_process_and_only_while_there_are_any(
    monkeypatch, settings
):
    settings.REDIS_URL = ""
    asked: list[int] = []

    def latest_id() -> int:
        asked.append(1)
        return 0

    monkeypatch.setattr(live, "_latest_id", latest_id)

    def following() -> list[asyncio.Task]:
        return [task for task in asyncio.all_tasks() if task.get_name() == live.FOLLOWING_TABLE]

    async def scenario() -> None:
        hub = live.Hub()
        connections = [hub.connect(Reader(person_id=number, organisation_id=1, country="KE")) for number in range(5)]
        assert len(following()) == 1, "one task for every stream of the process"
        before = len(asked)
        for _ in range(200):  # until the table has been asked a few times (or the test gives up)
            await asyncio.sleep(0.05)
            if len(asked) >= before + 2:
                break
        assert len(asked) >= before + 2, "the table was not followed"
        assert len(following()) == 1
        for connection in connections:
            hub.disconnect(connection)
        task = following()[0]
        await asyncio.wait_for(task, timeout=settings.LIVE_POLL_SECONDS * 3 + 5)
        assert following() == [], "nobody left to tell: the table is no longer asked"
        assert hub._stop is not None
        hub._stop.set()

    asyncio.run(scenario())


def test_with_redis_the_table_is_not_followed(monkeypatch, settings):
    """Redis carries every process's events: no process needs to ask the table."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # never reached: the test stops before listening does

    async def scenario() -> list[asyncio.Task]:
        hub = live.Hub()
        monkeypatch.setattr(hub, "_ensure_listening", lambda: None)
        hub.connect(Reader(person_id=1, organisation_id=1, country="KE"))
        return [task for task in asyncio.all_tasks() if task.get_name() == live.FOLLOWING_TABLE]

    assert asyncio.run(scenario()) == []


def test_the_table_is_no_longer_followed_once_it_cannot_be_read_a_number_of_times(monkeypatch, settings):
    # A database gone for good (or a process shutting down) must not keep a task asking it every second.
    settings.REDIS_URL = ""
    monkeypatch.setattr(live, "FOLLOW_TRIES", 3)
    failures: list[int] = []

    def unreachable() -> int:
        failures.append(1)
        raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    monkeypatch.setattr(live, "_latest_id", unreachable)

    async def scenario() -> None:
        hub = live.Hub()
        hub.connect(Reader(person_id=1, organisation_id=1, country="KE"))
        [task] = [task for task in asyncio.all_tasks() if task.get_name() == live.FOLLOWING_TABLE]
        await asyncio.wait_for(task, timeout=settings.LIVE_POLL_SECONDS * 10 + 10)
        assert task.done() and hub.connections, "the follow task ended; the stream itself stays open"
        assert hub._stop is not None
        hub._stop.set()

    asyncio.run(scenario())


def test_an_event_is_handed_out_in_slices_with_the_loop_free_between_them_and_in_order(monkeypatch, settings):
    """Thousands of open followers must not hold back the poster's own answer: between two slices of streams
    the event loop runs whatever else is ready. Each stream still gets every event once and in id order."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(live, "HAND_OUT_SLICE", 10)
    audience = {"audience": "network", "forums": [], "topics": ["B"], "author": 0}

    async def scenario() -> None:
        hub = live.Hub()
        monkeypatch.setattr(hub, "_ensure_listening", lambda: None)
        monkeypatch.setattr(hub, "_ensure_following", lambda: None)
        connections = [
            hub.connect(Reader(person_id=number, organisation_id=1, country="KE", topics={"B"})) for number in range(35)
        ]
        hub.high = 0
        answered_after: list[int] = []  # how many streams had the first event when the "answer" ran

        def answer() -> None:
            answered_after.append(sum(len(connection.items) > 0 for connection in connections))

        for event_id in (1, 2):
            hub.deliver({"id": event_id, "kind": "message", "thread": 7, "audience": audience, "mentions": []})
        asyncio.get_running_loop().call_soon(answer)  # ready while the hand-out is under way
        while hub._handing_out:
            await asyncio.sleep(0)
        # The first slice goes at once; the answer, ready then, runs after one more, not after all 35 streams.
        assert answered_after == [20], "the answer waited for more than one slice of streams"
        for connection in connections:
            assert [connection.items.popleft()["id"] for _ in range(2)] == [1, 2]
            assert not connection.items

    asyncio.run(scenario())


def test_a_request_is_awaited_from_its_first_event_until_its_answer_has_gone(settings):
    """What the hub asks before handing out (broker.answering): a request of this process published an event,
    in Django's thread, on commit, and its answer has not all been sent yet."""
    settings.REDIS_URL = ""
    seen: list[bool] = []

    async def django(scope, receive, send) -> None:
        seen.append(broker.answering())
        await sync_to_async(broker.publish)({"kind": "reader.changed", "person": -1})
        await sync_to_async(broker.publish)({"kind": "reader.changed", "person": -2})  # counted once
        seen.append(broker.answering())
        await send({"type": "http.response.start", "status": 302, "headers": []})
        seen.append(broker.answering())
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        seen.append(broker.answering())
        broker.publish({"kind": "reader.changed", "person": -3})  # after the answer: awaits nothing
        seen.append(broker.answering())

    async def sent(message) -> None:
        pass

    async def failing(scope, receive, send) -> None:
        broker.publish({"kind": "reader.changed", "person": -4})
        raise RuntimeError("the request failed before answering")

    scope = {"type": "http", "method": "POST", "path": "/messages/threads/1/reply/", "headers": []}
    asyncio.run(broker.answer_request(django, scope, None, sent))
    assert seen == [False, True, True, False, False]
    with pytest.raises(RuntimeError):
        asyncio.run(broker.answer_request(failing, scope, None, sent))
    assert not broker.answering()  # a request that ended without answering is awaited no more


def test_a_hand_out_waits_for_the_posters_answer_for_a_moment_at_most(monkeypatch, settings):
    """Handing an event to many streams would share the process with the poster's answer: it starts once the
    answer has gone, or after HOLD_SECONDS whatever happens to the answer."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(live, "HOLD_SECONDS", 0.2)
    audience = {"audience": "network", "forums": [], "topics": ["B"], "author": 0, "organisations": []}
    audience |= {"countries": [], "people": []}

    async def scenario() -> None:
        hub = live.Hub()
        monkeypatch.setattr(hub, "_ensure_listening", lambda: None)
        monkeypatch.setattr(hub, "_ensure_following", lambda: None)
        readers = [Reader(person_id=number, organisation_id=1, country="KE", topics={"B"}) for number in range(3)]
        connections = [hub.connect(reader) for reader in readers]
        hub.high = 0

        async def handed_out(event_id: int, within: float) -> bool:
            deadline = asyncio.get_running_loop().time() + within
            while asyncio.get_running_loop().time() < deadline:
                if all(connection.items and connection.items[-1]["id"] == event_id for connection in connections):
                    return True
                await asyncio.sleep(0.005)
            return False

        poster = broker.Answer()
        marked = broker.answer_in_progress.set(poster)
        broker.publish({"kind": "reader.changed", "person": -1})  # the post's event, published on commit
        broker.answer_in_progress.reset(marked)
        hub.deliver({"id": 1, "kind": "message", "thread": 7, "audience": audience, "mentions": []})
        assert not await handed_out(1, within=0.05), "handed out while the poster's answer was on its way"
        broker.answered(poster)
        assert await handed_out(1, within=0.05)

        stuck = broker.Answer()  # an answer that does not go out
        marked = broker.answer_in_progress.set(stuck)
        broker.publish({"kind": "reader.changed", "person": -1})
        broker.answer_in_progress.reset(marked)
        try:
            started = asyncio.get_running_loop().time()
            hub.deliver({"id": 2, "kind": "message", "thread": 7, "audience": audience, "mentions": []})
            assert await handed_out(2, within=1.0)
            assert asyncio.get_running_loop().time() - started >= 0.19
        finally:
            broker.answered(stuck)

    asyncio.run(scenario())
