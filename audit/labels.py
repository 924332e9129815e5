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

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
# Types that entries refer to in their ``changes`` (an organisation's id, a network's) but whose own entries keep
# the name stored when written: named when shown, through the viewer's access, as the kinds are.
_NAMED: dict[str, Kind] = {}

# What each recorded action is called on the trail (the code stays in the entry and in the filter). Every
# code passed to audit.actions.record anywhere must be here: audit/tests/test_trail_words.py finds them.
ACTIONS: dict[str, Promise] = {
    "access.requested": gettext_lazy("Asked for access"),
    "api_token.created": gettext_lazy("API token made"),
    "api_token.revoked": gettext_lazy("API token revoked"),
    "api_token.used": gettext_lazy("API token used to make a change"),
    "access.requested_again": gettext_lazy("Asked for access again"),
    "assistance.expert_invited": gettext_lazy("Expert invited to a request for assistance"),
    "assistance.expert_profile_changed": gettext_lazy("Expert profile changed"),
    "assistance.published_to_library": gettext_lazy("Answer to a request for assistance published to the library"),
    "assistance.request_accepted": gettext_lazy("Request for assistance accepted"),
    "assistance.request_answered": gettext_lazy("Request for assistance answered"),
    "assistance.request_closed": gettext_lazy("Request for assistance closed"),
    "assistance.request_expired": gettext_lazy("Request for assistance expired"),
    "assistance.request_opened": gettext_lazy("Request for assistance opened"),
    "assistance.request_withdrawn": gettext_lazy("Request for assistance withdrawn"),
    "attachment.added": gettext_lazy("Attachment added"),
    "attachment.downloaded": gettext_lazy("Attachment downloaded"),
    "confirmation.failed": gettext_lazy("Confirmation with the second factor failed"),
    "confirmation.succeeded": gettext_lazy("Confirmed with the second factor"),
    "encryption.rewrapped": gettext_lazy("Encryption keys renewed"),
    "forum.members_changed": gettext_lazy("Forum members changed"),
    "forum.opened": gettext_lazy("Forum opened"),
    "library.collection_exported": gettext_lazy("Library collection exported"),
    "library.collection_item_added": gettext_lazy("Item added to a library collection"),
    "library.collection_item_removed": gettext_lazy("Item removed from a library collection"),
    "library.collection_made": gettext_lazy("Library collection made"),
    "library.collection_reordered": gettext_lazy("Library collection reordered"),
    "library.edition_added": gettext_lazy("Library edition added"),
    "library.file_added": gettext_lazy("Library file added"),
    "library.file_downloaded": gettext_lazy("Library file downloaded"),
    "library.item_commented": gettext_lazy("Library item commented on"),
    "library.item_corrected": gettext_lazy("Library item corrected"),
    "library.item_published": gettext_lazy("Library item published"),
    "library.item_rated": gettext_lazy("Library item rated"),
    "library.preview_viewed": gettext_lazy("Library preview viewed"),
    "library.text_read": gettext_lazy("Text of a library file read"),
    "message.edited": gettext_lazy("Message edited"),
    "message.hidden": gettext_lazy("Message hidden by a moderator"),
    "message.posted": gettext_lazy("Message posted"),
    "message.retracted": gettext_lazy("Message retracted"),
    "network.activity_changed": gettext_lazy("Network activity changed"),
    "network.activity_proposed": gettext_lazy("Network activity proposed"),
    "network.agenda_item_added": gettext_lazy("Agenda item added"),
    "network.changed": gettext_lazy("Network changed"),
    "network.comment_added": gettext_lazy("Comment added"),
    "network.decision_added": gettext_lazy("Decision added"),
    "network.flag_lapsed": gettext_lazy("Flag lapsed"),
    "network.flag_raised": gettext_lazy("Flag raised"),
    "network.flag_resolved": gettext_lazy("Flag resolved"),
    "network.input_given": gettext_lazy("Input given"),
    "network.input_reviewed": gettext_lazy("Input reviewed"),
    "network.meeting_changed": gettext_lazy("Meeting changed"),
    "network.meeting_document_added": gettext_lazy("Meeting document added"),
    "network.meeting_document_downloaded": gettext_lazy("Meeting document downloaded"),
    "network.meeting_opened": gettext_lazy("Meeting opened"),
    "network.membership_added": gettext_lazy("Network member added"),
    "network.membership_changed": gettext_lazy("Network membership changed"),
    "network.opened": gettext_lazy("Network opened"),
    "network.outputs_recorded": gettext_lazy("Outputs recorded"),
    "network.participant_invited": gettext_lazy("Meeting participant invited"),
    "network.participation_changed": gettext_lazy("Meeting participation changed"),
    "network.repository_exported": gettext_lazy("Network repository exported"),
    "network.roadmap_checked": gettext_lazy("Roadmap checked"),
    "network.roadmap_exported": gettext_lazy("Roadmap exported"),
    "network.roadmap_imported": gettext_lazy("Roadmap imported"),
    "network.roadmap_published": gettext_lazy("Roadmap published"),
    "network.terms_added": gettext_lazy("Terms of reference added"),
    "network.terms_downloaded": gettext_lazy("Terms of reference downloaded"),
    "organisation.confirmed": gettext_lazy("Organisation confirmed"),
    "organisation.changed": gettext_lazy("Organisation changed"),
    "organisation.created": gettext_lazy("Organisation created"),
    "password.changed": gettext_lazy("Password changed"),
    "password.reset": gettext_lazy("Password reset"),
    "password.reset_requested": gettext_lazy("Password reset asked for"),
    "password.set": gettext_lazy("Password set"),
    "person.administrator_created": gettext_lazy("Administrator created"),
    "person.approved": gettext_lazy("Person approved"),
    "person.expertise_changed": gettext_lazy("Expertise changed"),
    "person.invited": gettext_lazy("Person invited"),
    "person.moderator_changed": gettext_lazy("Moderator rights changed"),
    "person.reactivated": gettext_lazy("Person reactivated"),
    "person.service_identity_made": gettext_lazy("Organisation service identity made"),
    "person.rejected": gettext_lazy("Person rejected"),
    "person.role_changed": gettext_lazy("Role changed"),
    "person.suspended": gettext_lazy("Person suspended"),
    "person.welcome_resent": gettext_lazy("Welcome email sent again"),
    "recovery_codes.regenerated": gettext_lazy("Recovery codes made anew"),
    "reference.imported": gettext_lazy("Official release of a reference table loaded"),
    "second_factor.changed": gettext_lazy("Second factor changed"),
    "second_factor.enrolled": gettext_lazy("Second factor set up"),
    "seizure.closed": gettext_lazy("Seizure record closed"),
    "seizure.contact_asked": gettext_lazy("Contact asked about a related record"),
    "seizure.file_downloaded": gettext_lazy("Seizure file downloaded"),
    "seizure.filed": gettext_lazy("Seizure record filed"),
    "seizure.follow_withheld": gettext_lazy("Match withheld from a follower"),
    "seizure.follower_contacted": gettext_lazy("Follower contacted"),
    "seizure.nominal_grants": gettext_lazy("Access to persons involved changed"),
    "seizure.nominal_saves_throttled": gettext_lazy("Saving of persons involved slowed down"),
    "seizure.nominal_viewed": gettext_lazy("Persons involved viewed"),
    "seizure.related_announced": gettext_lazy("Related record announced"),
    "seizure.shared": gettext_lazy("Seizure record shared"),
    "seizure.updated": gettext_lazy("Seizure record updated"),
    "seizures.exported": gettext_lazy("Seizure records exported"),
    "seizures.import_checked": gettext_lazy("Import of seizure records checked: some rows have problems"),
    "seizures.import_chosen": gettext_lazy("Choice made for an import with problems"),
    "seizures.import_failed": gettext_lazy("Import of seizure records failed"),
    "seizures.import_expired": gettext_lazy("Import of seizure records expired, left waiting for its officer"),
    "seizures.import_mapped": gettext_lazy("Columns of an import mapped, remembered for the organisation"),
    "seizures.import_mapping_asked": gettext_lazy("Import of seizure records waiting for its columns to be mapped"),
    "seizures.import_refused": gettext_lazy("Import of seizure records refused"),
    "seizures.import_refused_rows_downloaded": gettext_lazy("Rows not imported downloaded"),
    "seizures.import_shared": gettext_lazy("Drafts of an import shared"),
    "seizures.import_started": gettext_lazy("Import of seizure records started"),
    "seizures.imported": gettext_lazy("Seizure records imported"),
    "seizures.recorrelated": gettext_lazy("Related records found again"),
    "seizures.reindexed": gettext_lazy("Seizure records indexed again for search"),
    "seizures.report_generated": gettext_lazy("Treaty report made"),
    "settings.email_change_requested": gettext_lazy("Change of email address asked for"),
    "settings.email_changed": gettext_lazy("Email address changed"),
    "settings.profile_changed": gettext_lazy("Profile changed"),
    "settings.search_followed": gettext_lazy("Search followed"),
    "settings.search_unfollowed": gettext_lazy("Search no longer followed"),
    "settings.thread_follow": gettext_lazy("Following of a thread changed"),
    "settings.topics_changed": gettext_lazy("Topics changed"),
    "signin.failed": gettext_lazy("Sign-in failed"),
    "signin.succeeded": gettext_lazy("Signed in"),
    "signin.throttle_notified": gettext_lazy("Told of repeated failed sign-ins"),
    "signin.throttled": gettext_lazy("Sign-in slowed down after failures"),
    "signout": gettext_lazy("Signed out"),
    "thread.locked": gettext_lazy("Thread locked"),
    "thread.started": gettext_lazy("Thread started"),
    "thread.unlocked": gettext_lazy("Thread unlocked"),
}
# What Django calls an object without a name of its own ("ImportJob object (2)"), stored by entries written
# before their type was given a label here.
_UNNAMED = re.compile(r"^\w+ object \((?P<id>[^)]*)\)$")


