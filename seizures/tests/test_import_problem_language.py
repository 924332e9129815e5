"""An import's problems are said in the language of whoever reads them, not of whoever's task checked the file:
the job keeps each message as its parts (seizures/problem_words.py) and says it when the page is shown."""

import html

import pytest
from django.utils import translation

from conftest import signed_in
from environet import crypto
from seizures import import_jobs, import_refusals, problem_words
from seizures.models import ImportJob
from seizures.tests.test_import import csv_file, run_job, table
from seizures.tests.test_import_partial import refused_sheet

pytestmark = pytest.mark.django_db
State = ImportJob.State


def page_in(person, language: str, job: ImportJob) -> str:
    person.language = language
    person.save(update_fields=["language"])
    return html.unescape(signed_in(person).get(f"/seizures/import/{job.pk}/").content.decode())


def test_a_rows_problems_follow_the_readers_language(cast):
    rows = [
        {"record": "A", "transport_mode": "by boat"},  # Django's own message, and what the column accepts
        {"record": "A", "place": "Mombasa"},
        {"record": "A", "place": "Nairobi"},  # the importer's own message, with a row number
        {"record": "B", "date": "31/02/2026"},  # Django's own message, wrapped by the importer's
        {"record": "C", "hs_code": "9999.99"},  # the record form's message, with the cell as written
    ]
    job = run_job(cast.member, csv_file(table(rows)))  # checked in English, the officer's language then
    assert job.state == State.REFUSED
    assert any("Select a valid choice" in problem["message"] for problem in job.problems)

    page = page_in(cast.member, "es", job)

    assert "Escoja una opción válida. by boat no es una de las opciones disponibles. Valores aceptados:" in page
    assert "La fila 3 del mismo registro indica aquí otro valor." in page
    assert "Introduzca una fecha válida. Escríbala como 2026-10-01 o 01/10/2026." in page
    assert "«9999.99» no es una subpartida del SA 2022" in page
    for english in ("Select a valid choice", "Accepted:", "says something else", "Enter a valid date", "Write it as"):
        assert english not in page
    assert "HS 2022 subheading" not in page


def test_the_files_own_problems_follow_the_readers_language(cast):
    cells = [["date", "contry", "company_name", "convention", "code"], ["2026-10-01", "KE", "X", "cites", "Loxodonta"]]
    job = run_job(cast.member, csv_file(cells))
    assert job.state == State.REFUSED and len(job.problems) == 3

    page = page_in(cast.member, "fr", job)

    assert "ENVIRONET ne reconnaît pas cette colonne" in page and "Vouliez-vous dire « country »" in page
    assert "est manquante" in page
    assert "does not know this column" not in page and "Names of persons" not in page and "is missing" not in page


def test_the_choices_made_on_the_page_follow_the_readers_language(cast):
    job = run_job(cast.member, csv_file(table([{}])), marking="red", audience="people", people=[])
    assert job.problems[0]["message"] == "Named people: Name at least one person."

    assert "Personnes désignées\u00a0: Indiquez au moins une personne." in page_in(cast.member, "fr", job)


def test_an_unreadable_file_is_said_in_the_readers_language(cast):
    job = run_job(cast.member, csv_file([["colour", "size"], ["red", "big"]]))
    assert job.state == State.REFUSED and "The first row must name the columns" in job.problems[0]["message"]

    page = page_in(cast.member, "fr", job)

    assert "La première ligne doit indiquer le nom des colonnes" in page and "The first row" not in page


def test_the_problems_not_listed_are_counted_in_the_readers_language(cast, monkeypatch):
    monkeypatch.setattr("seizures.import_jobs.MAX_PROBLEMS", 1)
    job = run_job(cast.member, csv_file(table([{"date": "x"}, {"date": "y"}, {"date": "z"}])))
    assert job.problems[-1]["more"] == 2

    page = page_in(cast.member, "es", job)

    assert "Problemas adicionales no mostrados: 2." in page and "more problems are not listed" not in page


def test_a_job_kept_before_its_problems_had_parts_shows_its_text(cast):
    job = run_job(cast.member, csv_file(table([{"date": "x"}])))
    job.problems = [{"row": 2, "column": "date", "message": "Enter a valid date (kept as text)."}]
    job.save(update_fields=["problems"])

    assert "Enter a valid date (kept as text)." in page_in(cast.member, "es", job)


def test_the_refused_rows_are_written_in_the_downloaders_language(cast):
    rows = [{"record": "A"}, {"record": "B", "date": "31/02/2026"}]  # A passes, B does not: the rows come back
    job = run_job(cast.member, csv_file(table(rows)))  # checked in English
    assert job.state == State.CHOOSING and job.refused_rows is not None
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])

    sheet = refused_sheet(cast.member, job)

    assert sheet[0][-1] == "problème"
    assert sheet[1][-1] == "date\u00a0: Saisissez une date valide. Écrivez-la sous la forme 2026-10-01 ou 01/10/2026."


