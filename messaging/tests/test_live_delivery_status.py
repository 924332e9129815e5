"""When live delivery is down, the page says so, and says when it is back.

A server process that cannot reach Redis (never reached, or lost while pages were open) reads new events
from the event table meanwhile, so open pages keep receiving them, and each page is told: an event of
kind ``delivery`` without an id, "delayed", then "back" once the subscription is restored. The outage is
real: the server talks to Redis through a relay this test cuts and restores, as a Redis restart or a
network fault would.
"""

import contextlib
import socket
import threading
import uuid
from urllib.parse import urlsplit

import pytest

from conftest import make_person
from messaging.tests.servers import Stream, Visitor, free_port
from messaging.tests.test_live import follows, topic

pytestmark = pytest.mark.django_db(transaction=True)


class Relay:
    """A TCP relay to Redis on a fixed port: ``cut()`` closes it and every connection through it,
    ``restore()`` listens again on the same port."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.port = free_port()
        self.database = parts.path or "/0"
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{self.database}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            doomed, self._sockets = self._sockets, []
        if self._listener is not None:
            doomed.append(self._listener)
            self._listener = None
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)  # a quiet subscription waits as long as it likes
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


def delivery(stream: Stream) -> list[str]:
    return [frame.data["state"] for frame in stream.frames if frame.event == "delivery"]


def test_a_page_opened_while_redis_is_out_of_reach_is_told_and_still_receives_posts(servers, streams, home):
    # Nothing listens there: the server is up, and its health check says Redis is unreachable.
    server = servers.start(redis_url=f"redis://127.0.0.1:{free_port()}/0", ready_status=503)
    author = Visitor(follows(make_person("amina@kra.example", "Amina Author", home), "A"))
    reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "A"))
    stream = reader.stream(server)
    streams.append(stream)
    assert stream.status == 200

    stream.wait(lambda s: delivery(s) == ["delayed"], "the page to be told delivery is delayed")
    author.start_thread(server, subject="Mercury in transit", body="while-down", topics=[topic("A")])

    (frame,) = stream.wait_for_messages(1)
    assert frame.id and frame.data["subject"] == "Mercury in transit"
    assert delivery(stream) == ["delayed"]  # said once


@pytest.mark.redis
def test_open_pages_are_told_when_redis_is_lost_and_when_it_is_back_and_miss_nothing(servers, streams, home, redis_url):
    relay = Relay(redis_url)
    relay.restore()
    try:
        server = servers.start(redis_url=relay.url, channel=f"environet:test:{uuid.uuid4().hex}")
        author = Visitor(follows(make_person("amina@kra.example", "Amina Author", home), "B"))
        reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "B"))
        stream = reader.stream(server)
        streams.append(stream)
        assert stream.status == 200
        thread = author.start_thread(server, subject="Ivory in transit", body="before", topics=[topic("B")])
        stream.wait_for_messages(1)
        assert delivery(stream) == []  # nothing to say while all is well

        relay.cut()
        stream.wait(lambda s: delivery(s) == ["delayed"], "the page to be told delivery is delayed")
        assert author.reply(server, thread, "during") == 302
        stream.wait_for_messages(2)

        relay.restore()
        stream.wait(lambda s: delivery(s) == ["delayed", "back"], "the page to be told delivery is back")
        assert author.reply(server, thread, "after") == 302
        messages = stream.wait_for_messages(3)
        assert len({frame.id for frame in messages}) == 3  # each once
    finally:
        relay.cut()
