"""Live fan-out: how fast a post reaches every open stream, what an open stream costs the server, and
whether the number of followers makes a post slower. See bench/README.md.

    python bench/fanout.py --quick                     # 1,000 streams, closed loop
    python bench/fanout.py                             # 5,000 streams
    python bench/fanout.py --quick --open-loop 1       # 1 post a second for 30 s, not waiting for delivery
    python bench/fanout.py --clients 10000 --open-loop 1

Closed loop (the default), each post waits until every stream has it before the next is written. Open loop
(``--open-loop RATE``), the poster writes RATE posts a second for ``--seconds`` whatever has been delivered,
as people post, and the report says how far deliveries fell behind (the backlog) and how long they took to
catch up.

The streams are held by client processes of their own (as browsers are not the server), each within its
open-file limit; the servers and the clients raise their soft limit to the hard one. The last line printed
is JSON with the figures, the raw broadcaster's figures measured in the same run (bench/raw_sse.py) and
whether each aim of the issue is met.
"""

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import re
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _setup import Database, child_env

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

COST_FOLLOWERS = 2000  # the topic whose posts are compared with a topic followed by one person
CONNECT_CONCURRENCY = 64  # streams being opened at once
CONNECT_SECONDS = 600  # all streams open within this, or the bench gives up
DELIVERY_SECONDS = 20.0  # one post reaches every stream within this, or its missing deliveries are counted
DRAIN_SECONDS = 60.0  # open loop: after the posting window, deliveries still missing after this are counted
POST_SECONDS = 60.0  # open loop: a post not answered within this counts as failed
SERVER_START_SECONDS = 60
SETTLE_SECONDS = 2.0
PROBE = re.compile(rb"fanout-probe-(\d+)-end")
TAIL = 64  # bytes kept between reads, so a probe split across two reads is still found
# Files a client process needs besides its streams: standard streams, the event loop's selector, the file it
# writes arrival times to, Python's own.
CLIENT_RESERVE = 64

AIM_P99_RATIO = 1.5
AIM_KIB_PER_CONNECTION = 64
AIM_POST_COST_RATIO = 1.2
# ENVIRONET runs with production settings (DEBUG off), so its cookies have production names.
SESSION_COOKIE = "__Host-sessionid"
CSRF_COOKIE = "__Host-csrftoken"

# Arrival times are taken in the client processes and post times in this one: both with time.perf_counter,
# which on Linux is CLOCK_MONOTONIC, one clock for every process of the machine.


# --- Preparing the data (runs in a child process, with Django) -------------------------------------------


def seed(fixture: Path, followers: int, clients: int) -> None:
    """People, topic choices, threads and signed-in sessions, written straight to the database."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Organisation, Person
    from messaging import actions
    from topics.models import Topic, TopicChoice

    organisation = Organisation.objects.create(name="Bench Customs", short_name="BC", kind="customs", country="KE")
    people = Person.objects.bulk_create(
        Person(
            email=f"officer{index}@bench.example",
            full_name=f"Officer {index}",
            organisation=organisation,
            state=Person.State.ACTIVE,
            password=make_password(None),  # unusable: these people never sign in through the pages
        )
        for index in range(followers)
    )
    poster = Person.objects.create_user(
        email="poster@bench.example",
        full_name="Bench Poster",
        organisation=organisation,
        state=Person.State.ACTIVE,
        password=None,
    )
    topics = {topic.code: topic for topic in Topic.objects.filter(code__in="ABC")}
    live = TopicChoice.Delivery.LIVE
    TopicChoice.objects.bulk_create(
        [TopicChoice(person=person, topic=topics["B"], delivery=live) for person in people]
        + [TopicChoice(person=person, topic=topics["A"], delivery=live) for person in people[:COST_FOLLOWERS]]
        + [TopicChoice(person=poster, topic=topics["C"], delivery=live)]
    )
    threads = {}
    for code in "ABC":
        draft = actions.Draft(
            subject=f"Fan-out bench, topic {code}", topics=[topics[code]], kind="information", body="."
        )
        threads[code] = actions.start_thread(request=None, author=poster, draft=draft).pk

    now = time.time()
    store = SessionStore()
    keys: list[str] = []
    sessions = []
    for person in [*people[:clients], poster]:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: "accounts.backends.SignedInPerson",  # as sign-in names it
            HASH_SESSION_KEY: person.get_session_auth_hash(),
            "signed_in_at": now,
            "seen_at": now,
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=timezone.now() + timedelta(hours=12))
        )
        keys.append(key)
    Session.objects.bulk_create(sessions, batch_size=500)
    fixture.write_text(json.dumps({"streams": keys[:-1], "poster": keys[-1], "threads": threads}))


# --- A small HTTP/1.1 client for the poster --------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    at: float  # when the status line and headers had arrived (time.perf_counter)
    sent: float = 0.0  # when the request began to be written: the poster's click

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key == name), "")


class HttpClient:
    """One keep-alive connection, reopened when it may have timed out or was closed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.writer is None or self.reader is None or time.monotonic() - self.used > 3:  # uvicorn keeps 5 s
            await self.close()
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self.reader, self.writer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, *, headers: dict[str, str], body: bytes = b"") -> Answer:
        reader, writer = await self._connection()
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        sent = time.perf_counter()
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        at = time.perf_counter()
        status_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        pairs = [(key.strip().lower(), value.strip()) for key, value in (line.split(":", 1) for line in header_lines)]
        answer = Answer(int(status_line.split()[1]), pairs, b"", at, sent)
        if answer.header("transfer-encoding") == "chunked":
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
                parts.append((await reader.readexactly(size + 2))[:-2])
            await reader.readuntil(b"\r\n")
            answer.body = b"".join(parts)
        else:
            answer.body = await reader.readexactly(int(answer.header("content-length") or 0))
        if answer.header("connection") == "close":
            await self.close()
        self.used = time.monotonic()
        return answer


