"""The home page says how many requests wait for the person, counted over what they may read; the navigation
links to the tracker."""

from django.urls import reverse

from assistance.tests.builders import ask
from conftest import signed_in
from messaging.models import Audience, Marking


def test_the_home_page_counts_requests_waiting_for_the_expert(cast, expert):
    ask(cast.member, experts=[expert])
    page = signed_in(expert).get(reverse("home"))
    assert b"1 request for assistance is waiting for you." in page.content
    assert reverse("assistance:tracker").encode() in page.content


def test_the_count_leaves_out_a_request_the_person_may_no_longer_read(cast, expert):
    found = ask(
        cast.member, experts=[expert], audience=Audience.ORGANISATIONS, organisations=[cast.home, cast.secretariat],
        marking=Marking.AMBER,
    )  # fmt: skip
    found.thread.audience_organisations.set([cast.home])  # narrowed after the invitation
    page = signed_in(expert).get(reverse("home"))
    assert b"waiting for you" not in page.content
