"""Outputs of completed activities: library items (only those the reader may read, never a restricted item's
title), participants trained by country and sex, lessons; recorded by whoever may edit the activity, only once
it is completed, audited with references only, all or nothing; shown on the activity page and in the repository."""

from datetime import date

import pytest

from audit.models import Entry
from conftest import signed_in
from library.tests import builders as library_builders
from messaging.models import Audience, Marking
from network import actions, output_actions, output_selectors
from network.models import Lessons, Output, Status, Trained
from network.output_actions import OutputsDraft, TrainedRow
from network.tests.builders import build, draft

RED_TITLE = "Okapi horn courier names"


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def done(cast, net):
    """A completed training of the home organisation (KRA), proposed by its member."""
    period = {"starts_on": date(2024, 3, 1), "ends_on": date(2024, 3, 5)}
    made = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast, **period))
    return actions.update_activity(
        request=None, person=net.clerk, activity=made,
        draft=draft(cast, status=Status.COMPLETED, **period),
    )  # fmt: skip


@pytest.fixture
def manual(cast):
    return library_builders.publish(cast.member, title="Manual for port officers on e-waste")


@pytest.fixture
def red(cast):
    """A TLP:RED item of Mohamed's for the focal point alone (and himself)."""
    return library_builders.publish(
        cast.member, title=RED_TITLE, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.focal_point]
    )


def _outputs(items=(), rows=(), lessons="") -> OutputsDraft:
    return OutputsDraft(items=[item.pk for item in items], trained=list(rows), lessons=lessons)


def test_a_member_records_what_a_completed_activity_produced(cast, net, done, manual):
    changed = output_actions.record_outputs(
        request=None, person=cast.member, activity=done,
        draft=_outputs([manual], [TrainedRow("KE", 12, 18, 0), TrainedRow("TZ", 3, 4, 2)], "Book the port early."),
    )  # fmt: skip
    assert changed
    shown = output_selectors.outputs_of(cast.observer, done)
    assert [item.title for item in shown.items] == ["Manual for port officers on e-waste"]
    assert [(row.country, row.women, row.men, row.not_reported) for row in shown.trained] == [
        ("KE", 12, 18, 0), ("TZ", 3, 4, 2)
    ]  # fmt: skip
    assert (shown.women, shown.men, shown.not_reported, shown.total) == (15, 22, 2, 39)
    assert shown.lessons is not None and shown.lessons.text == "Book the port early."
    entry = Entry.objects.get(action="network.outputs_recorded")
    assert entry.changes == {"network": net.network.pk, "items_added": [manual.pk], "trained_countries": ["KE", "TZ"],
                             "trained_total": 39, "lessons": "changed"}  # fmt: skip
    # The same again changes nothing and records nothing.
    again = output_actions.record_outputs(
        request=None, person=cast.member, activity=done,
        draft=_outputs([manual], [TrainedRow("TZ", 3, 4, 2), TrainedRow("KE", 12, 18, 0)], "Book the port early."),
    )  # fmt: skip
    assert not again and Entry.objects.filter(action="network.outputs_recorded").count() == 1
    # A correction: Tanzania's row goes, Kenya's numbers change, the manual is unlinked.
    corrected = _outputs([], [TrainedRow("KE", 13, 18, 0)], "Book the port early.")
    output_actions.record_outputs(request=None, person=cast.focal_point, activity=done, draft=corrected)
    assert list(Trained.objects.filter(activity=done).values_list("country", "women")) == [("KE", 13)]
    assert not Output.objects.filter(activity=done).exists()
    latest = Entry.objects.filter(action="network.outputs_recorded").order_by("-pk").first()
    assert latest is not None and latest.changes["items_removed"] == [manual.pk]
    assert latest.changes["trained_countries"] == ["KE", "TZ"] and "lessons" not in latest.changes


