"""How connections outlive a request: kept by the threads that serve many (``keep_connections``), or, on
PostgreSQL, lent from a pool and checked as they are lent (settings.py, Django's ``pool`` option).

psycopg-pool checks the connection it is about to lend; when the check fails it discards that one and tries the
next, waiting between tries (1 s, then twice as long each time). After a database restart every idle connection
is dead, so a process holding many made its first request wait while they were found one by one, and with 5 or
more the request ran out of time (an error page). Here the first failed check has the pool test every idle
connection at once: the dead ones are discarded together and replaced in the background, and the request takes
the first new one.
"""

from typing import Any

# How long a thread that serves many requests or tasks keeps its connection (Django then opens a new one).
CONNECTION_KEPT_SECONDS = 10 * 60


def keep_connections() -> None:
    """The process's connections kept between the requests or tasks of a thread that outlives them (the web
    process's request threads, the worker's loop), where no pool lends them instead (Django refuses both).
    Django still closes one that failed, was left in a transaction, or is older than this."""
    from django.db import connections  # not at import: settings.py imports this module

    for alias in connections:
        if not connections[alias].settings_dict.get("OPTIONS", {}).get("pool"):
            connections[alias].settings_dict["CONN_MAX_AGE"] = CONNECTION_KEPT_SECONDS


def check_lent_connection(conn: Any) -> None:
    from psycopg_pool import ConnectionPool

    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        pool = getattr(conn, "_pool", None)  # set by the pool on the connection it lends
        if pool is not None:
            pool.check()
        raise
