"""Opening live streams: the server's processor time per stream opened, and its memory per idle stream, against
the raw broadcaster under the same uvicorn (issues 13 and 14). See bench/README.md.

    python bench/streams.py --quick        # 1,000 streams
    python bench/streams.py                # 5,000 streams

Every open page holds a stream, and every page whose stream dropped (a restart, a deployment, a flaky link)
opens a new one within its 3 s retry: what opening one costs the server decides how long a process is busy
when thousands come back at once. The last line printed is JSON with the figures, the raw broadcaster's
(bench/raw_sse.py) measured in the same run, and whether each aim is met.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _setup import Database
from fanout import (
    BENCH,
    ROOT,
    SESSION_COOKIE,
    Recorder,
    StreamClient,
    close_streams,
    cpu_seconds,
    fanout_env,
    free_port,
    idle_status,
    open_streams,
    prepare,
    process_status,
    raise_open_files,
    say,
    start_server,
    stop_server,
    stream_request,
)

AIM_CPU_RATIO = 3.0  # processor time to open a stream, against the raw broadcaster's
AIM_KIB_PER_STREAM = 24.0  # memory per idle open stream
RECONNECTING_PAGES = 10_000  # the figure the README gives: this many pages coming back at once


def latest_event_id(env: dict[str, str]) -> int:
    """The newest stored event: the last one a page that missed nothing has."""
    script = "from messaging.models import Event; print(Event.objects.latest('pk').pk)"
    command = [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", script]
    found = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return int(found.split()[-1])


def reconnect_request(key: str, last_event_id: int) -> bytes:
    """A browser's EventSource coming back: the same cookie, and the id of the last event it had."""
    request = stream_request("/messages/live/", f"{SESSION_COOKIE}={key}")
    return request[:-2] + f"Last-Event-ID: {last_event_id}\r\n\r\n".encode()


async def opening(pid: int, port: int, requests: list[bytes]) -> tuple[float, list[StreamClient]]:
    """Milliseconds of the server's processor time per stream, opening ``requests`` (64 at a time).

    The time is read once the streams are open and the server has settled: a stream counts as open when its
    ``retry:`` line arrives, which ENVIRONET sends before its catch-up read, so that read is counted too."""
    before = cpu_seconds(pid)
    streams = await open_streams(port, requests, Recorder(slots=1))
    await settled(pid)
    return (cpu_seconds(pid) - before) * 1000 / len(requests), streams


async def settled(pid: int, window: float = 0.5, most: float = 60.0) -> None:
    """Once the server has done what the streams just opened asked of it: a stream catching up is open (its
    ``retry:`` line has come) before its catch-up read, which would otherwise be counted in the next
    opening's time. Settled: less than one clock tick (10 ms) of processor time in half a second."""
    deadline = time.monotonic() + most
    used = cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(window)
        now = cpu_seconds(pid)
        if now - used < 0.01:
            return
        used = now


