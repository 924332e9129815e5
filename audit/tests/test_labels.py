"""The audit trail names what an entry concerns when it is shown, through the viewer's access today: an
administrator or a focal point outside a thread's audience reads "thread #9 (restricted)", never its
subject; and no entry stores a subject, a file name or a record's reference, so nothing outlives a
narrowing."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Person
from audit import labels
from audit.actions import record
from audit.models import Entry
from conftest import Cast, signed_in
from messaging import actions as messaging_actions
from messaging.models import Attachment, Audience, Marking, Message, Shared, StoredFile, Thread
from messaging.tests.builders import reply, start
from seizures import actions as seizure_actions
from seizures.models import ImportJob, Seizure, SeizureFile
from seizures.tests.builders import file, png, upload
from topics import actions as topic_actions

URL = reverse("audit:trail")


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def trail_of(person: Person) -> tuple[str, dict[tuple[str, str], str]]:
    """The audit page as ``person`` sees it: its HTML, and the label shown for each (type, id)."""
    response = signed_in(person).get(URL)
    assert response.status_code == 200, response.status_code
    shown = {(row.entry.object_type, row.entry.object_id): row.label for row in response.context["rows"]}
    return response.content.decode(), shown


def stored() -> str:
    """Everything the trail keeps beside references, as one string."""
    return json.dumps(list(Entry.objects.values("object_label", "changes")), ensure_ascii=False)


@dataclass
class Case:
    secret: str  # what the entry must never show nor store
    object_type: str
    object_id: int
    restricted: str  # what an outsider reads instead


def _red_thread(cast: Cast, capture: Callable) -> Case:
    thread = start(
        cast.member,
        capture,
        subject="Operation Ivory Sunset",
        marking=Marking.RED,
        audience=Audience.PEOPLE,
        people=[cast.other_focal_point],
    )
    return Case("Operation Ivory Sunset", "messaging.thread", thread.pk, f"thread #{thread.pk} (restricted)")


def _amber_strict_thread(cast: Cast, capture: Callable) -> Case:
    thread = start(
        cast.member,
        capture,
        subject="Container MSCU1234566 at Lamu",
        marking=Marking.AMBER_STRICT,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.other],
    )
    return Case("Container MSCU1234566 at Lamu", "messaging.thread", thread.pk, f"thread #{thread.pk} (restricted)")


def _forum_thread(cast: Cast, capture: Callable) -> Case:
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Working group", description="", members=[cast.member]
    )
    # The administrator who opened it leaves it to its members.
    topic_actions.set_forum_members(request=None, actor=cast.administrator, forum=forum, members=[cast.member])
    thread = start(cast.member, capture, subject="Rosewood via Djibouti", topics=[forum])
    return Case("Rosewood via Djibouti", "messaging.thread", thread.pk, f"thread #{thread.pk} (restricted)")


def _attachment(cast: Cast, capture: Callable) -> Case:
    start(
        cast.member,
        capture,
        files=[png("informant-kamau.png")],
        marking=Marking.RED,
        audience=Audience.PEOPLE,
        people=[cast.other_focal_point],
    )
    attachment = Attachment.objects.get(name="informant-kamau.png")
    return Case("informant-kamau", "messaging.attachment", attachment.pk, f"attachment #{attachment.pk} (restricted)")


def _seizure_thread(cast: Cast, capture: Callable) -> Case:
    # The record is the reporting organisation's to read; its discussion has the record's audience, which
    # may leave out the officer's own focal point.
    seizure = file(
        cast.member, share=True, capture=capture, marking="red", audience="people", people=[cast.other_focal_point]
    )
    assert seizure.thread is not None
    return Case(
        seizure.thread.subject, "messaging.thread", seizure.thread.pk, f"thread #{seizure.thread.pk} (restricted)"
    )


CASES: dict[str, Callable[[Cast, Callable], Case]] = {
    "RED thread": _red_thread,
    "AMBER+STRICT thread": _amber_strict_thread,
    "forum thread": _forum_thread,
    "attachment": _attachment,
    "seizure discussion thread": _seizure_thread,
}


@pytest.mark.parametrize("outsider", ["administrator", "focal_point"])
@pytest.mark.parametrize("case", CASES)
def test_it_names_only_what_the_viewer_may_read(cast, django_capture_on_commit_callbacks, case, outsider):
    found = CASES[case](cast, django_capture_on_commit_callbacks)

    html, shown = trail_of(cast.by_role[outsider])
    assert shown[(found.object_type, str(found.object_id))] == found.restricted
    assert found.restricted in html
    assert found.secret not in html
    # Nor is it kept anywhere in the trail, for a later reader or a database reader.
    assert found.secret not in stored()


@pytest.mark.parametrize("case", ["RED thread", "AMBER+STRICT thread", "forum thread", "attachment"])
def test_it_names_it_once_the_viewer_is_in_the_audience(cast, django_capture_on_commit_callbacks, case):
    found = CASES[case](cast, django_capture_on_commit_callbacks)
    thread = (
        Attachment.objects.get(pk=found.object_id).message.thread
        if found.object_type == "messaging.attachment"
        else Thread.objects.get(pk=found.object_id)
    )
    # The administrator is named, her organisation chosen, or she joins the forum.
    thread.audience_people.add(cast.administrator)
    thread.audience_organisations.add(cast.secretariat)
    for forum in thread.topics.filter(is_forum=True):
        forum.members.add(cast.administrator)

    html, shown = trail_of(cast.administrator)
    assert found.secret in shown[(found.object_type, str(found.object_id))]
    assert found.secret in html
    assert found.restricted not in html


def test_it_names_the_forum_only_for_its_members(cast):
    forum = topic_actions.open_forum(
        request=None, actor=cast.administrator, name="Operation Thunder", description="", members=[cast.member]
    )
    topic_actions.set_forum_members(request=None, actor=cast.administrator, forum=forum, members=[cast.member])
    _html, shown = trail_of(cast.administrator)
    assert shown[("topics.topic", str(forum.pk))] == f"forum #{forum.pk} (restricted)"
    forum.members.add(cast.administrator)
    _html, shown = trail_of(cast.administrator)
    assert "Operation Thunder" in shown[("topics.topic", str(forum.pk))]
    assert "Operation Thunder" not in stored()


def test_it_names_a_draft_record_and_its_files_only_for_the_reporting_organisation(cast):
    seizure = file(cast.member, files=[upload(png("suspect-passport.png"))])
    stored_file = SeizureFile.objects.get(seizure=seizure)
    seizure_actions.download_file(request=None, person=cast.member, stored=stored_file)

    # Another organisation's draft is not the administrator's to read.
    html, shown = trail_of(cast.administrator)
    assert shown[("seizures.seizure", str(seizure.pk))] == f"seizure record #{seizure.pk} (restricted)"
    assert shown[("seizures.seizurefile", str(stored_file.pk))] == f"seizure file #{stored_file.pk} (restricted)"
    assert seizure.reference not in html and "suspect-passport" not in html

    # The focal point of the reporting organisation reads both.
    html, shown = trail_of(cast.focal_point)
    assert shown[("seizures.seizure", str(seizure.pk))] == seizure.reference
    assert shown[("seizures.seizurefile", str(stored_file.pk))] == "suspect-passport.png"

    assert seizure.reference not in stored() and "suspect-passport" not in stored()


def test_it_stops_naming_a_thread_once_its_audience_is_narrowed(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks, subject="Charcoal at Kismayo")
    reply(cast.member, thread, django_capture_on_commit_callbacks)
    message = Message.objects.filter(thread=thread).last()
    assert message is not None
    for viewer in (cast.administrator, cast.focal_point):
        html, shown = trail_of(viewer)
        assert shown[("messaging.thread", str(thread.pk))] == "Charcoal at Kismayo"
        assert shown[("messaging.message", str(message.pk))] == f"Charcoal at Kismayo, message #{message.pk}"

    # Narrowed after the entries were written: to named people, RED.
    Thread.objects.filter(pk=thread.pk).update(marking=Marking.RED, audience=Audience.PEOPLE)
    thread.audience_people.set([cast.member])

    for viewer in (cast.administrator, cast.focal_point):
        html, shown = trail_of(viewer)
        assert shown[("messaging.thread", str(thread.pk))] == f"thread #{thread.pk} (restricted)"
        assert "Charcoal at Kismayo" not in html
    assert "Charcoal at Kismayo" not in stored()
    # The author still reads it, were she shown the trail: the rule is the thread's, not the trail's.
    assert labels.show(cast.member, Entry.objects.filter(object_type="messaging.thread"))[0].label == (
        "Charcoal at Kismayo"
    )


def test_it_stops_naming_a_file_once_its_message_is_retracted(cast, django_capture_on_commit_callbacks):
    start(cast.member, django_capture_on_commit_callbacks, files=[png("route-map.png")])
    attachment = Attachment.objects.get(name="route-map.png")
    assert trail_of(cast.administrator)[1][("messaging.attachment", str(attachment.pk))] == "route-map.png"

    messaging_actions.retract(request=None, person=cast.member, message=attachment.message)

    html, shown = trail_of(cast.administrator)
    assert shown[("messaging.attachment", str(attachment.pk))] == f"attachment #{attachment.pk} (restricted)"
    assert "route-map" not in html


def test_it_withholds_a_hiding_reason_from_those_who_may_no_longer_read_the_message(
    cast, django_capture_on_commit_callbacks
):
    thread = start(cast.member, django_capture_on_commit_callbacks, subject="Eels at Orly")
    message = Message.objects.get(thread=thread)
    messaging_actions.hide(
        request=None, moderator=cast.administrator, message=message, reason="quoted passport 12AB34567"
    )
    html, _shown = trail_of(cast.administrator)
    assert "quoted passport 12AB34567" in html

    Thread.objects.filter(pk=thread.pk).update(marking=Marking.RED, audience=Audience.PEOPLE)
    thread.audience_people.set([cast.member])

    html, _shown = trail_of(cast.administrator)
    assert "quoted passport 12AB34567" not in html
    [hidden] = [
        row for row in labels.show(cast.administrator, Entry.objects.all()) if row.entry.action == "message.hidden"
    ]
    assert hidden.changes == {"reason": "(restricted)"}


def test_it_keeps_the_names_of_people_and_organisations(cast):
    record("person.role_changed", actor=cast.focal_point, target=cast.member, changes={"role": ["member", "observer"]})
    record("organisation.changed", actor=cast.administrator, target=cast.other)
    _html, shown = trail_of(cast.administrator)
    assert shown[("accounts.person", str(cast.member.pk))] == "Mohamed Member"
    assert shown[("accounts.organisation", str(cast.other.pk))] == "DGDDI"


def test_it_refuses_a_stored_label_for_something_with_content(cast, django_capture_on_commit_callbacks):
    thread = start(cast.member, django_capture_on_commit_callbacks)
    with pytest.raises(ValueError, match="carries content"):
        record("thread.renamed", actor=cast.member, target=thread, label=thread.subject)
    assert not Entry.objects.filter(action="thread.renamed").exists()


def test_it_knows_every_type_with_content():
    """Everything shared with an audience and every stored file is labelled through access when shown; a
    new app's shared items or files cannot be forgotten."""
    shared = {model._meta.label_lower for model in apps.get_models() if issubclass(model, (Shared, StoredFile))}
    assert shared <= set(labels.registered())
    assert {
        "messaging.thread",
        "messaging.message",
        "messaging.attachment",
        "seizures.seizure",
        "seizures.seizurefile",
        "seizures.importjob",
        "topics.topic",
    } <= set(labels.registered())


