"""Receiving request bodies and uploaded files: bounded before they are read, and kept off the memory
without their plaintext ever reaching the disk.

- **The whole request.** ``BoundedASGIHandler`` refuses a body larger than ``MAX_REQUEST_BYTES`` with
  413: from its Content-Length, before reading any of it; without one (chunked), as soon as what it read
  passes the limit, and it reads no further. Django would otherwise read the whole body first.
- **How many files.** ``DATA_UPLOAD_MAX_NUMBER_FILES`` is the real limit of one form, so Django stops
  parsing at the first file too many; ``environet.views.bad_request`` says so plainly.
- **Where they wait.** The body, then each file, goes into a ``SealedSpool`` (environet/spool.py): in
  memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, then on disk encrypted under a key that exists only in
  memory. Django's own handlers would keep small files in memory and write large ones to plaintext
  temporary files.
- **Each file.** At most ``MAX_ATTACHMENT_BYTES`` of it is kept; past that the handler counts the rest but
  drops the bytes, so the form can still say how large the refused file was, and the rest of the form
  (the draft) arrives whole.
"""

import json
from typing import IO, Any, cast

import django
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from environet.spool import SealedSpool


def _spool() -> SealedSpool:
    return SealedSpool(max_memory=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, directory=settings.FILE_UPLOAD_TEMP_DIR)


# --- Each file ---------------------------------------------------------------------------------------------


class SpooledUpload(UploadedFile):
    """An uploaded file waiting in a SealedSpool; it has no path, and closes with the request."""

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> "SpooledUpload":
        if self.file is None:
            raise ValueError("the upload is closed")
        self.file.seek(0)
        return self


class BoundedSealedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file = _spool()  # named so: Django closes ``handler.file`` when parsing fails
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received <= settings.MAX_ATTACHMENT_BYTES:
            self.file.write(raw_data)
        elif self.file.tell():
            self.file.close()  # too large: it will be refused, so free what was kept
            self.file = _spool()
        return None

    def file_complete(self, file_size: int) -> SpooledUpload:
        self.file.seek(0)
        return SpooledUpload(
            file=cast(IO[bytes], self.file),
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()


# --- The whole request ---------------------------------------------------------------------------------------


class _Counted:
    """The server's ``receive``, counting body bytes; past the limit it tells Django the client left, so
    Django stops reading, creates no request and answers nothing (the handler answers 413 instead)."""

    def __init__(self, receive, limit: int) -> None:
        self.receive, self.limit = receive, limit
        self.received = 0
        self.over = False

    async def __call__(self) -> dict[str, Any]:
        if self.over:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.over = True
                return {"type": "http.disconnect"}
        return message


class BoundedASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the request size bounded before the body is read, and the body
    received into a SealedSpool."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > settings.MAX_REQUEST_BYTES:
            await _refuse(scope, send)  # not one byte of the body read
            return
        counted = _Counted(receive, settings.MAX_REQUEST_BYTES)
        await super().__call__(scope, counted, send)
        if counted.over:
            await _refuse(scope, send)

    async def read_body(self, receive) -> IO[bytes]:
        """As Django's, into a SealedSpool instead of a SpooledTemporaryFile (plaintext once on disk)."""
        body = _spool()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                body.close()
                raise RequestAborted
            if "body" in message:
                if body._rolled:  # encrypting and writing to disk: not on the event loop
                    await sync_to_async(body.write, thread_sensitive=False)(message["body"])
                else:
                    body.write(message["body"])
            if not message.get("more_body", False):
                break
        body.seek(0)
        return cast(IO[bytes], body)


def application() -> BoundedASGIHandler:
    """What ``django.core.asgi.get_asgi_application`` gives, bounded."""
    django.setup(set_prefix=False)
    return BoundedASGIHandler()


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _language(scope) -> str:
    """The language the visitor's browser asks for (the session is not read for a refused request)."""
    request = HttpRequest()
    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            request.COOKIES.update(parse_cookie(value.decode("latin1")))
        elif name.lower() == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin1")
    return translation.get_language_from_request(request)


async def _refuse(scope, send) -> None:
    """413, in the visitor's language: a page, or a JSON problem for the API."""
    language = _language(scope)
    with translation.override(language):
        limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
        if scope.get("path", "").startswith("/api/"):
            detail = _("The request is too large: at most %(limit)d MB can be sent at once.") % {"limit": limit}
            body, content_type = json.dumps({"detail": detail}).encode(), b"application/json"
        else:
            body = render_to_string("413.html", {"limit": limit, "LANGUAGE_CODE": language}).encode()
            content_type = b"text/html; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the rest of the body is never read
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-security-policy", b"default-src 'none'; style-src 'self'"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
