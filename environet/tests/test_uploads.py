"""Request bodies and uploads: too large is refused before it is read, too many files are refused saying so,
and what is received waits in memory only up to a small size, then on disk, never in the clear."""

import asyncio
import html
import socket
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import signed_in
from environet import spool, uploads
from environet.spool import SealedSpool
from messaging.models import Attachment, Audience, Message, Thread
from topics.models import Topic

MB = 1024 * 1024
TEXT = b"Consignee: Lamu Timber Ltd, 40 sacks of charcoal, ivory underneath\n"
TOO_LARGE = "What you sent is larger than ENVIRONET takes at once"


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def _stored(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


# --- The spool ----------------------------------------------------------------------------------------------


def test_it_gives_back_what_was_written_in_memory_and_on_disk():
    for size in (100, 5000):
        written = bytes(range(256)) * (size // 256 + 1)
        with SealedSpool(max_memory=1024) as spooled:
            for start in range(0, len(written), 700):
                spooled.write(written[start : start + 700])
            assert spooled._rolled == (len(written) > 1024)

            spooled.seek(0)
            assert spooled.read(3) == written[:3]
            assert spooled.read(1000) == written[3:1003]  # across the 16-byte blocks, from an odd offset
            assert spooled.read() == written[1003:]
            spooled.seek(17)
            assert spooled.readall() == written[17:]


def test_it_keeps_no_plaintext_on_the_disk():
    with SealedSpool(max_memory=1024) as spooled:
        spooled.write(TEXT * 1000)
        assert spooled._rolled
        disk = spooled._disk
        assert disk is not None
        disk.seek(0)
        raw = disk.read()

        assert len(raw) == len(TEXT) * 1000
        assert b"ivory" not in raw and b"Lamu" not in raw
        spooled.seek(0)
        assert spooled.read() == TEXT * 1000


def test_it_is_written_at_its_end_only():
    # Writing an offset twice would use the same keystream twice.
    with SealedSpool(max_memory=10) as spooled:
        spooled.write(b"0123456789abcdef")
        spooled.seek(4)
        with pytest.raises(OSError, match="end only"):
            spooled.write(b"x")


def test_a_large_upload_waits_on_disk_not_in_memory(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    handler = uploads.BoundedSealedUploadHandler()
    handler.new_file("attachments", "notes.txt", "text/plain", None)
    for start in range(0, 100 * len(TEXT), len(TEXT)):
        handler.receive_data_chunk(TEXT, start)

    received = handler.file_complete(100 * len(TEXT))

    assert handler.file._rolled
    assert received.size == 100 * len(TEXT)
    assert received.read() == TEXT * 100
    received.close()
    assert handler.file.closed


# --- Too large: refused before it is read -------------------------------------------------------------------


def _scope(path: str = "/messages/new/", headers: Sequence[tuple[bytes, bytes]] = ()) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("198.51.100.7", 50000),
        "server": ("testserver", 80),
    }


class Exchange:
    """An ASGI server's side of one request: the body in chunks (counted as they are read), and what the
    application sent back."""

    def __init__(self, body: bytes = b"", *, chunk: int = 64 * 1024, endless: bool = False) -> None:
        self.chunks = [body[start : start + chunk] for start in range(0, len(body), chunk)] or [b""]
        self.endless, self.chunk = endless, chunk
        self.read = 0  # body bytes handed to the application
        self.sent: list[dict] = []

    async def receive(self) -> dict:
        if self.endless:
            self.read += self.chunk
            return {"type": "http.request", "body": b"x" * self.chunk, "more_body": True}
        if self.chunks:
            part = self.chunks.pop(0)
            self.read += len(part)
            return {"type": "http.request", "body": part, "more_body": bool(self.chunks)}
        await asyncio.Event().wait()  # the client stays until the answer is sent
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.sent[1:])


def _run(exchange: Exchange, scope: dict) -> None:
    asyncio.run(uploads.BoundedASGIHandler()(scope, exchange.receive, exchange.send))


def test_it_refuses_a_declared_oversize_body_without_reading_it():
    exchange = Exchange(b"x" * 1000)
    declared = settings.MAX_REQUEST_BYTES + 1

    _run(exchange, _scope(headers=[(b"content-length", str(declared).encode())]))

    assert exchange.read == 0
    assert exchange.status == 413
    assert exchange.headers[b"connection"] == b"close"
    page = html.unescape(exchange.body.decode())
    assert TOO_LARGE in page and f"at most {settings.MAX_REQUEST_BYTES // MB} MB" in page
    assert "Nothing of it was kept" in page


def test_it_stops_reading_a_body_without_a_length_at_the_limit(settings):
    settings.MAX_REQUEST_BYTES = 1 * MB
    exchange = Exchange(endless=True)

    _run(exchange, _scope(headers=[(b"transfer-encoding", b"chunked")]))

    assert exchange.status == 413
    assert exchange.read <= settings.MAX_REQUEST_BYTES + exchange.chunk  # read up to the limit, not one chunk more
    assert TOO_LARGE in html.unescape(exchange.body.decode())


def test_it_answers_the_api_in_json_and_the_visitor_in_their_language():
    too_large = [(b"content-length", str(settings.MAX_REQUEST_BYTES + 1).encode())]
    api = Exchange()
    _run(api, _scope("/api/v1/messages/search", too_large))
    french = Exchange()
    _run(french, _scope(headers=[*too_large, (b"accept-language", b"fr-FR,fr;q=0.9")]))

    assert (api.status, api.headers[b"content-type"]) == (413, b"application/json")
    assert b'"detail": "The request is too large' in api.body
    assert french.status == 413 and b'<html lang="fr">' in french.body


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, bytes]:
    boundary = "environet-test-boundary-5d1e"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, content in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}".encode()


