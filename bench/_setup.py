"""What the benchmarks share: a throwaway database, the environment of ENVIRONET's processes, Django set up
in the benchmark's own process. Not a benchmark (`make bench` skips files starting with "_")."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Database:
    """SQLite in the temporary folder (ENVIRONET_VAR_DIR), or a fresh PostgreSQL database made next to the
    one ``url`` names and dropped afterwards."""

    def __init__(self, url: str | None, prefix: str) -> None:
        self.admin_url = url
        self.name = f"environet_{prefix}_{os.getpid()}"
        self.url = ""
        if url:
            parts = urllib.parse.urlsplit(url)
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        self.kind = "postgresql" if url else "sqlite"

    def _admin(self, statement: str) -> None:
        import psycopg

        assert self.admin_url is not None
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def create(self) -> None:
        if self.admin_url:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.admin_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def child_env(folder: Path, database_url: str = "", *, keep: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment of an ENVIRONET process for the benchmark: development settings (no production
    secrets needed) in ``folder``, on ``database_url`` (SQLite in the folder when empty). The machine's own
    ENVIRONET_* settings stay out, but for the names starting with one of ``keep``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ENVIRONET_", "DJANGO_")) or (keep and key.startswith(keep))
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        ENVIRONET_DEBUG="1",
        ENVIRONET_VAR_DIR=str(folder),
        ENVIRONET_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="environet.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def migrate(env: dict[str, str], timeout: int = 900) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
    )


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, with ``env`` as its environment, run as in production."""
    for key in [key for key in os.environ if key.startswith(("ENVIRONET_", "DJANGO_"))]:
        del os.environ[key]
    os.environ.pop("DATABASE_URL", None)
    os.environ.update({key: value for key, value in env.items() if key != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # ENVIRONET_DEBUG=1 spares the settings production secrets; past that, the bench runs as production does.
    # Under DEBUG Django keeps every query in memory, and on SQLite logging one runs another (to quote its
    # parameters).
    settings.DEBUG = False


# --- Servers under uvicorn (pages.py, throughput.py) -----------------------------------------------------

SERVER_START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(app: str, port: int, env: dict[str, str], app_dir: Path = ROOT) -> subprocess.Popen:
    """``app`` under uvicorn on 127.0.0.1:``port``, once it accepts connections."""
    command = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-proxy-headers", "--log-level", "warning"]
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


def stop_server(server: subprocess.Popen, wait: float = 20) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(wait)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def started_worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    """``manage.py worker`` as in production (without DEBUG, which keeps every query in memory), once it has
    given its first sign of life; ``extra`` arguments after its own (``--interval 0.1``)."""
    from environet.models import WorkerSeen

    worker_env = {**env, "ENVIRONET_DEBUG": "", "ENVIRONET_SECRET_KEY": secrets.token_urlsafe(50)}
    worker_env["ENVIRONET_ALLOWED_HOSTS"] = "localhost"
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "worker", "--no-startup-delay", *extra],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not WorkerSeen.objects.exists():
        if time.monotonic() > deadline or worker.poll() is not None:
            worker.kill()
            raise SystemExit("the worker did not start")
        time.sleep(0.1)
    return worker
