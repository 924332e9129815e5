"""Proposing and updating activities: the forms, bad input, the dated history, comments and the audit trail."""

import json

import pytest

from audit.models import Entry
from conftest import signed_in
from network import actions, history
from network.models import Activity, ActivityChange, Comment, Status
from network.tests.builders import build, draft, form_data


@pytest.fixture
def net(cast):
    return build(cast)


def test_it_adds_a_proposed_activity_from_the_form(cast, net):
    response = signed_in(cast.member).post("/network/ENFORCE/activities/new/", form_data(cast))
    made = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/network/ENFORCE/activities/{made.pk}/"
    assert made.status == Status.PROPOSED and made.countries == ["KE", "TZ"] and made.regions == ["014"]
    assert list(made.leads.all()) == [cast.home]
    change = made.changes.get()
    assert change.created and change.by == cast.member and change.changes["title"] == [None, made.title]
    page = signed_in(net.watcher).get(f"/network/ENFORCE/activities/{made.pk}/").content.decode()
    assert made.title in page and "Kenya" in page and "Western Africa" not in page and "Eastern Africa" in page


def _refused(client, data, field_message: str):
    before = (Activity.objects.count(), ActivityChange.objects.count(), Entry.objects.count())
    response = client.post("/network/ENFORCE/activities/new/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert field_message in page, page
    assert "Nothing was saved" in page
    # The draft is kept: what was typed comes back in the form.
    assert 'value="A typed title to keep"' in page
    assert (Activity.objects.count(), ActivityChange.objects.count(), Entry.objects.count()) == before
    return page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"starts_on": "2027-03-05", "ends_on": "2027-03-01"},
            "The planned end (2027-03-01) is before the planned start",
        ),
        ({"countries": "KE, XQ, Narnia"}, "Unknown country codes: NARNIA, XQ"),
        ({"amount": "25000"}, "An amount needs its currency"),
        ({"amount": "25000", "currency": "EUX"}, "EUX is not an ISO 4217 currency code"),
        ({"leads": []}, "This field is required"),
    ],
)
def test_it_refuses_bad_input_clearly_and_keeps_the_draft(cast, net, fields, message):
    _refused(signed_in(cast.member), form_data(cast, title="A typed title to keep", **fields), message)


def test_it_refuses_a_duplicate_submission_and_keeps_the_draft(cast, net):
    client = signed_in(cast.member)
    assert (
        client.post("/network/ENFORCE/activities/new/", form_data(cast, title="A typed title to keep")).status_code
        == 302
    )
    # The same title (spacing and case aside), lead and start: sent twice.
    page = _refused(
        client,
        form_data(cast, title="A typed title to keep", description="Other words"),
        "already has an activity with this title, lead organisation and planned start",
    )
    assert "Other words" in page
    again = form_data(cast, title="a  TYPED title to keep")
    assert client.post("/network/ENFORCE/activities/new/", again).status_code == 400
    # Another start is another activity.
    later = form_data(cast, title="A typed title to keep", starts_on="2027-04-01", ends_on="")
    assert client.post("/network/ENFORCE/activities/new/", later).status_code == 302


def test_the_action_refuses_bad_input_whatever_its_caller(cast, net):
    from datetime import date
    from decimal import Decimal

    cases = {
        "ends_on": draft(cast, starts_on=date(2027, 5, 1), ends_on=date(2027, 4, 1)),
        "countries": draft(cast, countries=["ZZ"]),
        "regions": draft(cast, regions=["999"]),
        "currency": draft(cast, amount=Decimal(10)),
    }
    for field, bad in cases.items():
        with pytest.raises(actions.Invalid) as refused:
            actions.propose_activity(request=None, person=cast.member, network=net.network, draft=bad)
        assert field in refused.value.errors
    assert not Activity.objects.exists() and not ActivityChange.objects.exists()


