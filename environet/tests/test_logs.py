"""A message repeated in a loop cannot flood the log (environet/logs.py)."""

import logging

from environet.logs import RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(message: str = "accept failed: %s", name: str = "uvicorn.error") -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, ("Too many open files",), None)


def test_a_repeated_message_is_let_through_a_few_times_a_minute_then_counted():
    clock = Clock()
    limit = RateLimit(burst=5, period=60, clock=clock)
    passed = [limit.filter(_record()) for _ in range(1000)]
    assert passed.count(True) == 5
    clock.now = 61
    record = _record()
    assert limit.filter(record)
    assert record.getMessage() == "accept failed: Too many open files (995 similar messages held back)"


def test_other_messages_are_not_held_back_by_one_that_repeats():
    limit = RateLimit(burst=2, period=60, clock=Clock())
    for _ in range(50):
        limit.filter(_record())
    assert limit.filter(_record("database unreachable: %s"))
    assert limit.filter(_record(name="django.request"))


def test_the_settings_thin_uvicorns_errors_and_the_console():
    logging.getLogger("django").info("configured")  # LOGGING is applied when Django sets up
    assert any(isinstance(item, RateLimit) for item in logging.getLogger("uvicorn.error").filters)
    handlers = logging.getLogger().handlers
    assert any(isinstance(item, RateLimit) for handler in handlers for item in handler.filters)
