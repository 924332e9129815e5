"""Helper processes that read a long PDF's pages while the task worker reads the first ones itself.

pdfium reads a PDF's pages one after another on one core (a 50-page guide: about 45 ms), and the item is found
by its words only after the last one. It may not be used from several threads at once (pypdfium2 says so), so
the pages are shared between processes instead: the worker reads the first run of pages while
``ENVIRONET_PDF_HELPERS`` helper processes (one fewer than the machine's cores, at most three, by default) read
the others from the same bytes. The text comes back in page order; what is indexed is the same as when one
process reads it all.

A run has at least ``FEWEST_PAGES_SHARED`` pages: below that, sending the file and opening it again cost more
than the pages saved. Helpers are started by ``forkserver`` (never forked from the worker, whose threads and
database connections a child must not share), with pdfium loaded, and kept for the worker's life.

A helper that dies (pdfium crashing on a damaged file) ends only that reading: the file is reported unreadable
as before, its pool is dropped, a new one is started for the next file, and the worker itself goes on. Helpers
that cannot start at all (started at the worker's start, or at the first long PDF) are not tried again: the
worker reads every page itself, as with ``ENVIRONET_PDF_HELPERS=0``, and the log says why.

Like every ``multiprocessing`` child, a helper imports the program's main module first (``manage.py``, under
its ``if __name__ == "__main__"``): a script that reads PDFs must keep its work under that line too.
"""

import contextlib
import itertools
import logging
import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

from library import pdf_pages

logger = logging.getLogger(__name__)

FEWEST_PAGES_SHARED = 8
STARTING_SECONDS = 60

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_failed = False


def count() -> int:
    return max(0, settings.LIBRARY_PDF_HELPERS)


def shares(pages: int) -> list[tuple[int, int]]:
    """The runs of pages (start, stop), in order, the first the worker's own: one a helper, as far as each has
    ``FEWEST_PAGES_SHARED`` pages and the helpers are running."""
    runs = max(1, min(count() + 1, pages // FEWEST_PAGES_SHARED))
    if runs > 1 and not start():
        runs = 1
    bounds = [pages * number // runs for number in range(runs + 1)]
    return list(itertools.pairwise(bounds))


def read(content: bytes, start: int, stop: int) -> "Future[list[str]]":
    """The text of pages ``start`` to ``stop - 1``, read by a helper (once ``shares`` has started them): one
    string a page."""
    with _dropped_if_broken():
        if _pool is None:
            raise BrokenProcessPool("the PDF helpers are not running")
        return _pool.submit(pdf_pages.texts, content, start, stop)


def texts(future: "Future[list[str]]") -> list[str]:
    """What a helper read; its error if it could not, BrokenProcessPool if it died (its pool is then dropped)."""
    with _dropped_if_broken():
        return future.result()


@contextlib.contextmanager
def _dropped_if_broken() -> Iterator[None]:
    try:
        yield
    except BrokenProcessPool:
        logger.warning("a PDF helper process ended while reading; new ones start for the next file")
        _drop()
        raise


def start() -> bool:
    """Whether the helpers are running, starting them with pdfium loaded if not (about a second). Helpers that
    cannot start are not tried again: the worker then reads every page itself, as with none."""
    global _pool, _failed
    with _lock:
        if _pool is None and not _failed and count():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["library.pdf_pages", "pypdfium2"])
            pool = ProcessPoolExecutor(max_workers=count(), mp_context=context, initializer=pdf_pages.helper_started)
            try:
                for future in [pool.submit(pdf_pages.ready) for _ in range(count())]:
                    future.result(timeout=STARTING_SECONDS)
            except Exception:
                logger.exception("the PDF helper processes could not start; the worker reads every page itself")
                pool.shutdown(wait=False, cancel_futures=True)
                _failed = True
            else:
                _pool = pool
        return _pool is not None


def start_soon() -> None:
    """``start`` beside the caller (the worker at its start, which goes on to its queue meanwhile): a long PDF that
    comes first waits for the helpers, anything else does not."""
    if count():
        threading.Thread(target=start, name="starting PDF helpers", daemon=True).start()


def _drop() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
