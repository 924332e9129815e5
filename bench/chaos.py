"""Posting through nginx while the app processes, the worker and Redis are killed in turn (issue 13): is every
acknowledged post stored once, and does every open page get every stored post once, after catch-up?

    .venv/bin/python bench/chaos.py --quick     # 30 s calm, then 60 s with 4 kills
    .venv/bin/python bench/chaos.py             # 90 s calm, then 180 s with 8 kills (two rounds)

The deployment is deploy/check.py's (imported, not copied): nginx with TLS and HTTP/2 in front of two uvicorn
app processes, the task worker, a throwaway PostgreSQL database, a local mailbox, production settings. Redis
is a private ``redis-server`` on a free loopback port (the machine's own Redis is shared; it is never touched),
so that it can be killed; on a machine without ``redis-server`` the app processes run without Redis (each follows
the event table for the other's events) and only the Redis kills are left out ("redis_phase" in the JSON says
so). One poster posts a new thread to topic B at a steady rate, each with a marker in its
body; N readers who follow topic B each hold a live stream (/messages/live/) through nginx, spread over both
app processes, and when it drops come back as a browser does: after the ``retry`` the server asked for, with
the Last-Event-ID of the last event they had.

Two phases at the same rate: calm (nothing killed, the baseline), then chaos, where each of app process 1, app
process 2, the worker and Redis is sent SIGKILL in turn, and started again as systemd would (RestartSec of its
unit; Redis after REDIS_DOWN seconds). An app process is killed while a post's form is on its way (nginx
sends it to either process, so one such kill in two cuts a post mid-request); the others come between two
posts' beats. Then catch-up: until every stream has every stored post, or CATCH_UP
seconds. Figures: posts acknowledged (302 to the new thread), unacknowledged (an error or no answer: not lost,
the poster was not told it was taken), stored (messages with the marker in the database), lost (acknowledged, not
stored), duplicated (a marker stored twice, or one post or event id delivered twice on one stream), and per
stream whether it is complete (every stored post delivered exactly once). The gap is from a post's answer
reaching the poster to its arrival on a stream (0 when it arrived first), over every stream, per phase.
Aims: 0 lost, 0 duplicated, every stream complete.
"""

import argparse
import contextlib
import functools
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.check import (
    DEPLOY,
    Browser,
    Deployment,
    Failed,
    Mailbox,
    Process,
    Response,
    Stream,
    eventually,
    find_nginx,
    free_port,
    manage,
    page_parts,
    postgres_answers,
    redis_answers,
    unit_command,
    unit_file_limit,
)

APP_UNIT = "environet@.service"
WORKER_UNIT = "environet-worker.service"
RETRY = 3.0  # seconds: the stream's own "retry: 3000", after which a browser's EventSource comes back
REDIS_DOWN = 5.0  # seconds Redis stays away before it is started again
CATCH_UP = 60.0  # seconds after the last post for every stream to have every stored post
EMAIL_WAIT = 90.0  # seconds after the last post for the email follower to have an email of each stored post
EMAIL_FOLLOWER = "reader1@chaos.example"
NEW_THREAD = "/messages/new/"
SENDING_FOR = 0.005  # seconds a post's form has been on its way when an app process is killed
KILL_WINDOW = 5.0  # seconds after a killed process is back during which posts count as its kill's
CHAOS_KINDS = ("app 1", "app 2", "worker", "redis")
SKIPPED_REDIS = "skipped: no redis-server"

