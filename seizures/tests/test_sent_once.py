"""A seizure record sent twice with its one-time submission key (its answer lost on a slow link) is filed
once, and the second send lands on the first record (environet/submissions.py)."""

import re

import pytest

from conftest import signed_in
from seizures.models import Seizure
from seizures.tests.builders import record_form

pytestmark = pytest.mark.django_db


def test_a_record_sent_twice_with_its_key_is_filed_once(cast):
    officer = signed_in(cast.member)
    page = officer.get("/seizures/new/").content.decode()
    found = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert found, "the form carries no submission key"
    key = found[1]
    first = officer.post("/seizures/new/", {**record_form(), "submission_key": key})
    again = officer.post("/seizures/new/", {**record_form(), "submission_key": key})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Seizure.objects.count() == 1
