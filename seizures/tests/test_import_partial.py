"""Partial import by choice: when some records of a file fail, the officer imports those that pass or nothing,
on the job's page, and downloads the refused rows with a "problem" column to correct and send again."""

import io
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client

from audit.models import Entry
from conftest import signed_in
from seizures.models import CommodityLine, ImportJob, Seizure, Status
from seizures.tests.test_import import csv_file, import_through_page, run_job, table, xlsx_file

pytestmark = pytest.mark.django_db
State = ImportJob.State

HEADER = [
    "Record",
    "Date de saisie",
    "Pays",
    "Convention",
    "Espèce",
    "Quantité",
    "Unit of measure",
    "Country of origin",
]


def officers_file(*, bad_date: str = "2025-02-30", bad_unit: str = "buckets") -> list[list[Any]]:
    """A national report as filled: a title and an instruction above the header, the report's own column names
    (French and English), country names, usual units, a record of two rows, bad rows, a TOTAL row."""
    return [
        ["Rapport annuel sur le commerce illégal 2025 — Kenya"],
        ["Please fill one row per specimen seized. Do not change the headers."],
        [],
        HEADER,
        ["K-1", "2025-03-14", "Kenya", "cites", "Loxodonta africana", "120", "kgs", "Tanzania"],
        ["K-2", "2025-06-02", "Kenia", "cites", "Manis gigantea", "2100", "kg", "Cameroun"],
        # K-3's first row is fine, its second has a unit nobody knows: the record must not go in at all.
        ["K-3", "2025-07-09", "Kenya", "cites", "Loxodonta africana", "3", "pcs", "Uganda"],
        ["K-3", "", "", "cites", "Manis gigantea", "40", bad_unit, ""],
        ["K-4", bad_date, "Kenya", "cites", "Loxodonta africana", "1", "pcs", "Tanzania"],
        ["K-5", "2025-09-20", "Kenya", "cites", "Manis gigantea", "15", "kg", "Tanzanie"],
        ["TOTAL", "", "", "", "", "2279", "", ""],
        ["Prepared by: Wildlife desk, 2026-01-10"],
    ]


def choose(person, job: ImportJob, answer: str, capture):
    with capture(execute=True):
        response = signed_in(person).post(f"/seizures/import/{job.pk}/choose/", {"import": answer})
    job.refresh_from_db()
    return response


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def unkeyed(page: bytes) -> bytes:
    """A page without its one-time CSRF tokens."""
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", page)


