"""`make deploy-check`: the production deployment of deploy/ brought up on this machine and tried through nginx.

In a temporary folder: production settings (DEBUG off, every setting from the environment), PostgreSQL
(a throwaway database made next to ``--postgres`` and dropped at the end) and Redis (``--redis``) when they
answer, SQLite and no Redis otherwise; two app processes and the task worker started with the ExecStart of
deploy/systemd/; nginx with deploy/nginx/environet.conf, its ports, names and paths rewritten for loopback, a
self-signed certificate. Then, through nginx only: health, HTTP/2, security headers, the request size limit,
static files, sign-in, a live stream on each app process receiving a post served by one of them (with Redis:
carried across processes by it), the worker's email, one app process killed (nothing lost, the stream comes
back on the other), and a clean stop. Prints one line per check; exits 1 at the first failure, 2 when it
cannot run here (no nginx). Everything it started is stopped and everything it made is removed, whatever
happens.
"""

import argparse
import contextlib
import functools
import grp
import gzip
import html.parser
import http.client
import json
import os
import pwd
import queue
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "environet.conf"
APP_PROCESSES = 2
WAIT = 30  # seconds: the longest any one thing may take to happen (a start, an event, an email)
HEARTBEAT = 1  # ENVIRONET_LIVE_HEARTBEAT_SECONDS during the check, so a few heartbeats come quickly
SUBJECT_PREFIX = "Deploy check"


class Failed(Exception):
    """A check that did not pass: the message says what was expected and what came."""


def say(status: str, text: str) -> None:
    print(f"{status:5} {text}", flush=True)


def passed(text: str) -> None:
    say("ok", text)


def expect(condition: object, text: str) -> None:
    if not condition:
        raise Failed(text)


def eventually[T](probe: Callable[[], T | None], what: str, seconds: float = WAIT) -> T:
    """The first true value ``probe`` returns within ``seconds``; Failed naming ``what`` otherwise."""
    ends = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > ends:
            raise Failed(f"{what}: not within {seconds:g} s")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_nginx() -> str | None:
    return shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


# --- Services -------------------------------------------------------------------------------------------


class Database:
    """A throwaway PostgreSQL database next to the one ``admin_url`` names, or SQLite (empty url)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"environet_deploy_check_{os.getpid()}"
        parts = urllib.parse.urlsplit(admin_url)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name)) if admin_url else ""

    def _run(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(statement)

    def create(self) -> None:
        if self.admin_url:
            self._run(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.admin_url:
            self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def postgres_answers(url: str) -> str:
    """'' when PostgreSQL answers at ``url``, else why not."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()
    return ""


def redis_answers(url: str) -> str:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()
    return ""


class Mailbox:
    """An SMTP server (aiosmtpd) in this process: the worker's emails land here."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.recipients: list[str] = []
        box = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                box.recipients.extend(envelope.rcpt_tos)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "Mailbox":
        self.controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.controller.stop()


# --- Processes ----------------------------------------------------------------------------------------


def unit_command(unit: str, port: int | None = None) -> list[str]:
    """The ExecStart of deploy/systemd/``unit``, run from this checkout and its virtual environment."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "systemd" / unit).read_text())
    line = next(row for row in text.splitlines() if row.startswith("ExecStart="))[len("ExecStart=") :]
    line = line.replace("/srv/environet/.venv/bin/", f"{Path(sys.executable).parent}/")
    if port is not None:
        line = line.replace("%i", str(port))
    expect("%" not in line and "/srv/environet" not in line, f"{unit}: ExecStart not understood: {line}")
    return shlex.split(line)


def unit_file_limit(unit: str) -> int | None:
    found = re.search(r"^LimitNOFILE=(\d+)$", (DEPLOY / "systemd" / unit).read_text(), re.MULTILINE)
    return int(found.group(1)) if found else None