def action_words(action: str) -> str:
    """An action in words in the active language; a code nobody has put in words yet, as itself."""
    words = ACTIONS.get(action)
    return str(words) if words is not None else action


def register(object_type: str, *, name: Promise | str, labels: Labeller, private_changes: Iterable[str] = ()) -> None:
    """Called by the owning app's AppConfig.ready(); ``object_type`` is the model's ``app_label.modelname``."""
    _KINDS[object_type] = Kind(name=name, labels=labels, private_changes=frozenset(private_changes))


def register_names(object_type: str, *, name: Promise | str, labels: Labeller) -> None:
    """For a type that entries refer to in their changes but that carries no content of its own (an
    organisation, a network's membership): how to name its ids for a viewer today."""
    _NAMED[object_type] = Kind(name=name, labels=labels)


@dataclass(frozen=True)
class Words:
    """What a key of an entry's ``changes`` is called, and the words for the codes it holds."""

    name: Promise | str
    values: Mapping[Any, Promise | str] = field(default_factory=dict)
    # The value is a list of codes (the fields an edit changed), not an [old, new] pair: said joined, so that
    # two codes do not read as "old → new".
    listed: bool = False
    # The value is the id (or a list of ids) of an object of this type (``app_label.modelname``): said by
    # its name for this viewer today, or "network #3 (restricted)"; a type nobody names is said "#3".
    refers_to: str = ""


