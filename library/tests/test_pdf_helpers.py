"""A long PDF's later pages are read by helper processes while the worker reads the first ones: the text is the
same, in page order, as when one process reads it all; a helper that dies or cannot start never costs a file
its text silently nor stops the worker."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from library import extraction, pdf_helpers
from library.tests import builders
from messaging import attachments

PAGES = [f"Page {number} of the pangolin guide, word{number}x" for number in range(1, 41)]


def alone(content: bytes, settings) -> str:
    settings.LIBRARY_PDF_HELPERS = 0
    try:
        return extraction.text_of(content, attachments.PDF)
    finally:
        settings.LIBRARY_PDF_HELPERS = 2


def test_helpers_read_the_later_pages_and_the_text_is_the_same_in_page_order(helpers, settings):
    content = builders.pdf(*PAGES)
    text = extraction.text_of(content, attachments.PDF)
    assert helpers == [(13, 26), (26, 40)]  # the worker read pages 0-12 itself
    assert text == alone(content, settings)
    assert [int(number) for number in re.findall(r"word(\d+)x", text)] == list(range(1, 41))


def test_a_short_pdf_is_read_by_the_worker_alone(helpers):
    content = builders.pdf(*PAGES[:15])
    assert "word15x" in extraction.text_of(content, attachments.PDF)
    assert helpers == []  # fewer than two runs of FEWEST_PAGES_SHARED pages


def test_runs_have_at_least_the_fewest_pages_shared(settings):
    settings.LIBRARY_PDF_HELPERS = 3
    assert pdf_helpers.shares(7) == [(0, 7)]
    assert pdf_helpers.shares(16) == [(0, 8), (8, 16)]
    assert pdf_helpers.shares(100) == [(0, 25), (25, 50), (50, 75), (75, 100)]
    settings.LIBRARY_PDF_HELPERS = 0
    assert pdf_helpers.shares(100) == [(0, 100)]


def test_a_text_cut_at_its_longest_is_the_same_and_later_readings_are_dropped(helpers, settings, monkeypatch):
    content = builders.pdf(*PAGES)
    monkeypatch.setattr(extraction, "MAX_TEXT", 200)
    text = extraction.text_of(content, attachments.PDF)
    assert len(text) == 200
    assert text == alone(content, settings)


def test_a_helper_that_dies_makes_the_file_unreadable_and_the_next_file_is_read(helpers, monkeypatch):
    content = builders.pdf(*PAGES)
    extraction.text_of(content, attachments.PDF)  # the helpers are running

    def dying(content: bytes, start: int, stop: int):
        with pdf_helpers._dropped_if_broken():  # as read() is: the second may find the pool broken already
            assert pdf_helpers._pool is not None
            return pdf_helpers._pool.submit(os._exit, 1)  # as pdfium crashing on a damaged file would

    monkeypatch.setattr(pdf_helpers, "read", dying)
    with pytest.raises(extraction.ExtractionFailed) as failed:
        extraction.text_of(content, attachments.PDF)
    assert failed.value.code == "unreadable"
    assert pdf_helpers._pool is None  # dropped: new helpers for the next file
    monkeypatch.undo()
    assert "word40x" in extraction.text_of(content, attachments.PDF)


def test_helpers_that_cannot_start_leave_every_page_to_the_worker(settings, monkeypatch, caplog):
    settings.LIBRARY_PDF_HELPERS = 2
    monkeypatch.setattr(pdf_helpers, "_pool", None)
    monkeypatch.setattr(pdf_helpers, "_failed", False)

    class Refused:
        def __init__(self, **options) -> None:
            pass

        def submit(self, *args, **kwargs):
            raise OSError("no semaphores here")

        def shutdown(self, **options) -> None:
            pass

    monkeypatch.setattr(pdf_helpers, "ProcessPoolExecutor", Refused)
    text = extraction.text_of(builders.pdf(*PAGES), attachments.PDF)
    assert "word1x" in text and "word40x" in text
    assert pdf_helpers.shares(40) == [(0, 40)]  # not tried again
    assert "could not start" in caplog.text


PROJECT = Path(__file__).resolve().parents[2]
WORKER_KILLED = """
import os, signal
from django.conf import settings
settings.configure(LIBRARY_PDF_HELPERS=2)
from library import pdf_helpers
assert pdf_helpers.start()
print(" ".join(str(process.pid) for process in pdf_helpers._pool._processes.values()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_helpers_end_with_a_worker_killed_without_its_exit_handlers(tmp_path):
    printed = tmp_path / "helpers"  # a file, not a pipe, which helpers left running would hold open
    with printed.open("w") as out:
        finished = subprocess.run([sys.executable, "-c", WORKER_KILLED], cwd=PROJECT, stdout=out, timeout=120)
    assert finished.returncode == -signal.SIGKILL
    helpers = [int(pid) for pid in printed.read_text().split()]
    assert len(helpers) == 2
    for _ in range(200):  # each ends once it sees the worker's end
        if not any(Path(f"/proc/{pid}").exists() and not _zombie(pid) for pid in helpers):
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"helpers {helpers} outlived their worker")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return False


def test_the_worker_starts_its_helpers_without_waiting_for_them(settings, monkeypatch):
    settings.LIBRARY_PDF_HELPERS = 1
    monkeypatch.setattr(pdf_helpers, "_pool", None)
    monkeypatch.setattr(pdf_helpers, "_failed", False)
    pdf_helpers.start_soon()
    for _ in range(1200):
        if pdf_helpers._pool is not None:
            break
        time.sleep(0.05)
    assert pdf_helpers._pool is not None
    assert pdf_helpers.shares(16) == [(0, 8), (8, 16)]
    pdf_helpers._drop()
