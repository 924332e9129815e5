"""A newcomer hears about their organisation's topics from the start, not nothing: the invitation form ticks
the topics the organisation's people follow (the inviter's own for an organisation nobody follows anything
in yet), the inviter may change that, the newcomer follows them on the platform and in a daily email, and
the welcome page says so with a link to change it. An approved request starts the same way."""

import re

import pytest

from accounts.models import Organisation
from accounts.tests.helpers import link_in
from audit.models import Entry
from conftest import Cast, Mailbox, make_person, signed_in
from topics.models import Topic, TopicChoice

pytestmark = pytest.mark.django_db

Delivery = TopicChoice.Delivery
INVITE = "/accounts/people/invite/"


def follow(person, code: str, delivery: str = Delivery.LIVE_AND_EMAIL) -> None:
    TopicChoice.objects.create(person=person, topic=Topic.objects.get(code=code), delivery=delivery)


def followed(email: str) -> dict[str, str]:
    return dict(TopicChoice.objects.filter(person__email=email).values_list("topic__code", "delivery"))


def ticked(html: str) -> set[str]:
    """The topic codes ticked on the invitation form."""
    boxes = re.findall(r'<input type="checkbox" name="topics" value="([^"]+)"[^>]*>', html)
    return {code for code in boxes if re.search(rf'name="topics" value="{code}"[^>]*\bchecked\b', html)}


def invitation(organisation: Organisation, **overrides) -> dict:
    return {
        "full_name": "Ivy Invited",
        "email": "ivy@kra.example",
        "position": "Analyst",
        "organisation": organisation.pk,
        "role": "member",
        "language": "en",
    } | overrides


def test_the_form_ticks_what_the_organisations_active_people_follow(cast: Cast):
    follow(cast.member, "B")
    follow(cast.focal_point, "D", Delivery.LIVE)
    follow(cast.observer, "A", Delivery.NONE)  # an explicit "nothing" is not following
    follow(cast.suspended, "F")  # a suspended person's choices say nothing of the organisation today
    follow(cast.other_focal_point, "E")  # another organisation
    response = signed_in(cast.focal_point).get(INVITE)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'name="topics" value="([^"]+)"', html) == list("ABCDEFG"), "every topic A–G is offered"
    assert ticked(html) == {"B", "D"}


def test_for_an_organisation_nobody_follows_anything_in_the_inviters_topics_are_ticked(cast: Cast):
    follow(cast.focal_point, "A", Delivery.LIVE_AND_DIGEST)
    TopicChoice.objects.filter(person__organisation=cast.home).exclude(person=cast.focal_point).delete()
    assert ticked(signed_in(cast.focal_point).get(INVITE).content.decode()) == {"A"}
    TopicChoice.objects.all().delete()
    assert ticked(signed_in(cast.focal_point).get(INVITE).content.decode()) == set()


def test_the_invitee_follows_the_topics_the_inviter_chose_at_the_usual_level(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    follow(cast.member, "B")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(INVITE, invitation(cast.home, topics=["B", "E"]))
    assert response.status_code == 302
    assert followed("ivy@kra.example") == {"B": Delivery.LIVE_AND_DIGEST, "E": Delivery.LIVE_AND_DIGEST}
    entry = Entry.objects.get(action="person.invited")
    assert entry.changes["topics"] == [None, ["B", "E"]]

    # The welcome page says what they will hear about, and where to change it.
    [message] = mailbox.to("ivy@kra.example")
    page = signed_in(None).get(link_in(message))
    assert page.status_code == 200
    html = page.content.decode()
    section = html[html.index('id="what-you-receive"') :]
    assert "Wildlife (fauna and flora)" in section and "Illegal logging" in section
    assert "Illegal fishing" not in section
    assert "On the platform and in a daily email" in section
    assert 'href="/accounts/profile/topics/"' in section


def test_an_invitee_with_no_topic_ticked_follows_nothing_and_is_told_so(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    follow(cast.member, "B")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(INVITE, invitation(cast.home))
    assert response.status_code == 302
    assert followed("ivy@kra.example") == {}
    assert "topics" not in Entry.objects.get(action="person.invited").changes
    [message] = mailbox.to("ivy@kra.example")
    html = signed_in(None).get(link_in(message)).content.decode()
    assert "You follow no topic yet" in html and 'href="/accounts/profile/topics/"' in html


def test_an_unknown_topic_is_refused_and_nothing_is_saved(cast: Cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(INVITE, invitation(cast.home, topics=["B", "Z"]))
    assert response.status_code == 200
    assert 'id="id_topics_error"' in response.content.decode()
    assert not TopicChoice.objects.filter(person__email="ivy@kra.example").exists()
    assert not Entry.objects.filter(action="person.invited").exists()


def test_an_approved_request_starts_with_its_organisations_topics(
    cast: Cast, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    follow(cast.member, "B")
    follow(cast.focal_point, "G", Delivery.LIVE)
    already = make_person("rose@kra.example", "Rose Requested", cast.home, state="requested", enrolled=False)
    follow(already, "C", Delivery.LIVE)  # chosen before: kept as it is
    with django_capture_on_commit_callbacks(execute=True):
        for person in (cast.requested, already):
            response = signed_in(cast.focal_point).post(f"/accounts/people/{person.pk}/approve/", {"role": "member"})
            assert response.status_code == 302
    assert followed(cast.requested.email) == {"B": Delivery.LIVE_AND_DIGEST, "G": Delivery.LIVE_AND_DIGEST}
    assert followed(already.email) == {"C": Delivery.LIVE}
    entry = Entry.objects.get(action="person.approved", object_id=str(cast.requested.pk))
    assert entry.changes["topics"] == [None, ["B", "G"]]