# The poster and the readers, as an administrator's invitation leaves them (password and authenticator). The
# readers follow topic B on the platform; the first also by email, so the worker has mail to send meanwhile.
PEOPLE_SCRIPT = """
import json
from accounts import totp
from accounts.models import Organisation, Person
from topics.models import Topic, TopicChoice

organisation = Organisation.objects.create(name="Chaos bench", short_name="CB", kind="customs", country="KE")
topic = Topic.objects.get(code="B")
secrets = {}
for number, email in enumerate(ARGS["emails"]):
    person = Person.objects.create_user(
        email=email, password=ARGS["password"], full_name=email.split("@")[0], organisation=organisation,
        role=Person.Role.MEMBER, state=Person.State.ACTIVE,
    )
    secrets[email] = totp.new_secret()
    person.totp_secret = totp.seal_secret(person, secrets[email])
    person.totp_confirmed_at = person.date_joined
    person.save(update_fields=["totp_secret", "totp_confirmed_at"])
    if number:
        delivery = TopicChoice.Delivery.LIVE_AND_EMAIL if number == 1 else TopicChoice.Delivery.LIVE
        TopicChoice.objects.update_or_create(person=person, topic=topic, defaults={"delivery": delivery})
print(json.dumps({"secrets": secrets, "topic": topic.pk}))
"""


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def restart_seconds(unit: str) -> float:
    found = re.search(r"^RestartSec=(\d+)$", (DEPLOY / "systemd" / unit).read_text(), re.MULTILINE)
    return float(found.group(1)) if found else 0.1  # systemd's default RestartSec is 100 ms


class PrivateRedis:
    """A redis-server of our own on a free loopback port, with nothing saved: killed and started again at will."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.binary, self.folder = binary, folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.starts = 0
        self.process: Process | None = None

    def start(self) -> None:
        self.starts += 1
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        argv += ["--dir", str(self.folder)]
        self.process = Process("redis", argv, dict(os.environ), self.folder / f"redis{self.starts}.log", None)
        eventually(lambda: not redis_answers(self.url), f"redis-server on port {self.port} answering", 10)

    def kill(self) -> None:
        if self.process is not None and self.process.alive():
            self.process.popen.kill()
            self.process.popen.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(5)


class TimedStream(Stream):
    """deploy/check.py's Stream, noting when each event arrived (``arrivals[i]`` for ``events[i]``)."""

    def __init__(self, browser: Browser, last_event_id: int | None = None) -> None:
        self.arrivals: list[float] = []
        super().__init__(browser, last_event_id)

    def _frame(self, frame: str) -> None:
        now = time.monotonic()
        before = len(self.events)
        super()._frame(frame)
        if len(self.events) > before:
            self.arrivals.append(now)


class Reader:
    """One open page: its stream, and the streams it opened again after each drop, as a browser would."""

    def __init__(self, name: str, browser: Browser, first: TimedStream, port: int) -> None:
        self.name, self.browser, self.first_port = name, browser, port
        self.streams: list[TimedStream] = [first]
        self.drops: list[float] = []
        self.failed_attempts = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._follow, daemon=True)

    @property
    def last_id(self) -> int:
        return max(stream.last_id for stream in self.streams)

    def _follow(self) -> None:
        stream = self.streams[0]
        while True:
            while not self.stopping.is_set():
                got, _value = stream.next(0.5)
                if got == "closed":
                    break
            if self.stopping.is_set():
                return
            self.drops.append(time.monotonic())
            again = self._again()
            if again is None:
                return
            stream = again

    def _again(self) -> TimedStream | None:
        while not self.stopping.wait(RETRY):
            try:
                stream = TimedStream(self.browser, self.last_id or None)
            except (OSError, http.client.HTTPException):
                self.failed_attempts += 1
                continue
            if stream.status == 200:
                self.streams.append(stream)
                return stream
            self.failed_attempts += 1
            stream.close()
        return None

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        for stream in self.streams:
            stream.close()

    def deliveries(self) -> list[tuple[dict[str, Any], float]]:
        """Every new-message event of every stream it held, with its arrival time, in the order they came."""
        found = []
        for stream in self.streams:
            for event, arrived in zip(list(stream.events), list(stream.arrivals), strict=False):
                if event.get("kind") == "message":
                    found.append((event, arrived))
        return found


@dataclass
class Post:
    number: int
    marker: str
    phase: str
    started: float = 0.0
    answered: float | None = None
    sending: float = 0.0  # when the form itself was sent (after its page came)
    ended: float = 0.0
    thread: int | None = None
    problem: str = ""


