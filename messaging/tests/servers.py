"""Real server processes for the live tests, and the plain HTTP clients that talk to them.

A ``Server`` is ``uvicorn environet.asgi:application`` in its own process, against the test run's
database (so the tests that use it must commit: ``django_db(transaction=True)``). ``Visitor`` is a
signed-in person posting forms the way a browser does (session and CSRF cookies, the form's CSRF token,
an Origin header); ``Stream`` reads ``/messages/live/`` in a thread and parses its Server-Sent Events.
Only the standard library: no HTTP client dependency.
"""

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # seconds: the longest any test waits for something to happen


class ServerError(AssertionError):
    pass


def eventually(condition, what: str, timeout: float = WAIT) -> None:
    """Wait until ``condition()`` holds; fail, saying ``what`` was expected, after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {what} within {timeout:.0f} s")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test run's database (not the development one), as the server process's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(db.get("USER") or "postgres", safe="")
        password = ":" + urllib.parse.quote(db["PASSWORD"], safe="") if db.get("PASSWORD") else ""
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
    raise NotImplementedError(connection.vendor)


@dataclass
class Server:
    """One uvicorn process. ``start`` waits until /healthz answers; ``kill`` is SIGKILL, no goodbye."""

    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen | None = None
    log: Any = None
    ready_status: int = 200  # what /healthz answers once it is up (503: a server told to expect no Redis)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        for _attempt in range(3):
            self.port = self.port or free_port()
            self.log = tempfile.TemporaryFile()  # noqa: SIM115 - kept for the failure message
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "environet.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-proxy-headers",
                    "--no-access-log",
                    "--timeout-graceful-shutdown",
                    "2",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if self._wait_ready():
                return self
            if "address already in use" not in self.output().lower():
                break
            self.port = 0  # someone took the port between the probe and the bind: another one
        raise ServerError(f"the server on port {self.port} did not become ready:\n{self.output()}")

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                status, _, _ = request(self, "GET", "/healthz", timeout=2)
            except OSError:
                status = 0
            if status == self.ready_status:
                return True
            time.sleep(0.1)
        self.kill()
        return False

    def output(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(8)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log is not None:
            self.log.close()
            self.log = None

    def restart(self) -> "Server":
        """A new process on the same port (after ``kill`` or ``stop``)."""
        self.stop()
        return self.start()


class Servers:
    """Starts servers for one test and stops every one of them at the end, whatever happened."""

    def __init__(self) -> None:
        self.started: list[Server] = []

    def start(
        self, *, redis_url: str = "", channel: str = "", heartbeat: int = 1, ready_status: int = 200, **extra: str
    ) -> Server:
        """``extra``: more environment variables for the server (ENVIRONET_MAX_STREAMS...)."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "environet.test_settings",
            "ENVIRONET_VAR_DIR": str(settings.VAR_DIR),
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "ENVIRONET_LIVE_CHANNEL": channel or settings.LIVE_CHANNEL,
            "ENVIRONET_LIVE_HEARTBEAT_SECONDS": str(heartbeat),
            "ENVIRONET_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
        server = Server(env=env, ready_status=ready_status)
        self.started.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in self.started:
            try:
                server.stop()
            except Exception:  # the others must still be stopped
                server.kill()


def request(
    server: Server, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None, timeout=WAIT
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a new connection: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def session_for(person, backend: str = "accounts.backends.SignedInPerson") -> str:
    """A signed-in session (past the second factor, freshly confirmed), as the session cookie's value; naming the
    backend sign-in names (``backend``: another, as a session made before it)."""
    from django.contrib.sessions.backends.db import SessionStore

    now = time.time()
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: person.get_session_auth_hash(),
            "signed_in_at": now,
            "seen_at": now,
            "confirmed_at": now,
        }
    )
    session.create()
    assert session.session_key is not None
    return session.session_key


