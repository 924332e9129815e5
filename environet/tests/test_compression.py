"""Pages and static files travel compressed to browsers that accept it (issue 12: officers on slow links);
live streams do not, since gzip would hold their events back."""

import gzip
import http.client
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, RequestFactory

from conftest import signed_in
from messaging.tests.servers import WAIT, Server, Servers, Visitor

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def body(response: Any) -> bytes:
    """The whole body of a file response (WhiteNoise streams the file)."""
    return b"".join(response.streaming_content)


def test_it_gzips_a_page_for_a_browser_that_accepts_it(cast):
    client = signed_in(cast.member)
    plain = client.get("/")
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content)
    assert b"</html>" in page
    assert len(packed.content) < len(page)


def test_it_leaves_what_is_compressed_already_as_it_is():
    # A page's image, an attachment: gzip would cost the server time and save nothing.
    from environet.middleware import CompressionMiddleware

    def answer(request):
        from django.http import HttpResponse

        return HttpResponse(os.urandom(2000), content_type="image/png")

    response: Any = CompressionMiddleware(answer)(RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert not response.has_header("Content-Encoding")


@pytest.fixture
def collected(tmp_path, settings) -> Path:
    """The static files as production serves them: collected by collectstatic with the production storage."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--no-input", verbosity=0)
    return settings.STATIC_ROOT


def test_it_serves_static_files_gzipped_under_a_hashed_name_in_production(collected):
    url = static("environet/site.css")
    assert url != "/static/environet/site.css"  # the name carries the content's hash
    source = (BASE_DIR / "static" / "environet" / "site.css").read_bytes()
    client = Client()  # WhiteNoise reads the collected folder when the client's middleware is made

    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(packed)) == source
    assert "immutable" in packed["Cache-Control"]

    plain = client.get(url)
    assert not plain.has_header("Content-Encoding")
    assert body(plain) == source


def test_it_serves_the_vendored_scripts_gzipped_too(collected):
    packed = Client().get(static("environet/vendor/htmx.min.js"), HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(packed)) == (BASE_DIR / "static" / "environet" / "vendor" / "htmx.min.js").read_bytes()


def test_in_development_it_serves_the_collected_copy_while_current_and_the_source_after_an_edit(tmp_path, settings):
    # As `make run` serves: files looked up at each request, collected at start, edited afterwards.
    source = tmp_path / "source"
    (source / "environet").mkdir(parents=True)
    style = source / "environet" / "edited.css"
    style.write_text(".calm { margin: 0 auto; padding: 1rem; }\n" * 200)
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    call_command("collectstatic", "--no-input", verbosity=0)
    client = Client()

    collected = client.get("/static/environet/edited.css", HTTP_ACCEPT_ENCODING="gzip")
    assert collected["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(collected)) == style.read_bytes()

    style.write_text(".calm { margin: 0; }\n")
    later = time.time() + 5  # the edit is newer than the collected copy, whatever the clock's resolution
    os.utime(style, (later, later))
    edited = client.get("/static/environet/edited.css", HTTP_ACCEPT_ENCODING="gzip")
    assert not edited.has_header("Content-Encoding")
    assert body(edited) == b".calm { margin: 0; }\n"


# --- On the real server ---------------------------------------------------------------------------------


@pytest.fixture
def server(transactional_db) -> Iterator[Server]:
    started = Servers()
    try:
        yield started.start(heartbeat=1)
    finally:
        started.stop_all()


@pytest.mark.django_db(transaction=True)
def test_the_live_stream_is_not_compressed_and_passes_each_line_on_at_once(server, cast):
    visitor = Visitor(cast.member)
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as connection:
        lines = [
            "GET /messages/live/ HTTP/1.1",
            f"Host: 127.0.0.1:{server.port}",
            f"Cookie: {visitor.cookie()}",
            "Accept: text/event-stream",
            "Accept-Encoding: gzip, deflate, br",
        ]
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = http.client.HTTPResponse(connection, method="GET")
        response.begin()
        assert response.status == 200
        assert response.getheader("Content-Type", "").startswith("text/event-stream")
        assert response.getheader("Content-Encoding") is None
        # The opening line and then the heartbeat comments (one a second here) arrive as plain text while
        # the stream stays open: nothing waits in a compression buffer.
        received = [response.readline() for _ in range(4)]
        assert received[0].startswith(b"retry:"), received
        assert any(line.startswith(b":") for line in received[1:]), received


@pytest.mark.django_db(transaction=True)
def test_the_server_sends_pages_gzipped(server, cast):
    visitor = Visitor(cast.member)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
    try:
        connection.request("GET", "/", headers={"Cookie": visitor.cookie(), "Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert b"</html>" in gzip.decompress(body)
