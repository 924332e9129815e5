"""Requests borrow a kept thread, and its database connection, instead of each making its own
(environet/request_threads.py)."""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection, connections

from environet import database_pool
from environet.request_threads import RequestThreads
from messaging.tests.servers import Servers, request

pytestmark = pytest.mark.django_db(transaction=True)  # the threads open connections of their own


@pytest.fixture
def kept_connections() -> Iterator[None]:
    """As the web process starts (environet/asgi.py); the test run's own setting given back afterwards."""
    before = {alias: connections[alias].settings_dict["CONN_MAX_AGE"] for alias in connections}
    database_pool.keep_connections()
    try:
        yield
    finally:
        for alias, age in before.items():
            connections[alias].settings_dict["CONN_MAX_AGE"] = age


def _pooled() -> bool:
    return bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))


def _a_request():
    """A request's database work, ended as Django ends one (request_finished: close_old_connections)."""
    connection.ensure_connection()
    close_old_connections()
    return threading.get_ident(), connection.connection


def test_requests_one_after_another_run_on_one_thread_and_keep_its_connection(kept_connections):
    async def three_requests():
        threads = RequestThreads(kept=2)
        seen = []
        for _ in range(3):
            async with threads.borrowed():
                seen.append(await sync_to_async(_a_request)())
        return seen

    seen = asyncio.run(three_requests())
    assert len({thread for thread, _ in seen}) == 1
    if _pooled():
        assert {kept for _, kept in seen} == {None}  # PostgreSQL's pool lends one per request and takes it back
    else:
        assert len({id(kept) for _, kept in seen}) == 1 and seen[0][1] is not None


def test_threads_beyond_those_kept_close_their_connections_and_end(kept_connections):
    busy = 4
    started = threading.Barrier(busy, timeout=20)

    def a_long_request():
        connection.ensure_connection()
        started.wait()  # all four at once: each on a thread of its own
        return threading.current_thread(), connections["default"]

    async def four_at_once():
        threads = RequestThreads(kept=2)

        async def one():
            async with threads.borrowed():
                return await sync_to_async(a_long_request)()

        return threads, await asyncio.gather(*(one() for _ in range(busy)))

    threads, seen = asyncio.run(four_at_once())
    assert len({thread for thread, _ in seen}) == busy
    assert len(threads.idle) == 2
    kept = {executor._threads.pop() for executor in threads.idle}  # each executor has its one thread
    for thread, wrapper in seen:
        if thread in kept:
            assert wrapper.connection is not None or _pooled()
        else:
            assert wrapper.connection is None  # closed by its own thread before it ended
            thread.join(timeout=5)
            assert not thread.is_alive()


def _threads_of(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def _settled(count, *, still: float = 1.0, at_most: float = 15.0) -> int:
    """``count()`` once it has not changed for ``still`` seconds: a thread let go closes its connection after
    the answer has gone out."""
    deadline = time.monotonic() + at_most
    last, since = count(), time.monotonic()
    while time.monotonic() - since < still and time.monotonic() < deadline:
        time.sleep(0.1)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_the_server_keeps_request_threads_once_they_have_answered():
    if not Path("/proc/self/task").is_dir():
        pytest.skip("threads counted from /proc (Linux)")

    def threads_after_ten_requests(kept: str) -> int:
        servers = Servers()
        try:
            server = servers.start(ENVIRONET_REQUEST_THREADS=kept)
            assert server.process is not None
            pid = server.process.pid
            for _ in range(10):
                assert request(server, "GET", "/healthz")[0] == 200
            return _settled(lambda: _threads_of(pid))
        finally:
            servers.stop_all()

    # With no thread kept, each request's thread ends once it has answered (as Django's own did): the server is
    # left with the threads it has without requests. Kept, request threads stay for the next requests (one
    # after another, they run on one: the tests above), at most as many as the setting says.
    without = threads_after_ten_requests("0")
    assert without < threads_after_ten_requests("2") <= without + 2
