"""Message search: messaging.search against the raw full-text query (the newest 20 matches and the count
of every match, no access rule) in the same run, on a fresh database. See bench/README.md.

    python bench/search.py --quick      # 100,000 messages
    python bench/search.py              # 1,000,000 messages
    python bench/search.py --quick --database-url postgres://postgres@127.0.0.1:5432/postgres

Messages in threads of ten, with a mix of audiences (network, chosen organisations, countries, named people,
forums), are written straight to a fresh database (SQLite, or a throwaway PostgreSQL one) and indexed as
migration 0003 does. Each query (a common word, a rare word, a phrase of about 30 matches, a common word with
a filter, a rare word with a filter) is searched as the search page does it (``search.page``: page 1 of 20
and the count up to 1,000), by a restricted person (no forum, no named thread, an organisation few threads
name) and by an unrestricted one (in every forum, their organisation and country named often), against the
raw query on the same connection's DB-API cursor. Before timing, each search is checked against
``search.search`` (the same search as a QuerySet, through ``messages_visible_to``) and against the other road
of ``search.page`` (starting from the matches, or walking the messages newest first): the same messages in
the same order and the same count. Each query is then searched ``--searches`` times (100) by each person and
as many times raw, in turns: p50 and p99 of each query, of each kind of query (both people pooled) and their
ratios to raw. The aims are judged on the worst kind's p50 (the median of every search mixed moves with the
share of common words, which are cheaper than raw). The last line printed is JSON with the figures.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE] + [str(_HERE)]

from _setup import Database, child_env, migrate, setup_django  # noqa: E402

ORGANISATIONS = 40
COUNTRIES = ("KE", "TZ", "UG", "NG", "CM", "VN", "CN", "TH", "MY", "AE", "FR", "BE", "NL", "ZA", "BR")
VOCABULARY = 5_000
BODY_WORDS = (15, 80)
THREAD_SIZE = 10
PHRASE = "pangolin scales"  # planted about PHRASE_MATCHES times as a phrase; each word alone more often
PHRASE_MATCHES = 30
PAGE_SIZE = 20
SEARCH_AIM = 1.5
# Searches of each query by each person, and as many raw ones: enough for a p99 to be more than the slowest.
SEARCHES = 100


def say(text: str) -> None:
    print(f"[search {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnoprstuvz"
    words = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(VOCABULARY * 2)})
    words = words[:VOCABULARY]
    rng.shuffle(words)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf
    return words, weights


def people() -> dict[str, Any]:
    from accounts.models import Organisation, Person
    from topics.models import Topic

    organisations, persons = [], []
    for number in range(ORGANISATIONS):
        organisation = Organisation.objects.create(
            name=f"Bench Agency {number}",
            short_name=f"BA{number}",
            kind="customs",
            country=COUNTRIES[number % len(COUNTRIES)] if number else "",
        )
        organisations.append(organisation)
        persons.append(
            Person.objects.create_user(
                email=f"person{number}@bench.example",
                full_name=f"Bench Person {number}",
                organisation=organisation,
                state=Person.State.ACTIVE,
                password=None,
            )
        )
    forums = [
        Topic.objects.create(code=f"BF{number}", name=f"Bench forum {number}", is_forum=True) for number in range(3)
    ]
    unrestricted = persons[1]
    for forum in forums:
        forum.members.add(unrestricted, *persons[2:6])
    # The restricted person: an organisation without a country, that threads never name, in no forum.
    return {
        "organisations": organisations,
        "persons": persons,
        "forums": forums,
        "restricted": persons[0],
        "unrestricted": unrestricted,
    }


def load(args: argparse.Namespace, cast: dict[str, Any]) -> None:
    from django.db import connection, transaction

    from messaging.models import Audience, Marking, Message, Thread
    from topics.models import Topic

    rng = random.Random(args.seed)
    words, weights = vocabulary(rng)
    topics = list(Topic.objects.filter(is_forum=False))
    organisations, persons, forums = cast["organisations"], cast["persons"], cast["forums"]
    unrestricted = cast["unrestricted"]
    kinds = [kind for kind, _label in Message.Kind.choices]
    threads = args.messages // THREAD_SIZE
    phrase_every = max(1, args.messages // PHRASE_MATCHES)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = timedelta(days=700) / args.messages
    say(f"writing {args.messages:,} messages in {threads:,} threads")
    number = 0
    with transaction.atomic():
        for first in range(0, threads, 500):
            batch, plans = [], []
            for _ in range(first, min(threads, first + 500)):
                author = rng.choice(persons[1:])
                draw = rng.random()
                thread = Thread(
                    subject=" ".join(rng.choices(words, weights, k=rng.randint(3, 7))),
                    author=author,
                    organisation=author.organisation,
                    created_at=start + step * number,
                    last_message_at=start + step * number,
                )
                plan: dict[str, Any] = {}
                if draw < 0.6:
                    thread.audience, thread.marking = Audience.NETWORK, Marking.GREEN
                elif draw < 0.75:
                    thread.audience, thread.marking = Audience.ORGANISATIONS, Marking.AMBER
                    named = rng.sample(organisations[1:], rng.randint(1, 3))
                    plan["organisations"] = {*named, unrestricted.organisation} if rng.random() < 0.5 else set(named)
                elif draw < 0.85:
                    thread.audience, thread.marking = Audience.COUNTRIES, Marking.AMBER
                    chosen = set(rng.sample(COUNTRIES, rng.randint(1, 3)))
                    if rng.random() < 0.5:
                        chosen.add(unrestricted.organisation.country)
                    thread.audience_countries = "," + ",".join(sorted(chosen)) + ","
                elif draw < 0.93:
                    thread.audience, thread.marking = Audience.PEOPLE, Marking.RED
                    named = rng.sample(persons[2:], rng.randint(1, 3))
                    plan["people"] = [*named, unrestricted] if rng.random() < 0.5 else named
                else:  # a forum's
                    thread.audience, thread.marking = Audience.NETWORK, Marking.GREEN
                    plan["forum"] = rng.choice(forums)
                batch.append(thread)
                plans.append(plan)
                number += THREAD_SIZE
            Thread.objects.bulk_create(batch)
            Thread.topics.through.objects.bulk_create(
                Thread.topics.through(thread=thread, topic=plan.get("forum") or rng.choice(topics))
                for thread, plan in zip(batch, plans, strict=True)
            )
            Thread.audience_organisations.through.objects.bulk_create(
                Thread.audience_organisations.through(thread=thread, organisation=organisation)
                for thread, plan in zip(batch, plans, strict=True)
                for organisation in plan.get("organisations", ())
            )
            Thread.audience_people.through.objects.bulk_create(
                Thread.audience_people.through(thread=thread, person=person)
                for thread, plan in zip(batch, plans, strict=True)
                for person in plan.get("people", ())
            )
            messages: list[Message] = []
            for thread in batch:
                for position in range(THREAD_SIZE):
                    index = len(messages) + first * THREAD_SIZE
                    text = rng.choices(words, weights, k=rng.randint(*BODY_WORDS))
                    if index % phrase_every == phrase_every // 2:
                        text.insert(rng.randrange(len(text)), PHRASE)
                    elif rng.random() < 0.001:  # the phrase's words apart, so the phrase is not their AND
                        text.insert(0, PHRASE.split()[rng.randrange(2)])
                    messages.append(
                        Message(
                            thread=thread,
                            author=rng.choice(persons[1:]),
                            kind=rng.choice(kinds),
                            body=" ".join(text),
                            body_html="",
                            created_at=thread.created_at + step * position,
                        )
                    )
            Message.objects.bulk_create(messages, batch_size=2000)
            if first % 20_000 == 0:
                say(f"  {first * THREAD_SIZE:,} messages")
    say("indexing")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO messaging_search (rowid, subject, body) SELECT m.id, t.subject, m.body "
                "FROM messaging_message m JOIN messaging_thread t ON t.id = m.thread_id"
            )
        else:
            cursor.execute(
                "INSERT INTO messaging_search (message_id, document) "
                "SELECT m.id, to_tsvector('simple', t.subject || ' ' || m.body) "
                "FROM messaging_message m JOIN messaging_thread t ON t.id = m.thread_id"
            )
        cursor.execute("ANALYZE")
    cast["words"] = words


def queries(cast: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The query words, picked by how many messages hold them (asked of the index itself)."""
    from messaging import search

    words = cast["words"]
    # The rare word: the one of the vocabulary's tail held by fewest messages (about 1 in 1,000).
    common = words[0]
    rare = min(words[-50:], key=lambda word: len(search.matching_ids(word, limit=5000)))
    kind = "alert"
    return {
        "common": {"text": common},
        "rare": {"text": rare},
        "phrase": {"text": f'"{PHRASE}"'},
        "common_kind": {"text": common, "kind": kind},
        "rare_dates": {"text": rare, "date_from": "2024-06-01"},
    }


