"""Imports left waiting for their officer (a choice on rows with problems, or what some columns hold) expire after
IMPORT_WAIT_DAYS: the file and what was read from it are deleted, nothing is saved, the importer is told once, and
an answer that comes later changes nothing (seizures.import_jobs.expire_waiting, run by the worker's heartbeat and
by ``manage.py expire_imports``)."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Entry
from conftest import signed_in
from environet import notices, worker
from messaging import events
from messaging.models import Event
from seizures import import_jobs, import_mapping
from seizures.models import ColumnMapping, CommodityLine, ImportJob, Seizure
from seizures.tests.test_import import import_through_page, xlsx_file
from seizures.tests.test_import_mapping import cites_report, confirmed_choices
from seizures.tests.test_import_partial import choose, officers_file

pytestmark = pytest.mark.django_db
State = ImportJob.State


@pytest.fixture(autouse=True)
def wait_days(settings):
    settings.IMPORT_WAIT_DAYS = 14
    return settings


def choosing_job(person, capture) -> ImportJob:
    job = import_through_page(person, xlsx_file(officers_file()), capture, "kenya-2025.xlsx")
    assert job.state == State.CHOOSING and job.sealed is not None and job.refused_rows is not None
    return job


def mapping_job(person, capture) -> ImportJob:
    job = import_through_page(person, xlsx_file(cites_report()), capture, "cites-report.xlsx")
    assert job.state == State.MAPPING and job.sealed is not None
    return job


def waited(job: ImportJob, days: float) -> ImportJob:
    """The job as if it had started waiting ``days`` ago."""
    ImportJob.objects.filter(pk=job.pk).update(waiting_since=timezone.now() - timedelta(days=days))
    job.refresh_from_db()
    return job


def expired_notices(person) -> list[dict]:
    built = events.build(Event.objects.filter(kind="notice", person=person).order_by("pk"))
    return [event for event in built if event is not None and "expired" in event["text"]]


def answer(person, job: ImportJob, path: str, data: dict, capture) -> str:
    """Post an answer on the job's page and follow it back there: the page, with what it was told."""
    client = signed_in(person)
    with capture(execute=True):
        response = client.post(f"/seizures/import/{job.pk}/{path}/", data)
    assert response.status_code == 302 and response["Location"] == f"/seizures/import/{job.pk}/"
    job.refresh_from_db()
    return client.get(response["Location"]).content.decode()


def sweep(capture) -> int:
    with capture(execute=True):
        return import_jobs.expire_waiting()


# --- The sweep ------------------------------------------------------------------------------------------------


def test_a_job_starts_its_wait_when_it_stops_for_its_officer(cast, django_capture_on_commit_callbacks):
    before = timezone.now()
    job = choosing_job(cast.member, django_capture_on_commit_callbacks)
    since = job.waiting_since
    assert since is not None and before <= since <= timezone.now()
    assert job.expires_at == since + timedelta(days=14)


def test_a_choice_left_waiting_expires_deleting_the_file_and_saving_nothing(cast, django_capture_on_commit_callbacks):
    records, lines = Seizure.objects.count(), CommodityLine.objects.count()
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 14.01)

    assert sweep(django_capture_on_commit_callbacks) == 1

    job.refresh_from_db()
    assert job.state == State.EXPIRED and job.finished_at is not None
    # The file, its refused rows and the problems quoting its cells are gone; nothing was saved.
    assert job.sealed is None and job.refused_rows is None and job.problems == [] and job.created == []
    assert Seizure.objects.count() == records and CommodityLine.objects.count() == lines
    entry = Entry.objects.get(action="seizures.import_expired", object_id=str(job.pk))
    assert entry.changes == {"waited_in": "choosing", "rows": job.total_rows}
    assert "kenya" not in str(entry.changes).casefold()  # references and counts, not the file's content
    [told] = expired_notices(cast.member)
    assert told["text"] == "Your import of kenya-2025.xlsx expired without being finished; nothing was saved."
    assert told["url"] == f"/seizures/import/{job.pk}/"


