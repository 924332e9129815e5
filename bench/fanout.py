"""Live fan-out: how fast a post reaches every open stream, what an open stream costs the server, and
whether the number of followers makes a post slower. See bench/README.md.

    python bench/fanout.py --quick        # 1,000 streams
    python bench/fanout.py                # 5,000 streams

The last line printed is JSON with the figures, the raw broadcaster's figures measured in the same run
(bench/raw_sse.py) and whether each aim of the issue is met.
"""

import argparse
import asyncio
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
SERVER_START_SECONDS = 60
SETTLE_SECONDS = 2.0
PROBE = re.compile(rb"fanout-probe-(\d+)-end")
TAIL = 64  # bytes kept between reads, so a probe split across two reads is still found

AIM_P99_RATIO = 1.5
AIM_KIB_PER_CONNECTION = 64
AIM_POST_COST_RATIO = 1.2
# ENVIRONET runs with production settings (DEBUG off), so its cookies have production names.
SESSION_COOKIE = "__Host-sessionid"
CSRF_COOKIE = "__Host-csrftoken"


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
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
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
    """When each probe reached each stream."""

    slots: int
    arrivals: list[array] = field(init=False)
    expected: list[int] = field(init=False)
    complete: list[asyncio.Event] = field(init=False)
    duplicates: int = 0

    def __post_init__(self) -> None:
        self.arrivals = [array("d") for _ in range(self.slots)]
        self.expected = [0] * self.slots
        self.complete = [asyncio.Event() for _ in range(self.slots)]

    def expect(self, probe: int, streams: int) -> None:
        self.expected[probe] = streams
        if streams == 0:
            self.complete[probe].set()

    def arrived(self, probe: int, at: float) -> None:
        times = self.arrivals[probe]
        times.append(at)
        if len(times) >= self.expected[probe]:
            self.complete[probe].set()


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
    """One server measured: its streams, what they received, when each post was accepted."""

    recorder: Recorder
    accepted: dict[int, float] = field(default_factory=dict)
    rss_before: int = 0
    idle: dict[str, int] = field(default_factory=dict)

    def latencies(self, probes: range) -> list[float]:
        """Milliseconds from the moment the post began to be written (the poster's click) to each arrival:
        the post's own handling counts, as the people waiting for it see it."""
        found = []
        for probe in probes:
            found += [(at - self.accepted[probe]) * 1000 for at in self.recorder.arrivals[probe]]
        return found

    def delivered(self, probes: range) -> int:
        return sum(len(self.recorder.arrivals[probe]) for probe in probes)


async def wait_delivered(recorder: Recorder, probe: int) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(recorder.complete[probe].wait(), DELIVERY_SECONDS)


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

    async def post(self, thread: int, probe: int) -> Answer:
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.tokens[thread],
                "kind": "information",
                "body": f"fanout-probe-{probe}-end: 40 kg of raw ivory declared as handicrafts, port of Mombasa.",
            }
        ).encode()
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        answer = await self.poster.request("POST", f"/messages/threads/{thread}/reply/", headers=headers, body=body)
        if answer.status != 302:
            raise RuntimeError(f"a post answered {answer.status}: {answer.body[:300]!r}")
        return answer


class Raw:
    """The baseline: anonymous streams, posts are plain publishes of an event as large as ENVIRONET's."""

    def __init__(self, port: int) -> None:
        self.publisher = HttpClient(port)
        self.event_size = 0.0

    async def post(self, probe: int) -> Answer:
        data = {"kind": "message", "message": probe, "html": f"fanout-probe-{probe}-end"}
        data["padding"] = "x" * max(0, int(self.event_size) - len(json.dumps(data)) - 60)
        answer = await self.publisher.request("POST", "/publish", headers={}, body=json.dumps(data).encode())
        if answer.status != 200:
            raise RuntimeError(f"a publish answered {answer.status}")
        return answer


async def post_costs(site: Environet, phase: Phase, first: int, rounds: int, connected: int) -> dict[str, float]:
    """Median round trip (ms) of a post to topic A (COST_FOLLOWERS followers, ``connected`` of them with
    a stream open) and to topic C (followed by the poster alone), posting to each in turn."""
    times: dict[str, list[float]] = {"A": [], "C": []}
    for turn in range(2 * rounds + 2):
        code, probe = "AC"[turn % 2], first + turn
        phase.recorder.expect(probe, connected if code == "A" else 0)
        sent = time.perf_counter()
        answer = await site.post(site.fixture["threads"][code], probe)
        if turn >= 2:  # the first of each is a warm-up
            times[code].append((answer.at - sent) * 1000)
        await wait_delivered(phase.recorder, probe)
        await asyncio.sleep(0.05)
    return {"topic_2000": median(times["A"]), "topic_1": median(times["C"])}