def raw_query(vendor: str, filters: dict[str, Any]) -> tuple[str, str]:
    """The raw side: the newest 20 matches and the count of every match, with the same filters, no access
    rule (the full-text query as a person with no rule at all would write it)."""
    if vendor == "sqlite":
        joined, matches = "messaging_search s JOIN messaging_message m ON m.id = s.rowid", "messaging_search MATCH ?"
    else:
        joined = "messaging_search s JOIN messaging_message m ON m.id = s.message_id"
        matches = "s.document @@ websearch_to_tsquery('simple', %s)"
    where = matches + " AND m.retracted_at IS NULL AND m.hidden_at IS NULL"
    mark = "?" if vendor == "sqlite" else "%s"
    if "kind" in filters:
        where += f" AND m.kind = {mark}"
    if "date_from" in filters:
        where += f" AND m.created_at >= {mark}"
    page = f"SELECT m.id FROM {joined} WHERE {where} ORDER BY m.created_at DESC, m.id DESC LIMIT {PAGE_SIZE}"
    if "kind" in filters or "date_from" in filters:
        count = f"SELECT count(*) FROM {joined} WHERE {where}"
    else:
        count = f"SELECT count(*) FROM messaging_search s WHERE {matches}"
    return page, count


def measure(args: argparse.Namespace, cast: dict[str, Any], chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from messaging import search

    def filters_of(given: dict[str, Any]) -> search.Filters:
        extra: dict[str, Any] = {}
        if "kind" in given:
            extra["kind"] = given["kind"]
        if "date_from" in given:
            extra["date_from"] = datetime.fromisoformat(given["date_from"]).date()
        return search.Filters(text=given["text"], **extra)

    def environet(person: Any, given: dict[str, Any]) -> tuple[list[int], int]:
        page = search.page(person=person, filters=filters_of(given), size=PAGE_SIZE, limit=search.COUNT_LIMIT)
        return [message.pk for message in page], page.paginator.count

    def reference(person: Any, given: dict[str, Any]) -> tuple[list[int], int]:
        """The same page and count through ``search.search`` (the QuerySet through messages_visible_to)."""
        found = search.search(person=person, filters=filters_of(given))
        return list(found[:PAGE_SIZE].values_list("pk", flat=True)), found[: search.COUNT_LIMIT + 1].count()

    connection.ensure_connection()
    cursor = connection.connection.cursor()
    zone = timezone.get_current_timezone()

    def raw(given: dict[str, Any]) -> tuple[list[int], int]:
        page_sql, count_sql = raw_query(connection.vendor, given)
        match = search.fts5_query(given["text"]) if connection.vendor == "sqlite" else given["text"]
        params: list[Any] = [match]
        if "kind" in given:
            params.append(given["kind"])
        if "date_from" in given:
            moment = datetime.fromisoformat(given["date_from"]).replace(tzinfo=zone).astimezone(UTC)
            params.append(moment.isoformat(sep=" ") if connection.vendor == "sqlite" else moment)
        cursor.execute(page_sql, params)
        rows = [row[0] for row in cursor.fetchall()]
        cursor.execute(count_sql, params if "kind" in given or "date_from" in given else [match])
        return rows, cursor.fetchone()[0]

    people = {"restricted": cast["restricted"], "unrestricted": cast["unrestricted"]}
    times: dict[str, dict[str, list[float]]] = {}
    counts: dict[str, int] = {}
    matches: dict[str, int] = {}
    for label, given in chosen.items():
        bare = raw(given)
        matches[label] = bare[1]
        for who, person in people.items():
            key = f"{label}/{who}"
            found = environet(person, given)
            if found != reference(person, given):
                raise SystemExit(f"search: {key} differs from search.search")
            original = search.FEW_MATCHES
            starts_from_matches = len(search.matching_ids(given["text"], limit=original + 1)) <= original
            search.FEW_MATCHES = 0 if starts_from_matches else 10**9
            try:
                if environet(person, given) != found:  # the other road than the one it takes
                    raise SystemExit(f"search: {key} differs between the two roads")
            finally:
                search.FEW_MATCHES = original
            if found[1] > bare[1]:
                raise SystemExit(f"search: {key} finds more than the index holds")
            counts[key] = found[1]
            times[key] = {"environet": [], "raw": []}
    say(f"{args.searches} searches of each query, each person and the raw query, taking turns")
    for repeat in range(args.searches):
        for label, given in chosen.items():
            for who, person in people.items():
                key = f"{label}/{who}"
                for side in ("environet", "raw") if repeat % 2 else ("raw", "environet"):
                    started = time.perf_counter()
                    if side == "environet":
                        environet(person, given)
                    else:
                        raw(given)
                    times[key][side].append((time.perf_counter() - started) * 1000)
    cursor.close()
    return {"times": times, "counts": counts, "matches": matches}


def percentile(values: list[float], share: int) -> float:
    """The ``share``-th percentile (1-99) of ``values``, interpolated between the nearest two."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def tails(environet: list[float], raw: list[float]) -> dict[str, float]:
    """p50 and p99 of each side and their ratios (ENVIRONET / raw)."""
    figures: dict[str, float] = {}
    for share in (50, 99):
        mine, theirs = percentile(environet, share), percentile(raw, share)
        figures |= {f"environet_p{share}": mine, f"raw_p{share}": theirs, f"ratio_p{share}": mine / theirs}
    return figures


def report(args: argparse.Namespace, measured: dict[str, Any], chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    times = measured["times"]
    figures: dict[str, Any] = {
        "bench": "search",
        "database": args.database_kind,
        "messages": args.messages,
        "searches": args.searches,
        "queries": {label: {**given, "matches": measured["matches"][label]} for label, given in chosen.items()},
        "found": measured["counts"],
    }
    figures["by_query_ms"] = {key: tails(sides["environet"], sides["raw"]) for key, sides in times.items()}
    # A kind of query: both people's searches of it against the raw query's, pooled.
    figures["by_kind_ms"] = {
        label: tails(
            *(
                [ms for key, sides in times.items() if key.split("/")[0] == label for ms in sides[side]]
                for side in ("environet", "raw")
            )
        )
        for label in chosen
    }
    # The median of every search of every kind moves with the mix (common words are cheaper than raw): shown,
    # but the aims are judged on the worst kind.
    everything = {side: [ms for sides in times.values() for ms in sides[side]] for side in ("environet", "raw")}
    figures["mixed"] = tails(everything["environet"], everything["raw"])
    kinds = figures["by_kind_ms"].values()
    figures["worst_kind_ratio_p50"] = max(row["ratio_p50"] for row in kinds)
    figures["worst_kind_ratio_p99"] = max(row["ratio_p99"] for row in kinds)
    figures["worst_query_ratio_p50"] = max(row["ratio_p50"] for row in figures["by_query_ms"].values())
    figures["aims"] = {
        "search_p50_within_1_5x_raw": figures["worst_kind_ratio_p50"] <= SEARCH_AIM,
        "every_query_within_1_5x_raw": figures["worst_query_ratio_p50"] <= SEARCH_AIM,
    }
    figures["aims_met"] = all(figures["aims"].values())
    return _rounded(figures)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {key: _rounded(inner) for key, inner in value.items()}
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 messages instead of 1,000,000")
    parser.add_argument("--messages", type=int, help="messages to search (overrides --quick)")
    parser.add_argument(
        "--searches", type=int, default=SEARCHES, help=f"searches of each query by each person and raw ({SEARCHES})"
    )
    parser.add_argument("--seed", type=int, default=20261205, help="seed of the synthetic texts")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is missed")
    args = parser.parse_args()
    args.messages = args.messages if args.messages is not None else (100_000 if args.quick else 1_000_000)
    database = Database(args.database_url, "search")
    args.database_kind = database.kind
    with tempfile.TemporaryDirectory(prefix="environet-search-") as name:
        database.create()
        try:
            env = child_env(Path(name), database.url)
            say(f"migrating a fresh {database.kind} database")
            migrate(env)
            setup_django(env)
            cast = people()
            load(args, cast)
            chosen = queries(cast)
            say("queries: " + ", ".join(f"{label} {given}" for label, given in chosen.items()))
            measured = measure(args, cast, chosen)
            from django.db import connection

            connection.close()
        finally:
            database.drop()
    figures = report(args, measured, chosen)
    print(json.dumps(figures), flush=True)
    return 1 if args.strict and not figures["aims_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