class Process:
    """A child process in its own session, its output in a file (read to tell which process served what)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path, nofile: int | None) -> None:
        self.name, self.log = name, log

        def limits() -> None:  # as the unit's LimitNOFILE would (within the hard limit we have)
            if nofile:
                _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                limit = nofile if hard == resource.RLIM_INFINITY else min(nofile, hard)
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))

        with log.open("wb") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - our own commands
                argv,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=limits,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def count(self, request_line: str) -> int:
        return self.output().count(f'"{request_line} HTTP/1.1"')

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, seconds: float) -> bool:
        """SIGTERM, then SIGKILL after ``seconds``; whether it stopped by itself."""
        if not self.alive():
            return True
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(seconds)
            return True
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
            return False


def manage(env: dict[str, str], *arguments: str, timeout: int = 900) -> str:
    done = subprocess.run(  # noqa: S603 - our own commands
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise Failed(f"manage.py {' '.join(arguments[:2])} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# The people of the check, made as an administrator's invitation would leave them (password and
# authenticator enrolled); the reader follows topic B by email too, so the worker has an email to send.
PEOPLE_SCRIPT = """
import json
from django.conf import settings
from accounts import totp
from accounts.models import Organisation, Person
from topics.models import Topic, TopicChoice

organisation = Organisation.objects.create(name="Deploy check", short_name="DC", kind="customs", country="KE")
secrets = {}
for email in ARGS["emails"]:
    person = Person.objects.create_user(
        email=email, password=ARGS["password"], full_name=email.split("@")[0], organisation=organisation,
        role=Person.Role.MEMBER, state=Person.State.ACTIVE,
    )
    secrets[email] = totp.new_secret()
    person.totp_secret = totp.seal_secret(person, secrets[email])
    person.totp_confirmed_at = person.date_joined
    person.save(update_fields=["totp_secret", "totp_confirmed_at"])
topic = Topic.objects.get(code="B")
reader = Person.objects.get(email=ARGS["emails"][1])
TopicChoice.objects.update_or_create(
    person=reader, topic=topic, defaults={"delivery": TopicChoice.Delivery.LIVE_AND_EMAIL}
)
print(json.dumps({"secrets": secrets, "topic": topic.pk, "max_request_bytes": settings.MAX_REQUEST_BYTES}))
"""


# --- nginx ----------------------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost, valid a day."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    private.chmod(0o600)
    return cert, private


def render_site(text: str, *, https: int, http: int, apps: list[int], cert: Path, key: Path, static: Path) -> str:
    """deploy/nginx/environet.conf for loopback: each replaced text must be there (else the file drifted)."""
    replacements = [
        (
            "    server 127.0.0.1:8001;\n    server 127.0.0.1:8002;\n",
            "".join(f"    server 127.0.0.1:{p};\n" for p in apps),
        ),
        ("    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http};\n"),
        ("    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n", f"    listen 127.0.0.1:{https} ssl http2;\n"),
        ("server_name environet.example.org;", "server_name localhost;"),
        ("/etc/letsencrypt/live/environet.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/environet.example.org/privkey.pem", str(key)),
        ("alias /srv/environet/staticfiles/;", f"alias {static}/;"),
    ]
    for old, new in replacements:
        expect(old in text, f"{SITE.relative_to(ROOT)} no longer contains {old.strip()!r}: update deploy/check.py")
        text = text.replace(old, new)
    return text


def worker_user() -> str:
    """nginx started by root runs its workers as an unprivileged user, as Debian's nginx.conf does."""
    if os.geteuid() != 0:
        return ""
    for name in ("www-data", "nginx", "nobody"):
        with contextlib.suppress(KeyError):
            account = pwd.getpwnam(name)
            return f"user {name} {grp.getgrgid(account.pw_gid).gr_name};"
    return ""