# Keys of ``changes`` that are no field of the entry's model (a field is said by its own verbose name and
# choices), put in words by the app that records them. Only words: what is stored stays as it was.
_CHANGE_WORDS: dict[str, dict[str, Words]] = {}
# Under this type: keys that mean the same on any entry (counts, formats, references to a network).
ANY = "*"


def register_changes(object_type: str, words: Mapping[str, Words]) -> None:
    """Called by the recording app's AppConfig.ready(): how the trail says these keys of its entries' changes
    (``object_type`` is the target's type, "" for entries about no object, ``ANY`` for every entry)."""
    _CHANGE_WORDS.setdefault(object_type, {}).update(words)


def field_names(model: type[models.Model], **others: Promise | str) -> dict[str, Promise | str]:
    """Each field of ``model`` by its name as the forms say it, and ``others``: the words for a list of the
    fields an edit changed (``Words(values=field_names(Meeting), listed=True)``)."""
    found: dict[str, Promise | str] = {
        item.name: item.verbose_name for item in model._meta.get_fields() if isinstance(item, models.Field)
    }
    return {**found, **others}


def words_for(object_type: str, key: str) -> Words | None:
    """How the trail says this key of an entry about ``object_type``: the words an app registered for the
    type, else the model's field (a relation refers to its model), else the words for any entry."""
    if key in _CHANGE_WORDS.get(object_type, {}):
        return _CHANGE_WORDS[object_type][key]
    try:
        found = apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        found = None
    # A relation seen from its other side (a person's "sessions") is no field of the model and has no name.
    if isinstance(found, models.Field):
        target = found.related_model._meta.label_lower if found.is_relation and found.related_model else ""
        return Words(name=found.verbose_name, values=dict(found.flatchoices), refers_to=target)
    return _CHANGE_WORDS.get(ANY, {}).get(key)


def _is_empty(value: Any) -> bool:
    """Nothing worth a line: no value, or a pair of no values. False and 0 are worth one."""
    if isinstance(value, list):
        return all(item is None or item == "" for item in value)
    return value is None or value == "" or value == {}


