"""The text of a run of a PDF's pages, read in a helper process (library.extraction reads a long PDF's pages in
several processes at once).

This module is what a helper process imports: pypdfium2 and nothing of Django, so that a helper starts without
the project's settings, and what the helper is given and gives back is plain bytes, numbers and strings.
"""

import contextlib
from collections.abc import Iterator
from typing import Any


def texts(content: bytes, start: int, stop: int) -> list[str]:
    """The text of pages ``start`` to ``stop - 1`` (counted from 0), one string a page, as pdfium finds it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        return list(each_page(document, start, stop))
    finally:
        document.close()


def each_page(document: Any, start: int, stop: int) -> Iterator[str]:
    """The text of an open document's pages ``start`` to ``stop - 1``, as each is read (the worker's own run)."""
    for index in range(start, stop):
        page = document[index]
        textpage = page.get_textpage()
        yield textpage.get_text_bounded()
        textpage.close()
        page.close()


# glibc's M_TOP_PAD: memory kept at the top of the heap when it grows and when it is given back.
_M_TOP_PAD = -2
TOP_PAD_BYTES = 16 * 1024 * 1024


def helper_started() -> None:
    """What a helper does once, when it starts."""
    _keep_some_freed_memory()
    _watch_the_worker()


def _keep_some_freed_memory() -> None:
    """pdfium allocates and frees about 12 MB for every 25 pages. A new process gives that back to the system at
    each free and faults it in again at the next page (3,000 page faults a run, measured), which made a helper
    read the same pages in 28 ms that the worker, whose heap had room already, read in 22 ms. Keeping 16 MB at the
    top of the heap takes the faults away. Only glibc has this setting; elsewhere nothing changes."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(ctypes.util.find_library("c")).mallopt(_M_TOP_PAD, TOP_PAD_BYTES)


def _watch_the_worker() -> None:
    """Ends this helper when the worker that started it ends, however it ended (a worker killed without its exit
    handlers would otherwise leave its helpers waiting for work for ever)."""
    import multiprocessing
    import os
    import threading
    from multiprocessing.connection import wait

    worker = multiprocessing.parent_process()
    if worker is None:
        return

    def watch() -> None:
        wait([worker.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="watching the worker", daemon=True).start()


def ready() -> bool:
    """Loads pdfium in the helper before its first document (called when the helpers are started)."""
    import pypdfium2  # noqa: F401

    return True
