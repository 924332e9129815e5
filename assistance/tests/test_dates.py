"""A deadline or an expert's return mistyped far ahead (9999-12-31) is refused with a sentence, what was typed
kept and nothing saved: a deadline at most a year from today, and an absence said for at most a year (it can
be changed later). The forms say it; the actions refuse on their own too."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance import actions
from assistance.models import Availability, ExpertProfile, Request
from assistance.tests.builders import ask
from conftest import signed_in
from topics.models import Topic

pytestmark = pytest.mark.django_db

FAR = "9999-12-31"


def _form(**fields):
    data = {
        "subject": "Rosewood logs: which species?",
        "question": "Logs declared as *Pterocarpus*.",
        "topics": [Topic.objects.get(code="E").pk],
        "deadline": FAR,
        "urgency": "urgent",
        "marking": "green",
        "audience": "network",
    }
    data.update(fields)
    return data


def test_a_deadline_years_ahead_is_refused_keeping_the_draft(cast):
    response = signed_in(cast.member).post(reverse("assistance:new"), _form())
    assert response.status_code == 400
    page = response.content.decode()
    assert "The deadline cannot be more than a year from today: check the year." in page
    assert 'value="Rosewood logs: which species?"' in page and f'value="{FAR}"' in page
    assert not Request.objects.exists()


def test_a_deadline_within_a_year_is_taken(cast):
    within = (timezone.localdate() + timedelta(days=360)).isoformat()
    assert signed_in(cast.member).post(reverse("assistance:new"), _form(deadline=within)).status_code == 302


def test_the_action_refuses_a_far_deadline_on_its_own(cast):
    with pytest.raises(actions.Refused, match="more than a year from today"):
        ask(cast.member, deadline=date(9999, 12, 31))
    assert not Request.objects.exists()


def test_away_until_years_ahead_is_refused_keeping_what_was_typed(cast, expert):
    response = signed_in(expert).post(
        reverse("assistance:profile"), {"areas": ["ivory"], "availability": "away", "away_until": FAR}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say a date within a year from today (check the year); you can change it later." in page
    assert f'value="{FAR}"' in page and 'value="ivory" id="id_areas_0" checked' in page
    assert not ExpertProfile.objects.exists()
    with pytest.raises(actions.Refused):
        actions.update_profile(
            request=None, expert=expert, areas=[], availability=Availability.AWAY, away_until=date(9999, 12, 31)
        )
    assert not ExpertProfile.objects.exists()
