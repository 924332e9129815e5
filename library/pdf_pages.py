"""The text of a run of a PDF's pages, read in a helper process (library.extraction reads a long PDF's pages in
several processes at once).

This module is what a helper process imports: pypdfium2 and nothing of Django, so that a helper starts without
the project's settings, and what the helper is given and gives back is plain bytes, numbers and strings.
"""


def texts(content: bytes, start: int, stop: int) -> list[str]:
    """The text of pages ``start`` to ``stop - 1`` (counted from 0), one string a page, as pdfium finds it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        found = []
        for index in range(start, stop):
            page = document[index]
            textpage = page.get_textpage()
            found.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return found
    finally:
        document.close()


def watch_the_worker() -> None:
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