def test_a_mapping_left_waiting_expires_forgetting_its_headers(cast, django_capture_on_commit_callbacks):
    job = mapping_job(cast.member, django_capture_on_commit_callbacks)
    job.options = {**job.options, "remembered": [{"header": "Qty seized", "column": "quantity"}]}
    job.save(update_fields=["options"])
    waited(job, 15)

    assert sweep(django_capture_on_commit_callbacks) == 1

    job.refresh_from_db()
    assert job.state == State.EXPIRED and job.sealed is None and job.problems == []
    assert not {"remembered", "mapping", "report"} & set(job.options)
    assert job.options["marking"] == "green"  # the choices of the upload form stay: they are not the file's
    assert Entry.objects.get(action="seizures.import_expired", object_id=str(job.pk)).changes["waited_in"] == "mapping"
    assert len(expired_notices(cast.member)) == 1


def test_a_job_within_its_time_and_jobs_not_waiting_are_left_alone(cast, django_capture_on_commit_callbacks):
    fresh = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 13.99)
    done = choosing_job(cast.member, django_capture_on_commit_callbacks)
    choose(cast.member, done, "nothing", django_capture_on_commit_callbacks)
    assert done.state == State.REFUSED
    ImportJob.objects.filter(pk=done.pk).update(created_at=timezone.now() - timedelta(days=30))

    assert sweep(django_capture_on_commit_callbacks) == 0

    fresh.refresh_from_db()
    assert fresh.state == State.CHOOSING and fresh.sealed is not None
    assert not Entry.objects.filter(action="seizures.import_expired").exists()


def test_the_wait_is_the_setting(cast, django_capture_on_commit_callbacks, wait_days):
    wait_days.IMPORT_WAIT_DAYS = 2
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 2.01)
    assert sweep(django_capture_on_commit_callbacks) == 1
    job.refresh_from_db()
    assert job.state == State.EXPIRED


def test_a_job_expires_once_and_its_importer_is_told_once(cast, django_capture_on_commit_callbacks):
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 20)
    assert sweep(django_capture_on_commit_callbacks) == 1
    assert sweep(django_capture_on_commit_callbacks) == 0
    assert Entry.objects.filter(action="seizures.import_expired", object_id=str(job.pk)).count() == 1
    assert len(expired_notices(cast.member)) == 1


def test_the_notice_is_shown_only_to_the_importer(cast, django_capture_on_commit_callbacks):
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 20)
    sweep(django_capture_on_commit_callbacks)
    assert notices.render(cast.member, "seizure.import_expired", {"job": job.pk}) is not None
    assert notices.render(cast.focal_point, "seizure.import_expired", {"job": job.pk}) is None


def test_the_command_sweeps(cast, django_capture_on_commit_callbacks):
    job = waited(mapping_job(cast.member, django_capture_on_commit_callbacks), 20)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_imports", stdout=out)
    assert out.getvalue() == "Imports expired: 1.\n"
    job.refresh_from_db()
    assert job.state == State.EXPIRED


def test_the_workers_sweep_expires_jobs(cast, django_capture_on_commit_callbacks):
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 20)
    with django_capture_on_commit_callbacks(execute=True):
        worker.sweep()
    job.refresh_from_db()
    assert job.state == State.EXPIRED


def test_the_heartbeat_sweeps_at_its_first_beat_then_every_hour(monkeypatch):
    heartbeat = worker.Heartbeat("test-worker")
    calls: list[str] = []
    clock = iter([0.0, 10.0, 3600.0, 3600.0])  # the first beat, 10 s later, an hour later
    monkeypatch.setattr(worker, "beat", lambda worker_id: calls.append("beat"))
    monkeypatch.setattr(worker, "recover_abandoned", lambda: None)
    monkeypatch.setattr(worker, "sweep", lambda: calls.append("sweep"))
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker.time, "monotonic", lambda: next(clock))

    def wait(seconds):
        if calls.count("beat") == 3:
            heartbeat.stopping.set()

    monkeypatch.setattr(heartbeat.stopping, "wait", wait)

    heartbeat.run()

    assert calls == ["beat", "sweep", "beat", "beat", "sweep"]