def main_config(folder: Path, nginx: str, site: Path) -> str:
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr  # noqa: S603
    conf_path = re.search(r"--conf-path=(\S+)", built)
    mime = Path(conf_path.group(1)).parent / "mime.types" if conf_path else Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.exists() else "types { text/css css; application/javascript js; }"
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{worker_user()}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log {folder}/access.log;
    sendfile on;
{temp}
    # As in Debian's nginx.conf: the site must turn compression off for pages itself.
    gzip on;
    include {site};
}}
"""


# --- HTTP through nginx ---------------------------------------------------------------------------------


class Response:
    def __init__(self, raw: http.client.HTTPResponse, body: bytes) -> None:
        self.status, self.headers, self.body = raw.status, raw.headers, body

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class FormFinder(html.parser.HTMLParser):
    """The forms of a page: action, and the values of their inputs (hidden ones included)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append({"action": found.get("action") or "", "fields": {}, "names": set()})
        elif tag in ("input", "textarea", "select") and self.forms and found.get("name"):
            kind = found.get("type", "")
            # What a browser sends untouched: ticked boxes and typed values; no file, no option chosen.
            if tag != "input" or kind == "file" or (kind in ("checkbox", "radio") and "checked" not in found):
                self.forms[-1]["names"].add(found["name"])
            else:
                self.forms[-1]["fields"][found["name"]] = found.get("value") or ""
        elif tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.stylesheets.append(found["href"] or "")


def page_parts(text: str) -> FormFinder:
    finder = FormFinder()
    finder.feed(text)
    return finder


class Browser:
    """One person's cookies against nginx over TLS; HTTP/1.1 (the stream and the forms as a browser sends them)."""

    def __init__(self, port: int, tls: ssl.SSLContext) -> None:
        self.port, self.tls = port, tls
        self.origin = f"https://localhost:{port}"
        self.cookies: dict[str, str] = {}

    def connection(self, timeout: float = WAIT) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("localhost", self.port, context=self.tls, timeout=timeout)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        found = {"Accept-Encoding": "identity", "Accept-Language": "en"}
        if self.cookies:
            found["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return found | (extra or {})

    def keep_cookies(self, raw: http.client.HTTPResponse) -> None:
        for header in raw.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, method: str, path: str, *, fields: dict[str, Any] | None = None, **extra: str) -> Response:
        connection = self.connection()
        try:
            body = urllib.parse.urlencode(fields, doseq=True) if fields is not None else None
            headers = self.headers(extra)
            if body is not None:
                # A browser's form post: Django checks the Origin against the host on HTTPS.
                headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw, raw.read())
            self.keep_cookies(raw)
            return response
        finally:
            connection.close()

    def get(self, path: str, **extra: str) -> Response:
        return self.request("GET", path, fields=None, **extra)

    def submit(self, path: str, field: str, values: dict[str, Any]) -> Response:
        """The form of page ``path`` that has ``field``, sent with its own values (CSRF token, submission
        key) and ``values``."""
        page = self.get(path)
        expect(page.status == 200, f"GET {path}: {page.status}")
        form = next((form for form in page_parts(page.text).forms if field in {*form["fields"], *form["names"]}), None)
        expect(form is not None, f"GET {path}: no form with {field!r}")
        assert form is not None
        action = urllib.parse.urljoin(path, form["action"]) if form["action"] else path
        return self.request("POST", action, fields=form["fields"] | values)


def local_path(location: str) -> str:
    return urllib.parse.urlsplit(location).path


