"""More live streams than a process can hold get a clean 503 with Retry-After, never a 500; the server raises
its own open-file limit at start (environet/limits.py)."""

import resource
import subprocess
import sys

import pytest

from conftest import Cast
from messaging.tests.servers import ROOT, Servers, Visitor, eventually, request


@pytest.fixture
def small_server(transactional_db):
    started = Servers()
    try:
        yield started.start(redis_url="", ENVIRONET_MAX_STREAMS="2")
    finally:
        started.stop_all()


def test_streams_beyond_capacity_are_told_to_come_back_later_and_the_site_keeps_answering(small_server, cast: Cast):
    visitor = Visitor(cast.member)
    first, second = visitor.stream(small_server), visitor.stream(small_server)
    for stream in (first, second):
        assert stream.status == 200
        stream.wait(lambda open_stream: open_stream.heartbeats >= 1, "a heartbeat")

    status, headers, body = request(small_server, "GET", "/messages/live/", headers={"Cookie": visitor.cookie()})
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert b"try again shortly" in body
    # Everything else still answers.
    assert request(small_server, "GET", "/healthz")[0] == 200
    assert visitor.get(small_server, "/")[0] == 200

    # A place frees up when a page goes: the next stream opens.
    first.close()
    eventually(
        lambda: request(small_server, "GET", "/healthz")[0] == 200 and _opens(small_server, visitor),
        "a stream to open again once one closed",
    )
    assert "Internal Server Error" not in small_server.output()
    second.close()


def _opens(server, visitor) -> bool:
    stream = visitor.stream(server)
    try:
        return stream.status == 200
    finally:
        stream.close()


def test_the_server_raises_its_open_file_limit_to_the_hard_limit():
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 256:
        pytest.skip("the hard limit here is too low to lower the soft one below it")
    script = (
        "import resource, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'environet.test_settings'); "
        "django.setup(); from environet import limits; "
        "print(limits.raise_open_file_limit(), resource.getrlimit(resource.RLIMIT_NOFILE)[0], limits.stream_capacity())"
    )

    def low_soft_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, preexec_fn=low_soft_limit, check=False
    )
    assert done.returncode == 0, done.stderr
    raised, soft_now, capacity = (int(value) for value in done.stdout.split())
    expected = hard if hard != resource.RLIM_INFINITY else raised
    assert raised == soft_now == expected
    assert capacity == soft_now - 256
