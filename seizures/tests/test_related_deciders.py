"""A related record is told to whoever decides for the organisation's own record: its officer, or the
organisation's focal points when the officer is gone or the record was filed by a national system through the
organisation's service token (whose identity is never told anything)."""

import pytest

from accounts import actions as accounts_actions
from accounts.models import Person
from messaging.models import Event
from seizures.tests.builders import company, file, line

pytestmark = pytest.mark.django_db


def related_to_a_french_record(kenyan_officer, cast, capture) -> None:
    file(kenyan_officer, share=True, capture=capture, containers=["CSQU3054383"], involved=[company("Acme Ltd")])
    file(
        cast.other_focal_point,
        share=True,
        capture=capture,
        containers=["CSQU3054383"],
        involved=[company("ACME LTD")],
        country="FR",
        lines=[line("cites", "Manis gigantea")],
    )


def told(someone) -> list[str]:
    return list(Event.objects.filter(kind="notice", person=someone).values_list("data__about", flat=True))


def test_a_record_filed_by_the_organisations_service_token_is_told_to_its_focal_points(
    cast, django_capture_on_commit_callbacks
):
    identity = accounts_actions.service_identity_of(
        request=None, actor=cast.focal_point, organisation=cast.member.organisation
    )
    related_to_a_french_record(identity, cast, django_capture_on_commit_callbacks)
    assert told(cast.focal_point) == ["seizure.related"]
    assert told(identity) == []
    assert told(cast.member) == []  # a member of the organisation does not decide for the record


def test_a_record_whose_officer_is_gone_is_told_to_the_focal_points(cast, django_capture_on_commit_callbacks):
    related_to_a_french_record(cast.member, cast, django_capture_on_commit_callbacks)
    assert told(cast.member) == ["seizure.related"]
    Event.objects.filter(kind="notice").delete()
    Person.objects.filter(pk=cast.member.pk).update(state=Person.State.SUSPENDED)
    related_to_a_french_record(cast.focal_point, cast, django_capture_on_commit_callbacks)  # a second pair
    assert "seizure.related" in told(cast.focal_point)
