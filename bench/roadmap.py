"""The roadmap (issue 10): coordination findings for one new activity, and the roadmap as of a date, each
against the raw SQL that gives the same answer, measured in the same run. See bench/README.md.

    python bench/roadmap.py --quick      # 2,000 activities
    python bench/roadmap.py              # 10,000 activities

All in one process on a fresh SQLite database (``manage.py migrate``) in a temporary folder. N activities of
one network, over 2016–2027, with their whole dated history (several changes each: the history table is the
heavy part), are written straight to the tables, as ``network.actions`` would have left them (each change row
is ``history.changed`` of the state before and after).

Findings: new activities are proposed through ``network.actions.propose_activity`` (not timed); then, for
each, what the application runs when an activity is saved, ``coordination.findings_for`` on the activity as
``raise_flags`` is given it (its candidates, then the rules), against the raw side: one SQL statement selecting
the candidates (same network, live, overlapping period, and the same type sharing a country, or seeking
funding, or sharing a lead) on the plain sqlite3 cursor, and the same rapidfuzz similarity in Python.
``raise_flags`` as a whole (the lapsed flags, ``get_or_create`` of each flag) is timed beside it, with no aim.

As of: ``network.selectors.roadmap(network, day)`` (the replay of ``network.history`` and the words of every
field, in sections) against one SQL statement giving the latest change of each field of each activity at or
before the end of the day (a window over ``json_each`` of the change rows), its values decoded.

Both raw sides must give the same answer as the application (``*_same_answer``). The last line printed is
JSON with the figures.
"""

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

# This folder must never hide a standard module (a script named email.py once did): it goes last on the path, so that
# `import email` (by Django) finds the standard library's, and `_setup` is still found here.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE] + [str(_HERE)]

from _setup import Database, child_env, migrate, setup_django  # noqa: E402

AIM = 1.5
ORGANISATIONS = 40
CODES = "KE TZ UG NG GH SN CI CM ZA MZ ET EG MA VN TH MY ID PH CN IN PK BD AE SA TR FR BE NL DE IT ES BR MX CO PE US"
COUNTRIES = CODES.split()
REGIONS = ("011", "014", "017", "018", "015", "142", "035", "030", "034", "150", "419", "021")
CONVENTIONS = ("basel", "cites", "montreal", "rotterdam", "stockholm")
FUNDERS = ("European Union", "Norway", "UNEP", "GEF", "Japan", "Germany", "USAID", "World Bank", "Sweden", "")
CURRENCIES = ("USD", "EUR", "GBP", "NOK")
TEXT = (
    "customs officers port inspection training e-waste plastic waste shipments illegal traffic detection risk "
    "profiling containers hazardous chemicals ozone depleting substances refrigerants wildlife timber ivory "
    "pangolin scales rosewood seizures enforcement cooperation border agencies prosecutors judiciary police "
    "intelligence sharing case studies practical exercises regional workshop national manual guidance tools "
    "awareness campaign mercury pesticides transboundary movements notification consent procedure laboratory "
    "sampling identification species permits certificates fraud mislabelling brokers transit hubs airports "
    "seaports land borders mobile teams joint operation analysis report study methodology survey data trends "
    "routes smuggling networks financial investigations money laundering corruption risk assessment follow-up "
    "mentoring classroom field visit exchange of experience secretariat partners donors coordination meeting"
)
WORDS = TEXT.split()
START = datetime(2015, 6, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 30, tzinfo=UTC)


def say(text: str) -> None:
    print(f"[roadmap {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3), "max": round(max(values), 3)}


# --- Synthetic roadmap --------------------------------------------------------------------------------------


def description(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(12, 40))).capitalize() + "."


