"""The mapping step of an import: columns nobody recognised are mapped by the officer (with suggestions), the
mapping is remembered for the organisation, and values a report gives once (the Party, the convention, a date)
are given for the whole file (seizures/import_mapping.py)."""

import re
from typing import Any

import pytest
from django.test import Client

from audit.models import Entry
from conftest import signed_in
from seizures import access, actions, import_columns, import_jobs, import_mapping
from seizures.models import ColumnMapping, ImportJob, Seizure
from seizures.tests.test_import import csv_file, import_through_page, run_job, table, xlsx_file
from seizures.tests.test_import_partial import unkeyed

pytestmark = pytest.mark.django_db
State = ImportJob.State

# A CITES annual illegal trade report as a Party fills it: the Party and the year in the title rows, no column
# for the country or the convention, the report's own column names, two of them unknown to ENVIRONET and one
# that holds nothing to import.
HEADER = ["Date of seizure", "Nom scientifique (latin)", "Qty seized", "Unit", "Mode of transport", "Detecting agency"]
SPECIES, QUANTITY, AGENCY = 1, 2, 5  # positions of the columns not recognised


def cites_report(header: list[str] = HEADER) -> list[list[Any]]:
    return [
        ["CITES ANNUAL ILLEGAL TRADE REPORT"],
        ["Party:", "Kenya"],
        ["Year of report:", "2025"],
        [],
        header,
        ["14/03/2025", "Loxodonta africana", "120", "kg", "sea", "KWS"],
        ["02/06/2025", "Manis gigantea", "40", "kg", "sea", "Customs"],
        ["09/07/2025", "Manis gigantea", "3", "kg", "sea", "KWS"],
    ]


def confirmed_choices(**changes: str) -> dict[str, str]:
    choices = {
        f"column_{SPECIES}": "code",
        f"column_{QUANTITY}": "quantity",
        f"column_{AGENCY}": "",
        "report_country": "KE",
        "report_convention": "cites",
    }
    return {**choices, **changes}


def map_columns(person, job: ImportJob, choices: dict[str, str], capture):
    with capture(execute=True):
        response = signed_in(person).post(f"/seizures/import/{job.pk}/mapping/", choices)
    job.refresh_from_db()
    return response


def selected(page: str, name: str) -> str:
    """The option chosen in the page's select ``name`` ("" for the first, empty one)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen.group(1) if chosen else ""


@pytest.fixture
def waiting(cast, django_capture_on_commit_callbacks) -> ImportJob:
    """Mohamed's CITES report, stopped at the mapping step."""
    return import_through_page(cast.member, xlsx_file(cites_report()), django_capture_on_commit_callbacks, "r.xlsx")


def test_a_cites_report_stops_at_the_mapping_step_with_suggestions_and_samples(cast, waiting):
    assert waiting.state == State.MAPPING and waiting.created == [] and waiting.sealed is not None
    assert Seizure.objects.count() == 0
    page = signed_in(cast.member).get(f"/seizures/import/{waiting.pk}/").content.decode()

    assert f'action="/seizures/import/{waiting.pk}/mapping/"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "hx-get" not in page  # nothing to poll: the job waits for the officer
    for header in ("Nom scientifique (latin)", "Qty seized", "Detecting agency"):
        assert header in page
    assert "<code>Loxodonta africana</code>, <code>Manis gigantea</code>" in page  # each value once
    assert "<code>120</code>, <code>40</code>, <code>3</code>" in page and "<code>KWS</code>" in page
    assert selected(page, f"column_{SPECIES}") == "code"
    assert selected(page, f"column_{QUANTITY}") == "quantity"
    assert selected(page, f"column_{AGENCY}") == ""  # nothing close: leave it out
    assert "Leave this column out" in page
    # The Party and the convention from the title rows; the file has its dates, so none is asked for the file.
    assert selected(page, "report_country") == "KE" and selected(page, "report_convention") == "cites"
    assert 'name="report_date"' not in page and "column_0" not in page
    asked = Entry.objects.get(action="seizures.import_mapping_asked", object_id=str(waiting.pk))
    assert asked.changes == {"unrecognised": 3, "missing": ["code", "convention", "country"]}


