"""Search (issue 3): full text over what the person may see (SQLite FTS5 / PostgreSQL), the filters, and
results and counts that never include what the person may not see."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from accounts.models import Person
from conftest import signed_in
from messaging import actions, search
from messaging.models import Audience, Marking, Message
from topics import actions as topic_actions
from topics.models import Topic

PAGE = "/messages/search/"
API = "/api/v1/messages/search"


def post(
    author: Person,
    *,
    subject: str = "Seizure at the port",
    body: str = "Forty ivory tusks hidden in hollowed logs.",
    topics=("B",),
    kind: str = Message.Kind.INFORMATION,
    marking: str = Marking.GREEN,
    audience: str = Audience.NETWORK,
    organisations=(),
    countries=(),
    people=(),
) -> Message:
    draft = actions.Draft(
        subject=subject,
        topics=[topic if isinstance(topic, Topic) else Topic.objects.get(code=topic) for topic in topics],
        kind=kind,
        body=body,
        marking=marking,
        audience=audience,
        organisations=list(organisations),
        countries=list(countries),
        people=list(people),
    )
    thread = actions.start_thread(request=None, author=author, draft=draft)
    return thread.messages.get()


def api(person: Person, **params) -> dict:
    response = signed_in(person).get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


def found(person: Person, **params) -> set[int]:
    return {result["id"] for result in api(person, **params)["results"]}


def page(person: Person, **params) -> str:
    response = signed_in(person).get(PAGE, params)
    assert response.status_code == 200, response.content
    return response.content.decode()


# --- Finding words ----------------------------------------------------------------------------------------


def test_it_finds_messages_by_a_word_of_the_text_or_the_subject(cast):
    tusks = post(cast.member, subject="Timber consignment", body="Forty ivory tusks hidden in hollowed logs.")
    scales = post(cast.member, subject="Pangolin scales at Mombasa", body="Twelve bags declared as cashew nuts.")

    assert found(cast.focal_point, q="tusks") == {tusks.pk}
    assert found(cast.focal_point, q="TUSKS") == {tusks.pk}
    assert found(cast.focal_point, q="pangolin") == {scales.pk}
    # Words from the subject and the text together.
    assert found(cast.focal_point, q="timber ivory") == {tusks.pk}
    assert found(cast.focal_point, q="mombasa cashew") == {scales.pk}
    assert found(cast.focal_point, q="rhino") == set()


def test_every_word_must_appear_phrases_and_left_out_words(cast):
    tusks = post(cast.member, body="Ivory tusks in logs.")
    powder = post(cast.member, body="Ivory powder, tusks ground.")

    assert found(cast.focal_point, q="ivory tusks") == {tusks.pk, powder.pk}
    assert found(cast.focal_point, q='"ivory tusks"') == {tusks.pk}
    assert found(cast.focal_point, q="ivory -powder") == {tusks.pk}
    assert found(cast.focal_point, q="-powder") == set()  # nothing asked for


def test_the_page_lists_subject_marking_and_an_escaped_snippet(cast):
    post(
        cast.member,
        subject="Tusks in timber",
        body="Consignee wrote <script>alert(1)</script> on the crate; forty tusks inside.",
        marking=Marking.AMBER,
    )

    content = page(cast.focal_point, q="tusks")

    assert "1 message found" in content
    assert "Tusks in timber" in content
    assert "TLP:AMBER" in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "forty <mark>tusks</mark> inside" in content


def test_the_api_gives_the_same_results_with_the_count(cast):
    message = post(cast.member, subject="Tusks in timber", body="Forty ivory tusks, consignee <unknown>.")

    body = api(cast.focal_point, q="tusks")

    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    [result] = body["results"]
    assert result["id"] == message.pk
    assert (result["thread"], result["subject"], result["marking"]) == (message.thread_id, "Tusks in timber", "green")
    assert result["marking_label"] == "TLP:GREEN"
    assert result["snippet"] == "Forty ivory tusks, consignee <unknown>."  # plain text in JSON
    assert result["url"] == f"/messages/threads/{message.thread_id}/?message={message.pk}#message-{message.pk}"


def test_it_pages_through_many_results(cast):
    for number in range(25):
        post(cast.member, body=f"Ivory shipment number {number}.")

    assert "25 messages found" in page(cast.focal_point, q="ivory")
    first, second = api(cast.focal_point, q="ivory"), api(cast.focal_point, q="ivory", page=2)
    assert (first["count"], len(first["results"]), len(second["results"])) == (25, 20, 5)
    assert not {result["id"] for result in first["results"]} & {result["id"] for result in second["results"]}
    assert "page=2" in page(cast.focal_point, q="ivory")


def test_an_edit_is_found_by_its_new_words_only(cast):
    message = post(cast.member, body="Ivory tusks in logs.")

    actions.edit(request=None, editor=cast.member, message=message, body="Rhino horn in logs.")

    assert found(cast.focal_point, q="tusks") == set()
    assert found(cast.focal_point, q="rhino") == {message.pk}


def test_retracted_and_hidden_messages_are_not_found(cast):
    retracted = post(cast.member, body="Ivory tusks, retracted.")
    hidden = post(cast.member, body="Ivory tusks, hidden.")
    kept = post(cast.member, body="Ivory tusks, kept.")

    actions.retract(request=None, person=cast.member, message=retracted)
    actions.hide(request=None, moderator=cast.administrator, message=hidden, reason="Wrong audience")

    assert found(cast.member, q="ivory") == {kept.pk}
    assert api(cast.member, q="ivory")["count"] == 1
    assert found(cast.member, kind="information") == {kept.pk}  # filters alone leave them out too


# --- Filters ----------------------------------------------------------------------------------------------


@pytest.fixture
def three(cast) -> dict[str, Message]:
    """Three network messages about ivory, by three people of three organisations."""
    kenya = post(cast.member, body="Ivory tusks from Kenya.", topics=("B",))
    france = post(
        cast.other_focal_point,
        body="Ivory powder in France.",
        topics=("A",),
        kind=Message.Kind.ALERT,
        marking=Marking.AMBER,
    )
    wco = post(
        cast.administrator,
        body="Ivory carvings, a training note.",
        topics=("B",),
        kind=Message.Kind.BEST_PRACTICE,
        marking=Marking.CLEAR,
    )
    Message.objects.filter(pk=wco.pk).update(created_at=datetime(2024, 1, 10, 9, 0, tzinfo=UTC))
    return {"kenya": kenya, "france": france, "wco": wco}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"kenya", "france", "wco"}),
        ({"topic": "A"}, {"france"}),
        ({"kind": "alert"}, {"france"}),
        ({"kind": "best_practice"}, {"wco"}),
        ({"organisation": "other"}, {"france"}),
        ({"country": "KE"}, {"kenya"}),
        ({"country": "FR"}, {"france"}),
        ({"author": "ADA@wco.example"}, {"wco"}),
        ({"date_to": "2024-12-31"}, {"wco"}),
        ({"date_from": "2025-01-01"}, {"kenya", "france"}),
        ({"marking": "clear"}, {"wco"}),
        ({"marking": "amber", "topic": "B"}, set()),
    ],
)
def test_each_filter_narrows(cast, three, filters, expected):
    if filters.get("organisation") == "other":
        filters = {**filters, "organisation": cast.other.pk}
    wanted = {three[name].pk for name in expected}

    assert found(cast.focal_point, q="ivory", **filters) == wanted
    # Filters work without words too.
    if filters:
        assert found(cast.focal_point, **filters) == wanted


def test_the_page_filters_too(cast, three):
    content = page(cast.focal_point, q="ivory", country="FR")

    assert "1 message found" in content
    assert "<mark>Ivory</mark> powder in France." in content
    assert "tusks from Kenya" not in content


def test_bad_filters_are_refused_with_a_reason(cast):
    response = signed_in(cast.focal_point).get(API, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()["detail"]
    assert signed_in(cast.focal_point).get(PAGE, {"date_from": "yesterday"}).status_code == 400
    # A forum the person is not in is not a choice.
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Operation Thunder", description="", members=[cast.member]
    )
    assert signed_in(cast.focal_point).get(API, {"topic": forum.code}).status_code == 400


# --- Nothing outside the audience, not even in the count ---------------------------------------------------


@pytest.fixture
def everywhere(cast) -> dict[str, Message]:
    """The same word in a thread for every kind of audience, all by Mohamed (KRA, Kenya)."""
    forum = topic_actions.open_forum(
        request=None,
        actor=cast.administrator,
        name="Operation Thunder",
        description="",
        members=[cast.member, cast.focal_point],
    )
    return {
        "network": post(cast.member, body="Ivory for the network."),
        "organisation": post(
            cast.member, body="Ivory for KRA.", audience=Audience.ORGANISATIONS, organisations=[cast.home]
        ),
        "country": post(cast.member, body="Ivory for Kenya.", audience=Audience.COUNTRIES, countries=["KE"]),
        "red": post(
            cast.member,
            body="Ivory for Fatou.",
            marking=Marking.RED,
            audience=Audience.PEOPLE,
            people=[cast.focal_point],
        ),
        "forum": post(cast.member, body="Ivory for the operation.", topics=[forum]),
    }


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("focal_point", {"network", "organisation", "country", "red", "forum"}),
        ("observer", {"network", "organisation", "country"}),
        ("other_focal_point", {"network"}),
        ("administrator", {"network", "forum"}),  # she opened the forum, so she is in it
    ],
)
def test_results_and_count_hold_only_what_the_person_may_see(cast, everywhere, person, sees):
    someone = cast.by_role[person]
    wanted = {everywhere[name].pk for name in sees}

    body = api(someone, q="ivory")
    assert {result["id"] for result in body["results"]} == wanted
    assert body["count"] == len(wanted)
    content = page(someone, q="ivory")
    expected = "1 message found" if len(wanted) == 1 else f"{len(wanted)} messages found"
    assert expected in content
    for name, message in everywhere.items():
        assert (message.body.removeprefix("Ivory ") in content) == (name in sees)
    # Filters that would single out a hidden thread find nothing and count nothing.
    if "red" not in sees:
        assert api(someone, q="ivory", marking="red")["count"] == 0
        assert api(someone, marking="red")["count"] == 0
        assert "0 messages found" in page(someone, q="fatou")


def test_an_outsider_counts_fewer_than_an_insider(cast, everywhere):
    insider, outsider = api(cast.focal_point, q="ivory"), api(cast.other_focal_point, q="ivory")

    assert (insider["count"], outsider["count"]) == (5, 1)


def test_people_not_signed_in_get_nothing(cast, everywhere):
    from django.test import Client

    assert Client().get(API, {"q": "ivory"}).status_code == 401
    assert Client().get(PAGE, {"q": "ivory"}).status_code == 302
    assert signed_in(cast.suspended).get(API, {"q": "ivory"}).status_code == 401


# --- People's words are never query syntax ----------------------------------------------------------------------

NASTY = [
    '"',
    '"ivory',
    'ivory"',
    '""',
    "NEAR(ivory tusks)",
    "NEAR(ivory tusks, 2)",
    "ivory NEAR tusks",
    "ivo*",
    "*",
    "-",
    "- -ivory",
    "--",
    "ivory -",
    "ivory AND",
    "OR",
    "NOT ivory",
    "ivory OR NOT",
    "body:ivory",
    "{subject body}:ivory",
    "^ivory",
    "(ivory",
    "ivory)",
    "'; DROP TABLE messaging_message; --",
    "\\",
    "ivory & tusks | !logs <-> :*",
    "\x00",
    "ivory_tusks",
    "ι𝔳ο𝔯𝔶 🐘",
]


@pytest.mark.parametrize("query", NASTY)
def test_syntax_characters_do_not_break_search(cast, query):
    message = post(cast.member, body="Forty ivory tusks hidden in hollowed logs.")

    response = signed_in(cast.focal_point).get(API, {"q": query})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["count"] in (0, 1)
    assert signed_in(cast.focal_point).get(PAGE, {"q": query}).status_code in (200, 400)
    # The words in it are still looked for as words.
    if query == "NEAR(ivory tusks)":
        assert found(cast.focal_point, q=query) == set()  # "near" is a word too, and it is not in the message
    if query in ('"ivory', "ivory)", "(ivory", "^ivory", "ivory -"):
        assert found(cast.focal_point, q=query) == {message.pk}


def test_fts5_queries_quote_every_word():
    assert search.fts5_query("ivory tusks") == '("ivory" AND "tusks")'
    assert search.fts5_query('"ivory tusks" -powder') == '("ivory tusks") NOT "powder"'
    assert search.fts5_query("NEAR(a b) c*") == '("NEAR a" AND "b" AND "c")'
    assert search.fts5_query('" - * ^ :') == ""


# --- The index, on each database --------------------------------------------------------------------------------


def test_sqlite_keeps_an_fts5_table(cast):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    message = post(cast.member, body="Ivory tusks.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'messaging_search'")
        assert "fts5" in cursor.fetchone()[0].lower()
        cursor.execute("SELECT rowid FROM messaging_search WHERE messaging_search MATCH 'tusks'")
        assert cursor.fetchall() == [(message.pk,)]
    actions.retract(request=None, person=cast.member, message=message)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM messaging_search WHERE rowid = %s", [message.pk])
        assert cursor.fetchone() == (0,)


def test_postgresql_uses_a_gin_index(cast, postgres_only):
    message = post(cast.member, subject="Timber", body="Ivory tusks.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'messaging_search_document'")
        assert "gin" in cursor.fetchone()[0].lower()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT message_id FROM messaging_search WHERE document @@ websearch_to_tsquery('simple', %s)",
            ["timber tusks"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "messaging_search_document" in plan
        cursor.execute(
            "SELECT message_id FROM messaging_search WHERE document @@ websearch_to_tsquery('simple', %s)",
            ["timber tusks"],
        )
        assert cursor.fetchall() == [(message.pk,)]


def test_many_matches_go_through_the_same_rule(cast, everywhere, monkeypatch):
    """Past ``FEW_MATCHES`` matches (SQLite then walks the messages newest first instead of starting from the
    matches): the same messages, the same order and the same count for everyone, in a statement that asks
    the index and the messages together."""
    from django.test.utils import CaptureQueriesContext

    people = ("focal_point", "observer", "other_focal_point", "administrator")
    by_value = {person: api(cast.by_role[person], q="ivory") for person in people}
    monkeypatch.setattr(search, "FEW_MATCHES", 2)
    for person in people:
        with CaptureQueriesContext(connection) as queries:
            body = api(cast.by_role[person], q="ivory")
        assert body == by_value[person]
        assert any("messaging_search" in query["sql"] and "messaging_message" in query["sql"] for query in queries)
    assert [by_value[person]["count"] for person in people] == [5, 3, 1, 2]


def test_postgresql_search_asks_the_gin_index_first(cast, postgres_only):
    """Every statement the API and the search page run on the index is answered through its GIN index (no
    walk of the table), once the table is big enough for the planner to choose (the plan, not a setting,
    decides)."""
    from django.test.utils import CaptureQueriesContext

    wanted = [post(cast.member, subject="Pangolin scales", body=f"Parcel {n} of scales.") for n in range(3)]
    filler = " ".join(f"word{n}" for n in range(40))
    with connection.cursor() as cursor:  # other messages' documents; ids no message has, rolled back with the test
        cursor.execute(
            "INSERT INTO messaging_search (message_id, document) "
            "SELECT 100000000 + n, to_tsvector('simple', %s || ' ' || n) FROM generate_series(1, 20000) AS n",
            [filler],
        )
        cursor.execute("ANALYZE messaging_search")
    with CaptureQueriesContext(connection) as queries:
        found = api(cast.focal_point, q='"pangolin scales"')  # every match counted
        listed = page(cast.focal_point, q='"pangolin scales"')  # counted up to COUNT_LIMIT
    assert sorted(result["id"] for result in found["results"]) == sorted(message.pk for message in wanted)
    assert "3 messages found" in listed
    asked = [query["sql"] for query in queries if "messaging_search" in query["sql"]]
    assert asked
    with connection.cursor() as cursor:
        for sql in asked:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "messaging_search_document" in plan, plan
            assert "Seq Scan on messaging_search" not in plan, plan


def test_the_page_counts_up_to_its_limit_and_then_says_more(cast, monkeypatch):
    """Counting every visible match of a very common word costs more than the page: the page counts up to
    ``COUNT_LIMIT`` and then says "more than", with pages of the newest up to the limit; the API counts all."""
    monkeypatch.setattr(search, "COUNT_LIMIT", 25)
    for number in range(30):
        post(cast.member, body=f"Ivory shipment number {number}.")
    for number in range(25):
        post(cast.member, body=f"Timber shipment number {number}.")

    crowded = page(cast.focal_point, q="ivory")
    assert "More than 25 messages found" in crowded and "Only the newest 25 are listed" in crowded
    assert "page=2" in crowded and "page=3" not in crowded  # 20 + 5: the newest 25
    last = page(cast.focal_point, q="ivory", page=2)
    assert "shipment number 5." in last and "shipment number 4." not in last
    assert "page=3" not in page(cast.focal_point, q="ivory", page=9)  # past the end: the last page
    exact = page(cast.focal_point, q="timber")
    assert "25 messages found" in exact and "More than" not in exact
    assert api(cast.focal_point, q="ivory")["count"] == 30