def first_state(rng: random.Random, number: int, organisations: list[int], person: int) -> dict[str, Any]:
    from network.models import ActivityType

    starts = date(2016, 1, 1) + timedelta(days=rng.randint(0, 12 * 365 - 1)) if rng.random() > 0.03 else None
    ends = starts + timedelta(days=rng.choice((0, 1, 2, 4, 6, 13, 30, 60, 90, 180, 364))) if starts else None
    if starts and rng.random() < 0.1:
        ends = None
    sought = rng.random() < 0.35
    funder = rng.choice(FUNDERS)
    amount = f"{rng.randint(1, 400) * 500}.00" if funder and rng.random() < 0.6 else None
    return {
        "title": f"{rng.choice(('Regional', 'National', 'Joint', 'Sub-regional'))} {rng.choice(WORDS)} "
        f"{rng.choice(WORDS)} #{number}",
        "kind": rng.choices(ActivityType.values, weights=(30, 25, 10, 10, 10, 10, 5))[0],
        "status": "proposed",
        "leads": sorted(rng.sample(organisations, rng.choice((1, 1, 1, 2)))),
        "partners": sorted(rng.sample(organisations, rng.randint(0, 3))),
        "countries": sorted(rng.sample(COUNTRIES[: rng.choice((12, 25, len(COUNTRIES)))], rng.randint(0, 5))),
        "regions": sorted(rng.sample(REGIONS, rng.randint(0, 2))),
        "conventions": sorted(rng.sample(CONVENTIONS, rng.randint(1, 3))),
        "topics": sorted(rng.sample("ABCDEFG", rng.randint(0, 2))),
        "commodity_focus": rng.choice(("", "", "e-waste", "plastic waste", "ozone depleting substances", "timber")),
        "starts_on": starts.isoformat() if starts else None,
        "ends_on": ends.isoformat() if ends else None,
        "funding_source": funder,
        "amount": amount,
        "currency": rng.choice(CURRENCIES) if amount else "",
        "funding": ("sought" if sought else rng.choice(("", "secured"))) if funder else "",
        "description": description(rng),
        "expected_outputs": rng.choice(("", "A report.", "A manual for officers.", "Trained officers.")),
        "contact": person if rng.random() < 0.3 else None,
    }


def edited(rng: random.Random, state: dict[str, Any], organisations: list[int], final: bool) -> dict[str, Any]:
    """The state after one edit: a status step, new dates, new words, other countries, funding..."""
    new = dict(state)
    for _ in range(rng.randint(1, 3)):
        what = rng.random()
        if what < 0.3 or final:
            new["status"] = rng.choice(("planned", "funded", "ongoing", "postponed", "cancelled", "completed"))
        elif what < 0.45 and new["starts_on"]:
            moved = date.fromisoformat(new["starts_on"]) + timedelta(days=rng.randint(-60, 120))
            moved = max(moved, date(2016, 1, 1))
            new["starts_on"] = moved.isoformat()
            if new["ends_on"]:
                new["ends_on"] = (moved + timedelta(days=rng.choice((0, 2, 4, 30, 90)))).isoformat()
        elif what < 0.6:
            words = new["description"].rstrip(".").split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            new["description"] = " ".join(words + rng.choices(WORDS, k=rng.randint(0, 4))) + "."
        elif what < 0.7:
            new["countries"] = sorted(set(new["countries"]) ^ {rng.choice(COUNTRIES)})
        elif what < 0.8:
            new["partners"] = sorted(set(new["partners"]) ^ {rng.choice(organisations)})
        elif what < 0.9 and new["funding_source"]:
            new["funding"] = rng.choice(("sought", "secured"))
            new["amount"] = f"{rng.randint(1, 400) * 500}.00"
            new["currency"] = new["currency"] or rng.choice(CURRENCIES)
        else:
            new["title"] = new["title"].split(" #")[0] + f" (revised) #{new['title'].split(' #')[1]}"
    return new


def row_of(state: dict[str, Any]) -> dict[str, Any]:
    from network.models import listed

    return {
        "title": state["title"],
        "kind": state["kind"],
        "status": state["status"],
        "countries_list": listed(state["countries"]),
        "regions_list": listed(state["regions"]),
        "conventions_list": listed(state["conventions"]),
        "topics_list": listed(state["topics"]),
        "commodity_focus": state["commodity_focus"],
        "starts_on": date.fromisoformat(state["starts_on"]) if state["starts_on"] else None,
        "ends_on": date.fromisoformat(state["ends_on"]) if state["ends_on"] else None,
        "funding_source": state["funding_source"],
        "amount": Decimal(state["amount"]) if state["amount"] else None,
        "currency": state["currency"],
        "funding": state["funding"],
        "description": state["description"],
        "expected_outputs": state["expected_outputs"],
        "contact_id": state["contact"],
    }


