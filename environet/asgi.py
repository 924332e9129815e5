"""The ASGI application uvicorn serves: Django, with live streams sharing one thread."""

import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "environet.settings")

LIVE_PATH = "/messages/live/"


class LiveStreamsShareAThread:
    """Django runs the synchronous parts of each request (middleware, database) in a thread of that
    request's own, which lasts as long as its response. A live stream's response lasts hours and needs a
    thread only for a moment when it opens, or to catch up after a reconnection of the broker: thousands of
    open pages would each keep an idle thread, and its memory. The streams share one thread instead; other
    requests keep theirs."""

    def __init__(self, application) -> None:
        self.application = application
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-streams")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and _path(scope) == LIVE_PATH:
            async with ThreadSensitiveContext(executor=self.executor):
                await self.application(scope, receive, send)
        else:
            await self.application(scope, receive, send)


def _path(scope) -> str:
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


application = LiveStreamsShareAThread(get_asgi_application())

import gc as _gc  # noqa: E402

if os.environ.get("EXP_FREEZE"):
    _gc.collect()
    _gc.freeze()
if os.environ.get("EXP_T0"):
    _gc.set_threshold(*(int(x) for x in os.environ["EXP_T0"].split(",")))