# --- Stream clients ----------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """When each probe reached each stream. ``on_complete`` is called once a probe has reached as many
    streams as it is expected to."""

    slots: int
    on_complete: Callable[[int], None] | None = None
    arrivals: list[array] = field(init=False)
    expected: list[int] = field(init=False)
    complete: list[asyncio.Event] = field(init=False)
    duplicates: int = 0

    def __post_init__(self) -> None:
        self.arrivals = [array("d") for _ in range(self.slots)]
        self.expected = [-1] * self.slots  # not known yet: an arrival may come before its expectation is read
        self.complete = [asyncio.Event() for _ in range(self.slots)]

    def expect(self, probe: int, streams: int) -> None:
        self.expected[probe] = streams
        self._check(probe)

    def arrived(self, probe: int, at: float) -> None:
        self.arrivals[probe].append(at)
        self._check(probe)

    def _check(self, probe: int) -> None:
        expected = self.expected[probe]
        if 0 <= expected <= len(self.arrivals[probe]) and not self.complete[probe].is_set():
            self.complete[probe].set()
            if self.on_complete is not None:
                self.on_complete(probe)


class StreamClient(asyncio.Protocol):
    """One open SSE stream. It only looks for probe markers in what arrives, and notes when."""

    def __init__(self, request: bytes, recorder: Recorder) -> None:
        self.request = request
        self.recorder = recorder
        self.seen = bytearray(recorder.slots)
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.tail = b""
        self.received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.received += len(data)
        if not self.ready.done():
            self.head += data
            if not self.head.startswith(b"HTTP/1.1 200"):
                if b"\r\n" in self.head:
                    self.ready.set_exception(ConnectionError(self.head.split(b"\r\n", 1)[0].decode("latin-1")))
                return
            if b"retry:" in self.head:
                self.ready.set_result(None)
                self.head = b""
            return
        buffer = self.tail + data
        skip = len(self.tail)
        for match in PROBE.finditer(buffer):
            if match.end() > skip:
                probe = int(match.group(1))
                if self.seen[probe]:
                    self.recorder.duplicates += 1
                else:
                    self.seen[probe] = 1
                    self.recorder.arrived(probe, now)
        self.tail = buffer[-TAIL:]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed before the stream started"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_streams(port: int, requests: list[bytes], recorder: Recorder) -> list[StreamClient]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    clients: list[StreamClient] = []

    async def one(request: bytes) -> None:
        async with gate:
            client = StreamClient(request, recorder)
            await loop.create_connection(lambda: client, "127.0.0.1", port)
            clients.append(client)
            await asyncio.wait_for(client.ready, 60)

    try:
        await asyncio.wait_for(asyncio.gather(*(one(request) for request in requests)), CONNECT_SECONDS)
    except BaseException:
        for client in clients:
            client.close()
        raise
    return clients


async def close_streams(clients: list[StreamClient]) -> None:
    for client in clients:
        client.close()
    await asyncio.sleep(SETTLE_SECONDS)  # the server notices and lets go of them


# --- Client processes --------------------------------------------------------------------------------------
#
# A client process (this script with --client-worker) holds a share of one server's streams. It reads one
# command a line on its standard input and answers one JSON line on its standard output, except "expect",
# which is answered by {"done": probe} once the probe has reached every stream of the share that should
# have it, whenever that is. Arrival times stay in the process until "arrivals" writes them to a file.


def raise_soft_open_files() -> int:
    """This process's soft open-file limit raised to the hard one (children inherit it); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        wanted = max(soft, 1 << 20) if soft != resource.RLIM_INFINITY else soft
    else:
        wanted = hard
    if soft != wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