@dataclass
class Kill:
    what: str
    at: float  # seconds from the start of the posting
    clock: float  # time.monotonic() when it was killed
    aimed: bool  # killed while a post's form was on its way
    back: float = 0.0


class Chaos(Deployment):
    """deploy/check.py's deployment, with the bench's own people, processes that can be killed and started
    again, and the posting and the readers."""

    def bring_up(self, mailbox: Mailbox, readers: int) -> dict[str, Any]:
        database_url, redis_url = self.services()
        self.database_url = database_url
        self.env = self.environment(database_url, redis_url, mailbox.port)
        manage(self.env, "migrate", "--no-input", "-v", "0")
        manage(self.env, "collectstatic", "--no-input", "-v", "0")
        log("migrated, static files collected")
        self.password = secrets.token_urlsafe(16)
        self.emails = ["poster@chaos.example", *(f"reader{n + 1}@chaos.example" for n in range(readers))]
        script = "ARGS = " + json.dumps({"emails": self.emails, "password": self.password}) + "\n" + PEOPLE_SCRIPT
        setup = json.loads(manage(self.env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])
        self.start_apps(self.env)
        self.start_nginx()
        self.restarts = 0
        return setup

    def kill_app(self, number: int) -> int:
        port = list(self.apps)[number - 1]
        self.apps[port].popen.kill()
        self.apps[port].popen.wait(10)
        return port

    def start_app(self, number: int, port: int) -> None:
        self.restarts += 1
        process = Process(
            f"app {number}",
            unit_command(APP_UNIT, port),
            self.env,
            self.folder / f"app{number}-restart{self.restarts}.log",
            unit_file_limit(APP_UNIT),
        )
        self.stack.callback(process.stop, 5)
        self.apps[port] = process
        eventually(functools.partial(self._direct_health, port, process), f"app {number} answering again", 60)

    def kill_worker(self) -> None:
        self.worker.popen.kill()
        self.worker.popen.wait(10)

    def start_worker(self) -> None:
        self.restarts += 1
        self.worker = Process(
            "worker",
            unit_command(WORKER_UNIT),
            self.env,
            self.folder / f"worker-restart{self.restarts}.log",
            unit_file_limit(WORKER_UNIT),
        )
        self.stack.callback(self.worker.stop, 5)

    def open_readers(self, setup: dict[str, Any]) -> list[Reader]:
        """One stream per reader, as many on each app process as can be (nginx hands requests out in turn: a
        stream on a process that has its share already is closed and asked again)."""
        readers: list[Reader] = []
        share = math.ceil((len(self.emails) - 1) / len(self.apps))
        held = dict.fromkeys(self.apps, 0)
        for email in self.emails[1:]:
            browser = self.sign_in(email, setup["secrets"][email])
            for _attempt in range(8):
                before = self.counts("GET /messages/live/")
                stream = TimedStream(browser)
                expect_ok = stream.status == 200
                if not expect_ok:
                    raise Failed(f"live stream for {email}: {stream.status}")
                port = self.which_app("GET /messages/live/", before)
                if held[port] < share:
                    break
                stream.close()
            held[port] += 1
            readers.append(Reader(email.split("@")[0], browser, stream, port))
        log(f"{len(readers)} readers' streams open through nginx: {held} per app process port")
        return readers


def post_one(deployment: Chaos, cookies: dict[str, str], topic: int, post: Post) -> None:
    browser = Browser(deployment.https, deployment.tls)  # its own, so that posts in flight share no state
    browser.cookies = dict(cookies)
    post.started = time.monotonic()
    try:
        sent = submit_post(browser, topic, post)
    except (OSError, http.client.HTTPException, Failed) as error:
        post.problem = f"{type(error).__name__}: {error}"[:200]
        return
    finally:
        post.ended = time.monotonic()
    location = sent.headers.get("Location", "")
    found = re.search(r"/threads/(\d+)/", location)
    if sent.status == 302 and found:
        post.answered, post.thread = post.ended, int(found.group(1))
    else:
        post.problem = f"HTTP {sent.status} {location}".strip()