# --- The job's page and answers after the time ----------------------------------------------------------------


def test_the_page_of_a_waiting_job_says_when_it_expires(cast, django_capture_on_commit_callbacks):
    job = choosing_job(cast.member, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(waiting_since=timezone.make_aware(datetime(2026, 12, 1, 9)))
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert "Waiting for your choice — expires on <time" in page
    assert "Dec. 15, 2026</time>" in page


def test_the_page_of_an_expired_job_says_so_and_offers_to_upload_again(cast, django_capture_on_commit_callbacks):
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 20)
    sweep(django_capture_on_commit_callbacks)
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert "expired on" in page and "nothing from it was saved, and the file was deleted" in page
    assert 'href="/seizures/import/">Upload the file again</a>' in page
    assert "expires on" not in page and 'value="passing"' not in page and "hx-get" not in page
    assert signed_in(cast.member).get(f"/seizures/import/{job.pk}/refused-rows.xlsx").status_code == 404


def test_a_choice_on_an_expired_job_is_refused_and_changes_nothing(cast, django_capture_on_commit_callbacks):
    records = Seizure.objects.count()
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 20)
    sweep(django_capture_on_commit_callbacks)

    page = answer(cast.member, job, "choose", {"import": "passing"}, django_capture_on_commit_callbacks)

    assert job.state == State.EXPIRED and job.created == [] and Seizure.objects.count() == records
    assert not Entry.objects.filter(action="seizures.import_chosen").exists()
    assert "This import expired on" in page and "so your answer changed nothing" in page


def test_a_choice_after_the_time_but_before_the_sweep_expires_the_job(cast, django_capture_on_commit_callbacks):
    records = Seizure.objects.count()
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 14.01)

    page = answer(cast.member, job, "choose", {"import": "passing"}, django_capture_on_commit_callbacks)

    assert job.state == State.EXPIRED and job.sealed is None and Seizure.objects.count() == records
    assert not Entry.objects.filter(action="seizures.import_chosen").exists()
    assert "so your answer changed nothing" in page
    assert len(expired_notices(cast.member)) == 1


def test_the_choice_action_refuses_an_expired_job_itself(cast, django_capture_on_commit_callbacks):
    job = waited(choosing_job(cast.member, django_capture_on_commit_callbacks), 14.01)
    with django_capture_on_commit_callbacks(execute=True):
        answered = import_jobs.choose(request=None, person=cast.member, job=job, choice="passing")
    job.refresh_from_db()
    assert answered is False and job.state == State.EXPIRED and job.created == []


def test_a_mapping_on_an_expired_job_is_refused_and_changes_nothing(cast, django_capture_on_commit_callbacks):
    records = Seizure.objects.count()
    job = waited(mapping_job(cast.member, django_capture_on_commit_callbacks), 20)
    sweep(django_capture_on_commit_callbacks)

    page = answer(cast.member, job, "mapping", confirmed_choices(), django_capture_on_commit_callbacks)

    assert job.state == State.EXPIRED
    assert not ColumnMapping.objects.exists() and Seizure.objects.count() == records
    assert not Entry.objects.filter(action="seizures.import_mapped").exists()
    assert "so your answer changed nothing" in page


def test_the_mapping_action_refuses_a_job_past_its_time_itself(cast, django_capture_on_commit_callbacks):
    job = mapping_job(cast.member, django_capture_on_commit_callbacks)
    proposal = import_mapping.proposal(job)
    assert proposal is not None
    form = import_mapping.MappingForm(confirmed_choices(), proposal=proposal)
    assert form.is_valid(), form.errors
    waited(job, 14.01)
    with django_capture_on_commit_callbacks(execute=True):
        answered = import_jobs.confirm_mapping(request=None, person=cast.member, job=job, form=form)
    job.refresh_from_db()
    assert answered is False and job.state == State.EXPIRED and not ColumnMapping.objects.exists()
