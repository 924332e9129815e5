"""Membership: who was in the network on a date, history kept, changes by the secretariat only."""

from datetime import date

import pytest

from audit.models import Entry
from conftest import make_person, signed_in
from network import actions, selectors
from network.models import Membership, Standing
from network.tests.builders import build


@pytest.fixture
def net(cast):
    return build(cast)


def test_it_answers_who_was_a_member_on_a_date(cast, net):
    network = net.network
    on = lambda day: {str(m) for m in selectors.members_on(network, day)}  # noqa: E731
    assert on(date(2013, 4, 30)) == set()
    assert on(date(2013, 5, 1)) == {"KRA"}
    assert on(date(2016, 1, 1)) == {"KRA", "EIA"}
    membership = Membership.objects.get(network=network, organisation=cast.home)
    actions.update_membership(request=None, person=net.clerk, membership=membership, left_on=date(2020, 1, 1),
                              decision="BC-11/8", focal_points=[cast.focal_point])  # fmt: skip
    # Joining again as an observer is a new row: the history keeps both.
    actions.add_membership(request=None, person=net.clerk, network=network,
                           draft=actions.MembershipDraft(standing=Standing.OBSERVER, joined_on=date(2021, 6, 1),
                                                         organisation=cast.home))  # fmt: skip
    assert on(date(2019, 12, 31)) == {"KRA", "EIA"}
    assert on(date(2020, 1, 1)) == {"EIA"}
    assert [m.standing for m in selectors.members_on(network, date(2022, 1, 1)) if m.organisation == cast.home] == [
        "observer"
    ]
    assert Membership.objects.filter(network=network, organisation=cast.home).count() == 2


def test_the_network_page_shows_members_and_observers_on_the_chosen_date(cast, net):
    expert = make_person("eva@expert.example", "Eva Expert", cast.other)
    actions.add_membership(request=None, person=net.clerk, network=net.network,
                           draft=actions.MembershipDraft(standing=Standing.MEMBER, joined_on=date(2024, 1, 1),
                                                         expert=expert, decision="ENFORCE-6"))  # fmt: skip
    client = signed_in(cast.member)
    old = client.get("/network/ENFORCE/?as_of=2014-01-01").content.decode()
    assert (
        "Kenya Revenue Authority" in old and "Environmental Investigation Agency" not in old and "Eva Expert" not in old
    )
    now = client.get("/network/ENFORCE/").content.decode()
    assert "Environmental Investigation Agency" in now and "Eva Expert" in now
    # The named expert sees the network, as long as they are in it.
    assert signed_in(expert).get("/network/ENFORCE/").status_code == 200
    assert signed_in(cast.other_focal_point).get("/network/ENFORCE/").status_code == 404


def test_it_refuses_overlapping_memberships_and_impossible_dates(cast, net):
    bad = [
        actions.MembershipDraft(standing="member", joined_on=date(2020, 1, 1), organisation=cast.home),
        actions.MembershipDraft(
            standing="member", joined_on=date(2020, 1, 1), left_on=date(2019, 1, 1), organisation=cast.other
        ),
        actions.MembershipDraft(standing="member", joined_on=date(2020, 1, 1)),
    ]
    for draft in bad:
        with pytest.raises(actions.Invalid):
            actions.add_membership(request=None, person=net.clerk, network=net.network, draft=draft)
    assert Membership.objects.filter(network=net.network).count() == 2


def test_the_secretariat_records_memberships_from_the_page(cast, net):
    client = signed_in(net.clerk)
    response = client.post(
        "/network/ENFORCE/members/new/",
        {"organisation": cast.other.pk, "standing": "observer", "joined_on": "2025-06-01", "decision": "ENFORCE-7",
         "focal_points": [cast.other_focal_point.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    added = Membership.objects.get(network=net.network, organisation=cast.other)
    assert list(added.focal_points.all()) == [cast.other_focal_point] and added.decision == "ENFORCE-7"
    entry = Entry.objects.get(action="network.membership_added")
    assert entry.changes["membership"] == added.pk and entry.object_type == "network.network"
    # Ending it from its page.
    response = client.post(f"/network/ENFORCE/members/{added.pk}/", {"left_on": "2026-01-01", "decision": "ENFORCE-7"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.left_on == date(2026, 1, 1)
    bad = client.post(f"/network/ENFORCE/members/{added.pk}/", {"left_on": "2020-01-01"})
    assert bad.status_code == 400 and "must be after the date joined" in bad.content.decode()


def test_the_terms_of_reference_are_stored_encrypted_and_downloaded_by_the_network_only(cast, net, settings, tmp_path):
    settings.ATTACHMENTS_DIR = str(tmp_path)
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = b"Terms of reference of ENFORCE: the network meets yearly.\n"
    client = signed_in(net.clerk)
    response = client.post(
        "/network/ENFORCE/edit/",
        {"name": net.network.name, "mandate": "New mandate", "terms": SimpleUploadedFile("tor.txt", text)},
    )
    assert response.status_code == 302
    on_disk = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()]
    assert len(on_disk) == 1 and b"ENFORCE" not in on_disk[0]
    download = signed_in(net.watcher).get("/network/ENFORCE/terms/")
    assert download.status_code == 200 and download.content == text
    assert download["X-Content-Type-Options"] == "nosniff"
    assert signed_in(cast.other_focal_point).get("/network/ENFORCE/terms/").status_code == 404
    assert Entry.objects.filter(action="network.terms_downloaded").count() == 1


def test_an_administrator_opens_a_network(cast, net):
    client = signed_in(cast.administrator)
    data = {"name": "Regional network", "short_name": "REN", "mandate": "", "secretariat": cast.other.pk}
    response = client.post("/network/new/", data)
    assert response.status_code == 302 and response["Location"] == "/network/REN/"
    for taken in ("ENFORCE", "enforce", "new"):
        refused = client.post("/network/new/", {**data, "short_name": taken})
        assert refused.status_code == 400 and 'value="Regional network"' in refused.content.decode()
    # The other organisation runs it, so its focal point sees it; nobody has joined yet.
    assert signed_in(cast.other_focal_point).get("/network/REN/").status_code == 200
    assert signed_in(cast.member).get("/network/REN/").status_code == 404


def test_a_network_opened_with_its_terms_keeps_them_encrypted(cast, net, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from network.models import Network

    settings.ATTACHMENTS_DIR = str(tmp_path)
    data = {"name": "Regional network", "short_name": "REN", "secretariat": cast.secretariat.pk,
            "terms": SimpleUploadedFile("tor.txt", b"Terms of the regional network.\n")}  # fmt: skip
    assert signed_in(cast.administrator).post("/network/new/", data).status_code == 302
    assert Network.objects.get(short_name="REN").terms.count() == 1
    assert signed_in(net.clerk).get("/network/REN/terms/").content == b"Terms of the regional network.\n"
