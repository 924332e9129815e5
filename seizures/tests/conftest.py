"""Fixtures for the seizure tests (the shared ones are in the root conftest.py)."""

# Chromium through Playwright, for the browser journey (imported: pytest_plugins only works at the root).
from environet.tests.browser import browser, visitors  # noqa: F401
