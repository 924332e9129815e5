"""A shared record's thread is named in each reader's language ("Saisie KE-… (Kenya)" to a French reader),
whoever filed it and in whatever language: a Spanish screen does not mix "Seizure", "Saisie" and "Incautación".
The subject as filed stays stored (and indexed for search)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import signed_in
from seizures.tests.builders import file

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(cast):
    cast.member.language = "es"
    cast.member.save(update_fields=["language"])
    return [file(cast.member, share=True) for _ in range(2)]


def test_the_thread_is_named_in_the_readers_language(cast, shared):
    record = shared[0]
    assert record.thread.subject.startswith(f"Incautación {record.reference} (")  # as filed, in Spanish
    for language, word in [("fr", "Saisie"), ("en", "Seizure"), ("es", "Incautación")]:
        reader = cast.focal_point
        reader.language = language
        reader.save(update_fields=["language"])
        client = signed_in(reader)
        page = client.get(f"/messages/threads/{record.thread_id}/").content.decode()
        assert f"<h1>{word} {record.reference} (" in page
        listing = client.get("/messages/").content.decode()
        assert f"{word} {shared[1].reference} (" in listing
        others = {"Saisie", "Seizure", "Incautación"} - {word}
        assert not any(f"{other} {record.reference}" in listing for other in others)


def test_naming_threads_in_the_readers_language_costs_no_query_per_thread(cast, shared):
    client = signed_in(cast.focal_point)
    client.get("/messages/")
    with CaptureQueriesContext(connection) as few:
        client.get("/messages/")
    file(cast.member, share=True)
    file(cast.member, share=True)
    with CaptureQueriesContext(connection) as more:
        client.get("/messages/")
    assert len(more.captured_queries) == len(few.captured_queries)