def load(args: argparse.Namespace, rng: random.Random) -> tuple[Any, Any, list[Any], dict[str, int]]:
    """The network, a clerk of its secretariat, its organisations; N activities with their histories."""
    from django.db import transaction

    from accounts.models import Organisation, Person
    from network import history
    from network.models import Activity, ActivityChange, Membership, Network, Standing

    organisations = [
        Organisation.objects.create(
            name=f"Bench Agency {n}", short_name=f"BA{n}", kind="customs", country=COUNTRIES[n % len(COUNTRIES)]
        )
        for n in range(ORGANISATIONS)
    ]
    clerk = Person.objects.create_user(
        email="clerk@bench.example",
        full_name="Bench Clerk",
        organisation=organisations[0],
        state=Person.State.ACTIVE,
        password=None,
    )
    network = Network.objects.create(name="Bench network", short_name="BENCH", secretariat=organisations[0])
    for organisation in organisations[1:]:
        Membership.objects.create(network=network, organisation=organisation, standing=Standing.MEMBER,
                                  joined_on=date(2014, 1, 1))  # fmt: skip
    ids = [organisation.pk for organisation in organisations]
    changes = 0
    leads_through, partners_through = Activity.leads.through, Activity.partners.through
    batch_size = 1_000
    with transaction.atomic():
        for offset in range(0, args.activities, batch_size):
            made, histories = [], []
            for number in range(offset, min(args.activities, offset + batch_size)):
                created = START + timedelta(seconds=rng.randint(0, int((NOW - START).total_seconds()) - 86400 * 60))
                states = [first_state(rng, number, ids, clerk.pk)]
                moments = [created]
                edits = rng.randint(args.changes[0], args.changes[1])
                for index in range(edits):
                    moments.append(
                        moments[-1]
                        + timedelta(seconds=rng.randint(60, int((NOW - moments[-1]).total_seconds() / 2) + 120))
                    )
                    states.append(edited(rng, states[-1], ids, index == edits - 1 and rng.random() < 0.5))
                final = states[-1]
                made.append(Activity(network=network, proposed_by=clerk, created_at=created, updated_at=moments[-1],
                                     submission_key=hashlib.sha256(f"bench|{number}".encode()).hexdigest(),
                                     **row_of(final)))  # fmt: skip
                histories.append((states, moments))
            Activity.objects.bulk_create(made)
            rows, leads, partners = [], [], []
            for activity, (states, moments) in zip(made, histories, strict=True):
                previous = None
                for state, moment in zip(states, moments, strict=True):
                    fields = history.changed(previous, state)
                    if fields:
                        rows.append(ActivityChange(activity=activity, at=moment, by=clerk, created=previous is None,
                                                   changes=fields))  # fmt: skip
                    previous = state
                leads += [leads_through(activity_id=activity.pk, organisation_id=pk) for pk in states[-1]["leads"]]
                partners += [
                    partners_through(activity_id=activity.pk, organisation_id=pk) for pk in states[-1]["partners"]
                ]
            ActivityChange.objects.bulk_create(rows)
            leads_through.objects.bulk_create(leads)
            partners_through.objects.bulk_create(partners)
            changes += len(rows)
            say(f"{offset + len(made):,} activities, {changes:,} changes")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return network, clerk, organisations, {"activities": args.activities, "changes": changes}


# --- Findings -----------------------------------------------------------------------------------------------