_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Visitor:
    """A signed-in person's browser, reduced to cookies and forms."""

    person: Any
    session: str = ""
    csrf_cookie: str = ""
    csrf_token: str = ""

    def __post_init__(self) -> None:
        self.session = self.session or session_for(self.person)

    def cookie(self) -> str:
        cookies = {settings.SESSION_COOKIE_NAME: self.session}
        if self.csrf_cookie:
            cookies[settings.CSRF_COOKIE_NAME] = self.csrf_cookie
        return "; ".join(f"{name}={value}" for name, value in cookies.items())

    def get(self, server: Server, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        status, headers, body = request(server, "GET", path, headers={"Cookie": self.cookie()})
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == settings.CSRF_COOKIE_NAME:
                self.csrf_cookie = rest.split(";", 1)[0]
        return status, headers, body

    def post(self, server: Server, path: str, fields: dict[str, Any], *, timeout: float = WAIT) -> tuple[int, str]:
        """POST a form as the browser would; returns (status, Location, or the form's errors if any)."""
        if not self.csrf_token:
            status, _, body = self.get(server, "/messages/new/")
            found = _TOKEN.search(body)
            assert status == 200 and found and self.csrf_cookie, f"no CSRF token from the form (status {status})"
            self.csrf_token = found.group(1).decode()
        pairs = [("csrfmiddlewaretoken", self.csrf_token)]
        for name, value in fields.items():
            pairs.extend((name, str(item)) for item in (value if isinstance(value, list | tuple) else [value]))
        status, headers, body = request(
            server,
            "POST",
            path,
            body=urllib.parse.urlencode(pairs).encode(),
            headers={
                "Cookie": self.cookie(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": server.url,
                "Referer": server.url + path,
            },
            timeout=timeout,
        )
        errors = re.findall(rb'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.DOTALL)
        return status, headers.get("Location") or b" ".join(errors).decode(errors="replace")

    def start_thread(self, server: Server, *, subject: str, body: str, topics: list[int], **fields: Any) -> int:
        """A new thread through /messages/new/; returns its id."""
        form = {"subject": subject, "topics": topics, "kind": "information", "marking": "green"}
        form |= {"audience": "network", "body": body, **fields}
        status, location = self.post(server, "/messages/new/", form)
        found = re.search(r"/messages/threads/(\d+)/", location)
        assert status == 302 and found, f"the new thread was refused: {status} {location!r}"
        return int(found.group(1))

    def reply(self, server: Server, thread: int, body: str, *, timeout: float = WAIT) -> int:
        """A reply through the thread's form; returns the status (302 when accepted)."""
        status, _ = self.post(
            server, f"/messages/threads/{thread}/reply/", {"kind": "information", "body": body}, timeout=timeout
        )
        return status

    def stream(self, server: Server, *, last_id: int | None = None, thread: int | None = None) -> "Stream":
        return Stream(server, self, last_id=last_id, thread=thread)


@dataclass
class Frame:
    id: int
    event: str
    data: dict[str, Any]


@dataclass(eq=False)
class Stream:
    """An open /messages/live/ response, read line by line in a thread."""

    server: Server
    visitor: Visitor
    last_id: int | None = None
    thread: int | None = None
    frames: list[Frame] = field(default_factory=list)
    heartbeats: int = 0
    status: int = 0
    ended: bool = False
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._closing = False
        self._sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=WAIT)
        path = "/messages/live/" + (f"?thread={self.thread}" if self.thread else "")
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.server.port}",
            f"Cookie: {self.visitor.cookie()}",
            "Accept: text/event-stream",
        ]
        if self.last_id is not None:
            lines.append(f"Last-Event-ID: {self.last_id}")
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._response = http.client.HTTPResponse(self._sock, method="GET")
        self._response.begin()
        self.status = self._response.status
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            while True:
                raw = self._response.readline()
                if not raw:
                    break
                line = raw.decode().rstrip("\r\n")
                if line.startswith(":"):
                    with self._changed:
                        self.heartbeats += 1
                        self._changed.notify_all()
                elif line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                elif "data" in fields:
                    # A frame without an id (how delivery is going) is numbered 0.
                    number = int(fields.get("id") or 0)
                    frame = Frame(number, fields.get("event", "message"), json.loads(fields["data"]))
                    with self._changed:
                        self.frames.append(frame)
                        self._changed.notify_all()
                    fields = {}
                else:
                    fields = {}
        except (OSError, http.client.HTTPException, ValueError) as error:
            if not self._closing:
                self.error = error
        finally:
            with self._changed:
                self.ended = True
                self._changed.notify_all()

    def wait(self, condition, what: str, timeout: float = WAIT) -> None:
        """Wait until ``condition(self)`` holds; fail, saying ``what`` was expected, after ``timeout``."""
        with self._changed:
            if not self._changed.wait_for(lambda: condition(self) or self.ended, timeout) or not condition(self):
                received = [(frame.id, frame.event, frame.data.get("thread")) for frame in self.frames]
                raise AssertionError(
                    f"stream of {self.visitor.person.email}: expected {what} within {timeout:.0f} s; "
                    f"ended={self.ended} error={self.error!r} heartbeats={self.heartbeats} received={received}\n"
                    f"server output:\n{self.server.output()[-3000:]}"
                )

    def wait_for_messages(self, count: int, timeout: float = WAIT) -> list[Frame]:
        self.wait(lambda stream: len(stream.messages()) >= count, f"{count} message events", timeout)
        return self.messages()

    def wait_until_ended(self, timeout: float = WAIT) -> None:
        self.wait(lambda stream: stream.ended, "the stream to end", timeout)

    def messages(self) -> list[Frame]:
        with self._changed:
            return [frame for frame in self.frames if frame.event == "message"]

    @property
    def last_event_id(self) -> int | None:
        with self._changed:
            numbered = [frame.id for frame in self.frames if frame.id]
            return numbered[-1] if numbered else self.last_id

    def close(self) -> None:
        """Drop the connection, as a browser does when the network goes."""
        self._closing = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._reader.join(5)