async def measure(args: argparse.Namespace, env: dict[str, str], fixture: dict[str, Any]) -> dict[str, Any]:
    """Both servers run side by side; their posts take turns, so that whatever else the machine is doing
    weighs on both alike."""
    clients, posts, rounds = args.clients, args.posts, args.cost_posts
    limit = clients * 2 + 1000
    servers: list[subprocess.Popen] = []
    try:
        port = free_port()
        servers.append(start_server("environet.asgi:application", port, env, limit))
        site = Environet(port, fixture)
        for code in "ABC":
            await site.prepare(fixture["threads"][code])
        # A stream opened and closed before measuring, so that its code is loaded and the caches warm.
        poster_stream = stream_request("/messages/live/", f"{SESSION_COOKIE}={fixture['poster']}")
        await close_streams(await open_streams(port, [poster_stream], Recorder(slots=1)))
        ours = Phase(Recorder(slots=posts + 2 * (2 * rounds + 2)))
        ours.rss_before = process_status(servers[0].pid)["rss"]

        say(f"environet: post cost, topic A ({COST_FOLLOWERS} followers) against topic C (one), no stream open")
        used = cpu_seconds(servers[0].pid)
        cost_alone = await post_costs(site, ours, posts, rounds, connected=0)
        cost_alone["cpu_ms"] = (cpu_seconds(servers[0].pid) - used) * 1000 / (2 * rounds + 2)

        raw_port = free_port()
        servers.append(start_server("raw_sse:app", raw_port, env, limit, app_dir=BENCH))
        raw = Raw(raw_port)
        await close_streams(await open_streams(raw_port, [stream_request("/stream")], Recorder(slots=1)))
        baseline = Phase(Recorder(slots=posts))
        baseline.rss_before = process_status(servers[1].pid)["rss"]

        say(f"environet: opening {clients} streams")
        started = time.perf_counter()
        requests = [stream_request("/messages/live/", f"{SESSION_COOKIE}={key}") for key in fixture["streams"]]
        streams = await open_streams(port, requests, ours.recorder)
        say(f"environet: {len(streams)} streams open in {time.perf_counter() - started:.1f} s")
        ours.idle = await idle_status(servers[0].pid)
        say(f"raw broadcaster: opening {clients} streams")
        raw_streams = await open_streams(raw_port, [stream_request("/stream")] * clients, baseline.recorder)
        baseline.idle = await idle_status(servers[1].pid)

        say(f"{posts} posts to topic B ({clients} followers connected), each followed by a raw publish")
        cpu = [cpu_seconds(server.pid) for server in servers]
        for probe in range(posts):
            before = streams[0].received
            ours.recorder.expect(probe, clients)
            ours.accepted[probe] = (await site.post(fixture["threads"]["B"], probe)).sent
            await wait_delivered(ours.recorder, probe)
            raw.event_size = raw.event_size or streams[0].received - before
            baseline.recorder.expect(probe, clients)
            baseline.accepted[probe] = (await raw.post(probe)).sent
            await wait_delivered(baseline.recorder, probe)
        cpu = [cpu_seconds(server.pid) - used for server, used in zip(servers, cpu, strict=True)]
        await close_streams(raw_streams)

        connected = min(clients, COST_FOLLOWERS)
        say(f"environet: post cost again, {connected} of topic A's followers connected")
        cost_connected = await post_costs(site, ours, posts + 2 * rounds + 2, rounds, connected=connected)
        await close_streams(streams)
        await site.poster.close()
        await raw.publisher.close()
    finally:
        for server in servers:
            stop_server(server)
    latency, raw_latency = ours.latencies(range(posts)), baseline.latencies(range(posts))
    return {
        "delivered": ours.delivered(range(posts)),
        "expected": clients * posts,
        "duplicates": ours.recorder.duplicates,
        "p50_ms": median(latency),
        "p99_ms": percentile(latency, 0.99),
        "raw_p50_ms": median(raw_latency),
        "raw_p99_ms": percentile(raw_latency, 0.99),
        "raw_delivered": baseline.delivered(range(posts)),
        # Server processor time per delivery while posting (the post's own work included).
        "cpu_us_per_delivery": cpu[0] * 1e6 / max(1, ours.delivered(range(posts))),
        "raw_cpu_us_per_delivery": cpu[1] * 1e6 / max(1, baseline.delivered(range(posts))),
        "cpu_ms_per_post_no_streams": cost_alone["cpu_ms"],
        "kib_per_connection": (ours.idle["rss"] - ours.rss_before) / clients / 1024,
        "raw_kib_per_connection": (baseline.idle["rss"] - baseline.rss_before) / clients / 1024,
        "server_threads_idle": ours.idle["threads"],
        "server_files_idle": ours.idle["files"],
        "post_ms_topic_2000": cost_alone["topic_2000"],
        "post_ms_topic_1": cost_alone["topic_1"],
        "post_ms_topic_2000_connected": cost_connected["topic_2000"],
        "post_ms_topic_1_connected": cost_connected["topic_1"],
    }


# --- Setting up, and the report ---------------------------------------------------------------------------


def raise_open_files(needed: int) -> None:
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


def report(args: argparse.Namespace, database: Database, measured: dict[str, Any]) -> dict[str, Any]:
    ratio = measured["p99_ms"] / measured["raw_p99_ms"] if measured["raw_p99_ms"] > 0 else float("inf")
    cost = measured["post_ms_topic_2000"] / measured["post_ms_topic_1"]
    figures: dict[str, Any] = {
        "bench": "fanout",
        "clients": args.clients,
        "posts": args.posts,
        "database": database.kind,
        "broker": "redis" if args.redis_url else "in-process",
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
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 streams instead of 5,000")
    parser.add_argument("--clients", type=int, help="streams to open (overrides --quick)")
    parser.add_argument("--posts", type=int, default=300, help="posts measured (default 300)")
    parser.add_argument("--cost-posts", type=int, default=30, help="posts to each topic for the post cost")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    parser.add_argument("--redis-url", help="carry events through Redis instead of in-process")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is not met")
    parser.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--followers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.clients = args.clients or (1000 if args.quick else 5000)
    if args.seed_into:
        seed(args.seed_into, args.followers, args.clients)
        return 0

    raise_open_files(2 * args.clients + 1024)
    with tempfile.TemporaryDirectory(prefix="environet-fanout-") as name:
        folder = Path(name)
        database = Database(args.database_url, "fanout")
        database.create()
        try:
            env = fanout_env(folder, database, args.redis_url)
            fixture = prepare(args, env, folder)
            measured = asyncio.run(measure(args, env, fixture))
        finally:
            database.drop()
    figures = report(args, database, measured)
    print(json.dumps(figures), flush=True)
    return 1 if args.strict and not all(figures["aims_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
