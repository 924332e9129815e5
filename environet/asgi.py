"""The ASGI application uvicorn serves: Django, with live streams sharing one thread."""

import gc
import os

from environet import broker, database_pool, request_threads, uploads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "environet.settings")

LIVE_PATH = "/messages/live/"


class LiveStreamsShareAThread:
    """Django runs the synchronous parts of each request (middleware, database) in a thread of that
    request's, which lasts as long as its response. A live stream's response lasts hours and needs a
    thread only for a moment when it opens, or to catch up after a reconnection of the broker: thousands of
    open pages would each keep an idle thread, and its memory. The streams share one thread instead
    (messaging.stream.LIVE_EXECUTOR); other requests borrow one of the threads kept with their database
    connections (environet/request_threads.py).

    Every other request is marked as being answered until its answer has gone out (environet.broker.Answer):
    the events it publishes reach the open pages after that, so that a post is answered as fast whether its
    topic has one follower or thousands (messaging.live)."""

    def __init__(self, application) -> None:
        self.application = application
        self.request_threads = request_threads.RequestThreads()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and _path(scope) == LIVE_PATH:
            from messaging import stream  # needs the apps, ready once the application is made

            # A signed-in person's stream opens without Django's request handling, its reads made on the loop
            # or in the streams' one thread; anything else goes through Django's handling (messaging/stream.py).
            await stream.serve(scope, receive, send, self.application)
        elif scope["type"] == "http":
            async with self.request_threads.borrowed():
                await broker.answer_request(self.application, scope, receive, send)
        else:
            await self.application(scope, receive, send)


def _path(scope) -> str:
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


# Django's handler, with request bodies bounded and kept off the memory (environet/uploads.py).
application = LiveStreamsShareAThread(uploads.application())

# As many open files as the system allows this process: each live stream holds one (environet/limits.py).
from environet import limits  # noqa: E402  (needs the settings, which uploads.application() set up)

limits.announce()

# Request threads keep their database connections between requests (environet/request_threads.py).
database_pool.keep_connections()

# SQLite: the database's log kept between requests (environet/held_open.py).
from environet import held_open  # noqa: E402

held_open.hold_open()

# The garbage collector, tuned for a process that holds thousands of open streams. What exists once Django
# has started lives as long as the process: frozen, it is left out of every collection. Every event makes
# a few short-lived objects per stream; collecting the youngest objects after 10,000 new ones rather than
# 700 lets most of them die first, and stops the rest being promoted to the oldest generation so often
# that full collections, which go through every stream's objects and stop the whole server, follow one
# another every few seconds.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
