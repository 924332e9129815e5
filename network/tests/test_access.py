"""Who sees a network and what they may do in it (network/access.py), through the pages and the actions."""

import re
from datetime import date

import pytest
from django.utils import timezone

from conftest import signed_in
from network import access, actions
from network.models import Activity, Membership, Status
from network.tests.builders import build, draft


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def activity(cast, net):
    return actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))


def _pages(net, activity) -> list[str]:
    base = f"/network/{net.network.short_name}"
    return [
        f"{base}/",
        f"{base}/roadmap/",
        f"{base}/roadmap/?as_of=2020-10-01&compare=2020-01-01",
        f"{base}/roadmap.xlsx",
        f"{base}/repository/",
        f"{base}/activities/{activity.pk}/",
        f"{base}/activities/new/",
        f"{base}/activities/{activity.pk}/edit/",
    ]


def test_it_shows_the_network_to_its_members_observers_secretariat_and_administrators(cast, net, activity):
    for person in (cast.member, cast.focal_point, cast.observer, net.watcher, net.clerk, cast.administrator):
        client = signed_in(person)
        assert client.get("/network/ENFORCE/").status_code == 200, person
        assert client.get(f"/network/ENFORCE/activities/{activity.pk}/").status_code == 200, person
        assert "ENFORCE" in client.get("/network/").content.decode()


def test_it_answers_an_outsider_404_everywhere(cast, net, activity):
    client = signed_in(cast.other_focal_point)
    for url in _pages(net, activity):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/network/ENFORCE/activities/{activity.pk}/comment/", {"body": "hello"}).status_code == 404
    assert "ENFORCE" not in client.get("/network/").content.decode()
    assert not activity.comments.exists()


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", content)


def test_it_answers_forbidden_exactly_like_missing(cast, net, activity):
    client = signed_in(cast.other_focal_point)
    pairs = [
        ("/network/ENFORCE/", "/network/NOSUCH/"),
        (f"/network/ENFORCE/activities/{activity.pk}/", "/network/ENFORCE/activities/999999/"),
        ("/network/ENFORCE/roadmap.xlsx", "/network/NOSUCH/roadmap.xlsx"),
    ]
    for forbidden, missing in pairs:
        one, other = client.get(forbidden), client.get(missing)
        assert one.status_code == other.status_code == 404
        assert _without_tokens(one.content) == _without_tokens(other.content)


def test_it_hides_an_activity_of_another_network_behind_this_networks_address(cast, net, activity):
    second = build(cast, short_name="REGIONAL")
    Membership.objects.filter(network=second.network, organisation=cast.home).delete()
    client = signed_in(cast.member)
    assert client.get(f"/network/REGIONAL/activities/{activity.pk}/").status_code == 404
    assert client.get("/network/REGIONAL/").status_code == 404


def test_it_closes_the_network_to_an_organisation_that_has_left(cast, net, activity):
    Membership.objects.filter(network=net.network, organisation=cast.home).update(left_on=timezone.localdate())
    assert signed_in(cast.member).get("/network/ENFORCE/").status_code == 404
    assert not access.activities_visible_to(cast.member).exists()


def test_it_shows_nothing_to_inactive_people(cast, net, activity):
    for person in (cast.requested, cast.suspended):
        assert not access.networks_visible_to(person).exists()
        assert access.standing(person, net.network) is None


def test_it_lets_members_propose_and_observers_only_comment(cast, net):
    assert access.can_propose(cast.member, net.network)
    assert not access.can_propose(net.watcher, net.network)  # observer organisation
    assert not access.can_propose(cast.observer, net.network)  # observer role
    assert access.can_comment(net.watcher, net.network) and access.can_comment(cast.observer, net.network)
    assert signed_in(net.watcher).get("/network/ENFORCE/activities/new/").status_code == 404
    with pytest.raises(actions.Refused):
        actions.propose_activity(request=None, person=net.watcher, network=net.network, draft=draft(cast))
    with pytest.raises(actions.Refused):
        actions.propose_activity(request=None, person=cast.observer, network=net.network, draft=draft(cast))
    assert not Activity.objects.exists()


def test_it_lets_an_observer_comment(cast, net, activity):
    response = signed_in(net.watcher).post(
        f"/network/ENFORCE/activities/{activity.pk}/comment/", {"body": "We can help."}
    )
    assert response.status_code == 302
    assert activity.comments.get().body == "We can help."


def test_it_lets_members_update_only_what_their_organisation_leads_or_they_proposed(cast, net, activity):
    theirs = actions.propose_activity(
        request=None,
        person=net.clerk,
        network=net.network,
        draft=draft(cast, title="WCO workshop", leads=[cast.secretariat]),
    )
    assert access.can_edit(cast.focal_point, activity)  # led by KRA
    assert not access.can_edit(cast.focal_point, theirs)
    assert signed_in(cast.focal_point).get(f"/network/ENFORCE/activities/{theirs.pk}/edit/").status_code == 404
    with pytest.raises(actions.Refused):
        actions.update_activity(request=None, person=cast.focal_point, activity=theirs, draft=draft(cast, title="Mine"))
    assert access.can_edit(net.clerk, activity)  # the secretariat edits everything


def test_it_leaves_approval_to_the_secretariat(cast, net, activity):
    # A member cannot move a proposal on, even by calling the action directly.
    with pytest.raises(actions.Invalid) as refused:
        actions.update_activity(
            request=None, person=cast.member, activity=activity, draft=draft(cast, status=Status.PLANNED)
        )
    assert "status" in refused.value.errors
    with pytest.raises(actions.Invalid):
        actions.propose_activity(
            request=None, person=cast.member, network=net.network, draft=draft(cast, title="B", status=Status.ONGOING)
        )
    actions.update_activity(request=None, person=net.clerk, activity=activity, draft=draft(cast, status=Status.PLANNED))
    activity.refresh_from_db()
    assert activity.status == Status.PLANNED
    # Once approved, the member moves it on, but never back to proposed.
    actions.update_activity(
        request=None, person=cast.member, activity=activity, draft=draft(cast, status=Status.ONGOING)
    )
    with pytest.raises(actions.Invalid):
        actions.update_activity(
            request=None, person=cast.member, activity=activity, draft=draft(cast, status=Status.PROPOSED)
        )


def test_it_leaves_membership_and_publishing_to_the_secretariat(cast, net):
    for person in (cast.member, cast.focal_point, net.watcher):
        assert not access.can_manage(person, net.network)
        with pytest.raises(actions.Refused):
            actions.publish(request=None, person=person, network=net.network, as_of=date(2026, 10, 1))
        with pytest.raises(actions.Refused):
            actions.add_membership(
                request=None,
                person=person,
                network=net.network,
                draft=actions.MembershipDraft(standing="member", joined_on=date(2026, 1, 1), organisation=cast.other),
            )
        assert signed_in(person).get("/network/ENFORCE/members/new/").status_code == 404
    assert access.can_manage(net.clerk, net.network) and access.can_manage(cast.administrator, net.network)
    assert not access.can_manage(cast.observer, net.network)


def test_it_lets_only_administrators_open_networks(cast, net):
    assert signed_in(net.clerk).get("/network/new/").status_code == 404
    assert signed_in(cast.administrator).get("/network/new/").status_code == 200
    with pytest.raises(actions.Refused):
        actions.open_network(
            request=None, person=net.clerk, name="X", short_name="X", mandate="", secretariat=cast.home
        )