class Stream:
    """A live stream (Server-Sent Events) read in a thread: what arrives goes in ``arrived``."""

    def __init__(self, browser: Browser, last_event_id: int | None = None) -> None:
        self.arrived: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self.last_id = last_event_id or 0
        self.connection = browser.connection(timeout=WAIT)
        extra = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            extra["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", "/messages/live/", headers=browser.headers(extra))
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self.thread.start()

    def _read(self) -> None:
        buffer = b""
        try:
            while True:
                chunk = self.response.read1(65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\n\n" in buffer:
                    frame, buffer = buffer.split(b"\n\n", 1)
                    self._frame(frame.decode())
        except Exception as error:
            self.arrived.put(("closed", f"{type(error).__name__}"))
            return
        self.arrived.put(("closed", "end of stream"))

    def _frame(self, frame: str) -> None:
        if frame.startswith(":"):
            self.arrived.put(("heartbeat", None))
            return
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "data" in fields:
            event = json.loads(fields["data"]) | {"id": int(fields.get("id", 0))}
            self.events.append(event)
            self.last_id = max(self.last_id, event["id"])
            self.arrived.put(("event", event))

    def next(self, seconds: float = WAIT) -> tuple[str, Any]:
        try:
            return self.arrived.get(timeout=seconds)
        except queue.Empty:
            return ("silence", None)

    def wait_for(self, kind: str, what: str, test: Callable[[Any], bool] = lambda _: True) -> Any:
        ends = time.monotonic() + WAIT
        while time.monotonic() < ends:
            got, value = self.next(max(ends - time.monotonic(), 0.1))
            if got == kind and test(value):
                return value
            if got == "closed" and kind != "closed":
                raise Failed(f"{what}: the stream closed ({value})")
        raise Failed(f"{what}: not within {WAIT} s")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.connection.sock is not None:
                self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()


# --- The check -----------------------------------------------------------------------------------------


class Deployment:
    def __init__(self, folder: Path, nginx: str, args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
        self.folder, self.nginx, self.args, self.stack = folder, nginx, args, stack
        self.apps: dict[int, Process] = {}
        self.streams: list[Stream] = []
        self.https, self.http = free_port(), free_port()

    # Bringing it up -------------------------------------------------------------------------------------

    def services(self) -> tuple[str, str]:
        """(database url, redis url) for the processes; '' where the service is not used."""
        database_url = redis_url = ""
        if self.args.postgres:
            why = postgres_answers(self.args.postgres)
            if why and self.args.require_services:
                raise Failed(f"PostgreSQL is required but {self.args.postgres} does not answer: {why}")
            if not why:
                database = Database(self.args.postgres)
                database.create()
                self.stack.callback(database.drop)
                database_url = database.url
                passed(f"PostgreSQL: throwaway database {database.name} (dropped at the end)")
            else:
                say("note", f"PostgreSQL not used ({why}): SQLite in the temporary folder")
        if self.args.redis:
            why = redis_answers(self.args.redis)
            if why and self.args.require_services:
                raise Failed(f"Redis is required but {self.args.redis} does not answer: {why}")
            if not why:
                redis_url = self.args.redis
                passed(f"Redis: {redis_url}")
            else:
                say("note", f"Redis not used ({why}): each app process follows the event table")
        return database_url, redis_url

    def environment(self, database_url: str, redis_url: str, mail_port: int) -> dict[str, str]:
        """Production settings, all from the environment, as /etc/environet/environment would give them."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ENVIRONET_", "DJANGO_")) and key not in ("DATABASE_URL", "REDIS_URL")
        }
        key_file = self.folder / "var" / "encryption_key"
        key_file.parent.mkdir(mode=0o700)
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
        env.update(
            DJANGO_SETTINGS_MODULE="environet.settings",
            ENVIRONET_SECRET_KEY=secrets.token_urlsafe(50),
            ENVIRONET_ENCRYPTION_KEY_FILE=str(key_file),
            ENVIRONET_ALLOWED_HOSTS="localhost",
            ENVIRONET_SITE_URL=f"https://localhost:{self.https}",
            ENVIRONET_TRUSTED_PROXIES="127.0.0.1",
            ENVIRONET_VAR_DIR=str(self.folder / "var"),
            ENVIRONET_STATIC_ROOT=str(self.folder / "static"),
            ENVIRONET_EMAIL_HOST="127.0.0.1",
            ENVIRONET_EMAIL_PORT=str(mail_port),
            ENVIRONET_EMAIL_USE_TLS="0",
            ENVIRONET_LIVE_HEARTBEAT_SECONDS=str(HEARTBEAT),
            ENVIRONET_LIVE_CHANNEL=f"environet:deploy-check:{os.getpid()}",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        if redis_url:
            env["REDIS_URL"] = redis_url
        return env

    def prepare(self, env: dict[str, str]) -> dict[str, Any]:
        manage(env, "migrate", "--no-input", "-v", "0")
        passed("manage.py migrate (production settings)")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        passed(f"manage.py collectstatic ({sum(1 for _ in (self.folder / 'static').rglob('*'))} files)")
        output = manage(env, "check", "--deploy", "--fail-level", "WARNING")
        passed(f"manage.py check --deploy --fail-level WARNING: {output.strip() or 'no output'}")
        self.password = secrets.token_urlsafe(16)
        self.emails = ["author@deploy-check.example", "reader@deploy-check.example"]
        script = "ARGS = " + json.dumps({"emails": self.emails, "password": self.password}) + "\n" + PEOPLE_SCRIPT
        return json.loads(manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])

    def start_apps(self, env: dict[str, str]) -> None:
        unit = "environet@.service"
        for number in range(APP_PROCESSES):
            port = free_port()
            process = Process(
                f"app {number + 1}",
                unit_command(unit, port),
                env,
                self.folder / f"app{number + 1}.log",
                unit_file_limit(unit),
            )
            self.stack.callback(process.stop, 5)
            self.apps[port] = process
        worker_unit = "environet-worker.service"
        self.worker = Process(
            "worker", unit_command(worker_unit), env, self.folder / "worker.log", unit_file_limit(worker_unit)
        )
        self.stack.callback(self.worker.stop, 5)
        for port, process in self.apps.items():
            eventually(
                functools.partial(self._direct_health, port, process),
                f"{process.name} on port {port} answering /healthz",
            )
        passed(f"{APP_PROCESSES} app processes ({unit}, ports {', '.join(map(str, self.apps))}) and the worker started")

    def _direct_health(self, port: int, process: Process) -> bool:
        if not process.alive():
            raise Failed(f"{process.name} exited:\n{process.output()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            # As nginx asks (the address it comes from is trusted, so the scheme is believed).
            connection.request("GET", "/healthz", headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
            return connection.getresponse().status == 200
        except OSError:
            return False

    def start_nginx(self) -> None:
        cert, key = self_signed(self.folder)
        site = self.folder / "nginx-site.conf"
        site.write_text(
            render_site(
                SITE.read_text(),
                https=self.https,
                http=self.http,
                apps=list(self.apps),
                cert=cert,
                key=key,
                static=self.folder / "static",
            )
        )
        config = self.folder / "nginx.conf"
        config.write_text(main_config(self.folder, self.nginx, site))
        tested = subprocess.run(  # noqa: S603
            [self.nginx, "-t", "-q", "-p", str(self.folder), "-c", str(config)], capture_output=True, text=True
        )
        expect(tested.returncode == 0, f"nginx -t refused the rendered deploy/nginx/environet.conf:\n{tested.stderr}")
        passed(
            f"nginx -t accepts deploy/nginx/environet.conf (rendered for ports {self.https} https, {self.http} http)"
        )
        log = self.folder / "nginx.out"
        self.nginx_process = Process(
            "nginx", [self.nginx, "-p", str(self.folder), "-c", str(config)], dict(os.environ), log, None
        )
        self.stack.callback(self._stop_nginx)

        def listening() -> bool:
            if not self.nginx_process.alive():
                raise Failed(f"nginx exited: {log.read_text()} {(self.folder / 'error.log').read_text()}")
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.https)) == 0

        eventually(listening, "nginx listening")
        self.tls = ssl.create_default_context(cafile=str(cert))

    def _stop_nginx(self) -> None:
        if self.nginx_process.alive():
            self.nginx_process.popen.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.nginx_process.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx_process.stop(1)

    # Through nginx -----------------------------------------------------------------------------------------

    def which_app(self, request_line: str, before: dict[int, int]) -> int:
        """The port of the app process whose log shows ``request_line`` once more than ``before``."""

        def moved() -> int | None:
            grown = [port for port, app in self.apps.items() if app.count(request_line) > before[port]]
            return grown[0] if len(grown) == 1 else None

        return eventually(moved, f"the app process that served {request_line}", 10)

    def counts(self, request_line: str) -> dict[int, int]:
        return {port: app.count(request_line) for port, app in self.apps.items()}

    def check_health(self, anonymous: Browser) -> None:
        response = anonymous.get("/healthz")
        expect(response.status == 200, f"/healthz through nginx: {response.status} {response.text}")
        body = json.loads(response.body)
        expect(body["status"] == "ok", f"/healthz: {body}")
        passed(f"/healthz through nginx: ok (database {body['database']['detail']}; broker {body['broker']['detail']})")

    def check_http_redirect(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.http, timeout=WAIT)
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        raw = connection.getresponse()
        location = raw.headers.get("Location", "")
        expect(raw.status == 301 and location.startswith("https://localhost/"), f"plain HTTP: {raw.status} {location}")
        passed(f"plain HTTP answers 301 to {location}")

    def check_http2(self) -> None:
        tls = ssl.create_default_context(cafile=self.tls_cafile)
        tls.set_alpn_protocols(["h2", "http/1.1"])
        raw = socket.create_connection(("127.0.0.1", self.https), timeout=WAIT)
        with tls.wrap_socket(raw, server_hostname="localhost") as wrapped:
            chosen, version = wrapped.selected_alpn_protocol(), wrapped.version()
        expect(chosen == "h2", f"HTTP/2 not offered (ALPN chose {chosen!r})")
        passed(f"TLS ({version}) with HTTP/2 offered (ALPN h2)")

    def check_headers(self, anonymous: Browser) -> None:
        page = anonymous.get("/accounts/signin/", **{"Accept-Encoding": "gzip"})
        expect(page.status == 200, f"sign-in page: {page.status}")
        names = [
            "Strict-Transport-Security",
            "Content-Security-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
        ]
        counts = {name: len(page.headers.get_all(name) or []) for name in names}
        expect(all(count == 1 for count in counts.values()), f"each security header once on a page: {counts}")
        expect(
            not page.headers.get("Server", "").startswith("nginx/"),
            f"nginx tells its version: {page.headers['Server']}",
        )
        passed("security headers on a page, each once (from Django, none repeated by nginx); no nginx version shown")

    def check_body_limit(self, limit: int) -> None:
        configured = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
        expect(
            configured and int(configured.group(1)) * 1024 * 1024 == limit,
            f"client_max_body_size {configured and configured.group(0)} is not MAX_REQUEST_BYTES {limit}",
        )
        connection = http.client.HTTPSConnection("localhost", self.https, context=self.tls, timeout=WAIT)
        connection.putrequest("POST", "/accounts/signin/")
        connection.putheader("Content-Length", str(limit + 1))
        connection.putheader("Content-Type", "application/octet-stream")
        connection.endheaders()
        raw = connection.getresponse()
        connection.close()
        expect(raw.status == 413, f"a request of MAX_REQUEST_BYTES + 1: {raw.status}")
        passed(f"client_max_body_size = MAX_REQUEST_BYTES ({limit // (1024 * 1024)} MB); a byte more: 413, unsent")

    def check_static(self, anonymous: Browser) -> None:
        sheets = page_parts(anonymous.get("/accounts/signin/").text).stylesheets
        expect(sheets, "the sign-in page links no stylesheet")
        href = urllib.parse.urlsplit(sheets[0]).path
        on_disk = (self.folder / "static" / href.removeprefix("/static/")).read_bytes()
        plain = anonymous.get(href)
        expect(
            plain.status == 200 and plain.body == on_disk,
            f"{href}: {plain.status}, {len(plain.body)} bytes, {len(on_disk)} on disk",
        )
        expect("Content-Security-Policy" not in plain.headers, f"{href} went through Django, not nginx")
        squeezed = anonymous.get(href, **{"Accept-Encoding": "gzip"})
        encoding = squeezed.headers.get("Content-Encoding", "")
        expect(
            encoding == "gzip" and gzip.decompress(squeezed.body) == on_disk,
            f"{href} with gzip accepted: Content-Encoding {encoding!r}",
        )
        passed(
            f"static file served by nginx: {href}, {len(on_disk)} bytes, gzip {len(squeezed.body)}, "
            f"Cache-Control {plain.headers.get_all('Cache-Control')}"
        )

    def sign_in(self, email: str, secret: str) -> Browser:
        import pyotp

        browser = Browser(self.https, self.tls)
        first = browser.submit("/accounts/signin/", "password", {"email": email, "password": self.password})
        expect(first.status == 302, f"sign-in as {email}, password: {first.status} {first.text[:300]}")
        code_page = local_path(first.headers["Location"])
        second = browser.submit(code_page, "code", {"code": pyotp.TOTP(secret).now()})
        expect(
            second.status == 302 and "/signin" not in second.headers["Location"],
            f"sign-in as {email}, code: {second.status}",
        )
        home = browser.get("/messages/new/")
        expect(home.status == 200, f"signed in as {email}, a members' page answers {home.status}")
        return browser

    def open_stream(self, browser: Browser, last_event_id: int | None = None) -> tuple[Stream, int]:
        before = self.counts("GET /messages/live/")
        stream = Stream(browser, last_event_id)
        expect(stream.status == 200, f"live stream through nginx: {stream.status}")
        self.streams.append(stream)
        return stream, self.which_app("GET /messages/live/", before)

    def stream_on_each_app(self, reader: Browser) -> dict[int, Stream]:
        """One stream held by each app process (nginx hands requests out in turn; one on a process that has
        one already is closed and asked again)."""
        held: dict[int, Stream] = {}
        for _attempt in range(4 * APP_PROCESSES):
            stream, port = self.open_stream(reader)
            if port in held:
                stream.close()
                continue
            held[port] = stream
            if len(held) == APP_PROCESSES:
                return held
        raise Failed("nginx did not spread live streams over the app processes")

    def post(self, author: Browser, topic: int, subject: str) -> tuple[int, int]:
        """A new message in topic B, posted through nginx; (thread id, port of the app process that took it)."""
        before = self.counts("POST /messages/new/")
        sent = author.submit(
            "/messages/new/",
            "subject",
            {
                "subject": subject,
                "body": "Posted through nginx by deploy/check.py.",
                "topics": [topic],
                "kind": "information",
                "marking": "green",
                "audience": "network",
            },
        )
        problems = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', sent.text)
        expect(
            sent.status == 302 and "/threads/" in sent.headers.get("Location", ""), f"posting: {sent.status} {problems}"
        )
        thread = int(local_path(sent.headers["Location"]).rstrip("/").rsplit("/", 1)[-1])
        return thread, self.which_app("POST /messages/new/", before)

    def run(self) -> None:
        with Mailbox() as mailbox:
            database_url, redis_url = self.services()
            env = self.environment(database_url, redis_url, mailbox.port)
            setup = self.prepare(env)
            self.start_apps(env)
            self.start_nginx()
            self.tls_cafile = str(self.folder / "cert.pem")
            anonymous = Browser(self.https, self.tls)
            self.check_health(anonymous)
            self.check_http_redirect()
            self.check_http2()
            self.check_headers(anonymous)
            self.check_body_limit(setup["max_request_bytes"])
            self.check_static(anonymous)
            author_email, reader_email = self.emails
            author = self.sign_in(author_email, setup["secrets"][author_email])
            reader = self.sign_in(reader_email, setup["secrets"][reader_email])
            passed("two people signed in through nginx (password, then the authenticator's code)")
            self.live(author, reader, setup["topic"], bool(redis_url))
            eventually(lambda: reader_email in mailbox.recipients, "the worker's email to the follower of topic B")
            passed(f"the worker sent the notification email ({mailbox.recipients.count(reader_email)} to the reader)")
            self.kill_one(author, reader, setup["topic"])
            self.stop()

    def live(self, author: Browser, reader: Browser, topic: int, redis: bool) -> None:
        held = self.stream_on_each_app(reader)
        for stream in held.values():
            expect(stream.headers.get("Content-Type", "").startswith("text/event-stream"), "stream content type")
            for _beat in range(2):
                stream.wait_for("heartbeat", "a heartbeat through nginx")
        passed(
            f"a live stream on each app process ({', '.join(map(str, held))}); heartbeats come through nginx unbuffered"
        )
        thread, port = self.post(author, topic, f"{SUBJECT_PREFIX}: fan-out")
        for stream_port, stream in held.items():
            stream.wait_for(
                "event",
                f"the post's event on the stream of port {stream_port}",
                lambda event: event.get("thread") == thread,
            )
        carrier = "Redis" if redis else "the event table (no Redis)"
        other = next(p for p in held if p != port)
        passed(
            f"a post served by port {port} reached the stream held by port {other} ({carrier}) and the one on {port}"
        )
        for stream in held.values():
            for _beat in range(3):
                stream.wait_for("heartbeat", "the stream staying open after the event")
        passed(f"both streams still open through nginx {3 * HEARTBEAT}+ s after the event")
        self.held = held

    def kill_one(self, author: Browser, reader: Browser, topic: int) -> None:
        """SIGKILL the app process of the first stream: nginx sends the rest to the other; the stream comes
        back there and, resuming from its last event, misses nothing and gets nothing twice."""
        victim = next(iter(self.held))
        cut = self.held[victim]
        self.apps[victim].popen.kill()
        self.apps[victim].popen.wait(10)
        cut.wait_for("closed", "the stream of the killed process closing")
        anonymous = Browser(self.https, self.tls)
        statuses = [anonymous.get("/healthz").status for _ in range(2 * APP_PROCESSES)]
        expect(set(statuses) == {200}, f"/healthz with one app process killed: {statuses}")
        missed, _port = self.post(author, topic, f"{SUBJECT_PREFIX}: while a stream was away")
        back, port = self.open_stream(reader, cut.last_id)
        expect(port != victim, "the stream came back on the killed process")
        later, _port = self.post(author, topic, f"{SUBJECT_PREFIX}: after it came back")
        back.wait_for("event", "the last post on the resumed stream", lambda event: event.get("thread") == later)
        threads = [event.get("thread") for event in back.events]
        expect(
            threads.count(missed) >= 1 and threads.index(missed) < threads.index(later),
            f"resumed stream events: {back.events}",
        )
        ids = [event["id"] for event in back.events]
        expect(len(ids) == len(set(ids)) and min(ids) > cut.last_id, f"resumed stream ids {ids} after {cut.last_id}")
        passed(
            f"app process {victim} killed (SIGKILL): /healthz {statuses}, posts still taken, the stream came back "
            f"on {port} from event {cut.last_id}: nothing missed, nothing twice"
        )

    def stop(self) -> None:
        for stream in self.streams:
            stream.close()
        stopped = {process.name: process.stop(WAIT) for process in [*self.apps.values(), self.worker]}
        expect(
            all(stopped.values()),
            f"processes that needed SIGKILL after SIGTERM and {WAIT} s: {[n for n, ok in stopped.items() if not ok]}",
        )
        self._stop_nginx()
        passed("every process stopped on SIGTERM (nginx on SIGQUIT)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DEPLOY_CHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="an existing database on the server where a throwaway one is made ('' for SQLite)",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("DEPLOY_CHECK_REDIS", "redis://127.0.0.1:6379/14"),
        help="Redis for live events ('' for none)",
    )
    parser.add_argument(
        "--require-services",
        action="store_true",
        default=os.environ.get("ENVIRONET_REQUIRE_SERVICES") == "1",
        help="fail when PostgreSQL or Redis does not answer, instead of going without",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, rendered configuration)")
    args = parser.parse_args(argv)
    nginx = find_nginx()
    if nginx is None:
        say("skip", "nginx is not installed (make deploy-check installs it with apt-get when run as root)")
        return 2
    say("", f"nginx: {nginx}; temporary folder follows")
    folder = Path(tempfile.mkdtemp(prefix="environet-deploy-check-"))
    folder.chmod(0o755)  # nginx's workers (an unprivileged user) read the static files and certificate in it
    say("", str(folder))
    # Stopped (Ctrl-C, a test's timeout): what was started is still stopped and removed on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        with contextlib.ExitStack() as stack:
            Deployment(folder, nginx, args, stack).run()
    except Failed as failure:
        say("FAIL", str(failure))
        for log in sorted(folder.glob("*.log")):
            print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        return 1
    finally:
        if args.keep:
            say("", f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    passed("deployment stopped, throwaway database dropped, temporary folder removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