def submit_post(browser: Browser, topic: int, post: Post) -> Response:
    """Browser.submit's two steps (the form's page, then the form), noting when the form itself is sent: the
    moment an app process's kill aims at."""
    page = browser.get(NEW_THREAD)
    if page.status != 200:
        raise Failed(f"GET {NEW_THREAD}: {page.status}")
    form = next((form for form in page_parts(page.text).forms if "subject" in {*form["fields"], *form["names"]}), None)
    if form is None:
        raise Failed(f"GET {NEW_THREAD}: no form with a subject")
    values = {
        "subject": f"Chaos bench {post.marker}",
        "body": f"Posted through nginx by bench/chaos.py: {post.marker}.",
        "topics": [topic],
        "kind": "information",
        "marking": "green",
        "audience": "network",
    }
    action = urllib.parse.urljoin(NEW_THREAD, form["action"]) if form["action"] else NEW_THREAD
    post.sending = time.monotonic()
    return browser.request("POST", action, fields=form["fields"] | values)


def post_steadily(deployment: Chaos, cookies: dict[str, str], topic: int, posts: list[Post], rate: float) -> None:
    """Each post starts on time whatever the ones before it are doing (a person does not wait for another's)."""
    with ThreadPoolExecutor(max_workers=32) as pool:
        began = time.monotonic()
        for post in posts:
            time.sleep(max(0.0, began + post.number / rate - time.monotonic()))
            pool.submit(post_one, deployment, cookies, topic, post)


def stored_messages(database_url: str, run: str) -> dict[str, list[int]]:
    """Marker: the ids of the messages stored with it."""
    import psycopg

    stored: dict[str, list[int]] = {}
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, body FROM messaging_message WHERE body LIKE %s ORDER BY id", (f"%{run}-%",)
        ).fetchall()
    for pk, body in rows:
        found = re.search(rf"{run}-\d{{5}}", body)
        if found:
            stored.setdefault(found.group(0), []).append(pk)
    return stored


def gaps_figures(gaps: list[float]) -> dict[str, float | None]:
    if not gaps:
        return {"gap_p50_s": None, "gap_p99_s": None, "gap_max_s": None}
    ordered = sorted(gaps)
    return {
        "gap_p50_s": round(statistics.median(ordered), 3),
        "gap_p99_s": round(ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)], 3),
        "gap_max_s": round(ordered[-1], 3),
    }


def kill_figures(kill: Kill, posts: list[Post], worst: dict[str, float], began: float) -> dict[str, Any]:
    """A kill, and the largest gap of the posts made from it until KILL_WINDOW seconds after it was back."""
    window = [
        worst[post.marker]
        for post in posts
        if post.marker in worst and kill.at <= post.started - began <= kill.back + KILL_WINDOW
    ]
    in_flight = sum(1 for post in posts if post.started <= kill.clock < post.ended)
    return {
        "what": kill.what,
        "at_s": kill.at,
        "back_s": kill.back,
        "posts_in_flight": in_flight,
        "while_a_form_was_sent": kill.aimed,
        "gap_max_s": round(max(window, default=0), 3),
    }


def chaos_plan(seconds: float, rounds: int, with_redis: bool = True) -> list[tuple[float, str]]:
    kinds = [kind for _round in range(rounds) for kind in CHAOS_KINDS if with_redis or kind != "redis"]
    spacing = seconds / (len(kinds) + 1)
    return [(spacing * (index + 1), kind) for index, kind in enumerate(kinds)]


def a_post_being_sent(posts: list[Post], seconds: float) -> bool:
    """Wait, at most ``seconds``, until a post's form has been on its way for SENDING_FOR seconds."""
    ends = time.monotonic() + seconds
    while (now := time.monotonic()) < ends:
        if any(post.sending and not post.ended and now - post.sending >= SENDING_FOR for post in posts):
            return True
        time.sleep(0.001)
    return False


