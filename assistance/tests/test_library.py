"""An answered request becomes a library item (best practice) with the asker's consent only."""

import pytest

from assistance import access, actions
from assistance.tests.builders import answered
from library.access import items_visible_to
from messaging.models import Audience, Marking


def test_it_needs_the_askers_consent(cast, expert):
    found = answered(cast.member, expert)
    with pytest.raises(actions.Refused, match="consented"):
        actions.publish_to_library(request=None, person=expert, found=found)
    found = actions.close(request=None, asker=cast.member, found=found, useful=True, consent=False)
    with pytest.raises(actions.Refused):
        actions.publish_to_library(request=None, person=cast.member, found=found)


def test_it_publishes_a_best_practice_with_the_requests_audience(cast, expert):
    found = answered(
        cast.member,
        expert,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home, cast.secretariat],
        marking=Marking.AMBER,
    )
    found = actions.close(request=None, asker=cast.member, found=found, useful=True, consent=True)
    item = actions.publish_to_library(request=None, person=expert, found=found)
    assert item.kind == "best_practice"
    assert item.marking == Marking.AMBER and item.audience == Audience.ORGANISATIONS
    assert set(item.audience_organisations.all()) == {cast.home, cast.secretariat}
    assert items_visible_to(cast.member).filter(pk=item.pk).exists()
    assert not items_visible_to(cast.other_focal_point).filter(pk=item.pk).exists()
    found.refresh_from_db()
    assert found.library_item == item
    assert not access.can_publish_to_library(cast.member, found)  # once only


def test_only_the_asker_or_the_expert_publishes(cast, expert):
    found = answered(cast.member, expert)
    found = actions.close(request=None, asker=cast.member, found=found, useful=True, consent=True)
    with pytest.raises(actions.Refused):
        actions.publish_to_library(request=None, person=cast.focal_point, found=found)
