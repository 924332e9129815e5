"""The trail says every recorded value in the reader's words: no raw id where a name is due, no Python repr
(True, None, a list, a dict), no choice code, no key without a name; in English, French and Spanish."""

import re

import pytest
from django.apps import apps
from django.utils import translation

from audit import labels
from audit.actions import record
from audit.templatetags.audit_tags import change_text
from network.tests.builders import build

# Ids of objects that do not exist: each must be said with its kind, "#90001", never bare.
REFERENCES = range(90001, 90020)
R1, R2, R3 = 90001, 90002, 90003

# For each action the apps record: the type of object it concerns ("" for none) and the changes it stores,
# in the shapes their writers give them (grep "record(" in the apps).
SAMPLES: dict[str, tuple[str, dict]] = {
    "access.requested": ("accounts.person", {"reason": "We fight waste crime"}),
    "access.requested_again": ("accounts.person", {}),
    "api_token.created": (
        "accounts.apitoken",
        {"scopes": ["read", "seizures:write"], "expires_on": "2027-01-31", "service": True},
    ),
    "api_token.revoked": ("accounts.apitoken", {}),
    "api_token.used": ("accounts.apitoken", {"method": "POST", "section": "seizures"}),
    "assistance.expert_invited": ("assistance.request", {"expert": R1}),
    "assistance.expert_profile_changed": (
        "accounts.person",
        {"areas": [[], ["waste"]], "availability": ["available", "away"], "away_until": [None, "2027-02-01"]},
    ),
    "assistance.published_to_library": ("assistance.request", {"item": R1}),
    "assistance.request_accepted": ("assistance.request", {"state": ["open", "accepted"]}),
    "assistance.request_answered": ("assistance.request", {"state": ["accepted", "answered"]}),
    "assistance.request_closed": (
        "assistance.request",
        {"state": ["answered", "closed"], "useful": True, "consent_to_publish": False},
    ),
    "assistance.request_expired": ("assistance.request", {"state": ["open", "expired"]}),
    "assistance.request_opened": (
        "assistance.request",
        {"thread": R1, "urgency": "urgent", "deadline": "2027-01-31", "open_to_all": False, "seizure": R2},
    ),
    "assistance.request_withdrawn": ("assistance.request", {"state": ["open", "withdrawn"]}),
    "attachment.added": ("messaging.attachment", {"message": R1, "content_type": "image/png", "size": 1234}),
    "attachment.downloaded": ("messaging.attachment", {"message": R1, "part": "thumbnail"}),
    "confirmation.failed": ("accounts.person", {}),
    "confirmation.succeeded": ("accounts.person", {}),
    "encryption.rewrapped": ("", {"failed": 0}),
    "forum.members_changed": ("topics.topic", {"added": [R1, R2], "removed": [R3]}),
    "forum.opened": ("topics.topic", {"members": 3}),
    "library.collection_exported": ("library.collection", {"items": 4}),
    "library.collection_item_added": ("library.collection", {"item": R1, "position": 2}),
    "library.collection_item_removed": ("library.collection", {"item": R1}),
    "library.collection_made": ("library.collection", {}),
    "library.collection_reordered": ("library.collection", {"item": R1, "position": [1, 2]}),
    "library.edition_added": ("library.item", {"edition": 2, "files": 1}),
    "library.file_added": (
        "library.libraryfile",
        {"item": R1, "edition": 1, "content_type": "application/pdf", "size": 2048},
    ),
    "library.file_downloaded": ("library.libraryfile", {"item": R1, "edition": 1}),
    "library.item_commented": ("library.item", {"thread": R1, "message": R2}),
    "library.item_corrected": (
        "library.item",
        {"fields": ["title", "marking"], "marking": ["green", "amber"], "audience": ["network", "organisations"]},
    ),
    "library.item_published": (
        "library.item",
        {"kind": "guide", "marking": "green", "audience": "network", "files": 2, "link": False, "references": 1},
    ),
    "library.item_rated": ("library.item", {"stars": [None, 4]}),
    "library.preview_viewed": ("library.libraryfile", {"item": R1, "edition": 1}),
    "library.text_read": ("library.item", {"state": "failed", "reason": "unreadable"}),
    "message.edited": ("messaging.message", {}),
    "message.hidden": ("messaging.message", {"reason": "Off topic"}),
    "message.posted": ("messaging.message", {"kind": "alert"}),
    "message.retracted": ("messaging.message", {}),
    "network.activity_changed": ("network.activity", {"fields": ["status", "title"], "status": ["planned", "ongoing"]}),
    "network.activity_proposed": ("network.activity", {"network": R1, "status": "planned", "meeting": R2}),
    "network.agenda_item_added": ("network.meeting", {"position": 1}),
    "network.changed": ("network.network", {"fields": ["name", "terms"]}),
    "network.comment_added": ("network.comment", {"activity": R1, "input": R2}),
    "network.decision_added": ("network.meeting", {"decision": 1, "follow_ups": 2}),
    "network.flag_lapsed": ("network.flag", {"network": R1}),
    "network.flag_raised": ("network.flag", {"network": R1, "kind": "overlap", "activities": [R2, R3]}),
    "network.flag_resolved": ("network.flag", {"reason": "complementary"}),
    "network.input_given": ("network.meeting", {"input": R1, "kind": "proposal", "activity": R2}),
    "network.input_reviewed": ("network.meeting", {"input": R1, "review": "accepted", "activity": R2}),
    "network.meeting_changed": ("network.meeting", {"fields": ["title", "online"]}),
    "network.meeting_document_added": (
        "network.meetingdocument",
        {"meeting": R1, "content_type": "application/pdf", "size": 99},
    ),
    "network.meeting_document_downloaded": ("network.meetingdocument", {"meeting": R1}),
    "network.meeting_opened": ("network.meeting", {"network": R1}),
    "network.membership_added": (
        "network.network",
        {"membership": R1, "organisation": R2, "expert": None, "standing": "member"},
    ),
    "network.membership_changed": (
        "network.network",
        {"membership": R1, "left_on": ["", "2027-01-01"], "focal_points": [[R2], [R2, R3]]},
    ),
    "network.opened": ("network.network", {"secretariat": R1}),
    "network.outputs_recorded": (
        "network.activity",
        {"network": R1, "items_added": [R2], "items_removed": [R3], "trained_total": 12, "lessons": "changed"},
    ),
    "network.participant_invited": ("network.meeting", {"participant": R1, "person": R2}),
    "network.participation_changed": ("network.meeting", {"participant": R1, "state": ["invited", "attended"]}),
    "network.repository_exported": ("network.network", {"format": "xlsx"}),
    "network.roadmap_checked": ("network.network", {"raised": 2}),
    "network.roadmap_exported": ("network.network", {"as_of": "2026-12-31", "format": "pdf"}),
    "network.roadmap_imported": ("network.network", {"activities": [R1, R2]}),
    "network.roadmap_published": ("network.network", {"as_of": "2026-12-31"}),
    "network.terms_added": ("network.termsofreference", {"network": R1}),
    "network.terms_downloaded": ("network.termsofreference", {"network": R1}),
    "organisation.changed": ("accounts.organisation", {"kind": ["customs", "police"], "is_active": [True, False]}),
    "organisation.confirmed": ("accounts.organisation", {}),
    "organisation.created": ("accounts.organisation", {"name": [None, "Customs"], "standing": [None, "member"]}),
    "password.changed": ("accounts.person", {}),
    "password.reset": ("accounts.person", {}),
    "password.reset_requested": ("accounts.person", {}),
    "password.set": ("accounts.person", {}),
    "person.administrator_created": ("accounts.person", {"role": [None, "administrator"]}),
    "person.approved": ("accounts.person", {"role": [None, "member"], "topics": [None, ["A", "B"]]}),
    "person.expertise_changed": (
        "accounts.person",
        {"is_expert": [False, True], "expert_conventions": [[], ["basel"]], "expert_topics": [[], ["A"]]},
    ),
    "person.invited": ("accounts.person", {"role": [None, "member"], "topics": [None, ["A"]]}),
    "person.moderator_changed": ("accounts.person", {"is_moderator": [False, True]}),
    "person.reactivated": ("accounts.person", {"state": ["suspended", "active"]}),
    "person.rejected": ("accounts.person", {"state": ["requested", "rejected"], "reason": "Unknown"}),
    "person.role_changed": ("accounts.person", {"role": ["member", "observer"]}),
    "person.service_identity_made": ("accounts.person", {}),
    "person.suspended": ("accounts.person", {"state": ["active", "suspended"], "reason": "Left"}),
    "person.welcome_resent": ("accounts.person", {}),
    "recovery_codes.regenerated": ("accounts.person", {}),
    "reference.imported": ("", {"table": "locodes", "edition": "2024-2", "as_of": "2024-12-01", "places": 10}),
    "second_factor.changed": ("accounts.person", {}),
    "second_factor.enrolled": ("accounts.person", {}),
    "seizure.closed": ("seizures.seizure", {}),
    "seizure.contact_asked": ("seizures.seizure", {"related": R1}),
    "seizure.file_downloaded": ("seizures.seizurefile", {"seizure": R1, "part": "file"}),
    "seizure.filed": ("seizures.seizure", {"lines": 2, "involved": 1, "files": 0}),
    "seizure.follow_withheld": ("seizures.seizure", {"withheld": R1, "organisation": R2}),
    "seizure.follower_contacted": ("seizures.seizure", {"withheld": R1, "organisation": R2, "thread": R3}),
    "seizure.nominal_grants": ("seizures.seizure", {"granted": [R1, R2], "withdrawn": []}),
    "seizure.nominal_saves_throttled": ("accounts.person", {"limit": 20, "seconds": 3600}),
    "seizure.nominal_viewed": ("seizures.seizure", {}),
    "seizure.related_announced": ("seizures.seizure", {"related": R1, "organisation": R2}),
    "seizure.shared": ("seizures.seizure", {"thread": R1}),
    "seizure.updated": ("seizures.seizure", {"facts": ["status", "seized_on"], "lines": 1, "involved": 0}),
    "seizures.exported": ("", {"format": "csv", "records": 3, "lines": 4}),
    "seizures.import_checked": ("seizures.importjob", {"passing": 3, "refused": 1, "problems": 2}),
    "seizures.import_chosen": ("seizures.importjob", {"import": "passing", "passing": 3}),
    "seizures.import_expired": ("seizures.importjob", {"waited_in": "waiting", "rows": 10}),
    "seizures.import_failed": ("seizures.importjob", {"rows": 10}),
    "seizures.import_mapped": ("seizures.importjob", {"left_out": 1}),
    "seizures.import_mapping_asked": ("seizures.importjob", {"unrecognised": 2}),
    "seizures.import_refused": ("seizures.importjob", {"problems": 4, "rows": 10}),
    "seizures.import_refused_rows_downloaded": ("seizures.importjob", {}),
    "seizures.import_shared": ("seizures.importjob", {"records": 3}),
    "seizures.import_started": ("seizures.importjob", {"format": "xlsx", "rows": 10, "share": True}),
    "seizures.imported": ("seizures.importjob", {"records": 3, "lines": 5, "shared": False, "refused_problems": 1}),
    "seizures.recorrelated": ("", {"records": 3, "links": 2}),
    "seizures.reindexed": ("", {"records": 3}),
    "seizures.report_generated": ("", {"kind": "cites", "country": "KE", "year": 2025, "records": 3}),
    "settings.email_change_requested": ("accounts.person", {"email": ["a@example.org", "b@example.org"]}),
    "settings.email_changed": ("accounts.person", {"email": ["a@example.org", "b@example.org"]}),
    "settings.profile_changed": ("accounts.person", {"language": ["en", "fr"], "time_zone": ["UTC", "Africa/Nairobi"]}),
    "settings.search_followed": ("accounts.person", {"search": R1, "convention": "basel", "code": "A1180"}),
    "settings.search_unfollowed": ("accounts.person", {"search": R1}),
    "settings.thread_follow": ("messaging.thread", {"follow": "topics"}),
    "settings.topics_changed": ("accounts.person", {"A": ["none", "live_digest"]}),
    "signin.failed": ("accounts.person", {"step": "code"}),
    "signin.succeeded": ("accounts.person", {"method": "authenticator"}),
    "signin.throttle_notified": ("accounts.person", {"address": "192.0.2.1"}),
    "signin.throttled": ("accounts.person", {"step": "password"}),
    "signout": ("accounts.person", {}),
    "thread.locked": ("messaging.thread", {}),
    "thread.started": ("messaging.thread", {"marking": "amber", "audience": "network", "kind": "alert"}),
    "thread.unlocked": ("messaging.thread", {}),
}
RAW = re.compile(r"\bTrue\b|\bFalse\b|\bNone\b|[\[\]{}]|Decimal\(")