def probes(rng: random.Random, network: Any, clerk: Any, organisations: list[Any], count: int) -> list[Any]:
    """New activities proposed through the application (flags raised as on any save), each like an existing
    live one of the same type, in 2026–2027: the cases a duplicate check is for."""
    from network import actions
    from network.models import Activity

    made = []
    live = list(
        Activity.objects.filter(
            network=network, status__in=("proposed", "planned", "funded", "ongoing"), starts_on__gte=date(2026, 6, 1)
        )
        .exclude(countries_list="")
        .order_by("pk")
    )
    for number in range(count):
        model = rng.choice(live)
        assert model.starts_on is not None
        start = model.starts_on + timedelta(days=rng.randint(-20, 20))
        words = model.description.rstrip(".").split()
        for _ in range(3):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        draft = actions.ActivityDraft(
            title=f"New bench activity {number}",
            kind=model.kind,
            leads=[organisations[rng.randrange(1, ORGANISATIONS)]],
            status="proposed",
            countries=sorted(set(model.countries[:2]) | {rng.choice(COUNTRIES)}),
            regions=list(model.regions),
            conventions=list(model.conventions),
            starts_on=start,
            ends_on=start + timedelta(days=rng.choice((4, 30, 90))),
            funding_source=rng.choice(FUNDERS[:-1]),
            funding="sought",
            description=" ".join(words) + ".",
        )
        made.append(actions.propose_activity(request=None, person=clerk, network=network, draft=draft))
    return made


def raw_findings(cursor: Any, activity: Any) -> set[tuple[str, int, int]]:
    """The same findings from one SQL statement (candidates of any rule) and the same similarity measure."""
    from rapidfuzz import fuzz, utils

    from network.coordination import LIVE, SIMILAR

    if activity.starts_on is None or activity.status not in LIVE:
        return set()
    start, end = activity.starts_on, activity.ends_on or activity.starts_on
    funder = " ".join(activity.funding_source.split()).casefold()
    countries = activity.countries
    like = " OR ".join("a.countries_list LIKE ?" for _ in countries) or "0"
    live = ",".join("?" for _ in LIVE)
    cursor.execute(
        f"""SELECT a.id, a.kind = ? AND ({like}) AS same_place, a.description, a.title, a.funding, a.funding_source,
                   EXISTS (SELECT 1 FROM network_activity_leads l
                           JOIN network_activity_leads mine ON mine.organisation_id = l.organisation_id
                           WHERE l.activity_id = a.id AND mine.activity_id = ?) AS shared_lead
            FROM network_activity a
            WHERE a.network_id = ? AND a.id <> ? AND a.status IN ({live})
              AND a.starts_on <= ? AND COALESCE(a.ends_on, a.starts_on) >= ?
              AND ((a.kind = ? AND ({like})) OR (? AND a.funding = 'sought') OR shared_lead)""",
        [
            activity.kind,
            *[f"%,{c},%" for c in countries],
            activity.pk,
            activity.network_id,
            activity.pk,
            *LIVE,
            end.isoformat(),
            start.isoformat(),
            activity.kind,
            *[f"%,{c},%" for c in countries],
            bool(activity.funding == "sought" and funder),
        ],
    )
    text = activity.description or activity.title
    found = set()
    for pk, same_place, other_description, other_title, funding, funding_source, shared_lead in cursor.fetchall():
        pair = (min(pk, activity.pk), max(pk, activity.pk))
        similar = fuzz.token_set_ratio(text, other_description or other_title, processor=utils.default_process)
        if same_place and round(similar) >= SIMILAR:
            found.add(("duplicate", *pair))
        if funding == "sought" and funder and " ".join(funding_source.split()).casefold() == funder:
            found.add(("funder", *pair))
        if shared_lead:
            found.add(("lead", *pair))
    return found


