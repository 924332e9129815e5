"""Coordination flags (network/coordination.py, raised by network.actions): likely duplicates, the same funder
sought and the same lead at the same time; who sees them, what they say, and how the secretariat resolves them."""

from datetime import date

import pytest
from django.utils import translation

from audit.models import Entry
from conftest import make_person, signed_in
from environet import notices
from messaging.models import Event
from network import access, actions, coordination
from network.models import Flag, FlagKind, FlagStep, Membership, Resolution, Standing, Status
from network.tests.builders import build, draft

TEXT = "Two days in class on detecting illegal e-waste shipments and a day at the port."


@pytest.fixture
def net(cast):
    return build(cast)


def propose(cast, net, person=None, **fields):
    return actions.propose_activity(
        request=None, person=person or cast.member, network=net.network, draft=draft(cast, **fields)
    )


def pair(cast, net, **other):
    """A KRA training, and a secretariat one of the same type, in the same countries, at the same time, said in
    the same words: a likely duplicate (different leads, so no lead flag; no funding sought)."""
    one = propose(cast, net, description=TEXT, funding_source="")
    values = {"title": "Port training", "leads": [cast.secretariat], "description": TEXT, "funding_source": "", **other}
    two = propose(cast, net, person=net.clerk, **values)
    return one, two


def kinds(net) -> set[str]:
    return set(Flag.objects.filter(network=net.network).values_list("kind", flat=True))


# --- The rules ---------------------------------------------------------------------------------------


def test_it_flags_a_likely_duplicate_on_saving(cast, net):
    one, two = pair(cast, net)

    flag = Flag.objects.get()
    assert (flag.kind, flag.first, flag.second) == (FlagKind.DUPLICATE, one, two)
    assert [step.what for step in flag.steps.all()] == [FlagStep.What.RAISED]


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "workshop"},  # another type
        {"countries": ["FR", "BE"]},  # no country in common
        {"starts_on": date(2027, 3, 6), "ends_on": date(2027, 3, 9)},  # after the other ends
        {"description": "A study of the routes taken by refrigerant gas cylinders through Asian ports."},
        {"status": Status.CANCELLED},  # not live
    ],
)
def test_it_does_not_flag_what_differs_in_one_rule(cast, net, change):
    pair(cast, net, **change)

    assert not Flag.objects.exists()


def test_it_compares_descriptions_as_sets_of_words(cast, net):
    # Worked by hand: the shared words "alpha beta" against "alpha beta gamma" give the best Indel ratio,
    # 1 − 6/26 = 76.9 %, so 77 (rapidfuzz's token-set ratio); the same words in another order and case are 100.
    one = propose(cast, net, description="alpha beta gamma")
    other = propose(cast, net, person=net.clerk, title="B", leads=[cast.secretariat], description="alpha beta delta")
    same = propose(cast, net, person=net.clerk, title="C", leads=[cast.secretariat], description="Gamma, ALPHA beta.")

    assert coordination.similarity(one, other) == 77
    assert coordination.similarity(one, same) == 100


def test_it_explains_a_duplicate_in_words(cast, net):
    one = propose(cast, net, description=TEXT, funding_source="", countries=["KE", "TZ", "UG"],
                  starts_on=date(2027, 5, 20), ends_on=date(2027, 7, 20))  # fmt: skip
    two = propose(cast, net, person=net.clerk, title="Port training", leads=[cast.secretariat], funding_source="",
                  description=TEXT.upper(), countries=["KE", "TZ", "UG", "RW"], starts_on=date(2027, 6, 10),
                  ends_on=date(2027, 8, 1))  # fmt: skip
    flag = Flag.objects.get(kind=FlagKind.DUPLICATE)

    assert coordination.explain(flag.kind, one, two) == (
        "same type, 3 of 4 countries shared, overlapping June–July 2027, description 100 % similar"
    )
    page = signed_in(net.clerk).get(f"/network/ENFORCE/flags/{flag.pk}/").content.decode()
    assert "Same type, 3 of 4 countries shared, overlapping June–July 2027, description 100 % similar." in page


