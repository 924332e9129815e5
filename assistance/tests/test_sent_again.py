"""A form sent again: a request for assistance sent twice with its one-time key is opened once
(environet/submissions.py)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import Request
from conftest import signed_in
from messaging.models import Thread
from topics.models import Topic

pytestmark = pytest.mark.django_db


def _form(**fields):
    data = {
        "subject": "Rosewood logs: which species?",
        "question": "Logs declared as *Pterocarpus*.",
        "topics": [Topic.objects.get(code="E").pk],
        "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "urgency": "urgent",
        "marking": "green",
        "audience": "network",
    }
    data.update(fields)
    return data


def test_it_opens_a_request_sent_twice_with_its_key_once(cast):
    client = signed_in(cast.member)
    page = client.get(reverse("assistance:new")).content.decode()
    found = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert found, "the form carries no one-time key"
    threads = Thread.objects.count()
    first = client.post(reverse("assistance:new"), _form(submission_key=found[1]))
    again = client.post(reverse("assistance:new"), _form(submission_key=found[1]))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("assistance:request", args=[Request.objects.get().pk])
    assert Thread.objects.count() == threads + 1  # one conversation, not two


def test_a_refused_form_keeps_its_key_so_the_corrected_send_opens_one_request(cast):
    client = signed_in(cast.member)
    key = "k" * 32
    refused = client.post(reverse("assistance:new"), _form(deadline="", submission_key=key))
    assert refused.status_code == 400 and f'value="{key}"' in refused.content.decode()
    assert client.post(reverse("assistance:new"), _form(submission_key=key)).status_code == 302
    assert client.post(reverse("assistance:new"), _form(submission_key=key)).status_code == 302
    assert Request.objects.count() == 1