class _Stored:
    def __init__(self, object_type: str, pk: int = 1) -> None:
        self._meta = apps.get_model(object_type)._meta
        self.pk = pk


def _codes(value, words: labels.Words) -> list[str]:
    items = value if isinstance(value, list) else [value]
    flat = [code for item in items for code in (item if isinstance(item, list) else [item])]
    # A code whose words are itself (a field "title") proves nothing either way.
    return [code for code in flat if isinstance(code, str) and str(words.values.get(code, code)) != code]


def test_every_action_the_trail_names_has_a_sample():
    assert sorted(set(labels.ACTIONS) - set(SAMPLES)) == []


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_recorded_value_is_said_in_words(cast, language):
    entries = [
        record(
            action,
            actor=cast.administrator,
            target=_Stored(object_type) if object_type else None,
            changes=changes,
            subject_organisation=cast.home,
        )
        for action, (object_type, changes) in SAMPLES.items()
    ]
    with translation.override(language):
        for shown in labels.show(cast.administrator, entries):
            object_type, changes = shown.entry.object_type, shown.entry.changes
            lines = [f"{name}: {change_text(value)}" for name, value in shown.changes_in_words]
            text = "\n".join(lines)
            assert not RAW.search(text), (shown.entry.action, text)
            for key, value in changes.items():
                words = labels.words_for(object_type, key)
                assert words is not None, f"{shown.entry.action}: no words for {key!r}"
                said = labels.changes_in_words(object_type, {key: value}, shown.names)
                parts = set(re.split(r", | → |: ", "\n".join(change_text(item) for _name, item in said)))
                codes = _codes(value, words)
                assert not parts & set(codes), (shown.entry.action, key, said)
                assert not parts & {str(number) for number in REFERENCES}, (shown.entry.action, key, said)


