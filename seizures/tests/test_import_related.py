"""One import sends one summary of related records per person, not one notice and email per record; a single
filing still tells of each record (seizures/tests/test_notifications.py)."""

import pytest

from audit.models import Entry
from conftest import Mailbox
from messaging.models import Event
from messaging.tests.builders import choose
from seizures.models import Link, Seizure
from seizures.tests.builders import file, line
from seizures.tests.test_import import csv_file, import_through_page
from seizures.tests.test_notifications import notices_for, subject_of

pytestmark = pytest.mark.django_db

CONTAINERS = ["MSCU1234566", "TGHU7654320", "HLXU1122330"]


def officers_file() -> bytes:
    """Five records as an officer lists them: three in containers France seized too, one with a bad row."""
    return csv_file(
        [
            ["Seizures 2026 — Kenya Revenue Authority"],
            [],
            ["Date of seizure", "Country", "Convention", "Species", "Quantity", "Unit", "Containers"],
            ["2026-03-14", "Kenya", "cites", "Loxodonta africana", "120", "kgs", CONTAINERS[0]],
            ["2026-04-02", "Kenya", "cites", "Loxodonta africana", "80", "kg", CONTAINERS[1]],
            ["2026-05-09", "Kenya", "cites", "Manis gigantea", "30", "pcs", CONTAINERS[2]],
            ["2026-06-20", "Kenya", "cites", "Manis gigantea", "12", "pcs", ""],
            ["2026-07-01", "Kenya", "cites", "Loxodonta africana", "5", "pcs", ""],
            ["TOTAL", "", "", "", "247", "", ""],
        ]
    )


@pytest.fixture
def french_records(cast, django_capture_on_commit_callbacks) -> list[Seizure]:
    return [
        file(
            cast.other_focal_point,
            share=True,
            capture=django_capture_on_commit_callbacks,
            containers=[number],
            country="FR",
            lines=[line("cites", "Manis gigantea")],
        )
        for number in CONTAINERS
    ]


def related_mail(mailbox: Mailbox, someone) -> list:
    return [email for email in mailbox.to(someone.email) if "related" in subject_of(email)]


def test_an_import_tells_each_person_once(cast, django_capture_on_commit_callbacks, mailbox, french_records):
    choose(cast.member, "B")
    choose(cast.other_focal_point, "B")
    notices_before = Event.objects.filter(kind="notice").count()

    job = import_through_page(
        cast.member, officers_file(), django_capture_on_commit_callbacks, share="1", audience="network"
    )

    assert job.state == "done" and len(job.created) == 5
    across = Link.objects.filter(low__in=french_records, high__in=job.created)
    assert across.count() == across.filter(announced=True).count() == 3
    within = Link.objects.filter(low__in=job.created, high__in=job.created)
    assert within.exists() and not within.filter(announced=False).exists()
    related = {pk for link in [*across, *within] for pk in (link.low_id, link.high_id)} & set(job.created)
    # One notice each, not one per record (Oscar's own records had told him of each other before).
    assert Event.objects.filter(kind="notice").count() == notices_before + 2
    [to_member] = notices_for(cast.member)
    assert to_member["text"] == f"Your import of 5 records: {len(related)} have related records."
    assert to_member["url"] == f"/seizures/import/{job.pk}/"
    to_oscar = notices_for(cast.other_focal_point)[-1]
    assert to_oscar["text"] == "An import by KRA holds records related to 3 of your records."
    [email] = related_mail(mailbox, cast.member)
    assert subject_of(email) == "[ENVIRONET] TLP:GREEN Your import of 5 records: related records found"
    body = Mailbox.body(email)
    assert f"Your import of 5 records: {len(related)} have related records." in body
    assert f"/seizures/import/{job.pk}/" in body
    [french_email] = related_mail(mailbox, cast.other_focal_point)
    assert "An import by KRA holds records related to 3 of your records." in Mailbox.body(french_email)
    # Each link across organisations is still audited on both sides.
    assert Entry.objects.filter(action="seizure.related_announced").count() == 6


def test_an_import_of_drafts_tells_nothing_across_organisations(
    cast, django_capture_on_commit_callbacks, mailbox, french_records
):
    choose(cast.member, "B")

    job = import_through_page(cast.member, officers_file(), django_capture_on_commit_callbacks, share="0")

    across = Link.objects.filter(low__in=french_records, high__in=job.created)
    assert job.state == "done" and across.count() == 3 and not across.filter(announced=True).exists()
    # Its own drafts are related among themselves: told at once, in one summary.
    [to_member] = notices_for(cast.member)
    assert to_member["text"].startswith("Your import of 5 records: ")
    assert len(related_mail(mailbox, cast.member)) == 1
    assert related_mail(mailbox, cast.other_focal_point) == []


def test_no_email_goes_out_when_the_import_rolls_back(cast, django_capture_on_commit_callbacks, mailbox, monkeypatch):
    from seizures import actions, import_jobs

    choose(cast.member, "B")
    file(cast.focal_point, share=True, capture=django_capture_on_commit_callbacks, containers=[CONTAINERS[0]])
    filed = actions.file_seizure
    calls = []

    def failing_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return filed(**kwargs)

    monkeypatch.setattr(import_jobs.actions, "file_seizure", failing_second)

    job = import_through_page(cast.member, officers_file(), django_capture_on_commit_callbacks)

    assert job.state == "failed" and job.created == []
    assert notices_for(cast.member) == [] and related_mail(mailbox, cast.member) == []


# --- Sharing an import's drafts at once --------------------------------------------------------------------


def test_an_imports_drafts_are_shared_at_once_with_its_audience_and_marking(
    cast, django_capture_on_commit_callbacks, mailbox, french_records
):
    from conftest import signed_in
    from seizures.models import Status

    choose(cast.member, "B")
    choose(cast.other_focal_point, "B")
    job = import_through_page(
        cast.member, officers_file(), django_capture_on_commit_callbacks, share="0", marking="amber", audience="network"
    )
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert f'action="/seizures/import/{job.pk}/share/"' in page and "Share the 5 drafts" in page
    assert "TLP:AMBER" in page
    before = len(related_mail(mailbox, cast.member))

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.member).post(f"/seizures/import/{job.pk}/share/")

    assert response.status_code == 302
    made = Seizure.objects.filter(pk__in=job.created)
    assert {(seizure.status, seizure.marking, seizure.audience) for seizure in made} == {
        (Status.SHARED, "amber", "network")
    }
    assert all(seizure.thread_id for seizure in made)
    assert Entry.objects.get(action="seizures.import_shared", object_id=str(job.pk)).changes == {"records": 5}
    # Now that both sides are shared, the links across organisations are told: once per person.
    assert len(related_mail(mailbox, cast.member)) == before + 1
    assert len(related_mail(mailbox, cast.other_focal_point)) == 1
    again = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert "/share/" not in again


def test_only_the_importer_shares_an_imports_drafts(cast, django_capture_on_commit_callbacks):
    from conftest import signed_in
    from seizures.models import Status

    job = import_through_page(cast.member, officers_file(), django_capture_on_commit_callbacks, share="0")

    for someone in (cast.focal_point, cast.other_focal_point, cast.administrator, cast.observer):
        assert signed_in(someone).post(f"/seizures/import/{job.pk}/share/").status_code == 404
    assert set(Seizure.objects.filter(pk__in=job.created).values_list("status", flat=True)) == {Status.DRAFT}