def test_it_records_each_change_dated_and_attributed(cast, net):
    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    client = signed_in(net.clerk)
    response = client.post(
        f"/network/ENFORCE/activities/{made.pk}/edit/",
        form_data(cast, status="planned", countries="KE, TZ, UG", amount="12000", currency="usd", funding="sought"),
    )
    assert response.status_code == 302
    change = made.changes.order_by("pk").last()
    assert change is not None
    assert change.by == net.clerk and not change.created
    assert change.changes["status"] == ["proposed", "planned"]
    assert change.changes["countries"] == [["KE", "TZ"], ["KE", "TZ", "UG"]]
    assert change.changes["amount"] == [None, "12000.00"] and change.changes["currency"] == ["", "USD"]
    assert "title" not in change.changes
    page = signed_in(cast.member).get(f"/network/ENFORCE/activities/{made.pk}/").content.decode()
    assert "Carla Clerk" in page and "Proposed → Planned" in page and "IATI activity status 1" in page
    # Saving what is already there records nothing.
    before = ActivityChange.objects.count()
    client.post(
        f"/network/ENFORCE/activities/{made.pk}/edit/",
        form_data(cast, status="planned", countries="KE, TZ, UG", amount="12000", currency="usd", funding="sought"),
    )
    assert ActivityChange.objects.count() == before


def test_the_history_is_append_only(cast, net):
    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    change = made.changes.get()
    change.changes = {}
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()


def test_the_audit_trail_holds_references_not_content(cast, net):
    made = actions.propose_activity(
        request=None, person=cast.member, network=net.network, draft=draft(cast, title="Operation Secret Heron")
    )
    edited = draft(cast, title="Operation Secret Heron II", description="Confidential plan")
    actions.update_activity(request=None, person=net.clerk, activity=made, draft=edited)
    actions.comment(request=None, person=net.watcher, activity=made, body="Sensitive remark about Heron")
    entries = list(Entry.objects.filter(action__startswith="network."))
    assert {entry.action for entry in entries} >= {
        "network.activity_proposed",
        "network.activity_changed",
        "network.comment_added",
    }
    stored = json.dumps([[e.object_label, e.changes, e.object_type, e.object_id] for e in entries])
    assert "Heron" not in stored and "Confidential" not in stored and "Sensitive" not in stored
    changed = next(e for e in entries if e.action == "network.activity_changed")
    assert changed.object_type == "network.activity" and changed.object_id == str(made.pk)
    assert changed.changes == {"fields": ["description", "title"]}


def test_the_audit_trail_names_an_activity_only_for_those_who_may_see_it(cast, net):
    from audit import labels

    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    entry = Entry.objects.get(action="network.activity_proposed")
    assert labels.show(cast.administrator, [entry])[0].label == made.title
    shown = labels.show(cast.other_focal_point, [entry])[0]
    assert shown.restricted and made.title not in shown.label


def test_the_audit_trail_says_the_fields_changed_in_words(cast, net):
    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    actions.update_activity(
        request=None, person=net.clerk, activity=made, draft=draft(cast, status="planned", description="Other words")
    )
    cast.administrator.language = "fr"
    cast.administrator.save(update_fields=["language"])
    page = signed_in(cast.administrator).get("/audit/", {"action": "network.activity_changed"}).content.decode()
    # Two field names once read as an [old, new] pair: "description → status".
    assert "<strong>Champs modifiés</strong>: Description, Statut" in page
    assert "<strong>Statut</strong>: Proposée → Planifiée" in page
    assert "description →" not in page and "→ status" not in page


def test_it_refuses_an_empty_comment_and_keeps_nothing(cast, net):
    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    response = signed_in(cast.observer).post(f"/network/ENFORCE/activities/{made.pk}/comment/", {"body": "  "})
    assert response.status_code == 400 and not Comment.objects.exists()


def test_state_of_matches_what_was_saved(cast, net):
    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    state = history.state_of(made)
    assert state["leads"] == [cast.home.pk] and state["starts_on"] == "2027-03-01" and state["amount"] is None


def test_it_refuses_a_contact_person_from_outside_the_network(cast, net):
    with pytest.raises(actions.Invalid) as refused:
        actions.propose_activity(request=None, person=cast.member, network=net.network,
                                 draft=draft(cast, contact=cast.other_focal_point))  # fmt: skip
    assert "contact" in refused.value.errors
    made = actions.propose_activity(request=None, person=cast.member, network=net.network,
                                    draft=draft(cast, contact=cast.focal_point))  # fmt: skip
    assert made.contact == cast.focal_point
    page = signed_in(cast.member).get("/network/ENFORCE/activities/new/").content.decode()
    assert "Fatou Focal" in page and "Oscar Other" not in page
