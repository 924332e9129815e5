"""How many live streams one server process can hold, from its open-file limit.

Each open stream holds a socket, so a process at the usual soft limit of 1,024 open files held about 1,040
streams; the next ones got 500s ("unable to open database file": the database needs files too) and the
accept loop filled the log. The server raises its soft limit to the hard one at start, keeps ``RESERVE``
files for the database, requests and logs, and answers streams beyond the rest with a clean 503 and
``Retry-After`` (the page tries again later and catches up from its last event).
"""

import logging
import resource

from django.conf import settings

logger = logging.getLogger(__name__)

RESERVE = 256  # files kept for the database, ordinary requests, static files and logs
RETRY_AFTER_SECONDS = 30


def raise_open_file_limit() -> int:
    """Raise this process's soft open-file limit to its hard limit (what systemd's LimitNOFILE sets); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):  # some containers refuse: keep the limit we have
            pass
    return soft


def stream_capacity() -> int:
    """``ENVIRONET_MAX_STREAMS`` when set, else what the open-file limit leaves after the reserve."""
    if settings.LIVE_MAX_STREAMS:
        return settings.LIVE_MAX_STREAMS
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 20
    return max(soft - RESERVE, 1)


def announce() -> None:
    limit = raise_open_file_limit()
    logger.info("Open-file limit %s: this process holds up to %d live streams.", limit, stream_capacity())
