"""A followed company search is no oracle (issue 8, leak 3).

Following "ZQX Ltd" and being told "a new record names it" would tell someone outside a record's
nominal-data grant what the record's persons and companies are. So a follower is told of a match on a
company only if they may read the record's nominal data (its organisation, or one it grants). Otherwise the
follower learns nothing, and the record's officer is told instead: "someone in organisation X follows a
company named in your record", with a page where they may grant X, or offer to get in touch."""

import re
from typing import Any

import pytest

from audit.models import Entry
from conftest import Mailbox, signed_in
from messaging import events
from messaging.models import Audience, Event, Marking, Thread
from messaging.tests.builders import choose, text_of
from seizures import actions
from seizures.models import FollowedSearch, NominalGrant, Seizure, WithheldMatch
from seizures.tests.builders import company, file, record_id

pytestmark = pytest.mark.django_db

FOLLOWED = "Zebulon Quixote Exports"
NAMED = "ZEBULON QUIXOTE EXPORTS LTD"
SECRETS = ("Zebulon", "Quixote", "ZEBULON", "QUIXOTE", "Watch list")


def notices_for(someone) -> list[dict[str, Any]]:
    built = events.build(Event.objects.filter(kind="notice", person=someone).order_by("pk"))
    return [event for event in built if event is not None]


def follow_company(someone, name: str = "Watch list") -> FollowedSearch:
    return actions.follow_search(
        request=None, person=someone, name=name, convention="", code="", country="", company=FOLLOWED, by_email=True
    )


def naming_the_company(cast, capture, **fields) -> Seizure:
    return file(cast.member, share=True, capture=capture, involved=[company(NAMED)], **fields)


def assert_nothing_of_the_follower_or_the_company(text: str) -> None:
    for secret in (*SECRETS, "Oscar", "oscar@"):
        assert secret not in text, secret


def test_it_tells_a_follower_outside_the_grant_nothing_and_the_officer_that_someone_follows(
    cast, django_capture_on_commit_callbacks, mailbox
):
    follow_company(cast.other_focal_point)

    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)

    assert notices_for(cast.other_focal_point) == []
    assert mailbox.to(cast.other_focal_point.email) == []
    withheld = WithheldMatch.objects.get()
    [to_officer] = notices_for(cast.member)
    assert to_officer["text"] == f"Someone in DGDDI follows a company named in your record {seizure.reference}."
    assert to_officer["url"] == f"/seizures/{seizure.pk}/followed/{withheld.pk}/"
    assert_nothing_of_the_follower_or_the_company(str(Event.objects.get(kind="notice").data))
    entry = Entry.objects.get(action="seizure.follow_withheld")
    assert (entry.object_id, entry.subject_organisation) == (str(seizure.pk), cast.home)
    assert entry.changes == {"withheld": withheld.pk, "organisation": cast.other.pk}


def test_it_emails_the_officer_with_the_records_marking_and_nothing_of_the_follower(
    cast, django_capture_on_commit_callbacks, mailbox
):
    choose(cast.member, "B")
    follow_company(cast.other_focal_point)

    seizure = naming_the_company(
        cast, django_capture_on_commit_callbacks, marking=Marking.AMBER, audience=Audience.NETWORK
    )

    [email] = mailbox.to(cast.member.email)
    body = Mailbox.body(email).strip().splitlines()
    assert (body[0], body[-1]) == ("TLP:AMBER", "TLP:AMBER")
    assert email["Subject"].startswith("[ENVIRONET] TLP:AMBER ")
    assert f"/seizures/{seizure.pk}/followed/" in text_of(email)
    assert_nothing_of_the_follower_or_the_company(text_of(email))


def test_it_tells_a_follower_inside_the_grant_as_before(cast, django_capture_on_commit_callbacks, mailbox):
    follow_company(cast.focal_point)  # the record's own organisation

    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)

    [notice] = notices_for(cast.focal_point)
    assert notice["text"] == f"New seizure record {seizure.reference} (TLP:GREEN) matches “Watch list”."
    assert len(mailbox.to(cast.focal_point.email)) == 1
    assert notices_for(cast.member) == [] and not WithheldMatch.objects.exists()