async def client_worker() -> None:
    raise_soft_open_files()
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)

    def tell(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    recorder = Recorder(slots=1)
    streams: list[StreamClient] = []
    while line := await commands.readline():
        command = json.loads(line)
        op = command["op"]
        try:
            if op == "open":
                recorder = Recorder(slots=command["slots"], on_complete=lambda probe: tell({"done": probe}))
                if command["fixture"]:
                    keys = json.loads(Path(command["fixture"]).read_text())["streams"]
                    cookies = [f"{SESSION_COOKIE}={key}" for key in keys[command["start"] : command["end"]]]
                else:
                    cookies = [""] * (command["end"] - command["start"])
                started = time.perf_counter()
                streams = await open_streams(
                    command["port"], [stream_request(command["path"], cookie) for cookie in cookies], recorder
                )
                tell({"opened": len(streams), "seconds": time.perf_counter() - started})
            elif op == "expect":
                recorder.expect(command["probe"], command["streams"])
            elif op == "received":
                tell({"received": streams[0].received if streams else 0})
            elif op == "arrivals":
                with open(command["file"], "wb") as out:
                    for times in recorder.arrivals:
                        array("q", [len(times)]).tofile(out)
                        times.tofile(out)
                tell({"duplicates": recorder.duplicates})
            elif op == "close":
                await close_streams(streams)
                tell({"closed": len(streams)})
                streams = []
            else:
                tell({"error": f"unknown command {op!r}"})
        except Exception as error:  # told to the parent, which stops the bench with it
            tell({"error": f"{type(error).__name__}: {error}"})


@dataclass
class Worker:
    process: asyncio.subprocess.Process
    start: int
    end: int
    replies: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    listener: asyncio.Task[None] | None = None


class Clients:
    """The streams of one server, held by client processes: each holds up to ``per_process`` of them (its
    open-file limit, less what it needs besides). Probe numbers are this server's own."""

    def __init__(self, name: str, count: int, per_process: int, slots: int, folder: Path) -> None:
        self.name = name
        self.count = count
        self.shares = [(start, min(count, start + per_process)) for start in range(0, count, per_process)]
        self.slots = slots
        self.folder = folder
        self.workers: list[Worker] = []
        self.pending = [0] * slots  # client processes yet to report a probe complete
        self.complete = [asyncio.Event() for _ in range(slots)]

    async def start(self) -> None:
        for start, end in self.shares:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--client-worker",
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=BENCH,
                limit=1 << 20,
            )
            worker = Worker(process, start, end)
            worker.listener = asyncio.ensure_future(self._listen(worker))
            self.workers.append(worker)

    async def _listen(self, worker: Worker) -> None:
        assert worker.process.stdout is not None
        while line := await worker.process.stdout.readline():
            message = json.loads(line)
            if "done" in message:
                probe = message["done"]
                self.pending[probe] -= 1
                if self.pending[probe] == 0:
                    self.complete[probe].set()
            else:
                worker.replies.put_nowait(message)
        worker.replies.put_nowait({"error": f"the {self.name} client process ended"})

    async def _ask(self, worker: Worker, command: dict[str, Any]) -> dict[str, Any]:
        assert worker.process.stdin is not None
        async with worker.lock:
            worker.process.stdin.write((json.dumps(command) + "\n").encode())
            await worker.process.stdin.drain()
            reply = await worker.replies.get()
        if "error" in reply:
            raise RuntimeError(f"{self.name} streams: {reply['error']}")
        return reply

    async def open(self, port: int, path: str, fixture: Path | None) -> float:
        """Opens every stream; returns the seconds it took."""
        started = time.perf_counter()
        await asyncio.gather(
            *(
                self._ask(
                    worker,
                    {
                        "op": "open",
                        "port": port,
                        "path": path,
                        "fixture": str(fixture) if fixture else None,
                        "start": worker.start,
                        "end": worker.end,
                        "slots": self.slots,
                    },
                )
                for worker in self.workers
            )
        )
        return time.perf_counter() - started

    def expect(self, probe: int, first: int) -> None:
        """The probe is to reach the first ``first`` streams (in the fixture's order), and no other."""
        self.pending[probe] = len(self.workers)
        if not self.workers:
            self.complete[probe].set()
        for worker in self.workers:
            assert worker.process.stdin is not None
            streams = max(0, min(worker.end, first) - worker.start)
            worker.process.stdin.write(
                (json.dumps({"op": "expect", "probe": probe, "streams": streams}) + "\n").encode()
            )

    async def wait(self, probe: int, seconds: float) -> bool:
        """Whether the probe reached every stream it should within ``seconds``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.complete[probe].wait(), max(seconds, 0.0))
        return self.complete[probe].is_set()

    def cpu_seconds(self) -> float:
        """Processor time the client processes have used so far: when they are busy all the time, arrivals
        are noted late and the clients, not the server, set the latency."""
        return sum(cpu_seconds(worker.process.pid) for worker in self.workers)

    async def received(self) -> int:
        """Bytes the first stream has received so far."""
        return (await self._ask(self.workers[0], {"op": "received"}))["received"]

    async def arrivals(self) -> tuple[list[array], int]:
        """Every stream's arrival times of each probe, and how many probes came twice to one stream."""
        merged = [array("d") for _ in range(self.slots)]
        duplicates = 0
        for index, worker in enumerate(self.workers):
            path = self.folder / f"arrivals-{self.name}-{index}.bin"
            duplicates += (await self._ask(worker, {"op": "arrivals", "file": str(path)}))["duplicates"]
            with open(path, "rb") as found:
                for times in merged:
                    count = array("q")
                    count.fromfile(found, 1)
                    times.fromfile(found, count[0])
            path.unlink()
        return merged, duplicates

    async def close(self) -> None:
        await asyncio.gather(*(self._ask(worker, {"op": "close"}) for worker in self.workers))

    async def stop(self) -> None:
        for worker in self.workers:
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in self.workers:
            try:
                await asyncio.wait_for(worker.process.wait(), 10)
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            if worker.listener is not None:
                worker.listener.cancel()


