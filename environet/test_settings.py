"""Settings for the test suite: the real settings, with the testing flag set before they load."""

import os

os.environ.setdefault("ENVIRONET_TESTING", "1")

from environet.settings import *  # noqa: F403

# Tasks run at once in tests unless a test chooses the database queue to exercise the worker.
# (A worker process started by a test reads its queue from the database: ENVIRONET_TEST_TASKS_BACKEND.)
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ENVIRONET_TEST_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    }
}

# Tests read the shipped reference tables, never a release loaded into the developer's var/reference/; a test
# that loads one points REFERENCE_DIR at a folder of its own.
REFERENCE_DIR = VAR_DIR / f"test-reference-{os.getpid()}"  # noqa: F405

# The test client speaks plain HTTP; every other production security setting stays on.
SECURE_SSL_REDIRECT = False

# Argon2 still, with lighter parameters: the suite creates hundreds of people.
PASSWORD_HASHERS = ["environet.test_hashers.QuickArgon2PasswordHasher"]