@pytest.mark.django_db(transaction=True)
def test_a_normal_attachment_goes_through_the_server_handler_and_waits_sealed(cast, monkeypatch):
    rolled = []
    roll_over = spool.SealedSpool._roll_over

    def counted_roll_over(self) -> None:
        rolled.append(self)
        roll_over(self)

    monkeypatch.setattr(spool.SealedSpool, "_roll_over", counted_roll_over)
    content = TEXT * (2 * MB // len(TEXT))  # larger than FILE_UPLOAD_MAX_MEMORY_SIZE: it waits on disk
    fields = {
        "subject": "Charcoal at Lamu",
        "topics": str(Topic.objects.get(code="B").pk),
        "kind": Message.Kind.INFORMATION,
        "marking": "green",
        "audience": Audience.NETWORK,
        "body": "The consignee's notes are attached.",
    }
    body, content_type = _multipart(fields, [("notes.txt", content)])
    session = signed_in(cast.member).cookies[settings.SESSION_COOKIE_NAME].value
    token = "t" * 32
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}".encode()),
        (b"x-csrftoken", token.encode()),
    ]
    exchange = Exchange(body)

    _run(exchange, _scope(headers=headers))

    assert exchange.status == 302, exchange.body[:2000]
    assert len(rolled) == 2  # the request body, then the file
    attachment = Attachment.objects.get(message__thread=Thread.objects.get())
    download = signed_in(cast.focal_point).get(f"/messages/attachments/{attachment.pk}/")
    assert (attachment.name, download.content) == ("notes.txt", content)


@pytest.mark.django_db(transaction=True)
def test_the_real_server_refuses_before_reading():
    from messaging.tests.servers import Servers

    servers = Servers()
    try:
        server = servers.start()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(
                b"POST /messages/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 10737418240\r\n\r\n" + b"x" * 1000
            )
            answer = b""
            while chunk := connection.recv(65536):  # the server closes the connection after its answer
                answer += chunk
    finally:
        servers.stop_all()

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert TOO_LARGE.encode() in answer


# --- Too many files --------------------------------------------------------------------------------------------


def _new_thread(person, count: int):
    files = [SimpleUploadedFile(f"note{number}.txt", TEXT, content_type="text/plain") for number in range(count)]
    return signed_in(person).post(
        "/messages/new/",
        {
            "subject": "Charcoal at Lamu",
            "topics": [Topic.objects.get(code="B").pk],
            "kind": Message.Kind.INFORMATION,
            "marking": "green",
            "audience": Audience.NETWORK,
            "body": "Notes attached.",
            "attachments": files,
        },
    )


def test_it_refuses_too_many_files_saying_so_and_keeps_nothing(cast, attachments_dir):
    response = _new_thread(cast.member, settings.MAX_ATTACHMENTS_PER_MESSAGE + 1)

    assert response.status_code == 400
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == settings.MAX_ATTACHMENTS_PER_MESSAGE
    assert (
        "Too many files at once: at most 10 can go with one message or record. Nothing was kept. "
        "Go back and choose fewer." in html.unescape(response.content.decode())
    )
    assert not Thread.objects.exists() and not Attachment.objects.exists()
    assert _stored(attachments_dir) == []


def test_it_takes_as_many_files_as_allowed(cast):
    response = _new_thread(cast.member, settings.MAX_ATTACHMENTS_PER_MESSAGE)

    assert response.status_code == 302
    assert Attachment.objects.count() == settings.MAX_ATTACHMENTS_PER_MESSAGE


def test_a_file_with_a_very_long_name_is_refused_saying_what_to_do(cast, attachments_dir):
    # Its part's headers pass Django's limit (MultiPartParserError): a generic "bad request" said nothing.
    # (The test client shortens file names, so the form is written as a browser sends it.)
    fields = {"subject": "Charcoal at Lamu", "topics": str(Topic.objects.get(code="B").pk), "kind": "information"}
    fields |= {"marking": "green", "audience": Audience.NETWORK, "body": "Notes attached."}
    body, content_type = _multipart(fields, [("scan-of-the-seizure-report-" * 40 + ".txt", TEXT)])
    response = signed_in(cast.member).post("/messages/new/", body, content_type=content_type.decode())

    assert response.status_code == 400
    assert "give it a shorter name and send the form again" in html.unescape(response.content.decode())
    assert not Thread.objects.exists() and not Attachment.objects.exists()
