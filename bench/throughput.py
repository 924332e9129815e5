"""Requests a second of the pages officers open most, against a bare view served through the same middleware
with the same session (issue 14). See bench/README.md.

    python bench/throughput.py --quick        # 2,000 records, a thread of 1,000 messages, fewer requests
    python bench/throughput.py                # 5,000 records, more requests
    python bench/throughput.py --quick --database-url postgres://postgres@127.0.0.1:5432/postgres
    python bench/throughput.py --quick --profile   # where each page's time goes (cProfile), no figures

The last line printed is JSON with each page's requests a second, the bare view's, their ratio and whether
each page is within the aim (at least half the bare view's rate).
"""

import argparse
import asyncio
import contextlib
import gzip
import json
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _setup import ROOT, Database, child_env, free_port, migrate, start_server, stop_server

AIM_RATIO = 0.5  # a page answers at least half as many requests a second as the bare view
CONCURRENCY = 4
SESSION_COOKIE = "__Host-sessionid"  # production settings: the cookie has its production name
MEMBER = "member.kenya@demo.environet.test"  # the demo member whose pages are measured
BARE = "/bench/bare/"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- Preparing the data (a child process, with Django) -------------------------------------------------------


def seed(fixture: Path, records: int, messages: int) -> None:
    """On top of the demo network: ``records`` shared records filed through the real action by officers of five
    organisations (the member's own among them), the member's own record with persons and companies and
    related records (the one measured), a thread of ``messages`` messages in a topic the member follows, and a
    signed-in session for the member."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import date, timedelta

    from correlate import Records
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Person
    from messaging import actions as messaging
    from messaging.models import Message
    from seizures import access, actions
    from seizures.models import Link, Seizure
    from topics.models import Topic

    member = Person.objects.select_related("organisation").get(email=MEMBER)
    colleagues = (
        Person.objects.filter(state=Person.State.ACTIVE, role="member")
        .exclude(pk=member.pk)
        .exclude(organisation=None)
        .select_related("organisation")
        .order_by("email")
    )
    officers = [member, *[person for person in colleagues if access.can_file(person)][:4]]
    generator = Records(seed=14, records=records, today=date.today())

    def filing(draft: Any) -> actions.Filing:
        return actions.Filing(
            facts=draft.facts,
            lines=[{key: value for key, value in line.items() if key != "description"} for line in draft.lines],
            involved=[actions.Involved(kind=kind, role=role, data=data) for kind, role, data in draft.involved],
        )

    started = time.monotonic()
    for number in range(records):
        officer = officers[number % len(officers)]
        actions.file_seizure(request=None, officer=officer, filing=filing(generator.draft()), share=True)
        if (number + 1) % 250 == 0:
            rate = (number + 1) / (time.monotonic() - started)
            say(f"  {number + 1} records filed ({rate:.0f}/s)")
    # The record measured: the member's own, naming a person and a company (so its page shows them, and
    # audits that it did), sharing its container and vessel with the busiest record of the seed.
    busiest = Seizure.objects.exclude(containers="").order_by("-pk").first()
    draft = generator.draft()
    while not draft.involved:
        draft = generator.draft()
    if busiest is not None:
        draft.facts.update(transport_mode="sea", containers=busiest.container_numbers[:1])
    own = actions.file_seizure(request=None, officer=member, filing=filing(draft), share=True)
    related = Link.objects.filter(low_id=own.pk).count() + Link.objects.filter(high_id=own.pk).count()
    say(f"  the member's record {own.reference}: {related} related records")

    topic = Topic.objects.get(code="B")
    author = officers[1]
    opening = messaging.Draft(
        subject="Ivory through Mombasa: what each port saw this year",
        topics=[topic],
        kind=Message.Kind.INFORMATION,
        body="Opening message: let us collect what each port saw.",
    )
    thread = messaging.start_thread(request=None, author=author, draft=opening)
    first = thread.messages.get()
    Message.objects.bulk_create(
        Message(
            thread=thread,
            author=officers[1 + number % (len(officers) - 1)],
            body=f"Reply {number}: 40 kg of raw ivory declared as handicrafts, port of Mombasa, container {number}.",
            body_html=f"<p>Reply {number}: 40 kg of raw ivory declared as handicrafts, port of Mombasa, "
            f"container {number}.</p>",
            created_at=first.created_at + timedelta(minutes=number),
        )
        for number in range(1, messages)
    )

    now = time.time()
    key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
    data = {
        SESSION_KEY: str(member.pk),
        BACKEND_SESSION_KEY: "accounts.backends.SignedInPerson",  # as sign-in names it
        HASH_SESSION_KEY: member.get_session_auth_hash(),
        "signed_in_at": now,
        "seen_at": now,
    }
    Session.objects.create(
        session_key=key, session_data=SessionStore().encode(data), expire_date=timezone.now() + timedelta(hours=12)
    )
    # A server's autovacuum analyses PostgreSQL's tables soon after a bulk load like this one: measured before,
    # the pages would run on plans made without statistics (home's unread counts 48 ms instead of 12 here).
    # SQLite keeps no statistics unless asked, and ENVIRONET does not ask: none are made for it either.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    fixture.write_text(
        json.dumps(
            {
                "session": key,
                "record": own.pk,
                "reference": own.reference,
                "related": related,
                "thread": thread.pk,
                "records": Seizure.objects.count(),
                "messages": thread.messages.count(),
            }
        )
    )


# --- A small HTTP/1.1 client --------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive connection, as one browser tab holds it."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.cookie = cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> Answer:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nCookie: {self.cookie}\r\n"
            "Accept: text/html\r\nAccept-Encoding: gzip\r\nAccept-Language: en\r\n\r\n"
        )
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        headers = {key.strip().lower(): value.strip() for key, value in (line.split(":", 1) for line in lines)}
        if headers.get("transfer-encoding") == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
                parts.append((await self.reader.readexactly(size + 2))[:-2])
            await self.reader.readuntil(b"\r\n")
            body = b"".join(parts)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return Answer(int(status_line.split()[1]), headers, body)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def text_of(answer: Answer) -> str:
    body = gzip.decompress(answer.body) if answer.headers.get("content-encoding") == "gzip" else answer.body
    return body.decode("utf-8", "replace")


# --- Measuring ---------------------------------------------------------------------------------------------


async def check(connection: Connection, name: str, path: str, expected: str) -> int:
    """The page answers 200 with what it should show (not the sign-in page): its size, uncompressed."""
    answer = await connection.get(path)
    page = text_of(answer)
    if answer.status != 200 or expected not in page:
        raise RuntimeError(f"{name} ({path}) answered {answer.status} without {expected!r}: {page[:300]!r}")
    return len(page.encode())


async def burst(port: int, cookie: str, path: str, count: int, concurrency: int) -> float:
    """``count`` requests for ``path`` from ``concurrency`` connections, each waiting for its answer before
    asking again; the seconds they took."""
    connections = [Connection(port, cookie) for _ in range(concurrency)]
    for connection in connections:  # opened before the clock starts
        await connection.get(path)
    left = [count]

    async def worker(connection: Connection) -> None:
        while left[0] > 0:
            left[0] -= 1
            answer = await connection.get(path)
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    elapsed = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    return elapsed


async def measure(port: int, fixture: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    cookie = f"{SESSION_COOKIE}={fixture['session']}"
    pages = {
        "home": ("/", "needs-heading"),
        "overview": ("/messages/", "/messages/threads/"),
        "seizure_list": ("/seizures/", "<tbody>"),
        "record": (f"/seizures/{fixture['record']}/", fixture["reference"]),
        "thread": (f"/messages/threads/{fixture['thread']}/", "Ivory through Mombasa"),
    }
    targets = {"bare": (BARE, "ok"), **pages}
    probe = Connection(port, cookie)
    sizes = {name: await check(probe, name, path, expected) for name, (path, expected) in targets.items()}
    await probe.close()
    # Warm-up, not counted: each page's code is loaded and its once-per-process work done.
    for path, _expected in targets.values():
        await burst(port, cookie, path, 10, 1)
    spent = {name: {"sequential": 0.0, "concurrent": 0.0} for name in targets}
    done = {name: {"sequential": 0, "concurrent": 0} for name in targets}
    # Rounds taking turns: whatever else the machine does weighs on the pages and the bare view alike.
    for round_number in range(args.rounds):
        say(f"round {round_number + 1} of {args.rounds}")
        for name, (path, _expected) in targets.items():
            for mode, concurrency in (("sequential", 1), ("concurrent", CONCURRENCY)):
                spent[name][mode] += await burst(port, cookie, path, args.requests, concurrency)
                done[name][mode] += args.requests
    rates = {
        name: {mode: done[name][mode] / spent[name][mode] for mode in ("sequential", "concurrent")} for name in targets
    }
    return {"sizes": sizes, "rates": rates}


async def profile(port: int, fixture: dict[str, Any], requests: int) -> None:
    """``requests`` to the bare view and to each page, one at a time: the server profiles each one."""
    cookie = f"{SESSION_COOKIE}={fixture['session']}"
    record, thread = f"/seizures/{fixture['record']}/", f"/messages/threads/{fixture['thread']}/"
    for path in [BARE, "/", "/messages/", "/seizures/", record, thread]:
        await burst(port, cookie, path, requests, 1)


def print_profiles(folder: Path, lines: int) -> None:
    for found in sorted(folder.glob("*.prof")):
        say(f"\n===== {found.stem} (cumulative) =====")
        stats = pstats.Stats(str(found), stream=sys.stderr)
        stats.strip_dirs().sort_stats("cumulative").print_stats(lines)
        say(f"===== {found.stem} (own time) =====")
        stats.sort_stats("tottime").print_stats(lines)


# --- Setting up, and the report -----------------------------------------------------------------------------


def server_env(folder: Path, database: Database, secret: str) -> dict[str, str]:
    """Production settings, as bench/fanout.py runs them (DEBUG off, a secret key, the static files collected
    with their manifest, plain HTTP on loopback), with the bench's URLconf for the bare view."""
    env = child_env(folder, database.url)
    del env["ENVIRONET_DEBUG"]
    env.update(
        ENVIRONET_SECRET_KEY=secret,
        ENVIRONET_ALLOWED_HOSTS="127.0.0.1,localhost",
        ENVIRONET_SSL_REDIRECT="0",
        ENVIRONET_STATIC_ROOT=str(folder / "static"),
        DJANGO_SETTINGS_MODULE="bench._throughput_settings",
    )
    return env


