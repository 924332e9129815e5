"""How a pooled PostgreSQL connection is checked as it is lent (settings.py, Django's ``pool`` option).

psycopg-pool checks the connection it is about to lend; when the check fails it discards that one and tries the
next, waiting between tries (1 s, then twice as long each time). After a database restart every idle connection
is dead, so a process holding many made its first request wait while they were found one by one, and with 5 or
more the request ran out of time (an error page). Here the first failed check has the pool test every idle
connection at once: the dead ones are discarded together and replaced in the background, and the request takes
the first new one.
"""

from typing import Any


def check_lent_connection(conn: Any) -> None:
    from psycopg_pool import ConnectionPool

    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        pool = getattr(conn, "_pool", None)  # set by the pool on the connection it lends
        if pool is not None:
            pool.check()
        raise