def test_it_shows_the_officer_whom_to_grant_and_nothing_of_the_follower(cast, django_capture_on_commit_callbacks):
    follow_company(cast.other_focal_point)
    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)
    withheld = WithheldMatch.objects.get()
    path = f"/seizures/{seizure.pk}/followed/{withheld.pk}/"

    for colleague in (cast.member, cast.focal_point):
        page = signed_in(colleague).get(path)
        assert page.status_code == 200
        content = page.content.decode()
        assert "Someone in DGDDI follows a company named in this record." in content
        assert f'action="{path}grant/"' in content and f'action="{path}contact/"' in content
        assert_nothing_of_the_follower_or_the_company(content)
    for outsider in (cast.observer, cast.other_focal_point, cast.administrator):
        assert signed_in(outsider).get(path).status_code == 404, outsider
    other_record = file(cast.member, share=True)
    for wrong in (
        f"/seizures/{seizure.pk}/followed/{withheld.pk + 9}/",
        f"/seizures/{other_record.pk}/followed/{withheld.pk}/",
    ):
        assert signed_in(cast.member).get(wrong).status_code == 404, wrong


def test_it_tells_the_follower_once_the_officer_grants_their_organisation(
    cast, django_capture_on_commit_callbacks, mailbox
):
    follow_company(cast.other_focal_point)
    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)
    path = f"/seizures/{seizure.pk}/followed/{WithheldMatch.objects.get().pk}/grant/"

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.member).post(path)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(cast.member).post(path)  # twice: told once

    assert response.status_code == 302
    assert NominalGrant.objects.filter(seizure=seizure, organisation=cast.other).exists()
    [notice] = notices_for(cast.other_focal_point)
    assert notice["text"] == f"New seizure record {seizure.reference} (TLP:GREEN) matches “Watch list”."
    assert len(mailbox.to(cast.other_focal_point.email)) == 1
    assert Entry.objects.filter(action="seizure.nominal_grants", object_id=str(seizure.pk)).count() == 1


def test_it_tells_the_follower_when_their_organisation_is_granted_on_the_grants_page(
    cast, django_capture_on_commit_callbacks
):
    follow_company(cast.other_focal_point)
    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        actions.set_grants(request=None, person=cast.member, seizure=seizure, organisations=[cast.other])

    assert len(notices_for(cast.other_focal_point)) == 1


def test_it_refuses_the_officers_answers_to_anyone_else(cast, django_capture_on_commit_callbacks):
    follow_company(cast.other_focal_point)
    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)
    path = f"/seizures/{seizure.pk}/followed/{WithheldMatch.objects.get().pk}/"
    threads = Thread.objects.count()

    for outsider in (cast.observer, cast.other_focal_point, cast.administrator):
        for action in ("grant/", "contact/"):
            assert signed_in(outsider).post(path + action).status_code == 404, (outsider, action)

    assert not NominalGrant.objects.exists() and Thread.objects.count() == threads
    assert notices_for(cast.other_focal_point) == []


def test_it_opens_a_red_conversation_with_the_follower_when_the_officer_offers_contact(
    cast, django_capture_on_commit_callbacks
):
    follow_company(cast.other_focal_point)
    seizure = naming_the_company(cast, django_capture_on_commit_callbacks)
    withheld = WithheldMatch.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.member).post(
            f"/seizures/{seizure.pk}/followed/{withheld.pk}/contact/", {"note": "Happy to talk"}
        )

    thread = Thread.objects.get(pk=record_id(response))
    assert (thread.marking, thread.audience, thread.author) == (Marking.RED, Audience.PEOPLE, cast.member)
    assert set(thread.audience_people.all()) == {cast.member, cast.other_focal_point}
    [message] = thread.messages.all()
    said = thread.subject + "\n" + message.body
    assert seizure.reference in said and "Happy to talk" in said  # Oscar may read the record itself
    for secret in SECRETS:
        assert secret not in said, secret
    assert signed_in(cast.other_focal_point).get(f"/messages/threads/{thread.pk}/").status_code == 200
    entry = Entry.objects.get(action="seizure.follower_contacted")
    assert entry.changes == {"withheld": withheld.pk, "organisation": cast.other.pk, "thread": thread.pk}


def test_it_shows_a_follower_outside_the_grant_the_same_following_page_whatever_matches(
    cast, django_capture_on_commit_callbacks
):
    follow_company(cast.other_focal_point)
    client = signed_in(cast.other_focal_point)

    def following() -> str:
        page = client.get("/seizures/following/").content.decode()
        # Less the per-request token and the live stream's starting point (the network's newest event).
        return re.sub(r'(name="csrfmiddlewaretoken" value|name="csrf-token" content|data-live-after)="[^"]*"', "", page)

    before = following()
    naming_the_company(cast, django_capture_on_commit_callbacks)

    assert following() == before
    assert client.get("/api/v1/seizures/", {"q": "Zebulon"}).json()["count"] == 0