async def measure(args: argparse.Namespace, env: dict[str, str], fixture: dict[str, Any]) -> dict[str, Any]:
    clients = args.clients
    limit = clients * 2 + 1000
    keys = fixture["streams"]
    servers: list[subprocess.Popen] = []
    try:
        port, raw_port = free_port(), free_port()
        servers.append(start_server("environet.asgi:application", port, env, limit))
        servers.append(start_server("raw_sse:app", raw_port, env, limit, app_dir=BENCH))
        ours, raw = servers[0].pid, servers[1].pid
        # One stream opened and closed on each before measuring: code loaded, caches warm.
        fresh = [stream_request("/messages/live/", f"{SESSION_COOKIE}={key}") for key in keys]
        await close_streams(await open_streams(port, fresh[:1], Recorder(1)))
        await close_streams(await open_streams(raw_port, [stream_request("/stream")], Recorder(1)))

        say(f"environet: opening {clients} streams (fresh pages)")
        rss_before = process_status(ours)["rss"]
        cpu_fresh, streams = await opening(ours, port, fresh)
        idle = await idle_status(ours)
        say(f"environet: closing them, then {clients} pages coming back having missed nothing")
        await close_streams(streams)
        cpu_back, streams = await opening(ours, port, [reconnect_request(key, fixture["latest"]) for key in keys])
        await close_streams(streams)
        say(f"environet: closing them, then {clients} pages coming back having missed the first events")
        cpu_missed, streams = await opening(ours, port, [reconnect_request(key, 1) for key in keys])
        await close_streams(streams)
        say(f"environet: closing them, then {clients} fresh pages of a thread (asking whether each may read it)")
        thread = fixture["threads"]["B"]
        on_thread = [stream_request(f"/messages/live/?thread={thread}", f"{SESSION_COOKIE}={key}") for key in keys]
        cpu_thread, streams = await opening(ours, port, on_thread)
        await close_streams(streams)

        say(f"raw broadcaster: opening {clients} streams, twice")
        raw_rss_before = process_status(raw)["rss"]
        raw_cpu_fresh, raw_streams = await opening(raw, raw_port, [stream_request("/stream")] * clients)
        raw_idle = await idle_status(raw)
        await close_streams(raw_streams)
        raw_cpu_back, raw_streams = await opening(raw, raw_port, [stream_request("/stream")] * clients)
        await close_streams(raw_streams)
    finally:
        for server in servers:
            stop_server(server)
    return {
        "cpu_ms_per_stream_opened": cpu_fresh,
        "cpu_ms_per_stream_reopened": cpu_back,
        "cpu_ms_per_stream_reopened_catching_up": cpu_missed,
        "cpu_ms_per_stream_opened_on_thread_page": cpu_thread,
        "raw_cpu_ms_per_stream_opened": raw_cpu_fresh,
        "raw_cpu_ms_per_stream_reopened": raw_cpu_back,
        "kib_per_idle_stream": (idle["rss"] - rss_before) / clients / 1024,
        "raw_kib_per_idle_stream": (raw_idle["rss"] - raw_rss_before) / clients / 1024,
        "server_threads_idle": idle["threads"],
    }


def report(args: argparse.Namespace, database: Database, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of the runs, and each run's figures under ``runs``."""
    middle = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    ratio = middle["cpu_ms_per_stream_opened"] / middle["raw_cpu_ms_per_stream_opened"]
    figures: dict[str, Any] = {
        "bench": "streams",
        "clients": args.clients,
        "runs": len(runs),
        "database": database.kind,
        "broker": "redis" if args.redis_url else "in-process",
        **middle,
        "cpu_ratio_vs_raw": ratio,
        "reopen_cpu_ratio_vs_raw": middle["cpu_ms_per_stream_reopened"] / middle["raw_cpu_ms_per_stream_reopened"],
        "thread_page_cpu_ratio_vs_raw": middle["cpu_ms_per_stream_opened_on_thread_page"]
        / middle["raw_cpu_ms_per_stream_opened"],
        # What RECONNECTING_PAGES pages coming back at once cost the process, in seconds of one core.
        "core_seconds_for_10000_reconnecting": middle["cpu_ms_per_stream_reopened"] * RECONNECTING_PAGES / 1000,
        "per_run": [{key: round(value, 3) for key, value in run.items()} for run in runs],
    }
    figures["aims_met"] = {
        "cpu_within_3x_raw": ratio <= AIM_CPU_RATIO,
        "at_most_24_kib_per_idle_stream": middle["kib_per_idle_stream"] <= AIM_KIB_PER_STREAM,
    }
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 streams instead of 5,000")
    parser.add_argument("--clients", type=int, help="streams to open (overrides --quick)")
    parser.add_argument("--runs", type=int, default=1, help="measure this many times on fresh servers (median)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    parser.add_argument("--redis-url", help="carry events through Redis instead of in-process")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is not met")
    args = parser.parse_args()
    args.clients = args.clients or (1000 if args.quick else 5000)
    # fanout.prepare seeds the people and their sessions (and the posts fanout.py needs, unused here).
    args.posts = 0

    raise_open_files(2 * args.clients + 1024)
    with tempfile.TemporaryDirectory(prefix="environet-streams-") as name:
        folder = Path(name)
        database = Database(args.database_url, "streams")
        database.create()
        try:
            env = fanout_env(folder, database, args.redis_url)
            fixture = prepare(args, env, folder)
            fixture["latest"] = latest_event_id(env)
            runs = [asyncio.run(measure(args, env, fixture)) for _ in range(args.runs)]
        finally:
            database.drop()
    figures = report(args, database, runs)
    print(json.dumps(figures), flush=True)
    return 1 if args.strict and not all(figures["aims_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
