"""The person of a session (accounts.backends.SignedInPerson): sign-in names it, and each request then reads the
person with their organisation in one query; a session made before it (naming Django's ModelBackend) stays
valid; a person no longer active is signed out; a wrong password is checked once, by ModelBackend alone."""

from unittest import mock

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.backends import SIGNED_IN_PERSON
from accounts.models import Person
from accounts.tests.helpers import is_signed_in, sign_in
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def queries_of_a_page(client: Client) -> list[str]:
    client.get("/")  # what a session does once is not counted
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return [query["sql"] for query in captured]


def test_signing_in_names_it_and_the_organisation_comes_with_the_person(cast):
    client = Client()
    assert sign_in(client, cast.member).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == SIGNED_IN_PERSON
    statements = queries_of_a_page(client)
    person_reads = [sql for sql in statements if 'FROM "accounts_person"' in sql and "accounts_organisation" in sql]
    assert person_reads and not [sql for sql in statements if sql.startswith('SELECT "accounts_organisation"')]


def test_a_session_made_before_it_stays_valid_and_reads_the_organisation_apart(cast):
    client = Client()
    client.force_login(cast.member, backend="django.contrib.auth.backends.ModelBackend")
    assert is_signed_in(client)
    assert [sql for sql in queries_of_a_page(client) if sql.startswith('SELECT "accounts_organisation"')]


@pytest.mark.parametrize("state", [Person.State.SUSPENDED, Person.State.REJECTED])
def test_a_person_no_longer_active_is_signed_out(cast, state):
    client = Client()
    sign_in(client, cast.member)
    assert is_signed_in(client)
    Person.objects.filter(pk=cast.member.pk).update(state=state)
    assert not is_signed_in(client)


def test_a_password_is_checked_once(cast):
    with mock.patch.object(Argon2PasswordHasher, "verify", autospec=True, return_value=False) as verify:
        assert authenticate(None, username=cast.member.email, password=PASSWORD + "x") is None
    assert verify.call_count == 1
    assert authenticate(None, username=cast.member.email, password=PASSWORD) == cast.member