def test_it_labels_a_page_with_a_few_queries_whatever_its_length(cast, django_capture_on_commit_callbacks):
    def queries_for_labels() -> int:
        entries = list(Entry.objects.all())
        with CaptureQueriesContext(connection) as captured:
            labels.show(cast.administrator, entries)
        return len(captured.captured_queries)

    start(cast.member, django_capture_on_commit_callbacks, files=[png("one.png")])
    few = queries_for_labels()
    for number in range(8):
        start(cast.member, django_capture_on_commit_callbacks, subject=f"Thread {number}", files=[png(f"{number}.png")])
    assert queries_for_labels() == few


def test_it_names_an_import_only_for_the_person_who_started_it(cast):
    job = ImportJob.objects.create(person=cast.member, organisation=cast.home, file_name="thunder-2026.xlsx")
    record("seizures.import_started", actor=cast.member, target=job, changes={"rows": 3})
    assert labels.show(cast.member, Entry.objects.all())[0].label == "thunder-2026.xlsx"
    _html, shown = trail_of(cast.focal_point)
    assert shown[("seizures.importjob", str(job.pk))] == f"import #{job.pk} (restricted)"
    assert "thunder-2026" not in stored()


def test_it_keeps_seizure_records_out_of_storage(cast):
    seizure = file(cast.member)
    assert Seizure.objects.filter(pk=seizure.pk).exists()
    entry = Entry.objects.get(action="seizure.filed")
    assert (entry.object_type, entry.object_id, entry.object_label) == ("seizures.seizure", str(seizure.pk), "")
