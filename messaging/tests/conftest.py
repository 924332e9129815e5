"""Fixtures for the messaging tests (the shared ones are in the root conftest.py)."""

from collections.abc import Iterator

import pytest

from accounts.models import Organisation

# Chromium through Playwright, for the live browser journey (imported: pytest_plugins only works at the root).
from environet.tests.browser import browser, visitors  # noqa: F401
from messaging.tests.servers import Servers, Stream


@pytest.fixture
def servers() -> Iterator[Servers]:
    """Servers of one test's own (started by the test, with the settings it needs)."""
    started = Servers()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def streams() -> Iterator[list[Stream]]:
    """Streams a test opens are registered here, so they are closed even when it fails."""
    opened: list[Stream] = []
    yield opened
    for stream in opened:
        stream.close()


@pytest.fixture
def home() -> Organisation:
    return Organisation.objects.create(name="Kenya Revenue Authority", short_name="KRA", kind="customs", country="KE")
