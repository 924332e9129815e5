"""Guessing names at scale: saving persons and companies involved in many records, or changing them many
times, is slowed down per person (seizures.actions, SEIZURE_NOMINAL_SAVES_PER_HOUR), refused with a clear
message, and shown to administrators in the audit trail.

Matching is how records relate; a person who files draft after draft with guessed names, or edits one
draft's names again and again, is testing guesses. Drafts are told nothing of other organisations' records
(test_notifications), and this keeps the number of guesses small besides."""

import contextlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Throttle
from audit.models import Entry
from conftest import signed_in
from seizures import actions, nominal
from seizures.models import Seizure
from seizures.tests.builders import company, file, filing, post_record, record_id

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def limit(settings) -> None:
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = LIMIT


def throttled() -> list[Entry]:
    return list(Entry.objects.filter(action="seizure.nominal_saves_throttled").order_by("seq"))


def test_it_refuses_a_new_record_with_names_past_the_hourly_limit_in_the_action_itself(cast):
    for index in range(LIMIT):
        file(cast.member, involved=[company(f"Guess {index} Ltd")])

    with pytest.raises(actions.TooManyNominalSaves):
        file(cast.member, involved=[company("Guess Again Ltd")])

    assert Seizure.objects.count() == LIMIT
    [entry] = throttled()
    assert (entry.actor, entry.object_id, entry.subject_organisation) == (cast.member, str(cast.member.pk), cast.home)
    assert entry.changes == {"limit": LIMIT, "seconds": 3600}


def test_it_counts_only_records_that_name_someone_and_each_person_on_their_own(cast):
    for index in range(LIMIT):
        file(cast.member, involved=[company(f"Guess {index} Ltd")])

    file(cast.member)  # no persons or companies: nothing to guess with
    file(cast.focal_point, involved=[company("Guess Ltd")])  # a colleague has their own allowance

    assert Seizure.objects.count() == LIMIT + 2 and throttled() == []


def test_it_counts_changes_of_the_names_not_other_changes(cast):
    seizure = file(cast.member, involved=[company("First Guess Ltd")])
    for place in ("Mombasa", "Kilindini", "Nairobi", "Malindi"):
        actions.update_seizure(
            request=None, person=cast.member, seizure=seizure,
            filing=filing(place=place, involved=[company("First Guess Ltd")]),
        )  # fmt: skip
    for guess in ("Second Guess Ltd", "Third Guess Ltd"):
        actions.update_seizure(
            request=None, person=cast.member, seizure=seizure, filing=filing(involved=[company(guess)])
        )

    with pytest.raises(actions.TooManyNominalSaves):
        actions.update_seizure(
            request=None, person=cast.member, seizure=seizure, filing=filing(involved=[company("Fourth Guess Ltd")])
        )

    assert [nominal.unseal(entry).name for entry in seizure.nominal_entries.all()] == ["Third Guess Ltd"]
    assert len(throttled()) == 1


def test_it_lets_a_person_save_names_again_as_the_hour_goes_by(cast):
    for index in range(LIMIT):
        file(cast.member, involved=[company(f"Guess {index} Ltd")])
    Throttle.objects.update(updated_at=timezone.now() - timedelta(minutes=20))  # a third of an hour: one more

    file(cast.member, involved=[company("Patient Guess Ltd")])
    with pytest.raises(actions.TooManyNominalSaves):
        file(cast.member, involved=[company("Impatient Guess Ltd")])


def test_it_says_why_on_the_form_and_keeps_what_was_typed(cast):
    for index in range(LIMIT):
        record_id(post_record(cast.member, involved=[{"kind": "company", "role": "exporter", "name": f"G{index}"}]))

    response = post_record(cast.member, involved=[{"kind": "company", "role": "exporter", "name": "Guess Four Ltd"}])

    assert response.status_code == 429
    content = response.content.decode()
    assert f"takes at most {LIMIT} such saves an hour from one person" in content
    assert "Guess Four Ltd" in content  # kept in the form, to save later
    assert Seizure.objects.count() == LIMIT


def test_it_shows_administrators_who_was_slowed_down(cast):
    for index in range(LIMIT + 1):
        with contextlib.suppress(actions.TooManyNominalSaves):
            file(cast.member, involved=[company(f"Guess {index} Ltd")])

    trail = signed_in(cast.administrator).get("/audit/").content.decode()

    assert "Saving of persons involved slowed down" in trail
    assert "Guess" not in trail  # what was guessed is not kept anywhere


def test_it_says_why_on_the_edit_form(cast):
    seizure = file(cast.member, involved=[company("First Guess Ltd")])
    for index in range(LIMIT - 1):
        file(cast.member, involved=[company(f"Guess {index} Ltd")])
    path = f"/seizures/{seizure.pk}/edit/"

    response = post_record(cast.member, path, involved=[{"kind": "company", "name": "Second Guess Ltd"}])

    assert response.status_code == 429
    assert f"takes at most {LIMIT} such saves an hour from one person" in response.content.decode()
    assert [nominal.unseal(entry).name for entry in seizure.nominal_entries.all()] == ["First Guess Ltd"]
