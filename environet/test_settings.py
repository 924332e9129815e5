"""Settings for the test suite: the real settings, with the testing flag set before they load."""

import os

os.environ.setdefault("ENVIRONET_TESTING", "1")

from environet.settings import *  # noqa: F403

# Tasks run at once in tests unless a test chooses the database queue to exercise the worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
