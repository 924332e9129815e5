"""What an audit entry says it concerns: made when the trail is shown, through today's access rule.

An entry stores a reference (object type and id), never a copy of a subject, a file name or a title: a
copy would outlive the item's being narrowed, retracted or edited, and the trail is shown to people who
may not read the item (administrators not named on a RED thread, focal points). So each app that owns
things with content registers, for each of its object types, a function that answers: of these ids,
which may this viewer read today, and what are they called? The rule itself stays in that app's
access.py. What the viewer may not read is shown as "thread #9 (restricted)".

Types nobody registers (people, organisations) carry no content: their entries keep the name stored
when they were written, as the actor's name is kept.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from audit.models import Entry

# (viewer, ids) -> {id: label} for the ids the viewer may read today; one query or a few, never one per id.
Labeller = Callable[[Any, Collection[int]], dict[int, str]]


@dataclass(frozen=True)
class Kind:
    name: Promise | str  # translatable, e.g. gettext_lazy("thread")
    labels: Labeller
    # Keys of ``changes`` that speak of the item's content (a moderator's reason for hiding a message):
    # shown only to those who may read the item.
    private_changes: frozenset[str] = frozenset()


_KINDS: dict[str, Kind] = {}


def register(object_type: str, *, name: Promise | str, labels: Labeller, private_changes: Iterable[str] = ()) -> None:
    """Called by the owning app's AppConfig.ready(); ``object_type`` is the model's ``app_label.modelname``."""
    _KINDS[object_type] = Kind(name=name, labels=labels, private_changes=frozenset(private_changes))


def carries_content(object_type: str) -> bool:
    """Whether entries about this type are labelled when shown (so nothing of it may be stored)."""
    return object_type in _KINDS


def registered() -> dict[str, Kind]:
    return dict(_KINDS)


@dataclass
class Shown:
    """An entry as one viewer sees it."""

    entry: Entry
    label: str
    changes: dict[str, Any]
    restricted: bool = False


def show(viewer, entries: Iterable[Entry]) -> list[Shown]:
    """The entries with their labels for ``viewer``: one call per object type on the page, not per row."""
    entries = list(entries)
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.object_type in _KINDS and entry.object_id.isdigit():
            wanted[entry.object_type].add(int(entry.object_id))
    readable = {object_type: _KINDS[object_type].labels(viewer, ids) for object_type, ids in wanted.items()}
    return [_shown(entry, readable) for entry in entries]


def _shown(entry: Entry, readable: dict[str, dict[int, str]]) -> Shown:
    kind = _KINDS.get(entry.object_type)
    if kind is None:
        return Shown(entry=entry, label=entry.object_label, changes=entry.changes)
    label = readable.get(entry.object_type, {}).get(int(entry.object_id)) if entry.object_id.isdigit() else None
    if label is not None:
        return Shown(entry=entry, label=label, changes=entry.changes)
    withheld = _("(restricted)")
    changes = {key: withheld if key in kind.private_changes else value for key, value in entry.changes.items()}
    return Shown(
        entry=entry,
        label=_("%(kind)s #%(id)s (restricted)") % {"kind": kind.name, "id": entry.object_id},
        changes=changes,
        restricted=True,
    )