# --- Servers -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(app: str, port: int, env: dict[str, str], limit: int, app_dir: Path = ROOT) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-proxy-headers", "--log-level", "warning"]
    command += ["--limit-concurrency", str(limit), "--backlog", "8192"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{app} stopped at start (exit {server.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"{app} did not start within {SERVER_START_SECONDS} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def process_status(pid: int) -> dict[str, int]:
    """Resident memory (bytes), threads and open files of a process, from /proc (psutil if present)."""
    try:
        import psutil

        process = psutil.Process(pid)
        return {"rss": process.memory_info().rss, "threads": process.num_threads(), "files": process.num_fds()}
    except ImportError:
        pass
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {
        "rss": int(status["VmRSS"].split()[0]) * 1024,
        "threads": int(status["Threads"]),
        "files": len(os.listdir(f"/proc/{pid}/fd")),
    }


def cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def idle_status(pid: int) -> dict[str, int]:
    await asyncio.sleep(SETTLE_SECONDS)
    return process_status(pid)


# --- Measuring ---------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return percentile(values, 0.5)


def stream_request(path: str, cookie: str = "") -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream", "Cache-Control: no-cache"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class Phase:
    """One server measured: its streams, when each post began to be written, what the streams received."""

    streams: Clients
    sent: dict[int, float] = field(default_factory=dict)
    arrivals: list[array] = field(default_factory=list)
    duplicates: int = 0
    rss_before: int = 0
    idle: dict[str, int] = field(default_factory=dict)

    async def collect(self) -> None:
        self.arrivals, self.duplicates = await self.streams.arrivals()

    def latencies(self, probes: range) -> list[float]:
        """Milliseconds from the moment the post began to be written (the poster's click) to each arrival:
        the post's own handling counts, as the people waiting for it see it."""
        found = []
        for probe in probes:
            if probe in self.sent:
                found += [(at - self.sent[probe]) * 1000 for at in self.arrivals[probe]]
        return found

    def delivered(self, probes: range) -> int:
        return sum(len(self.arrivals[probe]) for probe in probes)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Environet:
    """The real server: streams are signed-in people, posts go through the reply form."""

    def __init__(self, port: int, fixture: dict[str, Any]) -> None:
        self.port = port
        self.fixture = fixture
        self.poster = HttpClient(port)
        self.cookie = f"{SESSION_COOKIE}={fixture['poster']}"
        self.tokens: dict[int, str] = {}

    async def prepare(self, thread: int) -> None:
        """Open the thread page as the poster would, for the CSRF cookie and form token."""
        page = await self.poster.request("GET", f"/messages/threads/{thread}/", headers={"Cookie": self.cookie})
        if page.status != 200:
            raise RuntimeError(f"the thread page answered {page.status}")
        for key, value in page.headers:
            if key == "set-cookie" and value.startswith(f"{CSRF_COOKIE}="):
                self.cookie = f"{SESSION_COOKIE}={self.fixture['poster']}; {value.split(';', 1)[0]}"
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if found is None:
            raise RuntimeError("no reply form on the thread page")
        self.tokens[thread] = found.group(1).decode()

    async def post(self, thread: int, probe: int, connection: HttpClient | None = None) -> Answer:
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.tokens[thread],
                "kind": "information",
                "body": f"fanout-probe-{probe}-end: 40 kg of raw ivory declared as handicrafts, port of Mombasa.",
            }
        ).encode()
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        path = f"/messages/threads/{thread}/reply/"
        answer = await (connection or self.poster).request("POST", path, headers=headers, body=body)
        if answer.status != 302:
            raise RuntimeError(f"a post answered {answer.status}: {answer.body[:300]!r}")
        return answer


class Raw:
    """The baseline: anonymous streams, posts are plain publishes of an event as large as ENVIRONET's."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.publisher = HttpClient(port)
        self.event_size = 0.0

    async def post(self, probe: int, connection: HttpClient | None = None) -> Answer:
        data = {"kind": "message", "message": probe, "html": f"fanout-probe-{probe}-end"}
        data["padding"] = "x" * max(0, int(self.event_size) - len(json.dumps(data)) - 60)
        body = json.dumps(data).encode()
        answer = await (connection or self.publisher).request("POST", "/publish", headers={}, body=body)
        if answer.status != 200:
            raise RuntimeError(f"a publish answered {answer.status}")
        return answer


async def post_costs(
    site: Environet, streams: Clients | None, first: int, rounds: int, connected: int
) -> dict[str, float]:
    """Median round trip (ms) of a post to topic A (COST_FOLLOWERS followers, ``connected`` of them with
    a stream open) and to topic C (followed by the poster alone), posting to each in turn."""
    times: dict[str, list[float]] = {"A": [], "C": []}
    for turn in range(2 * rounds + 2):
        code, probe = "AC"[turn % 2], first + turn
        if streams is not None:
            streams.expect(probe, connected if code == "A" else 0)
        answer = await site.post(site.fixture["threads"][code], probe)
        if turn >= 2:  # the first of each is a warm-up
            times[code].append((answer.at - answer.sent) * 1000)
        if streams is not None:
            await streams.wait(probe, DELIVERY_SECONDS)
        await asyncio.sleep(0.05)
    return {"topic_2000": median(times["A"]), "topic_1": median(times["C"])}


@dataclass
class Window:
    """An open-loop posting window on one server: when each post was due and written, its answer."""

    start: float = 0.0
    end: float = 0.0
    due: dict[int, float] = field(default_factory=dict)
    answered_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0  # of the client processes holding this server's streams


async def open_loop(
    post: Callable[[int, HttpClient], Awaitable[Answer]],
    port: int,
    phase: Phase,
    probes: range,
    rate: float,
    pid: int,
) -> Window:
    """Posts ``probes`` at ``rate`` a second, each written at its time whether or not the ones before have
    been answered or delivered (a post still waiting for its answer holds its connection, the next takes
    another); then waits until every stream has every post, or DRAIN_SECONDS."""
    window = Window()
    spare: list[HttpClient] = []
    connections: list[HttpClient] = []

    async def one(probe: int) -> None:
        if spare:
            connection = spare.pop()
        else:
            connection = HttpClient(port)
            connections.append(connection)
        try:
            answer = await asyncio.wait_for(post(probe, connection), POST_SECONDS)
        except Exception as error:  # noted, not fatal: a refused or stuck post is a finding of its own
            window.failures.append(f"{type(error).__name__}: {error}"[:300])
            phase.streams.expect(probe, 0)
            await connection.close()
        else:
            phase.sent[probe] = answer.sent
            window.answered_ms.append((answer.at - answer.sent) * 1000)
        spare.append(connection)

    used = cpu_seconds(pid)
    clients_used = phase.streams.cpu_seconds()
    window.start = time.perf_counter() + 0.2
    tasks = []
    for index, probe in enumerate(probes):
        window.due[probe] = window.start + index / rate
        await asyncio.sleep(max(0.0, window.due[probe] - time.perf_counter()))
        phase.streams.expect(probe, phase.streams.count)
        tasks.append(asyncio.ensure_future(one(probe)))
    window.end = window.start + len(probes) / rate
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    await asyncio.gather(*tasks)
    deadline = window.end + DRAIN_SECONDS
    for probe in probes:
        await phase.streams.wait(probe, deadline - time.perf_counter())
    window.cpu_seconds = cpu_seconds(pid) - used
    window.client_cpu_seconds = phase.streams.cpu_seconds() - clients_used
    for connection in connections:
        await connection.close()
    return window


def open_loop_figures(phase: Phase, window: Window, probes: range) -> dict[str, Any]:
    """Deliveries, latency from the click, and the backlog: deliveries owed (posts written times the streams
    that should have them) less deliveries made, at the window's end and at its worst; and how long after the
    window's end the last delivery came."""
    streams = phase.streams.count
    posted = sorted(phase.sent[probe] for probe in probes if probe in phase.sent)
    arrived = sorted(at for probe in probes for at in phase.arrivals[probe])
    expected = streams * len(posted)
    latency = phase.latencies(probes)
    # The backlog only grows when a post is written, so its worst is just after one.
    backlog_max = max(
        (streams * (index + 1) - bisect.bisect_right(arrived, at) for index, at in enumerate(posted)), default=0
    )
    written_by_end = bisect.bisect_right(posted, window.end)
    drained = len(arrived) >= expected
    late = [phase.sent[probe] - window.due[probe] for probe in probes if probe in phase.sent]
    span = max(1e-9, max(window.end, arrived[-1] if arrived else 0.0) - window.start)
    return {
        "posts": len(probes),
        "posts_failed": len(window.failures),
        "first_failure": window.failures[0] if window.failures else None,
        "expected": expected,
        "delivered": len(arrived),
        "duplicates": phase.duplicates,
        "p50_ms": median(latency),
        "p99_ms": percentile(latency, 0.99),
        "max_ms": max(latency, default=float("nan")),
        "backlog_at_window_end": streams * written_by_end - bisect.bisect_right(arrived, window.end),
        "backlog_max": backlog_max,
        "backlog_max_posts": backlog_max / max(1, streams),  # 1: never more than the post just written
        # None: not every delivery came within DRAIN_SECONDS of the window's end.
        "drain_s": max(0.0, arrived[-1] - window.end) if drained and arrived else None,
        "post_answer_p50_ms": median(window.answered_ms),
        "post_answer_p99_ms": percentile(window.answered_ms, 0.99),
        "poster_late_max_ms": max(late, default=0.0) * 1000,  # how far behind its schedule the poster wrote
        "cpu_us_per_delivery": window.cpu_seconds * 1e6 / max(1, len(arrived)),
        # Cores used from the window's start to the last delivery (1.0: one core all the time).
        "server_cpu_share": window.cpu_seconds / span,
        "client_cpu_share": window.client_cpu_seconds / span,
    }


@dataclass
class Budget:
    """What the open-file limit allows: the streams one server process holds, the streams one client
    process holds, and what was asked for."""

    hard: int
    soft: int
    server_streams: int
    client_streams: int
    requested: int

    def report(self, clients: int) -> dict[str, Any]:
        found: dict[str, Any] = {
            "open_files_hard_limit": self.hard,
            "open_files_soft_limit": self.soft,
            "server_stream_capacity": self.server_streams,
            "client_processes_per_server": -(-clients // self.client_streams),
        }
        if clients < self.requested:
            found["clients_requested"] = self.requested
            found["file_limit_note"] = (
                f"{self.requested} streams were asked for; with an open-file limit of {self.soft} one server "
                f"process holds {self.server_streams} (the rest is environet/limits.py's reserve for the database "
                f"and requests), so {clients} were run"
            )
        return found


def open_file_budget(requested: int) -> Budget:
    """Raises this process's soft limit to the hard one (the servers and client processes it starts inherit
    it; ENVIRONET raises its own at start all the same) and says how many streams fit."""
    sys.path.insert(0, str(ROOT))
    from environet.limits import RESERVE  # what ENVIRONET keeps for other files; it refuses streams past the rest

    soft = raise_soft_open_files()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    limit = soft if soft != resource.RLIM_INFINITY else 1 << 20
    return Budget(
        hard=hard if hard != resource.RLIM_INFINITY else -1,
        soft=limit,
        server_streams=limit - RESERVE,
        client_streams=limit - CLIENT_RESERVE,
        requested=requested,
    )


async def start_servers(
    args: argparse.Namespace, env: dict[str, str], fixture: dict[str, Any], servers: list[subprocess.Popen]
) -> tuple[Environet, Raw]:
    """ENVIRONET and the raw broadcaster under uvicorn, each with one stream opened and closed (code loaded,
    caches warm) and the poster's form tokens."""
    limit = args.clients * 2 + 1000
    port = free_port()
    servers.append(start_server("environet.asgi:application", port, env, limit))
    site = Environet(port, fixture)
    for code in "ABC":
        await site.prepare(fixture["threads"][code])
    poster_stream = stream_request("/messages/live/", f"{SESSION_COOKIE}={fixture['poster']}")
    await close_streams(await open_streams(port, [poster_stream], Recorder(slots=1)))
    raw_port = free_port()
    servers.append(start_server("raw_sse:app", raw_port, env, limit, app_dir=BENCH))
    await close_streams(await open_streams(raw_port, [stream_request("/stream")], Recorder(slots=1)))
    return site, Raw(raw_port)


async def open_both(
    args: argparse.Namespace, site: Environet, raw: Raw, ours: Phase, baseline: Phase, pids: list[int], fixture: Path
) -> None:
    """Every stream opened on both servers, each server's memory read once its streams are idle."""
    clients = args.clients
    for phase in (ours, baseline):
        await phase.streams.start()
    say(f"environet: opening {clients} streams")
    seconds = await ours.streams.open(site.port, "/messages/live/", fixture)
    say(f"environet: {clients} streams open in {seconds:.1f} s")
    ours.idle = await idle_status(pids[0])
    say(f"raw broadcaster: opening {clients} streams")
    await baseline.streams.open(raw.port, "/stream", None)
    baseline.idle = await idle_status(pids[1])


def memory_figures(ours: Phase, baseline: Phase, clients: int) -> dict[str, Any]:
    return {
        "kib_per_connection": (ours.idle["rss"] - ours.rss_before) / clients / 1024,
        "raw_kib_per_connection": (baseline.idle["rss"] - baseline.rss_before) / clients / 1024,
        "server_threads_idle": ours.idle["threads"],
        "server_files_idle": ours.idle["files"],
    }


async def measure(
    args: argparse.Namespace, env: dict[str, str], fixture: dict[str, Any], folder: Path, budget: Budget
) -> dict[str, Any]:
    """Closed loop. Both servers run side by side; their posts take turns, so that whatever else the machine
    is doing weighs on both alike."""
    clients, posts, rounds = args.clients, args.posts, args.cost_posts
    servers: list[subprocess.Popen] = []
    cost_probes = 2 * rounds + 2
    ours = Phase(Clients("environet", clients, budget.client_streams, posts + 2 * cost_probes, folder))
    baseline = Phase(Clients("raw", clients, budget.client_streams, posts, folder))
    try:
        site, raw = await start_servers(args, env, fixture, servers)
        ours.rss_before = process_status(servers[0].pid)["rss"]
        baseline.rss_before = process_status(servers[1].pid)["rss"]

        say(f"environet: post cost, topic A ({COST_FOLLOWERS} followers) against topic C (one), no stream open")
        used = cpu_seconds(servers[0].pid)
        cost_alone = await post_costs(site, None, posts, rounds, connected=0)
        cost_alone["cpu_ms"] = (cpu_seconds(servers[0].pid) - used) * 1000 / cost_probes

        await open_both(args, site, raw, ours, baseline, [server.pid for server in servers], folder / "fixture.json")

        say(f"{posts} posts to topic B ({clients} followers connected), each followed by a raw publish")
        cpu = [cpu_seconds(server.pid) for server in servers]
        for probe in range(posts):
            before = await ours.streams.received() if probe == 0 else 0
            ours.streams.expect(probe, clients)
            ours.sent[probe] = (await site.post(fixture["threads"]["B"], probe)).sent
            await ours.streams.wait(probe, DELIVERY_SECONDS)
            raw.event_size = raw.event_size or await ours.streams.received() - before
            baseline.streams.expect(probe, clients)
            baseline.sent[probe] = (await raw.post(probe)).sent
            await baseline.streams.wait(probe, DELIVERY_SECONDS)
        cpu = [cpu_seconds(server.pid) - used for server, used in zip(servers, cpu, strict=True)]
        await baseline.streams.close()

        connected = min(clients, COST_FOLLOWERS)
        say(f"environet: post cost again, {connected} of topic A's followers connected")
        cost_connected = await post_costs(site, ours.streams, posts + cost_probes, rounds, connected=connected)
        await ours.collect()
        await baseline.collect()
        await ours.streams.close()
        await site.poster.close()
        await raw.publisher.close()
    finally:
        for phase in (ours, baseline):
            await phase.streams.stop()
        for server in servers:
            stop_server(server)
    latency, raw_latency = ours.latencies(range(posts)), baseline.latencies(range(posts))
    return {
        "delivered": ours.delivered(range(posts)),
        "expected": clients * posts,
        "duplicates": ours.duplicates,
        "p50_ms": median(latency),
        "p99_ms": percentile(latency, 0.99),
        "raw_p50_ms": median(raw_latency),
        "raw_p99_ms": percentile(raw_latency, 0.99),
        "raw_delivered": baseline.delivered(range(posts)),
        # Server processor time per delivery while posting (the post's own work included).
        "cpu_us_per_delivery": cpu[0] * 1e6 / max(1, ours.delivered(range(posts))),
        "raw_cpu_us_per_delivery": cpu[1] * 1e6 / max(1, baseline.delivered(range(posts))),
        "cpu_ms_per_post_no_streams": cost_alone["cpu_ms"],
        **memory_figures(ours, baseline, clients),
        "post_ms_topic_2000": cost_alone["topic_2000"],
        "post_ms_topic_1": cost_alone["topic_1"],
        "post_ms_topic_2000_connected": cost_connected["topic_2000"],
        "post_ms_topic_1_connected": cost_connected["topic_1"],
    }


async def measure_open_loop(
    args: argparse.Namespace, env: dict[str, str], fixture: dict[str, Any], folder: Path, budget: Budget
) -> dict[str, Any]:
    """Open loop: every stream open on both servers; one post to each, waited for (warm-up, and the size of
    ENVIRONET's event for the raw one); then ENVIRONET's posting window and its drain, then the raw
    broadcaster's. The windows follow each other rather than interleave: a backlog on one server would
    otherwise take the processor from the other."""
    clients = args.clients
    probes = range(1, 1 + max(1, round(args.open_loop * args.seconds)))
    servers: list[subprocess.Popen] = []
    ours = Phase(Clients("environet", clients, budget.client_streams, probes.stop, folder))
    baseline = Phase(Clients("raw", clients, budget.client_streams, probes.stop, folder))
    try:
        site, raw = await start_servers(args, env, fixture, servers)
        pids = [server.pid for server in servers]
        ours.rss_before, baseline.rss_before = (process_status(pid)["rss"] for pid in pids)
        await open_both(args, site, raw, ours, baseline, pids, folder / "fixture.json")

        thread = fixture["threads"]["B"]
        before = await ours.streams.received()
        ours.streams.expect(0, clients)
        ours.sent[0] = (await site.post(thread, 0)).sent
        await ours.streams.wait(0, DELIVERY_SECONDS)
        raw.event_size = await ours.streams.received() - before
        baseline.streams.expect(0, clients)
        baseline.sent[0] = (await raw.post(0)).sent
        await baseline.streams.wait(0, DELIVERY_SECONDS)
        await site.poster.close()
        await raw.publisher.close()

        windows = []
        runs: list[tuple[str, Phase, int, int, Callable[[int, HttpClient], Awaitable[Answer]]]] = [
            ("environet", ours, pids[0], site.port, lambda probe, connection: site.post(thread, probe, connection)),
            ("raw broadcaster", baseline, pids[1], raw.port, raw.post),
        ]
        for name, phase, pid, port, post in runs:
            say(f"{name}: {len(probes)} posts, {args.open_loop:g} a second, to {clients} streams (open loop)")
            windows.append(await open_loop(post, port, phase, probes, args.open_loop, pid))
            await asyncio.sleep(SETTLE_SECONDS)
        await ours.collect()
        await baseline.collect()
        await ours.streams.close()
        await baseline.streams.close()
    finally:
        for phase in (ours, baseline):
            await phase.streams.stop()
        for server in servers:
            stop_server(server)
    return {
        "ours": open_loop_figures(ours, windows[0], probes),
        "raw": open_loop_figures(baseline, windows[1], probes),
        **memory_figures(ours, baseline, clients),
    }


# --- Setting up, and the report ---------------------------------------------------------------------------


def raise_open_files(needed: int) -> None:
    """The soft open-file limit raised to ``needed`` (bench/streams.py opens its streams in its own process)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"{needed} open files are needed and the limit is {hard}: raise it (ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))  # children inherit it


def fanout_env(folder: Path, database: Database, redis_url: str | None) -> dict[str, str]:
    """Production settings, as a deployment runs: DEBUG off (no query log, no debug pages), a secret key,
    static files collected with their manifest; plain HTTP on loopback without the redirect to HTTPS."""
    env = child_env(folder, database.url)
    del env["ENVIRONET_DEBUG"]
    env.update(
        ENVIRONET_SECRET_KEY=secrets.token_urlsafe(50),
        ENVIRONET_ALLOWED_HOSTS="127.0.0.1,localhost",
        ENVIRONET_SSL_REDIRECT="0",
        ENVIRONET_STATIC_ROOT=str(folder / "static"),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["ENVIRONET_LIVE_CHANNEL"] = f"environet:fanout:{os.getpid()}"  # not another site's channel
    return env


def prepare(args: argparse.Namespace, env: dict[str, str], folder: Path) -> dict[str, Any]:
    say("preparing: migrate, people, sessions")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)
    fixture = folder / "fixture.json"
    followers = str(max(args.clients, COST_FOLLOWERS))
    command = [sys.executable, __file__, "--seed-into", str(fixture), "--followers", followers]
    subprocess.run([*command, "--clients", str(args.clients)], cwd=ROOT, env=env, check=True, timeout=600)
    return json.loads(fixture.read_text())


def report(args: argparse.Namespace, database: Database, measured: dict[str, Any], budget: Budget) -> dict[str, Any]:
    ratio = measured["p99_ms"] / measured["raw_p99_ms"] if measured["raw_p99_ms"] > 0 else float("inf")
    cost = measured["post_ms_topic_2000"] / measured["post_ms_topic_1"]
    figures: dict[str, Any] = {
        "bench": "fanout",
        "mode": "closed-loop",
        "clients": args.clients,
        "posts": args.posts,
        "database": database.kind,
        "broker": "redis" if args.redis_url else "in-process",
        **budget.report(args.clients),
        **{key: measured[key] for key in ("delivered", "expected", "duplicates", "p50_ms", "p99_ms")},
        **{key: measured[key] for key in ("raw_p50_ms", "raw_p99_ms", "raw_delivered")},
        **{key: measured[key] for key in ("cpu_us_per_delivery", "raw_cpu_us_per_delivery")},
        "cpu_ms_per_post_no_streams": measured["cpu_ms_per_post_no_streams"],
        "p99_ratio_vs_raw": ratio,
        **{key: measured[key] for key in ("kib_per_connection", "raw_kib_per_connection")},
        **{key: measured[key] for key in ("server_threads_idle", "server_files_idle")},
        **{key: measured[key] for key in ("post_ms_topic_2000", "post_ms_topic_1")},
        "post_cost_2000_vs_1": cost,
        **{key: measured[key] for key in ("post_ms_topic_2000_connected", "post_ms_topic_1_connected")},
        "post_cost_2000_vs_1_connected": measured["post_ms_topic_2000_connected"]
        / measured["post_ms_topic_1_connected"],
    }
    figures["aims_met"] = {
        "all_delivered": measured["delivered"] == measured["expected"] and measured["duplicates"] == 0,
        "p99_within_1_5x_raw": ratio <= AIM_P99_RATIO,
        "under_64_kib_per_connection": measured["kib_per_connection"] < AIM_KIB_PER_CONNECTION,
        "post_cost_within_1_2x": cost <= AIM_POST_COST_RATIO,
        # The cost that matters: the followers' pages are open, and the server fans out while it answers.
        "post_cost_connected_within_1_2x": figures["post_cost_2000_vs_1_connected"] <= AIM_POST_COST_RATIO,
    }
    return rounded(figures)


def report_open_loop(
    args: argparse.Namespace, database: Database, measured: dict[str, Any], budget: Budget
) -> dict[str, Any]:
    ours, raw = measured["ours"], measured["raw"]
    ratio = ours["p99_ms"] / raw["p99_ms"] if raw["p99_ms"] > 0 else float("inf")
    figures: dict[str, Any] = {
        "bench": "fanout",
        "mode": "open-loop",
        "clients": args.clients,
        "posts_per_s": args.open_loop,
        "seconds": args.seconds,
        "database": database.kind,
        "broker": "redis" if args.redis_url else "in-process",
        **budget.report(args.clients),
        **ours,
        **{f"raw_{key}": value for key, value in raw.items() if key not in ("first_failure",)},
        "p99_ratio_vs_raw": ratio,
        **{key: measured[key] for key in ("kib_per_connection", "raw_kib_per_connection")},
        **{key: measured[key] for key in ("server_threads_idle", "server_files_idle")},
    }
    figures["aims_met"] = {
        "all_delivered": ours["posts_failed"] == 0
        and ours["delivered"] == ours["expected"]
        and ours["duplicates"] == 0,
        "p99_within_1_5x_raw": ratio <= AIM_P99_RATIO,
        "under_64_kib_per_connection": measured["kib_per_connection"] < AIM_KIB_PER_CONNECTION,
    }
    return rounded(figures)


def rounded(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 streams instead of 5,000")
    parser.add_argument("--clients", type=int, help="streams to open (overrides --quick)")
    parser.add_argument("--posts", type=int, default=300, help="posts measured, closed loop (default 300)")
    parser.add_argument("--cost-posts", type=int, default=30, help="posts to each topic for the post cost")
    parser.add_argument("--open-loop", type=float, metavar="RATE", help="post RATE times a second, open loop")
    parser.add_argument("--seconds", type=float, default=30.0, help="open loop: how long to post (default 30)")
    parser.add_argument(
        "--client-processes", type=int, help="processes holding each server's streams (default: as few as fit)"
    )
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    parser.add_argument("--redis-url", help="carry events through Redis instead of in-process")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is not met")
    parser.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--followers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--client-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client_worker:
        asyncio.run(client_worker())
        return 0
    args.clients = args.clients or (1000 if args.quick else 5000)
    if args.seed_into:
        seed(args.seed_into, args.followers, args.clients)
        return 0
    if args.open_loop is not None and args.open_loop <= 0:
        parser.error("--open-loop takes a rate above 0")

    budget = open_file_budget(args.clients)
    if args.clients > budget.server_streams:
        say(f"the open-file limit lets one server process hold {budget.server_streams} streams, not {args.clients}")
        args.clients = budget.server_streams
    if args.client_processes:
        budget.client_streams = min(budget.client_streams, -(-args.clients // args.client_processes))
    with tempfile.TemporaryDirectory(prefix="environet-fanout-") as name:
        folder = Path(name)
        database = Database(args.database_url, "fanout")
        database.create()
        try:
            env = fanout_env(folder, database, args.redis_url)
            fixture = prepare(args, env, folder)
            if args.open_loop:
                measured = asyncio.run(measure_open_loop(args, env, fixture, folder, budget))
            else:
                measured = asyncio.run(measure(args, env, fixture, folder, budget))
        finally:
            database.drop()
    if args.open_loop:
        figures = report_open_loop(args, database, measured, budget)
    else:
        figures = report(args, database, measured, budget)
    print(json.dumps(figures), flush=True)
    return 1 if args.strict and not all(figures["aims_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
