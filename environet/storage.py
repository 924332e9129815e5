"""When the data folder is full or read-only, people who read keep reading; whoever saves is told why.

Before, a full or read-only data folder made every page a 500, reads included, because each request may
rewrite its session. Now:

- ``SessionMiddleware`` does not fail a page that only reads (GET, HEAD) when the session cannot be saved:
  the "last seen" stamp is written at a later request;
- ``server_error`` (the 500 handler) recognises the database's storage errors and answers 503 with a page
  saying nothing was saved and why, with ``Retry-After``;
- ``status`` tells ``/healthz`` whether the data folder's file system is read-only or nearly full, and
  whether PostgreSQL is in read-only mode. The process stays in rotation ("degraded"), as reads work.
"""

import logging
import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)

# What SQLite and PostgreSQL say when they cannot write for lack of room or permission.
STORAGE_ERRORS = (
    "readonly database",
    "read-only",
    "disk is full",
    "no space left",
    "disk i/o error",
    "unable to open database file",
)
NEARLY_FULL_BYTES = 50 * 1024 * 1024
RETRY_AFTER_SECONDS = 60


def is_storage_error(error: BaseException | None) -> bool:
    return isinstance(error, DatabaseError) and any(words in str(error).lower() for words in STORAGE_ERRORS)


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except DatabaseError as error:
            if request.method not in ("GET", "HEAD") or not is_storage_error(error):
                raise
            logger.warning("Session not saved (storage unavailable): %s", error)
            return response


def server_error(request: HttpRequest) -> HttpResponse:
    """500, except when the database could not write: then 503, saying so."""
    if not is_storage_error(sys.exc_info()[1]):
        return defaults.server_error(request)
    response = render(request, "503_storage.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _mounted_read_only(folder: Path) -> bool:
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def status() -> tuple[bool, str]:
    """(writable, detail) for /healthz."""
    folder = Path(settings.VAR_DIR)
    try:
        read_only = _mounted_read_only(folder)
        free = shutil.disk_usage(folder).free
    except OSError as error:
        return False, f"data folder unreadable: {type(error).__name__}"
    if read_only:
        return False, "the data folder's file system is read-only: pages read, nothing can be saved"
    if free < NEARLY_FULL_BYTES:
        return False, f"the data folder's disk is nearly full ({free // (1024 * 1024)} MB free): saving may fail"
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_read_only")
                (value,) = cursor.fetchone()
        except DatabaseError as error:
            return False, f"not checked: {type(error).__name__}"
        if value == "on":
            return (
                False,
                "the database is read-only (a standby, or default_transaction_read_only): nothing can be saved",
            )
    return True, f"writable, {free // (1024 * 1024)} MB free"
