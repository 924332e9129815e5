"""Settings of the server bench/throughput.py measures: production's (environet.settings, read from the same
environment), with a URLconf that adds the bare view the pages are compared with. Used by the bench only: no
deployment names this module, so the bare view is never reachable in production."""

import os

from environet.settings import *  # noqa: F403 (the production settings, unchanged but for what follows)
from environet.settings import MIDDLEWARE

ROOT_URLCONF = "bench._throughput_urls"

# `throughput.py --profile` (and only it) profiles each request, from the first middleware to the last.
if os.environ.get("ENVIRONET_BENCH_PROFILE_DIR"):
    MIDDLEWARE = ["bench._throughput_urls.ProfileMiddleware", *MIDDLEWARE]
