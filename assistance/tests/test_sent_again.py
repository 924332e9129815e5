"""A form or a button sent again: a request for assistance sent twice with its one-time key is opened once
(environet/submissions.py), and accepting a request already accepted says so on the request's page instead of
"page not found"; the rule of missing and forbidden alike stays for whoever could never accept it."""

import re

import pytest
from django.urls import reverse

from assistance import access, actions
from assistance.models import Request, State
from assistance.tests.builders import ask
from assistance.tests.conftest import expert_in
from assistance.tests.test_pages import _form as page_form
from assistance.tests.test_pages import _topic_ids
from conftest import signed_in
from messaging.models import Thread

pytestmark = pytest.mark.django_db


def _form(**fields):
    return _topic_ids(page_form(**fields))  # the pages' form, its topics by id as the page sends them


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


@pytest.fixture
def colleague(cast):
    """A second expert on wildlife (topic B), who may take up the same requests."""
    return expert_in(cast.secretariat, "carl@wco.example", "Carl Colleague")


def _accept(person, found):
    client = signed_in(person)
    response = client.post(reverse("assistance:accept", args=[found.pk]))
    return response, client


def test_accepting_again_lands_on_the_request_saying_it_is_accepted_already(cast, expert):
    found = ask(cast.member, experts=[expert])
    first, client = _accept(expert, found)
    assert first.status_code == 302
    again = client.post(reverse("assistance:accept", args=[found.pk]), follow=True)
    assert again.status_code == 200
    assert again.redirect_chain == [(reverse("assistance:request", args=[found.pk]), 302)]
    assert b"You have already accepted this request." in again.content
    found.refresh_from_db()
    assert found.state == State.ACCEPTED and found.expert == expert
    assert found.history.filter(state=State.ACCEPTED).count() == 1


def test_accepting_what_a_colleague_accepted_first_says_so(cast, expert, colleague):
    found = ask(cast.member, experts=[expert, colleague])
    assert _accept(colleague, found)[0].status_code == 302
    response, client = _accept(expert, found)
    assert response.status_code == 302 and response["Location"] == reverse("assistance:request", args=[found.pk])
    page = client.get(response["Location"])
    assert b"Another expert has already accepted this request." in page.content
    found.refresh_from_db()
    assert found.expert == colleague


def test_a_colleague_accepting_between_the_page_and_the_click_is_said_too(cast, expert, colleague, monkeypatch):
    found = ask(cast.member, experts=[expert, colleague])
    real = actions.accept

    def colleague_first(*, request, expert, found):
        real(request=None, expert=colleague, found=found)
        return real(request=request, expert=expert, found=found)

    monkeypatch.setattr(actions, "accept", colleague_first)
    response, client = _accept(expert, found)
    assert response.status_code == 302
    assert b"Another expert has already accepted this request." in client.get(response["Location"]).content


def test_a_request_withdrawn_is_said_to_be_closed_to_experts(cast, expert):
    found = ask(cast.member, experts=[expert])
    actions.withdraw(request=None, asker=cast.member, found=found)
    response, client = _accept(expert, found)
    assert response.status_code == 302
    assert b"This request is no longer open to experts." in client.get(response["Location"]).content


def test_who_could_never_accept_still_meets_page_not_found(cast, expert, colleague, far_expert):
    found = ask(cast.member, experts=[expert])
    assert _accept(expert, found)[0].status_code == 302
    # A wildlife expert not invited (not open to all), the asker, a reader who is not an expert, an outsider.
    for person in (colleague, cast.member, cast.observer, far_expert):
        assert _accept(person, found)[0].status_code == 404, person
    assert access.accept_refusal(colleague, found) == ""
    hidden = ask(cast.member, experts=[expert], marking="red", audience="people", people=[expert])
    actions.accept(request=None, expert=expert, found=hidden)
    client = signed_in(colleague)
    missing = client.post(reverse("assistance:accept", args=[10**6]))
    forbidden = client.post(reverse("assistance:accept", args=[hidden.pk]))
    assert forbidden.status_code == missing.status_code == 404
    assert _drawn_apart(forbidden.content) == _drawn_apart(missing.content)


def _drawn_apart(page: bytes) -> bytes:
    """A page without what each answer draws afresh (its script nonce, its masked CSRF tokens)."""
    return re.sub(rb'(nonce|name="csrf-token" content|name="csrfmiddlewaretoken" value)="[^"]+"', b"", page)
