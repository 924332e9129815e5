"""An activity as a plain dict of its fields, what changed between two of them, and the roadmap of a past
date replayed from the change rows alone.

The state of an activity is JSON (dates as ISO strings, amounts as strings, organisations and people by id,
lists sorted), so that what ``ActivityChange.changes`` stores, what the live row says, and what a replay
gives compare equal exactly when they mean the same.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection

from network.models import Activity, ActivityChange, Network

State = dict[str, Any]

# Every field that the history follows, in the order pages and exports show them.
FIELDS = (
    "title",
    "kind",
    "status",
    "leads",
    "partners",
    "countries",
    "regions",
    "conventions",
    "topics",
    "commodity_focus",
    "starts_on",
    "ends_on",
    "funding_source",
    "amount",
    "currency",
    "funding",
    "description",
    "expected_outputs",
    "contact",
)


def state_of(activity: Activity) -> State:
    """What the activity says now, read from its row (and its leads and partners)."""
    return {
        "title": activity.title,
        "kind": activity.kind,
        "status": activity.status,
        "leads": sorted(activity.leads.values_list("pk", flat=True)),
        "partners": sorted(activity.partners.values_list("pk", flat=True)),
        "countries": sorted(activity.countries),
        "regions": sorted(activity.regions),
        "conventions": sorted(activity.conventions),
        "topics": sorted(activity.topics),
        "commodity_focus": activity.commodity_focus,
        "starts_on": activity.starts_on.isoformat() if activity.starts_on else None,
        "ends_on": activity.ends_on.isoformat() if activity.ends_on else None,
        "funding_source": activity.funding_source,
        "amount": None if activity.amount is None else f"{activity.amount:.2f}",
        "currency": activity.currency,
        "funding": activity.funding,
        "description": activity.description,
        "expected_outputs": activity.expected_outputs,
        "contact": activity.contact_id,
    }


def changed(old: State | None, new: State) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field that differs (every field, old None, when ``old`` is None)."""
    return {
        name: [None if old is None else old.get(name), new.get(name)]
        for name in FIELDS
        if old is None or old.get(name) != new.get(name)
    }


def end_of(day: date) -> datetime:
    """The first moment after ``day`` (UTC): "as of 1 October" includes everything done on 1 October. The
    last day Python knows has no next one: as of it, everything (forms refuse such a year; callers may not)."""
    if day >= date.max:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def replay(network: Network, *, before: datetime) -> dict[int, State]:
    """Each activity of the network that existed before ``before``, as it stood then: its change rows up to
    that moment applied in order. One statement, read on the plain cursor: the rows are decoded here, once
    each, without the ORM's work per row (the roadmap of a busy network is tens of thousands of rows)."""
    changes, activities = ActivityChange._meta.db_table, Activity._meta.db_table
    statement = f"""
        SELECT c.activity_id, c.changes FROM {changes} c JOIN {activities} a ON a.id = c.activity_id
        WHERE a.network_id = %s AND c.at < %s ORDER BY c.at, c.id"""  # noqa: S608 (names from the models)
    states: dict[int, State] = {}
    loads = json.loads
    with connection.cursor() as cursor:
        cursor.execute(statement, [network.pk, connection.ops.adapt_datetimefield_value(before)])
        for activity_id, stored in cursor.fetchall():
            state = states.get(activity_id)
            if state is None:
                state = states[activity_id] = {}
            # jsonb may come back decoded, text is decoded here.
            for name, (_old, new) in (stored if isinstance(stored, dict) else loads(stored)).items():
                state[name] = new
    return states


def roadmap_on(network: Network, day: date) -> dict[int, State]:
    """The roadmap as it stood at the end of ``day``."""
    return replay(network, before=end_of(day))


@dataclass
class Diff:
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    changed: dict[int, dict[str, list[Any]]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff(before: dict[int, State], after: dict[int, State]) -> Diff:
    """What happened between two roadmaps: activities added, removed, and fields changed (old → new)."""
    result = Diff(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
    )
    for activity_id in sorted(set(before) & set(after)):
        fields = {
            name: [before[activity_id].get(name), after[activity_id].get(name)]
            for name in FIELDS
            if before[activity_id].get(name) != after[activity_id].get(name)
        }
        if fields:
            result.changed[activity_id] = fields
    return result
