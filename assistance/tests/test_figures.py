"""Figures for administrators: asked, answered, within the deadline, median time, per topic and region; only
over what they may read."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assistance import selectors
from assistance.models import Request
from assistance.tests.builders import answered, ask
from conftest import signed_in
from messaging.models import Audience, Marking


def test_it_counts_for_administrators_only(cast, expert):
    found = answered(cast.member, expert, region="africa")
    assert found.answered_at is not None
    Request.objects.filter(pk=found.pk).update(created_at=found.answered_at - timedelta(hours=6))
    late = answered(cast.member, expert)
    assert late.answered_at is not None
    Request.objects.filter(pk=late.pk).update(
        created_at=late.answered_at - timedelta(hours=30), deadline=timezone.localdate() - timedelta(days=1)
    )
    ask(cast.member)
    assert selectors.figures(person=cast.member) is None
    shown = selectors.figures(person=cast.administrator)
    assert shown is not None
    everything, *rest = shown
    assert (everything.asked, everything.answered, everything.within_deadline, everything.median_hours) == (
        3, 2, 1, 18.0,
    )  # fmt: skip
    labels = [row.label for row in rest]
    assert labels == ["B Wildlife (fauna and flora)", "Africa"]
    page = signed_in(cast.administrator).get(reverse("assistance:tracker"))
    assert b"Median time to an answer" in page.content
    assert b"Median time to an answer" not in signed_in(cast.member).get(reverse("assistance:tracker")).content


def test_it_leaves_out_what_the_administrator_may_not_read(cast, expert):
    ask(cast.member, audience=Audience.ORGANISATIONS, organisations=[cast.home], marking=Marking.AMBER)
    shown = selectors.figures(person=cast.administrator)
    assert shown is not None
    [everything] = shown
    assert everything.asked == 0
