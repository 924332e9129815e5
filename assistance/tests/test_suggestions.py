"""Matching experts are suggested, best first, each with why; the directory filters."""

from datetime import timedelta

from django.utils import timezone

from assistance import actions, selectors
from assistance.models import Availability, ExpertProfile
from assistance.tests.builders import ask
from assistance.tests.conftest import expert_in
from messaging.models import Audience, Marking


def test_it_suggests_the_matching_expert_with_reasons(cast, expert, far_expert):
    ExpertProfile.objects.create(person=expert, areas=",pangolin,ivory,")
    found = ask(cast.member, languages=["fr"], region="africa")
    [suggestion] = selectors.suggestions(found=found)
    assert suggestion.expert == expert
    reasons = " | ".join(suggestion.reasons)
    assert "Topics: B Wildlife" in reasons
    assert "CITES" in reasons
    assert "Pangolin scales and meat" in reasons
    assert "Languages: French" in reasons
    assert "Africa" in reasons
    assert "Available" in reasons


def test_it_ranks_closer_matches_first(cast, expert):
    other = expert_in(cast.secretariat, "oli@wco.example", "Oli Other", conventions=[], languages=["es"], regions=[])
    ExpertProfile.objects.create(person=expert, areas=",pangolin,")
    found = ask(cast.member)
    assert [s.expert for s in selectors.suggestions(found=found)] == [expert, other]


def test_it_leaves_out_experts_away_beyond_the_deadline(cast, expert):
    ExpertProfile.objects.create(
        person=expert, availability=Availability.AWAY, away_until=timezone.localdate() + timedelta(days=30)
    )
    assert selectors.suggestions(found=ask(cast.member)) == []


def test_it_keeps_experts_back_before_the_deadline_and_says_limited(cast, expert):
    ExpertProfile.objects.create(person=expert, availability=Availability.LIMITED)
    [suggestion] = selectors.suggestions(found=ask(cast.member))
    assert "Limited availability" in suggestion.reasons


def test_it_does_not_suggest_the_asker_the_invited_or_those_outside_the_audience(cast, expert):
    asker_expert = expert_in(cast.home, "asha@kra.example", "Asha Asker")
    found = ask(asker_expert, audience=Audience.ORGANISATIONS, organisations=[cast.home], marking=Marking.AMBER)
    assert selectors.suggestions(found=found) == []  # the expert's organisation is outside the audience
    invited = ask(cast.member, experts=[expert])
    assert expert not in [s.expert for s in selectors.suggestions(found=invited)]


def test_it_suggests_anyone_matching_for_named_people_who_join_when_invited(cast, expert):
    found = ask(cast.member, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.focal_point])
    assert [s.expert for s in selectors.suggestions(found=found)] == [expert]


def test_the_directory_filters_by_every_field(cast, expert, far_expert):
    ExpertProfile.objects.create(person=expert, areas=",ivory,")
    find = selectors.Filters

    def names(filters):
        return [e.full_name for e, _p in selectors.directory(person=cast.member, filters=filters)]

    assert names(find()) == ["Emma Expert", "Wes Waste"]
    assert names(find(area="ivory")) == ["Emma Expert"]
    assert names(find(convention="basel")) == ["Wes Waste"]
    assert names(find(topic="B")) == ["Emma Expert"]
    assert names(find(language="en")) == ["Emma Expert"]
    assert names(find(region="africa")) == ["Emma Expert"]
    assert names(find(text="douane")) == []
    assert names(find(text="DGDDI")) == []
    assert names(find(text="French")) == ["Wes Waste"]


def test_the_directory_can_show_the_available_only(cast, expert, far_expert):
    actions.update_profile(
        request=None,
        expert=expert,
        areas=[],
        availability=Availability.AWAY,
        away_until=timezone.localdate() + timedelta(days=3),
    )
    found = selectors.directory(person=cast.member, filters=selectors.Filters(available_only=True))
    assert [e for e, _p in found] == [far_expert]