def prepare(args: argparse.Namespace, folder: Path, database: Database, secret: str) -> dict[str, Any]:
    env = child_env(folder, database.url)  # the demo is refused under production settings
    env["ENVIRONET_SECRET_KEY"] = secret  # the server's: the session is signed with it
    env["ENVIRONET_STATIC_ROOT"] = str(folder / "static")
    env["ENVIRONET_SEIZURE_NOMINAL_SAVES_PER_HOUR"] = "0"  # the seed names people on many records at once
    say(f"preparing in {folder}: migrate, the demo network, {args.records} records, a thread of {args.messages}")
    started = time.monotonic()
    migrate(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)
    say(f"  migrated, demo seeded, static files collected in {time.monotonic() - started:.0f} s")
    fixture = folder / "fixture.json"
    command = [sys.executable, __file__, "--seed-into", str(fixture)]
    command += ["--records", str(args.records), "--messages", str(args.messages)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=3600)
    return json.loads(fixture.read_text())


def report(args: argparse.Namespace, database: Database, fixture: dict[str, Any], measured: dict[str, Any]):
    rates, sizes = measured["rates"], measured["sizes"]
    bare = rates["bare"]
    pages = {}
    for name, rate in rates.items():
        if name == "bare":
            continue
        pages[name] = {
            "requests_per_s": round(rate["sequential"], 1),
            "requests_per_s_concurrent": round(rate["concurrent"], 1),
            "ratio": round(rate["sequential"] / bare["sequential"], 3),
            "ratio_concurrent": round(rate["concurrent"] / bare["concurrent"], 3),
            "html_bytes": sizes[name],
        }
    figures = {
        "bench": "throughput",
        "quick": args.quick,
        "database": database.kind,
        "records": fixture["records"],
        "thread_messages": fixture["messages"],
        "record_related": fixture["related"],
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "concurrency": CONCURRENCY,
        "bare_requests_per_s": round(bare["sequential"], 1),
        "bare_requests_per_s_concurrent": round(bare["concurrent"], 1),
        "pages": pages,
        "ratios": {name: page["ratio"] for name, page in pages.items()},
        "aim_ratio": AIM_RATIO,
        "aims_met": {
            name: page["ratio"] >= AIM_RATIO and page["ratio_concurrent"] >= AIM_RATIO for name, page in pages.items()
        },
    }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 records and fewer requests")
    parser.add_argument("--records", type=int, help="seizure records filed (2,000 quick, 5,000)")
    parser.add_argument("--messages", type=int, default=1000, help="messages in the measured thread (1,000)")
    parser.add_argument("--requests", type=int, help="requests per page, per mode and round (40 quick, 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each page and the bare view in turn (3)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    parser.add_argument("--profile", action="store_true", help="print where each page's time goes; no figures")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses the aim")
    parser.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.records = args.records or (2000 if args.quick else 5000)
    args.requests = args.requests or (40 if args.quick else 100)
    if args.seed_into:
        seed(args.seed_into, args.records, args.messages)
        return 0

    with tempfile.TemporaryDirectory(prefix="environet-throughput-") as name:
        folder = Path(name)
        database = Database(args.database_url, "throughput")
        database.create()
        server = None
        try:
            secret = secrets.token_urlsafe(50)
            fixture = prepare(args, folder, database, secret)
            env = server_env(folder, database, secret)
            if args.profile:
                (folder / "profiles").mkdir()
                env["ENVIRONET_BENCH_PROFILE_DIR"] = str(folder / "profiles")
            port = free_port()
            server = start_server("environet.asgi:application", port, env)
            if args.profile:
                asyncio.run(profile(port, fixture, 100))
                stop_server(server)
                print_profiles(folder / "profiles", 35)
                return 0
            measured = asyncio.run(measure(port, fixture, args))
        finally:
            if server is not None:
                stop_server(server)
            database.drop()
    figures = report(args, database, fixture, measured)
    print(json.dumps(figures), flush=True)
    return 1 if args.strict and not all(figures["aims_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
