"""The message broker that carries live events between server processes.

With REDIS_URL set, events cross processes through Redis pub/sub; without it there is one process and
events stay in memory.
"""

from django.conf import settings


def status() -> tuple[bool, str]:
    """(healthy, description) for the health check."""
    if not settings.REDIS_URL:
        return True, "in-process"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as error:
        return False, f"redis unreachable: {type(error).__name__}"
    return True, "redis"