# {object type: {id: name}}: what ``show`` found the viewer may read of the objects its entries refer to.
Names = Mapping[str, Mapping[int, str]]


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _reference(value: Any, words: Words, names: Names) -> str:
    number = _id(value)
    if number is None:
        return str(value)
    name = names.get(words.refers_to, {}).get(number)
    if name is not None:
        return name
    kind = _KINDS.get(words.refers_to) or _NAMED.get(words.refers_to)
    if kind is None:  # a part of something else (a meeting's input): its number, said as one
        return f"#{number}"
    # Gone, or not for this viewer: the same words either way, so the trail tells nothing of which.
    return _("%(kind)s #%(id)s (restricted)") % {"kind": kind.name, "id": number}


def _value_in_words(value: Any, words: Words, names: Names) -> Any:
    """One stored value as the reader reads it: Yes/No, the name of what an id refers to, a code's words, a
    list joined; a number or a free text (an address, a date) as it is."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(_value_in_words(item, words, names)) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value_in_words(item, words, names)}" for key, item in value.items()) or "—"
    if words.refers_to:
        return _reference(value, words, names)
    said = words.values.get(value)
    return value if said is None else str(said)


def _is_pair(value: Any, words: Words) -> bool:
    return isinstance(value, list) and len(value) == 2 and not words.listed


def changes_in_words(object_type: str, changes: Mapping[str, Any], names: Names | None = None) -> list[tuple[str, Any]]:
    """An entry's changes as the trail shows them: (name, value) pairs in the active language where the
    project has words for them (``words_for``), the stored key otherwise; an [old, new] pair stays a pair of
    two values in words, anything else becomes one. Ids are named from ``names`` (``show`` finds them for
    the viewer). Keys with no value are left out ("reason: " after a success says nothing)."""
    names = names or {}
    shown = []
    for key, value in changes.items():
        if _is_empty(value):
            continue
        words = words_for(object_type, key) or Words(name=key)
        if _is_pair(value, words):
            said: Any = [_value_in_words(item, words, names) for item in value]
        else:
            said = _value_in_words(value, words, names)
        shown.append((str(words.name), said))
    return shown


def _referred(entry: Entry) -> Iterable[tuple[str, int]]:
    """The (type, id) of each object the entry's changes refer to."""
    for key, value in entry.changes.items():
        words = words_for(entry.object_type, key)
        if words is None or not words.refers_to:
            continue
        for item in value if isinstance(value, list) else [value]:
            number = _id(item)
            if number is not None:
                yield words.refers_to, number


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
    names: Names = field(default_factory=dict)

    @property
    def action(self) -> str:
        return action_words(self.entry.action)

    @property
    def changes_in_words(self) -> list[tuple[str, Any]]:
        return changes_in_words(self.entry.object_type, self.changes, self.names)


def show(viewer, entries: Iterable[Entry]) -> list[Shown]:
    """The entries with their labels for ``viewer``, and the names of what their changes refer to: one call
    per object type on the page, not per row."""
    entries = list(entries)
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.object_type in _KINDS and entry.object_id.isdigit():
            wanted[entry.object_type].add(int(entry.object_id))
        for object_type, number in _referred(entry):
            wanted[object_type].add(number)
    namers = {**_NAMED, **_KINDS}
    readable = {
        object_type: namers[object_type].labels(viewer, ids)
        for object_type, ids in wanted.items()
        if object_type in namers
    }
    return [_shown(entry, readable) for entry in entries]


def _shown(entry: Entry, readable: dict[str, dict[int, str]]) -> Shown:
    kind = _KINDS.get(entry.object_type)
    if kind is None:
        return Shown(entry=entry, label=_unregistered_label(entry), changes=entry.changes, names=readable)
    label = readable.get(entry.object_type, {}).get(int(entry.object_id)) if entry.object_id.isdigit() else None
    if label is not None:
        return Shown(entry=entry, label=label, changes=entry.changes, names=readable)
    withheld = _("(restricted)")
    changes = {key: withheld if key in kind.private_changes else value for key, value in entry.changes.items()}
    return Shown(
        entry=entry,
        label=_("%(kind)s #%(id)s (restricted)") % {"kind": kind.name, "id": entry.object_id},
        changes=changes,
        restricted=True,
        names=readable,
    )


def _unregistered_label(entry: Entry) -> str:
    """The stored label of a type no app labels, but never Django's "ImportJob object (2)": that is said as
    "import job #2" (the model's name in the active language)."""
    if not _UNNAMED.match(entry.object_label):
        return entry.object_label
    try:
        name = str(apps.get_model(entry.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = _("item")
    return _("%(kind)s #%(id)s") % {"kind": name, "id": entry.object_id}