def test_refused_rows_kept_as_a_spreadsheet_download_as_they_are(cast):
    job = run_job(cast.member, csv_file(table([{"record": "A"}, {"record": "B", "date": "x"}])))
    kept = import_refusals.to_xlsx(header=["date"], refused=[], marking="green")
    job.refused_rows = crypto.seal(kept, context=f"import-refused:{job.pk}")
    job.save(update_fields=["refused_rows"])

    assert import_jobs.refused_rows(job) == kept


# --- Messages the forms and the audience rule used to finish in the checker's language ---------------------


def said_in(language: str, job: ImportJob) -> list[str]:
    """The job's problems as a reader in ``language`` reads them."""
    with translation.override(language):
        return [problem["message"] for problem in problem_words.problems_now(job.problems)]


def test_an_unknown_code_and_its_suggestion_follow_the_readers_language(cast):
    job = run_job(cast.member, csv_file(table([{"record": "A", "code": "Loxodonta africanus"}])))  # in English
    assert job.state == State.REFUSED
    assert "Did you mean:" in job.problems[0]["message"]

    [message] = said_in("fr", job)

    assert message.startswith(
        "«\u00a0Loxodonta africanus\u00a0» ne figure pas dans la table ENVIRONET «\u00a0Espèces inscrites aux annexes "
        "de la CITES\u00a0». Vouliez-vous dire\u00a0: Loxodonta africana"
    )
    assert message.endswith(
        "\u00a0? Un taxon absent de la liste peut être indiqué sous son genre ou sa famille "
        "(par exemple «\u00a0Psittaciformes spp.\u00a0»)."
    )
    for english in ("is not in ENVIRONET's list", "CITES-listed", "Did you mean", "A taxon not in the list"):
        assert english not in message


def test_a_container_numbers_problem_follows_the_readers_language(cast):
    job = run_job(cast.member, csv_file(table([{"containers": "MSCU1234566, CSQU3054384, CSQX3054383"}])))
    assert job.problems[0]["message"].startswith("CSQU3054384: The check digit should be 3, not 4")

    assert said_in("es", job) == [
        "CSQU3054384: El dígito de control debería ser 3, no 4: es posible que se haya escrito mal un carácter.",
        "CSQX3054383: La cuarta letra debe ser U, J o Z, no X.",
    ]
    assert said_in("fr", job)[1] == "CSQX3054383\u00a0: La quatrième lettre doit être U, J ou Z, et non X."


def test_a_quantity_that_is_not_one_number_follows_the_readers_language(cast):
    rows = [{"record": "A", "quantity": "200-300", "unit": "kg"}, {"record": "B", "quantity": "300+", "unit": "kg"}]
    job = run_job(cast.member, csv_file(table(rows)))
    assert [problem["message"][:24] for problem in job.problems] == [
        "“200-300” is a range: gi",
        "“300+” is not one number",
    ]

    assert said_in("fr", job) == [
        "« 200-300 » est une fourchette : indiquez un seul nombre et cochez « approximatif » (dans un tableur, "
        "écrivez « approx. » devant le nombre).",
        "« 300+ » n’est pas un nombre : indiquez le nombre saisi et cochez « approximatif » s’il n’est pas exact "
        "(dans un tableur, écrivez « approx. » devant le nombre).",
    ]


def test_named_people_who_are_not_members_follow_the_readers_language(cast):
    job = run_job(cast.member, csv_file(table([{}])), marking="red", audience="people", people=[cast.suspended.pk])
    assert job.problems[0]["message"] == "Named people: No active member has these addresses: sam@kra.example"

    assert said_in("fr", job) == [
        "Personnes désignées\u00a0: Aucun membre actif ne correspond à ces adresses\u00a0: sam@kra.example"
    ]


@pytest.mark.parametrize(
    ("marking", "spanish"),
    [
        ("red", "TLP:RED es solo para personas designadas: elija «Personas designadas»"),
        ("amber_strict", "TLP:AMBER+STRICT es solo para la organización del destinatario: elija"),
    ],
)
def test_a_marking_its_audience_may_not_have_follows_the_readers_language(cast, marking, spanish):
    job = run_job(cast.member, csv_file(table([{}])), marking=marking, audience="network")
    assert job.problems[0]["message"].startswith(f"Who may read it: TLP:{marking.upper().replace('_', '+')} is for")

    [message] = said_in("es", job)

    assert message.startswith(f"Quién puede leerlo: {spanish}")
    assert " is for " not in message