def do_kill(deployment: Chaos, redis: PrivateRedis | None, kind: str, began: float, posts: list[Post]) -> Kill:
    """Kill, then start again. An app process is killed while a post's form is on its way, when one comes
    within a second: nginx sends it to either process, so about one such kill in two cuts a post mid-request."""
    aimed = kind.startswith("app") and a_post_being_sent(posts, 1.0)
    now = time.monotonic()
    kill = Kill(kind, round(now - began, 1), now, aimed)
    if kind.startswith("app"):
        number = int(kind.split()[1])
        port = deployment.kill_app(number)
        time.sleep(restart_seconds(APP_UNIT))
        deployment.start_app(number, port)
    elif kind == "worker":
        deployment.kill_worker()
        time.sleep(restart_seconds(WORKER_UNIT))
        deployment.start_worker()
    elif redis is not None:
        redis.kill()
        time.sleep(REDIS_DOWN)
        redis.start()
    kill.back = round(time.monotonic() - began, 1)
    log(f"  {kind} killed at {kill.at} s, running again at {kill.back} s")
    return kill


def run(args: argparse.Namespace, nginx: str, redis_binary: str | None, folder: Path) -> dict[str, Any]:
    """The deployment, the posting and the kills. Without ``redis_binary`` the app processes run without Redis
    (each follows the event table for the other's events, as a site without Redis does) and Redis is not
    killed: every other phase runs as with it."""
    calm_seconds, chaos_seconds, rounds = (30.0, 60.0, 1) if args.quick else (90.0, 180.0, 2)
    calm_seconds, chaos_seconds = args.calm or calm_seconds, args.chaos or chaos_seconds
    run_id = f"chaos-{secrets.token_hex(3)}"
    with contextlib.ExitStack() as stack, Mailbox() as mailbox:
        redis = PrivateRedis(redis_binary, folder) if redis_binary else None
        if redis is not None:
            stack.callback(redis.stop)
            redis.start()
        options = argparse.Namespace(postgres=args.postgres, redis=redis and redis.url, require_services=True)
        deployment = Chaos(folder, nginx, options, stack)
        setup = deployment.bring_up(mailbox, args.readers)
        poster = deployment.sign_in(deployment.emails[0], setup["secrets"][deployment.emails[0]])
        readers = deployment.open_readers(setup)
        for reader in readers:
            reader.thread.start()
            stack.callback(reader.stop)
        calm_count, chaos_count = int(calm_seconds * args.rate), int(chaos_seconds * args.rate)
        posts = [
            Post(number, f"{run_id}-{number:05d}", "calm" if number < calm_count else "chaos")
            for number in range(calm_count + chaos_count)
        ]
        log(f"posting {args.rate:g}/s: {calm_seconds:g} s calm, then {chaos_seconds:g} s of kills ({run_id})")
        poster_thread = threading.Thread(
            target=post_steadily, args=(deployment, poster.cookies, setup["topic"], posts, args.rate), daemon=True
        )
        began = time.monotonic()
        poster_thread.start()
        kills: list[Kill] = []
        # Posts start on the beat of the rate; each kill comes somewhere between two beats, so that it may
        # land on a post in flight (a kill on the beat would always find the last post done).
        jitter = random.Random(args.seed)
        for at, kind in chaos_plan(chaos_seconds, rounds, with_redis=redis is not None):
            offset = jitter.uniform(0.05, 0.95) / args.rate
            time.sleep(max(0.0, began + calm_seconds + at + offset - time.monotonic()))
            kills.append(do_kill(deployment, redis, kind, began, posts))
        poster_thread.join()
        posting_ended = time.monotonic()
        stored = stored_messages(deployment.database_url, run_id)
        wanted = {pk for ids in stored.values() for pk in ids}

        def caught_up() -> bool:
            return all(wanted <= {event["message"] for event, _at in reader.deliveries()} for reader in readers)

        log(f"posting done; catching up ({len(wanted)} stored posts on {len(readers)} streams)")
        with contextlib.suppress(Failed):
            eventually(caught_up, "every stream having every stored post", CATCH_UP)
        catch_up = time.monotonic() - posting_ended
        for reader in readers:
            reader.stop()
        # The worker's emails: a task the killed worker had claimed goes back in the queue once its lease
        # runs out (ENVIRONET_TASK_LEASE_SECONDS, 60 s), so they may come well after the streams are complete.
        with contextlib.suppress(Failed):
            eventually(lambda: mailbox.recipients.count(EMAIL_FOLLOWER) >= len(stored), "the emails", EMAIL_WAIT)
        emails = (mailbox.recipients.count(EMAIL_FOLLOWER), time.monotonic() - posting_ended)
        result = figures(args, posts, stored, readers, kills, catch_up, emails, calm_seconds, chaos_seconds, began)
        if redis is None:
            result["redis"] = "none: each app process follows the event table"
            result["redis_phase"] = SKIPPED_REDIS
        return result