def test_confirming_imports_the_file_and_remembers_the_mapping(cast, waiting, django_capture_on_commit_callbacks):
    response = map_columns(cast.member, waiting, confirmed_choices(), django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == f"/seizures/import/{waiting.pk}/"
    assert waiting.state == State.DONE and waiting.problems == [] and len(waiting.created) == 3
    made = Seizure.objects.filter(pk__in=waiting.created).order_by("occurred_on")
    assert [(str(s.occurred_on), s.country, s.transport_mode) for s in made] == [
        ("2025-03-14", "KE", "sea"),
        ("2025-06-02", "KE", "sea"),
        ("2025-07-09", "KE", "sea"),
    ]
    assert [(line.convention, line.code, line.quantity) for s in made for line in s.lines.all()] == [
        ("cites", "Loxodonta africana", 120),
        ("cites", "Manis gigantea", 40),
        ("cites", "Manis gigantea", 3),
    ]
    remembered = ColumnMapping.objects.filter(organisation=cast.home)
    assert dict(remembered.values_list("header", "column")) == {
        "nom scientifique latin": "code",
        "qty seized": "quantity",
        "detecting agency": "",
    }
    entry = Entry.objects.get(action="seizures.import_mapped", object_id=str(waiting.pk))
    assert entry.changes == {
        "mapped": ["code", "quantity"],
        "left_out": 1,
        "for_the_whole_file": ["convention", "country"],
    }
    assert "Nom scientifique" not in str(entry.changes)  # the file's own text stays out of the trail


def test_the_next_file_of_the_organisation_goes_through_with_the_remembered_mapping(
    cast, waiting, django_capture_on_commit_callbacks
):
    map_columns(cast.member, waiting, confirmed_choices(), django_capture_on_commit_callbacks)

    # Fatou, of the same organisation, sends next year's report; the Party and convention on the upload form.
    again = import_through_page(
        cast.focal_point,
        xlsx_file(cites_report()),
        django_capture_on_commit_callbacks,
        "r2.xlsx",
        report_country="KE",
        report_convention="cites",
    )

    assert again.state == State.DONE and len(again.created) == 3
    assert not Entry.objects.filter(action="seizures.import_mapping_asked", object_id=str(again.pk)).exists()
    page = signed_in(cast.focal_point).get(f"/seizures/import/{again.pk}/").content.decode()
    assert "Read through the columns your organisation confirmed for earlier files" in page
    assert "“Qty seized” → <code>quantity</code>" in page and "“Detecting agency” → left out" in page


def test_another_organisations_file_still_asks(cast, waiting, django_capture_on_commit_callbacks):
    map_columns(cast.member, waiting, confirmed_choices(), django_capture_on_commit_callbacks)

    theirs = import_through_page(
        cast.other_focal_point,
        xlsx_file(cites_report()),
        django_capture_on_commit_callbacks,
        report_country="FR",
        report_convention="cites",
    )

    assert theirs.state == State.MAPPING and theirs.options["remembered"] == []
    assert not access.column_mappings_of(cast.other_focal_point).exists()
    page = signed_in(cast.other_focal_point).get(f"/seizures/import/{theirs.pk}/").content.decode()
    assert "your organisation confirmed" not in page
    # What they gave on the upload form is offered again, before what the title rows say.
    assert selected(page, "report_country") == "FR"


def test_a_column_mapped_twice_is_refused_and_the_choices_stay(cast, waiting, django_capture_on_commit_callbacks):
    response = map_columns(
        cast.member, waiting, confirmed_choices(**{f"column_{QUANTITY}": "code"}), django_capture_on_commit_callbacks
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "“code” is already given by the column “Nom scientifique (latin)”" in page
    assert selected(page, f"column_{SPECIES}") == "code" and selected(page, f"column_{QUANTITY}") == "code"
    assert selected(page, "report_country") == "KE"
    assert waiting.state == State.MAPPING and waiting.sealed is not None
    assert Seizure.objects.count() == 0 and not ColumnMapping.objects.exists()
    assert not Entry.objects.filter(action="seizures.import_mapped").exists()


def test_a_column_mapped_to_one_the_file_has_is_refused(cast, waiting, django_capture_on_commit_callbacks):
    response = map_columns(
        cast.member, waiting, confirmed_choices(**{f"column_{AGENCY}": "unit"}), django_capture_on_commit_callbacks
    )

    assert response.status_code == 400
    assert "“unit” is already given by a column the file already has" in response.content.decode()
    assert waiting.state == State.MAPPING and not ColumnMapping.objects.exists()


def test_a_required_field_still_missing_is_refused(cast, waiting, django_capture_on_commit_callbacks):
    response = map_columns(
        cast.member, waiting, confirmed_choices(report_country="", **{f"column_{SPECIES}": ""}),
        django_capture_on_commit_callbacks,
    )  # fmt: skip

    assert response.status_code == 400
    page = response.content.decode()
    assert "Every record needs “country”" in page and "Every record needs “code”" in page
    assert selected(page, f"column_{SPECIES}") == "" and selected(page, f"column_{QUANTITY}") == "quantity"
    assert selected(page, "report_country") == ""  # as chosen, not the suggestion again
    assert waiting.state == State.MAPPING and Seizure.objects.count() == 0 and not ColumnMapping.objects.exists()


def test_values_for_the_whole_file_fill_every_row(cast, django_capture_on_commit_callbacks):
    # No date column at all: the date given once goes to every record, as the Party does.
    report = cites_report()
    cells = [*report[:4], *(row[1:] for row in report[4:])]
    job = import_through_page(cast.member, xlsx_file(cells), django_capture_on_commit_callbacks)
    assert job.state == State.MAPPING
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    # The year is said, not turned into a date: a day nobody wrote would be a plausible default, not a fact.
    assert "The title rows give the year 2025" in page
    assert re.search(r'<input type="date" name="report_date"(?![^>]*value)[^>]*>', page)
    choices = {
        f"column_{SPECIES - 1}": "code",
        f"column_{QUANTITY - 1}": "quantity",
        f"column_{AGENCY - 1}": "",
        "report_country": "KE",
        "report_convention": "cites",
        "report_date": "2025-12-31",
    }

    map_columns(cast.member, job, choices, django_capture_on_commit_callbacks)

    assert job.state == State.DONE and len(job.created) == 3
    made = Seizure.objects.filter(pk__in=job.created)
    assert {(str(seizure.occurred_on), seizure.country) for seizure in made} == {("2025-12-31", "KE")}
    assert {line.convention for seizure in made for line in seizure.lines.all()} == {"cites"}


def test_a_value_for_the_whole_file_does_not_replace_a_column(cast, django_capture_on_commit_callbacks):
    # Every column recognised: the file goes straight through, its own countries kept.
    cells = table([{"country": "Kenya"}, {"country": "Tanzania"}])
    job = import_through_page(
        cast.member, csv_file(cells), django_capture_on_commit_callbacks, report_country="UG", report_convention="basel"
    )

    assert job.state == State.DONE
    made = Seizure.objects.filter(pk__in=job.created)
    assert sorted(seizure.country for seizure in made) == ["KE", "TZ"]
    assert {line.convention for seizure in made for line in seizure.lines.all()} == {"cites"}


def test_only_the_importer_sees_or_answers_the_mapping_step(cast, waiting):
    for someone in (cast.focal_point, cast.other_focal_point, cast.administrator, cast.observer):
        client = signed_in(someone)
        missing = client.get(f"/seizures/import/{waiting.pk + 1000}/")
        theirs = client.get(f"/seizures/import/{waiting.pk}/")
        assert theirs.status_code == missing.status_code == 404
        assert unkeyed(theirs.content) == unkeyed(missing.content)
        answer = client.post(f"/seizures/import/{waiting.pk}/mapping/", confirmed_choices())
        assert answer.status_code == 404
        assert unkeyed(answer.content) == unkeyed(client.post("/seizures/import/999999/mapping/", {}).content)
    waiting.refresh_from_db()
    assert waiting.state == State.MAPPING and not ColumnMapping.objects.exists()


def test_the_mapping_is_a_csrf_protected_post(cast, waiting):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.member)

    assert strict.post(f"/seizures/import/{waiting.pk}/mapping/", confirmed_choices()).status_code == 403
    assert signed_in(cast.member).get(f"/seizures/import/{waiting.pk}/mapping/").status_code == 405
    waiting.refresh_from_db()
    assert waiting.state == State.MAPPING


def test_a_second_answer_changes_nothing(cast, waiting, django_capture_on_commit_callbacks):
    map_columns(cast.member, waiting, confirmed_choices(), django_capture_on_commit_callbacks)

    response = map_columns(
        cast.member, waiting, confirmed_choices(**{f"column_{QUANTITY}": ""}), django_capture_on_commit_callbacks
    )

    assert response.status_code == 302 and waiting.state == State.DONE
    assert ColumnMapping.objects.get(header="qty seized").column == "quantity"
    assert Entry.objects.filter(action="seizures.import_mapped").count() == 1


def test_a_column_of_names_is_refused_not_mapped(cast):
    header = ["date", "country", "convention", "code", "Suspect", "Qty seized"]

    job = run_job(cast.member, csv_file([header, ["2025-03-14", "KE", "cites", "Loxodonta africana", "X", "1"]]))

    assert job.state == State.REFUSED


def test_a_missing_column_no_mapping_can_give_is_refused(cast):
    # No species column, and no column left to map to it: only a changed file puts it right.
    job = run_job(cast.member, csv_file([["date", "country", "convention"], ["2025-03-14", "KE", "cites"]]))

    assert job.state == State.REFUSED
    assert [(problem["column"], problem["message"]) for problem in job.problems] == [
        ("code", "The column “code” is missing: every record needs it.")
    ]


def test_a_file_missing_only_its_party_asks_for_it(cast, django_capture_on_commit_callbacks):
    cells = [["Party: Kenya"], ["date", "convention", "code"], ["2025-03-14", "cites", "Loxodonta africana"]]
    job = import_through_page(cast.member, csv_file(cells), django_capture_on_commit_callbacks)
    assert job.state == State.MAPPING
    page = signed_in(cast.member).get(f"/seizures/import/{job.pk}/").content.decode()
    assert selected(page, "report_country") == "KE" and "Columns not recognised" not in page

    map_columns(cast.member, job, {"report_country": "KE"}, django_capture_on_commit_callbacks)

    assert job.state == State.DONE and Seizure.objects.get(pk__in=job.created).country == "KE"
    assert not ColumnMapping.objects.exists()


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Nom scientifique (latin)", "code"),
        ("Qty seized", "quantity"),
        ("Date of seizure (dd/mm/yyyy)", "date"),
        ("Alleged country of origin", "origin_country"),
        ("Country(ies) of transit", "transit_countries"),
        ("Location of incident", "place"),
        ("Colour of the truck", ""),
        ("Detecting agency", ""),
    ],
)
def test_a_header_is_suggested_its_closest_column(header, column):
    assert import_columns.suggestion(header) == column


