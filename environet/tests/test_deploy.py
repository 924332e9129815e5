"""The production deployment in deploy/: `make deploy-check` run as a test (deploy/check.py brings it up on
loopback ports and checks it through nginx), and the rules of its nginx site that the check relies on.

The check is skipped when nginx is not installed (`make system-deps` installs it as root with apt-get) and
required when ENVIRONET_REQUIRE_SERVICES=1, as in CI, where PostgreSQL and Redis must then answer too."""

import importlib.util
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "deploy" / "check.py"
SITE = ROOT / "deploy" / "nginx" / "environet.conf"


def load_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_check", CHECK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def location(name: str) -> str:
    found = re.search(r"location " + re.escape(name) + r" \{(.*?)\n    \}", SITE.read_text(), re.DOTALL)
    assert found, f"no location {name} in {SITE}"
    return found.group(1)


def test_it_lets_nginx_take_exactly_the_largest_request_ENVIRONET_takes(settings):
    size = re.search(r"^\s*client_max_body_size (\d+)m;", SITE.read_text(), re.MULTILINE)
    assert size, "client_max_body_size is not set in megabytes"
    assert int(size.group(1)) * 1024 * 1024 == settings.MAX_REQUEST_BYTES


def test_it_passes_live_streams_on_unbuffered_and_keeps_them_open_past_heartbeats(settings):
    live = location("= /messages/live/")
    assert re.search(r"^\s*proxy_buffering off;", live, re.MULTILINE)
    timeout = re.search(r"^\s*proxy_read_timeout (\d+)(s|m|h);", live, re.MULTILINE)
    assert timeout, "the live location sets no proxy_read_timeout"
    seconds = int(timeout.group(1)) * {"s": 1, "m": 60, "h": 3600}[timeout.group(2)]
    assert seconds >= 10 * settings.LIVE_HEARTBEAT_SECONDS


def test_it_never_spools_uploads_or_downloads_to_disk_in_clear():
    text = SITE.read_text()
    assert re.search(r"^\s*proxy_request_buffering off;", text, re.MULTILINE)
    assert re.search(r"^\s*proxy_max_temp_file_size 0;", text, re.MULTILINE)


def test_it_adds_no_security_header_django_already_sends_to_pages():
    # Only the static files, which nginx answers alone, get headers from nginx.
    outside_static = SITE.read_text().replace(location("/static/"), "")
    assert "add_header" not in outside_static


def test_it_refuses_to_check_a_site_file_it_can_no_longer_rewrite():
    check = load_check()
    drifted = SITE.read_text().replace("server 127.0.0.1:8002;", "server 127.0.0.1:9002;")
    with pytest.raises(check.Failed, match="no longer contains"):
        check.render_site(drifted, https=1, http=2, apps=[3, 4], cert=Path("c"), key=Path("k"), static=Path("s"))


def test_it_runs_the_units_own_commands():
    check = load_check()
    web = check.unit_command("environet@.service", 8123)
    assert web[0] == str(Path(sys.executable).parent / "uvicorn")
    assert web[web.index("--port") + 1] == "8123" and "--no-proxy-headers" in web
    assert check.unit_command("environet-worker.service")[-2:] == ["manage.py", "worker"]


def test_it_brings_the_deployment_up_and_checks_it_through_nginx():
    check = load_check()
    if check.find_nginx() is None:
        if REQUIRE_SERVICES:
            pytest.fail("nginx is required here (ENVIRONET_REQUIRE_SERVICES=1) but is not installed: make system-deps")
        pytest.skip("nginx is not installed and could not be (make system-deps installs it as root with apt-get)")
    arguments = [sys.executable, str(CHECK)]
    if os.environ.get("POSTGRES_TEST_URL"):
        # The server CI names; the check makes its throwaway database from the maintenance one.
        server = urllib.parse.urlsplit(os.environ["POSTGRES_TEST_URL"])
        arguments += ["--postgres", urllib.parse.urlunsplit(server._replace(path="/postgres"))]
    if REQUIRE_SERVICES:
        arguments.append("--require-services")
    check_run = subprocess.Popen(arguments, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = check_run.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        check_run.terminate()  # the check stops what it started on SIGTERM (a SIGKILL would leave it running)
        stdout, stderr = check_run.communicate(timeout=60)
        pytest.fail("deploy/check.py did not finish within 900 s:\n" + stdout[-8000:])
    report = [line for line in stdout.splitlines() if line[:5].strip() in ("ok", "FAIL", "note")]
    assert check_run.returncode == 0, stdout[-8000:] + stderr[-4000:]
    assert any("reached the stream held by port" in line for line in report), report
    assert any("nothing missed, nothing twice" in line for line in report), report
    assert report[-1].startswith("ok") and "temporary folder removed" in report[-1], report