def test_a_network_is_named_for_who_may_see_it_and_restricted_for_the_others(cast):
    net = build(cast)
    entry = record(
        "network.activity_proposed",
        actor=cast.administrator,
        target=_Stored("network.activity", 90050),
        changes={"network": net.network.pk, "status": "planned"},
        subject_organisation=cast.home,
    )
    with translation.override("en"):
        [seen] = labels.show(cast.administrator, [entry])
        [unseen] = labels.show(cast.other_focal_point, [entry])
    assert ("network", net.network.name) in seen.changes_in_words
    said = dict(unseen.changes_in_words)["network"]
    assert said == f"network #{net.network.pk} (restricted)"
    assert net.network.name not in str(unseen.changes_in_words)


@pytest.mark.parametrize(("language", "yes", "no"), [("en", "Yes", "No"), ("fr", "Oui", "Non"), ("es", "Sí", "No")])
def test_a_moderators_rights_are_said_yes_or_no(cast, language, yes, no):
    entry = record(
        "person.moderator_changed",
        actor=cast.administrator,
        target=cast.member,
        changes={"is_moderator": [False, True]},
    )
    with translation.override(language):
        [shown] = labels.show(cast.administrator, [entry])
        [(_name, value)] = shown.changes_in_words
    assert change_text(value) == f"{no} → {yes}"
