"""Logs that a failure loop cannot flood: at most ``burst`` records of one kind (logger and message template)
per ``period`` seconds; the next one let through says how many were held back.

Seen on main: at the open-file limit, uvicorn's accept loop wrote about 300 MB of the same error in three
minutes. Streams beyond capacity now get a clean 503 (environet/limits.py), and whatever else repeats in a
loop is thinned here.
"""

import logging
import time
from collections.abc import Callable


class RateLimit(logging.Filter):
    def __init__(self, burst: int = 10, period: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.burst, self.period, self.clock = burst, period, clock
        self._windows: dict[tuple[str, str], tuple[float, int, int]] = {}  # key -> (start, let through, held)

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self.clock()
        start, passed, held = self._windows.get(key, (now, 0, 0))
        if now - start >= self.period:
            start, passed = now, 0
        if passed >= self.burst:
            self._windows[key] = (start, passed, held + 1)
            return False
        if held:
            record.msg = f"{record.msg} ({held} similar messages held back)"
        self._windows[key] = (start, passed + 1, 0)
        if len(self._windows) > 10_000:  # many kinds of message: forget the oldest windows
            for old in sorted(self._windows, key=lambda name: self._windows[name][0])[:5_000]:
                del self._windows[old]
        return True
