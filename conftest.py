"""Fixtures shared by every app's tests: one named person per role, a real SMTP server, services."""

import os
import socket
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from django.test import Client

from accounts import totp
from accounts.models import Organisation, Person

PASSWORD = "correct horse battery staple"
REQUIRE_SERVICES = os.environ.get("ENVIRONET_REQUIRE_SERVICES") == "1"

Role, State = Person.Role, Person.State


@dataclass
class Cast:
    """The people of the tests. Organisation A is the one whose people the table's objects belong to."""

    home: Organisation
    other: Organisation
    secretariat: Organisation
    requested: Person
    suspended: Person
    observer: Person
    member: Person
    focal_point: Person
    other_focal_point: Person
    administrator: Person
    by_role: dict[str, Person | None] = field(default_factory=dict)


def make_person(
    email: str,
    name: str,
    organisation: Organisation,
    role: str = Role.MEMBER,
    state: str = State.ACTIVE,
    *,
    enrolled: bool = True,
) -> Person:
    person = Person.objects.create_user(
        email=email, password=PASSWORD, full_name=name, organisation=organisation, role=role, state=state
    )
    if enrolled:
        secret = totp.new_secret()
        person.totp_secret = totp.seal_secret(person, secret)
        person.totp_confirmed_at = person.date_joined
        person.save(update_fields=["totp_secret", "totp_confirmed_at"])
        person.test_secret = secret  # type: ignore[attr-defined]
    return person


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )


@pytest.fixture(autouse=True)
def _topics_after_flush(request):
    """Transactional tests empty every table between tests, including topics A–G that a data migration
    wrote once; put them back for the test that needs committed data (serialized_rollback would instead
    reload content types that other tests have already recreated)."""
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")
        import importlib

        from topics.models import Topic

        seeded = importlib.import_module("topics.migrations.0002_seed_topics")
        for position, (code, name) in enumerate(seeded.TOPICS):
            Topic.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    yield


@pytest.fixture(autouse=True)
def _fresh_index_key():
    """The blind-index key lives in the database (seizures.nominal): a test must not reuse the key of a
    previous test's rolled-back or flushed database."""
    from seizures import nominal

    nominal.forget_index_key()
    yield


@pytest.fixture(autouse=True)
def _streams_thread_lets_go():
    """The live streams' one thread keeps its database connection (messaging.stream._letting_go): closed after
    each test, so that none is left open on the test database when it is flushed or dropped."""
    yield
    from django.db import connections

    from messaging.stream import LIVE_EXECUTOR

    LIVE_EXECUTOR.submit(connections.close_all).result()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A test that switches language must not leave the next one speaking it."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


def make_cast() -> Cast:
    home = Organisation.objects.create(name="Kenya Revenue Authority", short_name="KRA", kind="customs", country="KE")
    other = Organisation.objects.create(name="French Customs", short_name="DGDDI", kind="customs", country="FR")
    secretariat = Organisation.objects.create(name="WCO Secretariat", short_name="WCO", kind="international")
    people = Cast(
        home=home,
        other=other,
        secretariat=secretariat,
        requested=make_person("rita@kra.example", "Rita Requested", home, state=State.REQUESTED, enrolled=False),
        suspended=make_person("sam@kra.example", "Sam Suspended", home, state=State.SUSPENDED),
        observer=make_person("olga@kra.example", "Olga Observer", home, role=Role.OBSERVER),
        member=make_person("mohamed@kra.example", "Mohamed Member", home),
        focal_point=make_person("fatou@kra.example", "Fatou Focal", home, role=Role.FOCAL_POINT),
        other_focal_point=make_person("oscar@douane.example", "Oscar Other", other, role=Role.FOCAL_POINT),
        administrator=make_person("ada@wco.example", "Ada Admin", secretariat, role=Role.ADMINISTRATOR),
    )
    people.by_role = {
        "anonymous": None,
        "requested": people.requested,
        "suspended": people.suspended,
        "observer": people.observer,
        "member": people.member,
        "focal_point": people.focal_point,
        "other_focal_point": people.other_focal_point,
        "administrator": people.administrator,
    }
    return people