@pytest.mark.parametrize(
    ("titles", "hints"),
    [
        ([["CITES ANNUAL ILLEGAL TRADE REPORT"], ["Party:", "Kenya"], ["Year of report:", "2025"]],
         {"convention": "cites", "country": "KE", "year": "2025"}),
        ([["Party: Côte d'Ivoire"], ["Année : 2024"]], {"country": "CI", "year": "2024"}),
        ([["Rapport annuel 2025 — Kenya"]], {}),
    ],
)  # fmt: skip
def test_the_title_rows_suggest_values_for_the_whole_file(titles, hints):
    assert import_columns.title_hints(titles) == hints


def test_the_report_values_are_what_the_form_cleaned():
    from datetime import date

    assert import_mapping.report_values({"report_country": "KE", "report_date": date(2025, 1, 2)}) == {
        "country": "KE",
        "date": "2025-01-02",
    }


def test_the_action_refuses_anyone_but_the_importer(cast, waiting):
    proposal = import_mapping.proposal(waiting)
    assert proposal is not None
    form = import_mapping.MappingForm(confirmed_choices(), proposal=proposal)
    assert form.is_valid(), form.errors

    for someone in (cast.focal_point, cast.other_focal_point):
        with pytest.raises(actions.Refused):
            import_jobs.confirm_mapping(request=None, person=someone, job=waiting, form=form)

    waiting.refresh_from_db()
    assert waiting.state == State.MAPPING and not ColumnMapping.objects.exists()
