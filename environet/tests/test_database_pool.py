"""On PostgreSQL, requests borrow connections from the process's pool (settings.py) instead of each opening one:
a new server process, 3-10 ms of every page."""

import time

import pytest
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)  # each request then gives its connection back, as served


@pytest.fixture
def pool():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only; runs in CI's PostgreSQL pass (DATABASE_URL=postgres://...)")
    # A fresh pool, of its least size: the other tests' threads may have grown it.
    connection.close()
    getattr(connection, "close_pool")()  # PostgreSQL's wrapper only
    connection.ensure_connection()  # the pool is opened by the first connection lent
    connection.close()
    pool = getattr(connection, "pool", None)  # PostgreSQL's wrapper only
    assert pool is not None, "PostgreSQL connections are not pooled"
    pool.wait()  # its first connections all open
    return pool


def test_requests_borrow_connections_instead_of_opening_them(client, pool):
    opened = pool.get_stats()["connections_num"]
    for _ in range(10):
        assert client.get("/healthz").status_code == 200
        close_old_connections()  # as each served request ends (the test client leaves the connection open)
    assert pool.get_stats()["connections_num"] == opened


def _end_every_other_connection():
    # The server ends every pooled connection, as a restart does.
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")
        # Ended as a restart ends them: gone, not still answering while they go (the function only signals).
        for _ in range(100):
            cursor.execute(f"SELECT count(*) {others}")
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the server did not end the pooled connections")
    connection.close()


def test_a_connection_broken_by_a_database_restart_fails_no_request(client, pool):
    _end_every_other_connection()
    for _ in range(pool.min_size + 2):
        assert client.get("/healthz").status_code == 200
        close_old_connections()


def test_after_a_restart_a_busy_pools_idle_connections_are_replaced_together(client, pool):
    # A busy process has grown its pool. Found dead one by one, with psycopg-pool's wait between tries (1 s, 2,
    # 4, 8), eight idle connections outlast the 10 s a request may wait: the first request after a restart
    # failed. The first one found dead now has every idle one tested at once.
    lent = [pool.getconn() for _ in range(8)]
    for conn in lent:
        pool.putconn(conn)
    assert pool.get_stats()["pool_available"] >= 8
    lost = pool.get_stats().get("connections_lost", 0)
    _end_every_other_connection()
    assert client.get("/healthz").status_code == 200
    close_old_connections()
    assert pool.get_stats().get("connections_lost", 0) - lost >= 7  # the others, discarded together
    for _ in range(4):
        assert client.get("/healthz").status_code == 200
        close_old_connections()