@contextmanager
def kept_for_the_module(django_db_blocker):
    """A transaction open across a module's tests and rolled back at its end, for data made once and read by
    every test of the module (as Django's setUpTestData): each test's own transaction (the db fixture) is a
    savepoint within it, so what a test changes is undone after it. Only for modules none of whose tests is
    transactional."""
    from django.db import transaction

    from seizures import nominal

    with django_db_blocker.unblock():
        nominal.forget_index_key()  # the previous test's key was rolled back with it
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]  # so durable blocks are allowed, as in a TestCase
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            nominal.forget_index_key()


def shown_as_if_nothing_were_kept(read: Callable[[], str], change: Callable[[], object], kept) -> None:
    """For what a page keeps rendered (an ``environet.compiled.Kept``): after ``change()``, ``read()`` (the part
    of the page rendered from it) differs from before, and is what it is with nothing kept."""
    before = read()  # now kept
    change()
    shown = read()
    kept.clear()
    assert shown == read()
    assert shown != before


def signed_in(person: Person | None, *, confirmed: bool = True) -> Client:
    """A client signed in as ``person`` (anonymous for None), past the second factor and, unless told
    otherwise, with a fresh confirmation for sensitive actions."""
    client = Client()
    if person is not None:
        client.force_login(person, backend="accounts.backends.SignedInPerson")  # as sign-in names it
        if confirmed:
            session = client.session
            session["confirmed_at"] = time.time()
            session.save()
    return client


def made_through_init(model, make):
    """``make()`` run with a ``post_init`` listener on ``model``: what it returned, and the instances of
    ``model`` that went through ``Model.__init__`` meanwhile (for pages that make their objects without it
    unless an init signal is listened to)."""
    from django.db.models import signals

    seen: list = []

    def listener(sender, instance, **kwargs) -> None:
        seen.append(instance)

    signals.post_init.connect(listener, sender=model)
    try:
        return make(), seen
    finally:
        signals.post_init.disconnect(listener, sender=model)


def current_code(person: Person, *, offset_steps: int = 0) -> str:
    """The authenticator's code for a step after the last one used (codes work once)."""
    import pyotp

    person.refresh_from_db()
    step = max(int(time.time() // 30) + offset_steps, person.totp_last_step + 1)
    return pyotp.TOTP(person.test_secret).at(step * 30)  # type: ignore[attr-defined]


class Mailbox:
    """Messages received by the real SMTP server of the test."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if address in message["To"]]

    @staticmethod
    def body(message: Message) -> str:
        """The text of the message (its first plain-text part when files go with it)."""
        if message.is_multipart():
            message = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        payload = message.get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


@pytest.fixture
def mailbox(settings):
    """A real SMTP server (aiosmtpd) on a free port; mail goes there through Django's SMTP backend."""
    from aiosmtpd.controller import Controller

    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            box.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    yield box
    controller.stop()


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis for this test, or a skip (a failure when CI requires the services)."""
    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is required here but {url} is unreachable: {error}")
        pytest.skip(f"Redis not reachable at {url}; CI runs this test against a real one")
    return url


@pytest.fixture
def postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only; runs in CI's PostgreSQL pass (DATABASE_URL=postgres://...)")


def typed(instance, names: Iterable[str] | None = None) -> list:
    """Each of ``names`` (every field, None) of ``instance`` with its value and the name of its type: objects made
    two ways (from a statement compiled once, by the ORM) compare equal only with the same values of the same
    types (a date, not its text; a Decimal, not a float)."""
    if names is None:
        names = [field.attname for field in instance._meta.concrete_fields]
    return [(name, getattr(instance, name), type(getattr(instance, name)).__name__) for name in names]