def test_it_says_the_months_across_a_new_year_and_in_the_readers_language():
    assert coordination.months((date(2026, 12, 1), date(2027, 1, 31))) == "December 2026–January 2027"
    assert coordination.months((date(2027, 6, 1), date(2027, 6, 3))) == "June 2027"
    with translation.override("fr"):
        assert coordination.months((date(2027, 6, 1), date(2027, 7, 3))) == "juin–juillet 2027"


def test_it_flags_two_activities_seeking_the_same_funder_at_the_same_time(cast, net):
    one = propose(cast, net, funding="sought", funding_source="Demo donor A", kind="study", countries=["KE"])
    two = propose(cast, net, person=net.clerk, title="Other", leads=[cast.secretariat], kind="workshop",
                  countries=["FR"], funding="sought", funding_source=" demo  DONOR a ")  # fmt: skip

    assert kinds(net) == {FlagKind.FUNDER}
    assert coordination.explain(FlagKind.FUNDER, one, two) == (
        "both seek funding from Demo donor A, overlapping March 2027"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"funding": "secured"},
        {"funding_source": "Demo donor B"},
        {"starts_on": date(2028, 3, 1), "ends_on": date(2028, 3, 5)},
    ],
)
def test_it_does_not_flag_funding_that_does_not_compete(cast, net, change):
    propose(cast, net, funding="sought", funding_source="Demo donor A", kind="study", countries=["KE"])
    values = {"funding": "sought", "funding_source": "Demo donor A", **change}
    propose(cast, net, person=net.clerk, title="Other", leads=[cast.secretariat], kind="workshop",
            countries=["FR"], **values)  # fmt: skip

    assert not Flag.objects.exists()


def test_it_flags_the_same_lead_overlapping_in_time_and_not_one_after_the_other(cast, net):
    one = propose(cast, net, kind="study", countries=["KE"], funding_source="")
    two = propose(cast, net, title="Other", kind="workshop", countries=["FR"], funding_source="",
                  starts_on=date(2027, 3, 4), ends_on=date(2027, 4, 2))  # fmt: skip
    propose(cast, net, title="Later", kind="workshop", countries=["FR"], funding_source="",
            starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 2))  # fmt: skip

    flag = Flag.objects.get()
    assert (flag.kind, flag.first, flag.second) == (FlagKind.LEAD, one, two)
    assert coordination.explain(flag.kind, one, two) == "both led by KRA, overlapping March 2027"


def test_it_closes_a_flag_an_edit_makes_obsolete_and_keeps_its_history(cast, net):
    one, _two = pair(cast, net)
    flag = Flag.objects.get()

    changed = draft(cast, description="A study of refrigerant routes.", funding_source="")
    actions.update_activity(request=None, person=cast.member, activity=one, draft=changed)

    flag.refresh_from_db()
    assert not flag.is_open and flag.resolution == ""
    assert [step.what for step in flag.steps.all()] == [FlagStep.What.RAISED, FlagStep.What.LAPSED]


def test_the_secretariat_checks_the_whole_roadmap_on_demand(cast, net):
    pair(cast, net)
    FlagStep.objects.all().delete()  # as if the flags had never been raised
    Flag.objects.all().delete()

    client = signed_in(net.clerk)
    response = client.post("/network/ENFORCE/flags/check/", follow=True)

    assert "The roadmap has been checked: 1 new flag." in response.content.decode()
    assert kinds(net) == {FlagKind.DUPLICATE}
    assert "0 new flags" in client.post("/network/ENFORCE/flags/check/", follow=True).content.decode()
    with pytest.raises(actions.Refused):
        actions.check_roadmap(request=None, person=cast.member, network=net.network)


# --- Who sees flags, and the live notice -------------------------------------------------------------


@pytest.fixture
def other_member(cast, net):
    """DGDDI joins as a member: its people see the network, and no flag about others' activities."""
    Membership.objects.create(network=net.network, organisation=cast.other, standing=Standing.MEMBER,
                              joined_on=date(2020, 1, 1))  # fmt: skip
    return cast.other_focal_point