def figures(
    args: argparse.Namespace,
    posts: list[Post],
    stored: dict[str, list[int]],
    readers: list[Reader],
    kills: list[Kill],
    catch_up: float,
    emails: tuple[int, float],
    calm_seconds: float,
    chaos_seconds: float,
    began: float,
) -> dict[str, Any]:
    by_message = {pk: marker for marker, ids in stored.items() for pk in ids}
    by_marker = {post.marker: post for post in posts}
    acknowledged = [post for post in posts if post.thread is not None]
    lost = [post.marker for post in acknowledged if post.marker not in stored]
    stored_twice = [marker for marker, ids in stored.items() if len(ids) > 1]
    gaps: dict[str, list[float]] = {"calm": [], "chaos": []}
    latencies: dict[str, list[float]] = {"calm": [], "chaos": []}
    worst: dict[str, float] = {}  # marker: its largest gap over the streams
    streams: list[dict[str, Any]] = []
    for reader in readers:
        deliveries = reader.deliveries()
        messages = [event["message"] for event, _at in deliveries]
        event_ids = [event["id"] for event, _at in deliveries]
        twice = sorted({pk for pk in messages if messages.count(pk) > 1})
        ids_twice = sorted({pk for pk in event_ids if event_ids.count(pk) > 1})
        missing = sorted(set(by_message) - set(messages))
        first: dict[int, float] = {}
        for event, arrived in deliveries:
            first.setdefault(event["message"], arrived)
        for pk, arrived in first.items():
            post = by_marker.get(by_message.get(pk, ""))
            if post is not None and post.answered is not None:
                gap = max(0.0, arrived - post.answered)
                gaps[post.phase].append(gap)
                latencies[post.phase].append(arrived - post.started)
                worst[post.marker] = max(worst.get(post.marker, 0.0), gap)
        notices = [str(event["state"]) for stream in reader.streams for event in stream.events if "state" in event]
        streams.append(
            {
                "reader": reader.name,
                "first_on_port": reader.first_port,
                "connections": len(reader.streams),
                "failed_reconnects": reader.failed_attempts,
                "delivered": len(messages),
                "missing": len(missing),
                "delivered_twice": len(twice),
                "event_ids_twice": len(ids_twice),
                "delivery_notices": {state: notices.count(state) for state in sorted(set(notices))},
                "complete": not missing and not twice and not ids_twice,
            }
        )
    phases = {}
    for phase, seconds in (("calm", calm_seconds), ("chaos", chaos_seconds)):
        mine = [post for post in posts if post.phase == phase]
        answered = [post for post in mine if post.thread is not None]
        phases[phase] = {
            "seconds": seconds,
            "posts": len(mine),
            "acknowledged": len(answered),
            "unacknowledged": len(mine) - len(answered),
            "answer_p50_s": round(statistics.median(p.answered - p.started for p in answered if p.answered), 3)
            if answered
            else None,
            **gaps_figures(gaps[phase]),
            **{
                name.replace("gap", "from_click"): value
                for name, value in gaps_figures(latencies[phase]).items()
                if name != "gap_max_s"
            },
        }
    problems: dict[str, int] = {}
    for post in posts:
        if post.problem:
            kind = post.problem.split(":")[0].split(" /")[0]
            problems[kind] = problems.get(kind, 0) + 1
    duplicated = len(stored_twice) + sum(s["delivered_twice"] + s["event_ids_twice"] for s in streams)
    aims = {"lost": "== 0", "duplicated": "== 0", "every_stream_complete": "true"}
    aims_met = {
        "lost": not lost,
        "duplicated": duplicated == 0,
        "every_stream_complete": all(s["complete"] for s in streams),
    }
    return {
        "bench": "chaos",
        "database": "postgresql",
        "redis": "private redis-server",
        "redis_phase": "run",
        "app_processes": 2,
        "streams": len(readers),
        "rate_per_s": args.rate,
        "acknowledged": len(acknowledged),
        "unacknowledged": len(posts) - len(acknowledged),
        "unacknowledged_why": problems,
        "stored": len(stored),
        "stored_unacknowledged": sum(1 for marker in stored if by_marker[marker].thread is None),
        "lost": len(lost),
        "lost_markers": lost[:20],
        "duplicated": duplicated,
        "calm": phases["calm"],
        "chaos": phases["chaos"] | {"kills": [kill_figures(kill, posts, worst, began) for kill in kills]},
        "catch_up_s": round(catch_up, 1),
        "emails_to_email_follower": emails[0],
        "emails_expected": len(stored),
        "emails_after_s": round(emails[1], 1),
        "per_stream": streams,
        "aims": aims,
        "aims_met": aims_met,
        "all_aims_met": all(aims_met.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30 s calm and 60 s of kills instead of 90 and 180")
    parser.add_argument("--calm", type=float, default=0, help="seconds of the calm phase")
    parser.add_argument("--chaos", type=float, default=0, help="seconds of the phase with kills")
    parser.add_argument("--rate", type=float, default=2.0, help="posts a second")
    parser.add_argument("--seed", type=int, default=13, help="where between two posts each kill comes")
    parser.add_argument("--readers", type=int, default=4, help="open streams (one reader each)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DEPLOY_CHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="an existing database on the server where a throwaway one is made",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, configuration)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is missed")
    args = parser.parse_args()
    nginx = find_nginx()
    redis_binary = shutil.which("redis-server", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
    why = postgres_answers(args.postgres)
    missing = [
        text
        for text, absent in (
            ("nginx is not installed (make system-deps)", nginx is None),
            (f"PostgreSQL does not answer at {args.postgres}: {why}", bool(why)),
        )
        if absent
    ]
    if missing:
        log("cannot run here: " + "; ".join(missing))
        return 2
    assert nginx is not None
    if redis_binary is None:
        log(
            "redis-server is not installed (apt-get install redis-server): the app processes run without Redis and "
            "the Redis kills are left out; every other phase runs ('redis_phase': 'skipped: no redis-server')"
        )
    folder = Path(tempfile.mkdtemp(prefix="environet-chaos-"))
    folder.chmod(0o755)  # nginx's workers (an unprivileged user) read the static files and certificate in it
    log(f"temporary folder {folder}")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # deploy/check.py's progress lines; stdout is for the JSON
            result = run(args, nginx, redis_binary, folder)
    except Failed as failure:
        log(f"could not measure: {failure}")
        for name in sorted(folder.glob("*.log")):
            log(f"--- {name.name} (last lines)\n" + "\n".join(name.read_text(errors="replace").splitlines()[-15:]))
        return 1
    finally:
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result), flush=True)
    return 1 if args.strict and not result["all_aims_met"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
