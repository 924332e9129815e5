"""Fixtures for the messaging tests (the shared ones are in the root conftest.py)."""

# Chromium through Playwright, for the live browser journey (imported: pytest_plugins only works at the root).
from environet.tests.browser import browser, visitors  # noqa: F401