def measure_findings(args: argparse.Namespace, new: list[Any]) -> dict[str, Any]:
    from django.db import connection, transaction

    from network import actions, coordination
    from network.models import Activity

    cursor = connection.connection.cursor()
    same = True
    app_ms: list[float] = []
    raw_ms: list[float] = []
    flags_ms: list[float] = []
    counts: list[int] = []
    for repeat in range(args.repeats + 1):  # the first, not counted, warms up
        app = raw = flagged = 0.0
        for index, made in enumerate(new):
            # As raise_flags is given it: the activity as saved, nothing prefetched.
            activity = Activity.objects.get(pk=made.pk)
            sides: list[tuple[str, Callable[[], Any]]] = [
                ("app", partial(coordination.findings_for, activity)),
                ("raw", partial(raw_findings, cursor, activity)),
            ]
            if (index + repeat) % 2:
                sides.reverse()
            answers: dict[str, Any] = {}
            for side, run in sides:
                started = time.perf_counter()
                answers[side] = run()
                taken = time.perf_counter() - started
                if side == "app":
                    app += taken
                else:
                    raw += taken
            found = {(f.kind, f.first.pk, f.second.pk) for f in answers["app"]}
            same = same and found == answers["raw"]
            if repeat == 0:
                counts.append(len(found))
            with transaction.atomic():
                started = time.perf_counter()
                actions.raise_flags(request=None, activity=Activity.objects.get(pk=made.pk))
                flagged += time.perf_counter() - started
        if repeat:
            app_ms.append(1000 * app / len(new))
            raw_ms.append(1000 * raw / len(new))
            flags_ms.append(1000 * flagged / len(new))
    ratio = statistics.median(app_ms) / statistics.median(raw_ms)
    return {
        "findings_ms": spread(app_ms),
        "raw_findings_ms": spread(raw_ms),
        "raise_flags_ms": spread(flags_ms),
        "findings_ratio_vs_raw": round(ratio, 3),
        "findings_same_answer": same,
        "findings_per_new_activity": spread([float(c) for c in counts]),
        "new_activities": len(new),
    }


# --- As of a date -------------------------------------------------------------------------------------------


def raw_roadmap(cursor: Any, network_id: int, before: str) -> dict[int, dict[str, Any]]:
    """The latest change of each field of each activity before the moment, in one statement."""
    cursor.execute(
        """SELECT activity_id, key, value FROM (
               SELECT c.activity_id, j.key, j.value -> '$[1]' AS value,
                      ROW_NUMBER() OVER (PARTITION BY c.activity_id, j.key ORDER BY c.at DESC, c.id DESC) AS latest
               FROM network_activitychange c JOIN network_activity a ON a.id = c.activity_id, json_each(c.changes) j
               WHERE a.network_id = ? AND c.at < ?)
           WHERE latest = 1""",
        [network_id, before],
    )
    states: dict[int, dict[str, Any]] = {}
    loads = json.loads
    for activity_id, key, value in cursor.fetchall():
        state = states.get(activity_id)
        if state is None:
            state = states[activity_id] = {}
        state[key] = loads(value)
    return states


def raw_replay(cursor: Any, network_id: int, before: str) -> dict[int, dict[str, Any]]:
    """The other raw way: every change row before the moment, in order, each applied over the last."""
    cursor.execute(
        """SELECT c.activity_id, c.changes FROM network_activitychange c JOIN network_activity a ON a.id = c.activity_id
           WHERE a.network_id = ? AND c.at < ? ORDER BY c.at, c.id""",
        [network_id, before],
    )
    states: dict[int, dict[str, Any]] = {}
    loads = json.loads
    for activity_id, changes in cursor.fetchall():
        state = states.setdefault(activity_id, {})
        for name, pair in loads(changes).items():
            state[name] = pair[1]
    return states


