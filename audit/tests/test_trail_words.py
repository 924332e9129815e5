"""The trail says actions in words and names what they concern: no action code, no "ImportJob object (2)"."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from audit import labels
from audit.actions import record
from conftest import signed_in

URL = reverse("audit:trail")
ROOT = Path(settings.BASE_DIR)


def _strings(node: ast.AST) -> list[str]:
    return [item.value for item in ast.walk(node) if isinstance(item, ast.Constant) and isinstance(item.value, str)]


def recorded_actions() -> set[str]:
    """Every action code passed to ``record`` in the project's code (tests left out): literal codes, both
    sides of a conditional, and an f-string prefix with each value its module passes under that name
    (``f"assistance.{action}"`` with ``action="request_closed"``)."""
    found: set[str] = set()
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "migrations", "bench", "node_modules"} for part in path.parts):
            continue
        source = path.read_text(encoding="utf-8")
        if "record(" not in source or "audit" not in source:
            continue
        tree = ast.parse(source)
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and call.args):
                continue
            name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
            if name != "record":
                continue
            first = call.args[0]
            if isinstance(first, ast.JoinedStr):
                prefix = "".join(str(part.value) for part in first.values if isinstance(part, ast.Constant))
                names = {
                    part.value.id
                    for part in first.values
                    if isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name)
                }
                for keyword in (node for node in ast.walk(tree) if isinstance(node, ast.keyword)):
                    if keyword.arg in names and isinstance(keyword.value, ast.Constant):
                        found.add(prefix + str(keyword.value.value))
            else:
                found.update(text for text in _strings(first) if text)
    return found


def test_the_scan_finds_the_actions_of_every_kind_of_call():
    actions = recorded_actions()
    assert {"message.posted", "signout", "thread.unlocked", "assistance.request_closed"} <= actions


def test_every_recorded_action_has_words():
    missing = sorted(code for code in recorded_actions() if code not in labels.ACTIONS)
    assert missing == [], f"put these actions in words in audit/labels.py ACTIONS: {missing}"


def test_unknown_actions_are_shown_as_their_code_and_known_ones_in_the_readers_language():
    assert labels.action_words("nobody.did_this") == "nobody.did_this"
    with translation.override("en"):
        assert labels.action_words("message.posted") == "Message posted"


class _Stored:
    """What ``record`` reads of a target: its kind and its id (number 1 of that kind, whether or not it exists)."""

    def __init__(self, model) -> None:
        self._meta = model._meta
        self.pk = 1


def test_the_trail_shows_no_action_code_and_no_unnamed_object(cast):
    """One entry of each recorded action and one about each kind of object, as an unnamed object of that
    kind would have been stored ("ImportJob object (1)"), read by an administrator page after page."""
    actions = sorted(recorded_actions())
    for action in actions:
        record(action, actor=cast.administrator, target=cast.member)
    for model in apps.get_models():
        if model._meta.app_label in {"auth", "contenttypes", "sessions", "admin"}:
            continue
        object_type = model._meta.label_lower
        label = "" if labels.carries_content(object_type) else f"{model.__name__} object (1)"
        # Appended as it would have been stored (the trail is append-only: PostgreSQL refuses an UPDATE).
        record(
            "person.role_changed",
            actor=cast.administrator,
            target=_Stored(model),
            label=label,
            subject_organisation=cast.member.organisation,
        )
    client = signed_in(cast.administrator)
    pages = []
    number = 1
    while True:
        response = client.get(URL, {"page": number})
        assert response.status_code == 200
        pages.append(response.content.decode())
        if not response.context["page"].has_next():
            break
        number += 1
    trail = "".join(pages)
    assert "object (" not in trail
    for action in actions:
        assert f">{action}<" not in trail, action
        assert str(labels.ACTIONS[action]) in trail


def test_changes_are_said_in_words_and_empty_ones_left_out(cast):
    record("signin.succeeded", actor=cast.member, target=cast.member, changes={"method": "authenticator"})
    record("signin.failed", target=cast.member, changes={"step": "code", "reason": ""})
    record(
        "person.role_changed", actor=cast.administrator, target=cast.member, changes={"role": ["member", "observer"]}
    )

    response = signed_in(cast.administrator).get(URL)

    said = [row.changes_in_words for row in response.context["rows"]]
    assert [("second factor", "Authenticator")] in said
    assert [("step", "Code")] in said  # the empty reason left out
    assert [("role", ["Member", "Observer"])] in said
    page = response.content.decode()
    assert "<strong>Second factor</strong>: Authenticator" in page
    assert "<strong>Role</strong>: Member → Observer" in page


def test_a_library_items_reading_is_said_in_words():
    with translation.override("en"):
        assert labels.changes_in_words("library.item", {"state": "done", "reason": ""}) == [("state", "Done")]
        [(name, reason)] = labels.changes_in_words("library.item", {"state": None, "reason": "unreadable"})
    assert name == "reason" and reason.startswith("A file could not be read")


def test_what_has_no_words_keeps_its_key_and_false_or_zero_are_kept():
    changes = {"records": 0, "is_moderator": [False, True], "nobody_knows": "x", "left_out": [None, ""]}
    with translation.override("en"):
        assert labels.changes_in_words("seizures.importjob", changes) == [
            ("records", 0),
            ("is_moderator", ["No", "Yes"]),
            ("nobody_knows", "x"),
        ]