def test_it_shows_a_flag_to_the_leads_and_the_secretariat_only(cast, net, other_member):
    one, _two = pair(cast, net)
    flag = Flag.objects.get()

    for person in (cast.member, cast.focal_point, cast.observer, net.clerk, cast.administrator):
        assert access.can_see_flag(person, flag), person
        client = signed_in(person)
        assert client.get(f"/network/ENFORCE/flags/{flag.pk}/").status_code == 200
        assert "Likely duplicate" in client.get("/network/ENFORCE/flags/").content.decode()
        assert (
            f"/network/ENFORCE/flags/{flag.pk}/"
            in client.get(f"/network/ENFORCE/activities/{one.pk}/").content.decode()
        )
    for person in (other_member, net.watcher):
        client = signed_in(person)
        assert client.get("/network/ENFORCE/flags/").status_code == 200
        assert client.get(f"/network/ENFORCE/flags/{flag.pk}/").status_code == 404
        assert "Likely duplicate" not in client.get("/network/ENFORCE/flags/").content.decode()
        assert "Likely duplicate" not in client.get(f"/network/ENFORCE/activities/{one.pk}/").content.decode()


def test_it_answers_an_outsider_404_for_flags(cast, net):
    pair(cast, net)
    flag = Flag.objects.get()
    client = signed_in(cast.other_focal_point)

    assert client.get("/network/ENFORCE/flags/").status_code == 404
    forbidden, missing = client.get(f"/network/ENFORCE/flags/{flag.pk}/"), client.get("/network/ENFORCE/flags/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert client.post(f"/network/ENFORCE/flags/{flag.pk}/resolve/", {"reason": "joined_up"}).status_code == 404
    assert flag.steps.count() == 1


def test_it_tells_the_leads_and_the_secretariat_live_and_nobody_else(
    cast, net, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pair(cast, net)
    flag = Flag.objects.get()

    told = set(Event.objects.filter(kind="notice", data__about="network.flag").values_list("person", "data__flag"))
    people = {person for person, _flag in told}
    assert {_flag for _person, _flag in told} == {flag.pk}
    assert {cast.member.pk, cast.focal_point.pk, net.clerk.pk, cast.administrator.pk} <= people
    assert other_member.pk not in people and net.watcher.pk not in people
    assert set(Event.objects.filter(kind="notice").values_list("data", flat=True)[0]) == {"about", "flag"}


def test_it_words_the_notice_when_shown_from_the_activities_as_they_are(cast, net, other_member):
    one, _two = pair(cast, net)
    flag = Flag.objects.get()
    one.title = "Renamed training"
    one.save()

    shown = notices.render(cast.member, "network.flag", {"flag": flag.pk})
    assert shown == notices.Shown(
        text="ENFORCE: Likely duplicate: “Renamed training” and “Port training”.",
        url=f"/network/ENFORCE/flags/{flag.pk}/",
    )
    assert notices.render(other_member, "network.flag", {"flag": flag.pk}) is None
    Membership.objects.filter(network=net.network, organisation=cast.home).update(left_on=date.today())
    assert notices.render(cast.member, "network.flag", {"flag": flag.pk}) is None


def test_it_stores_no_words_of_the_activities_on_a_flag_or_in_the_audit(cast, net):
    pair(cast, net)
    Flag.objects.get()

    stored = {field.name for field in Flag._meta.get_fields() if field.concrete}
    assert stored == {"id", "network", "kind", "first", "second", "raised_at", "closed_at", "resolution"}
    entry = Entry.objects.get(action="network.flag_raised")
    assert entry.object_label == "" and "training" not in str(entry.changes).lower()


# --- Resolution --------------------------------------------------------------------------------------


def test_the_secretariat_resolves_a_flag_with_a_reason_kept_in_its_history(cast, net):
    one, _two = pair(cast, net)
    flag = Flag.objects.get()

    response = signed_in(net.clerk).post(
        f"/network/ENFORCE/flags/{flag.pk}/resolve/", {"reason": "other", "note": "Same trainers, two cohorts."}
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert not flag.is_open and flag.resolution == Resolution.OTHER
    step = flag.steps.get(what=FlagStep.What.RESOLVED)
    assert (step.what, step.by, step.reason, step.note) == (
        FlagStep.What.RESOLVED,
        net.clerk,
        "other",
        "Same trainers, two cohorts.",
    )
    page = signed_in(cast.member).get(f"/network/ENFORCE/flags/{flag.pk}/").content.decode()
    assert "Same trainers, two cohorts." in page and "Carla Clerk" in page
    assert Entry.objects.get(action="network.flag_resolved").changes == {"reason": "other"}
    # Saving again does not raise the resolved pair a second time.
    actions.update_activity(request=None, person=cast.member, activity=one,
                            draft=draft(cast, description=TEXT + " Updated.", funding_source=""))  # fmt: skip
    assert Flag.objects.count() == 1


def test_it_keeps_what_was_typed_and_saves_nothing_on_a_bad_resolution(cast, net):
    pair(cast, net)
    flag = Flag.objects.get()

    response = signed_in(net.clerk).post(f"/network/ENFORCE/flags/{flag.pk}/resolve/", {"reason": "other", "note": " "})
    assert response.status_code == 400
    assert "Say why in a few words" in response.content.decode()
    response = signed_in(net.clerk).post(
        f"/network/ENFORCE/flags/{flag.pk}/resolve/", {"reason": "bogus", "note": "kept"}
    )
    assert response.status_code == 400 and "kept" in response.content.decode()
    flag.refresh_from_db()
    assert flag.is_open and flag.steps.count() == 1


def test_only_the_secretariat_resolves_and_only_once(cast, net):
    pair(cast, net)
    flag = Flag.objects.get()

    assert signed_in(cast.focal_point).post(f"/network/ENFORCE/flags/{flag.pk}/resolve/",
                                            {"reason": "joined_up"}).status_code == 404  # fmt: skip
    with pytest.raises(actions.Refused):
        actions.resolve_flag(request=None, person=cast.member, flag=flag, reason="joined_up")
    clerk_observer = make_person("olga@wco.example", "Olga", cast.secretariat, role="observer")
    with pytest.raises(actions.Refused):
        actions.resolve_flag(request=None, person=clerk_observer, flag=flag, reason="joined_up")
    with pytest.raises(actions.Invalid):
        actions.resolve_flag(request=None, person=net.clerk, flag=flag, reason="other", note="")
    actions.resolve_flag(request=None, person=net.clerk, flag=flag, reason="joined_up")
    with pytest.raises(actions.Invalid) as refused:
        actions.resolve_flag(request=None, person=net.clerk, flag=flag, reason="not_duplicate")
    assert "already" in refused.value.errors["__all__"]
    assert flag.steps.count() == 2


def test_the_audit_trail_names_flags_and_meetings_only_for_those_who_may_see_them(cast, net, other_member):
    from audit import labels
    from network import meeting_actions

    pair(cast, net)
    flag = Flag.objects.get()
    meeting = meeting_actions.open_meeting(
        request=None, person=net.clerk, network=net.network,
        draft=meeting_actions.MeetingDraft(number="ENFORCE-7", title="Seventh", starts_on=date(2027, 1, 5),
                                           ends_on=date(2027, 1, 6), place="Geneva"),
    )  # fmt: skip
    kinds_ = labels.registered()

    assert kinds_["network.flag"].labels(cast.member, [flag.pk]) == {
        flag.pk: "Likely duplicate: Regional training on detecting illegal e-waste shipments / Port training"
    }
    assert kinds_["network.flag"].labels(other_member, [flag.pk]) == {}
    assert kinds_["network.flag"].labels(cast.other_focal_point, [flag.pk]) == {}
    assert kinds_["network.meeting"].labels(net.watcher, [meeting.pk]) == {meeting.pk: "ENFORCE-7: Seventh"}
    Membership.objects.filter(network=net.network, organisation=cast.other).delete()
    assert kinds_["network.meeting"].labels(cast.other_focal_point, [meeting.pk]) == {}