def measure_as_of(args: argparse.Namespace, network: Any) -> dict[str, Any]:
    from django.db import connection

    from network import history, selectors

    cursor = connection.connection.cursor()
    day = args.as_of
    before = str(connection.ops.adapt_datetimefield_value(history.end_of(day)))
    app_ms: list[float] = []
    raw_ms: list[float] = []
    replay_ms: list[float] = []
    states = history.roadmap_on(network, day)
    same = states == raw_roadmap(cursor, network.pk, before) == raw_replay(cursor, network.pk, before)
    raw_replay_ms: list[float] = []
    shown = 0
    for repeat in range(args.repeats + 1):
        sides: list[tuple[str, Callable[[], Any]]] = [
            ("app", lambda: selectors.roadmap(network, day)),
            ("raw", lambda: raw_roadmap(cursor, network.pk, before)),
            ("replay", lambda: history.roadmap_on(network, day)),
            ("raw_replay", lambda: raw_replay(cursor, network.pk, before)),
        ]
        if repeat % 2:
            sides.reverse()
        for side, run in sides:
            started = time.perf_counter()
            answer = run()
            taken = 1000 * (time.perf_counter() - started)
            if not repeat:
                if side == "app":
                    shown = sum(len(entries) for _label, entries in answer)
                continue
            {"app": app_ms, "raw": raw_ms, "replay": replay_ms, "raw_replay": raw_replay_ms}[side].append(taken)
    return {
        "as_of": day.isoformat(),
        "as_of_activities": shown,
        "roadmap_ms": spread(app_ms),
        "raw_as_of_ms": spread(raw_ms),
        "replay_ms": spread(replay_ms),
        "as_of_ratio_vs_raw": round(statistics.median(app_ms) / statistics.median(raw_ms), 3),
        "replay_ratio_vs_raw": round(statistics.median(replay_ms) / statistics.median(raw_ms), 3),
        "raw_replay_ms": spread(raw_replay_ms),
        "as_of_ratio_vs_raw_replay": round(statistics.median(app_ms) / statistics.median(raw_replay_ms), 3),
        "replay_ratio_vs_raw_replay": round(statistics.median(replay_ms) / statistics.median(raw_replay_ms), 3),
        "as_of_same_answer": same,
    }


def profile(label: str, run: Callable[[], Any]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    say(f"profile of {label}:\n{out.getvalue()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 activities instead of 10,000")
    parser.add_argument("--activities", type=int, help="activities in the roadmap (overrides --quick)")
    parser.add_argument("--changes", type=int, nargs=2, default=(4, 14), metavar=("MIN", "MAX"),
                        help="edits of each activity after it is proposed (4 to 14)")  # fmt: skip
    parser.add_argument("--new", type=int, default=20, help="new activities checked in each repetition (20)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of each measurement (3)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 6, 30), help="the date (2026-06-30)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--profile", action="store_true", help="print cProfile of each application side")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is missed")
    args = parser.parse_args()
    if args.activities is None:
        args.activities = 2_000 if args.quick else 10_000
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="environet-roadmap-") as folder:
        database = Database(None, "roadmap")
        env = child_env(Path(folder), "")
        say("migrating a fresh sqlite database")
        migrate(env)
        setup_django(env)
        started = time.perf_counter()
        network, clerk, organisations, sizes = load(args, rng)
        say(f"loaded in {time.perf_counter() - started:.1f} s; proposing {args.new} new activities")
        new = probes(rng, network, clerk, organisations, args.new)
        found = measure_findings(args, new)
        say(f"findings: {found['findings_ms']} ms, raw {found['raw_findings_ms']} ms")
        as_of = measure_as_of(args, network)
        say(f"as of: {as_of['roadmap_ms']} ms, raw {as_of['raw_as_of_ms']} ms")
        if args.profile:
            from network import coordination, selectors
            from network.models import Activity

            activity = Activity.objects.get(pk=new[0].pk)
            profile("findings_for", lambda: [coordination.findings_for(activity) for _ in range(10)])
            profile("roadmap", lambda: selectors.roadmap(network, args.as_of))
        del database
    figures: dict[str, Any] = {
        "bench": "roadmap",
        "database": "sqlite",
        **sizes,
        "changes_per_activity": round(sizes["changes"] / sizes["activities"], 2),
        "repeats": args.repeats,
        **found,
        **as_of,
    }
    figures["findings_within_1_5x_raw"] = bool(found["findings_same_answer"] and found["findings_ratio_vs_raw"] <= AIM)
    figures["as_of_within_1_5x_raw"] = bool(as_of["as_of_same_answer"] and as_of["as_of_ratio_vs_raw"] <= AIM)
    print(json.dumps(figures), flush=True)
    if not (found["findings_same_answer"] and as_of["as_of_same_answer"]):
        return 1  # the raw side is not measuring the same thing
    aims = [figures["findings_within_1_5x_raw"], figures["as_of_within_1_5x_raw"]]
    return 1 if args.strict and not all(aims) else 0


if __name__ == "__main__":
    sys.exit(main())