def test_only_a_completed_activity_takes_outputs(cast, net, manual):
    planned = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    with pytest.raises(actions.Invalid) as refused:
        output_actions.record_outputs(request=None, person=cast.member, activity=planned,
                                      draft=_outputs([manual], [TrainedRow("KE", 1, 1, 0)]))  # fmt: skip
    assert "completed" in refused.value.errors["__all__"]
    assert not Output.objects.exists() and not Trained.objects.exists()


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ([TrainedRow("XX", 1, 1, 0)], "Unknown country codes: XX"),
        ([TrainedRow("KE", -1, 3, 0)], "cannot be negative"),
        ([TrainedRow("KE", 0, 0, 0)], "at least one number"),
        ([TrainedRow("KE", 1, 0, 0), TrainedRow("KE", 0, 2, 0)], "Each country once"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_half_saved(cast, done, manual, rows, says):
    with pytest.raises(actions.Invalid) as refused:
        given = _outputs([manual], rows, "Lessons that must not be saved alone.")
        output_actions.record_outputs(request=None, person=cast.member, activity=done, draft=given)
    assert says in refused.value.errors["trained"]
    assert not Output.objects.exists() and not Trained.objects.exists() and not Lessons.objects.exists()
    assert not Entry.objects.filter(action="network.outputs_recorded").exists()


def test_an_item_the_person_may_not_read_is_refused_like_a_missing_one(cast, net, done, red):
    for item_id in (red.pk, 999_999):
        with pytest.raises(actions.Invalid) as refused:
            output_actions.record_outputs(request=None, person=net.clerk, activity=done,
                                          draft=OutputsDraft(items=[item_id]))  # fmt: skip
        assert refused.value.errors == {"items": "Choose items of the library that you may read."}
    assert not Output.objects.exists()


def test_a_restricted_item_is_shown_only_to_its_readers_and_kept_by_others_saves(cast, net, done, red, manual):
    output_actions.record_outputs(request=None, person=cast.member, activity=done, draft=_outputs([red, manual]))
    assert [i.title for i in output_selectors.outputs_of(cast.focal_point, done).items] == [RED_TITLE, manual.title]
    for reader in (cast.observer, cast.administrator, net.watcher):
        assert [i.title for i in output_selectors.outputs_of(reader, done).items] == [manual.title]
        page = signed_in(reader).get(f"/network/ENFORCE/activities/{done.pk}/").content.decode()
        assert manual.title in page and RED_TITLE not in page
        listed = signed_in(reader).get("/network/ENFORCE/repository/").content.decode()
        assert manual.title in listed and RED_TITLE not in listed
    # The secretariat, who may not read the RED item, saves the outputs: its link is neither shown nor removed.
    form = signed_in(cast.administrator).get(f"/network/ENFORCE/activities/{done.pk}/outputs/").content.decode()
    assert RED_TITLE not in form and manual.title in form
    output_actions.record_outputs(request=None, person=cast.administrator, activity=done, draft=_outputs([]))
    assert list(Output.objects.filter(activity=done).values_list("item_id", flat=True)) == [red.pk]


def test_the_outputs_page_records_them_through_the_form(cast, net, done, manual):
    client = signed_in(cast.focal_point)
    url = f"/network/ENFORCE/activities/{done.pk}/outputs/"
    assert client.get(url).status_code == 200
    data = {"items": [manual.pk], "country_1": "KE", "women_1": "7", "men_1": "9", "not_reported_1": "",
            "country_2": "", "women_2": "", "lessons": "Train the trainers first."}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith(f"/activities/{done.pk}/#outputs")
    page = client.get(f"/network/ENFORCE/activities/{done.pk}/").content.decode()
    assert "Manual for port officers on e-waste" in page and "Train the trainers first." in page
    assert "Kenya" in page and "Record the outputs" in page
    listed = signed_in(cast.observer).get("/network/ENFORCE/repository/").content.decode()
    assert "16 participants trained: 7 women, 9 men, 0 not reported" in listed
    # Numbers without a country, and a negative number: a clear message by the field; what was typed is kept.
    bad = client.post(url, {**data, "country_2": "", "women_2": "4", "men_1": "-3", "lessons": "Kept."})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Choose the country of these participants." in body and "Kept." in body
    assert Trained.objects.get(activity=done).men == 9


def test_who_may_record_outputs(cast, net, done):
    url = f"/network/ENFORCE/activities/{done.pk}/outputs/"
    # Observers (by role, or of an observer organisation) and people outside the network: as if it did not exist.
    for person in (cast.observer, net.watcher, cast.other_focal_point):
        assert signed_in(person).get(url).status_code == 404
        with pytest.raises(output_actions.Refused):
            output_actions.record_outputs(request=None, person=person, activity=done, draft=OutputsDraft())
    assert (
        "Record the outputs"
        not in signed_in(cast.observer).get(f"/network/ENFORCE/activities/{done.pk}/").content.decode()
    )
    for person in (cast.member, cast.focal_point, net.clerk, cast.administrator):
        assert signed_in(person).get(url).status_code == 200


def test_a_page_of_an_activity_not_completed_says_why_no_outputs(cast, net):
    planned = actions.propose_activity(request=None, person=cast.member, network=net.network, draft=draft(cast))
    client = signed_in(cast.member)
    assert "Record the outputs" not in client.get(f"/network/ENFORCE/activities/{planned.pk}/").content.decode()
    url = f"/network/ENFORCE/activities/{planned.pk}/outputs/"
    assert "mark it completed first" in client.get(url).content.decode()
    refused = client.post(url, {"country_1": "KE", "women_1": "1", "lessons": "Too early."})
    assert refused.status_code == 400 and "mark it completed first" in refused.content.decode()
    assert not Trained.objects.exists() and not Lessons.objects.exists()