def refused_sheet(person, job: ImportJob) -> list[list[str | None]]:
    response = signed_in(person).get(f"/seizures/import/{job.pk}/refused-rows.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    return [list(row) for row in workbook.worksheets[-1].iter_rows(values_only=True)]


def test_a_file_with_bad_rows_waits_for_the_officers_choice(cast, django_capture_on_commit_callbacks):
    before = Seizure.objects.count()

    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")

    assert job.state == State.CHOOSING and job.passing == 3 and job.created == []
    assert job.sealed is not None  # kept until the choice
    assert Seizure.objects.count() == before
    assert {(problem["row"], problem["column"]) for problem in job.problems} == {(8, "unit"), (9, "date")}
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert "3 records pass every check" in page
    assert 'name="csrfmiddlewaretoken"' in page and f'action="/seizures/import/{job.pk}/choose/"' in page
    assert 'value="passing"' in page and 'value="nothing"' in page
    assert "hx-get" not in page  # nothing to poll: the job waits for the officer
    entry = Entry.objects.get(action="seizures.import_checked", object_id=str(job.pk))
    assert entry.changes == {"passing": 3, "refused": 2, "problems": len(job.problems)}


def test_importing_what_passes_files_whole_records_only(cast, django_capture_on_commit_callbacks):
    lines_before = CommodityLine.objects.count()
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")

    response = choose(cast.member, job, "passing", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == f"/seizures/import/{job.pk}/"
    assert job.state == State.DONE and len(job.created) == 3 and job.sealed is None
    made = Seizure.objects.filter(pk__in=job.created)
    assert sorted(str(seizure.occurred_on) for seizure in made) == ["2025-03-14", "2025-06-02", "2025-09-20"]
    assert {seizure.status for seizure in made} == {Status.DRAFT}
    # K-3's good first row was not saved without its second: nothing half saved within a record.
    assert CommodityLine.objects.count() == lines_before + 3
    assert not Seizure.objects.filter(occurred_on="2025-07-09").exists()
    chosen = Entry.objects.get(action="seizures.import_chosen", object_id=str(job.pk))
    assert chosen.changes == {"import": "passing", "passing": 3}
    imported = Entry.objects.get(action="seizures.imported", object_id=str(job.pk))
    assert imported.changes["records"] == 3 and imported.changes["refused_problems"] == len(job.problems)
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert "3 records were made" in page and "Rows not imported" in page
    assert f"/seizures/import/{job.pk}/refused-rows.xlsx" in page


def test_importing_nothing_saves_nothing_and_keeps_the_refused_rows(cast, django_capture_on_commit_callbacks):
    before = Seizure.objects.count()
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")

    choose(cast.member, job, "nothing", django_capture_on_commit_callbacks)

    assert job.state == State.REFUSED and job.sealed is None and job.created == []
    assert Seizure.objects.count() == before
    assert Entry.objects.get(action="seizures.import_chosen", object_id=str(job.pk)).changes["import"] == "nothing"
    assert len(refused_sheet(cast.member, job)) == 4  # the header and the three rows of K-3 and K-4


def test_a_second_answer_changes_nothing(cast, django_capture_on_commit_callbacks):
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")
    choose(cast.member, job, "passing", django_capture_on_commit_callbacks)
    count = Seizure.objects.count()

    for answer in ("passing", "nothing"):
        response = choose(cast.member, job, answer, django_capture_on_commit_callbacks)
        assert response.status_code == 302

    assert job.state == State.DONE and Seizure.objects.count() == count
    assert Entry.objects.filter(action="seizures.import_chosen", object_id=str(job.pk)).count() == 1


def test_a_choice_is_a_csrf_protected_post_with_a_known_answer(cast, django_capture_on_commit_callbacks):
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.member)

    assert strict.post(f"/seizures/import/{job.pk}/choose/", {"import": "passing"}).status_code == 403
    assert signed_in(cast.member).get(f"/seizures/import/{job.pk}/choose/").status_code == 405
    assert signed_in(cast.member).post(f"/seizures/import/{job.pk}/choose/", {"import": "all"}).status_code == 400
    job.refresh_from_db()
    assert job.state == State.CHOOSING


def test_only_the_importer_chooses_or_downloads_the_refused_rows(cast, django_capture_on_commit_callbacks):
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")

    for someone in (cast.focal_point, cast.other_focal_point, cast.administrator, cast.observer):
        client = signed_in(someone)
        missing = client.get(f"/seizures/import/{job.pk + 1000}/refused-rows.xlsx")
        refused = client.get(f"/seizures/import/{job.pk}/refused-rows.xlsx")
        assert refused.status_code == missing.status_code == 404
        assert unkeyed(refused.content) == unkeyed(missing.content)
        assert client.post(f"/seizures/import/{job.pk}/choose/", {"import": "passing"}).status_code == 404
    job.refresh_from_db()
    assert job.state == State.CHOOSING
    assert not Entry.objects.filter(action="seizures.import_refused_rows_downloaded").exists()


def test_the_refused_rows_keep_the_officers_columns_and_say_each_problem(cast, django_capture_on_commit_callbacks):
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")

    rows = refused_sheet(cast.member, job)

    assert rows[0] == [*HEADER, "problem"]
    assert [row[:8] for row in rows[1:]] == [
        ["K-3", "2025-07-09", "Kenya", "cites", "Loxodonta africana", "3", "pcs", "Uganda"],
        ["K-3", None, None, "cites", "Manis gigantea", "40", "buckets", None],
        ["K-4", "2025-02-30", "Kenya", "cites", "Loxodonta africana", "1", "pcs", "Tanzania"],
    ]
    first, second, third = (str(row[8]) for row in rows[1:])
    assert "row 3 of this file" in first and "same record" in first
    assert second.startswith("unit: ") and "buckets" not in second.split(":", 1)[0]
    assert third.startswith("date: ")
    assert Entry.objects.filter(action="seizures.import_refused_rows_downloaded", object_id=str(job.pk)).count() == 1


def test_the_refused_rows_corrected_import_as_they_are(cast, django_capture_on_commit_callbacks):
    job = import_through_page(cast.member, xlsx_file(officers_file()), django_capture_on_commit_callbacks, "k.xlsx")
    choose(cast.member, job, "passing", django_capture_on_commit_callbacks)
    rows = refused_sheet(cast.member, job)
    rows[2][6], rows[3][1] = "kg", "2025-02-28"  # what the problems said to fix; the problem column stays

    again = import_through_page(cast.member, xlsx_file(rows), django_capture_on_commit_callbacks, "k-not-imported.xlsx")

    assert again.state == State.DONE and again.problems == [] and len(again.created) == 2
    k3 = Seizure.objects.get(occurred_on="2025-07-09")
    assert sorted(line.code for line in k3.lines.all()) == ["Loxodonta africana", "Manis gigantea"]


def test_a_problem_of_the_whole_file_offers_no_partial_import(cast):
    cells = officers_file()
    cells[3] = [*HEADER, "Suspect"]  # a column of names: the file itself must change (no mapping puts it right)

    job = run_job(cast.member, csv_file(cells))

    assert job.state == State.REFUSED and job.passing == 0 and job.refused_rows is None


def test_a_file_where_nothing_passes_is_refused_with_its_rows_to_download(cast):
    job = run_job(cast.member, csv_file(table([{"date": "2025-02-30"}, {"country": "Atlantis"}])))

    assert job.state == State.REFUSED and job.passing == 0
    assert len(refused_sheet(cast.member, job)) == 3


def test_text_like_a_formula_comes_back_as_text(cast):
    cells = table([{}, {"place": '=HYPERLINK("http://evil")', "date": "2025-02-30"}])

    job = run_job(cast.member, csv_file(cells))

    response = signed_in(cast.member).get(f"/seizures/import/{job.pk}/refused-rows.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    place = next(cell for cell in workbook.worksheets[-1][2] if cell.value and str(cell.value).startswith("="))
    assert place.data_type == "s"


def test_the_refused_rows_file_is_named_in_the_persons_language(cast):
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])
    job = run_job(cast.member, csv_file(table([{}, {"date": "2025-02-30"}])))
    job.file_name = "saisies.csv"
    job.save(update_fields=["file_name"])

    response = signed_in(cast.member).get(f"/seizures/import/{job.pk}/refused-rows.xlsx")

    assert "saisies-non-import%C3%A9es.xlsx" in response["Content-Disposition"]
