"""A person's own settings: details, interface language and time zone, email address, topics A–G."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from accounts.models import AccessLink, Person
from accounts.tests.helpers import entries, link_in
from conftest import signed_in
from topics.models import TopicChoice

DETAILS = {
    "full_name": "Mohamed Member",
    "position": "Wildlife inspector",
    "languages_spoken": ["en", "sw"],
    "language": "en",
    "time_zone": "UTC",
}


def _save_details(client: Client, **changes):
    return client.post("/accounts/profile/", DETAILS | changes)


# --- Details ----------------------------------------------------------------------------------------------


def test_it_saves_the_details(cast):
    response = _save_details(signed_in(cast.member), position="Head of the port unit", languages_spoken=["sw", "fr"])

    assert response["Location"] == "/accounts/profile/"
    person = Person.objects.get(pk=cast.member.pk)
    assert (person.position, person.languages_spoken) == ("Head of the port unit", ["sw", "fr"])


def test_it_audits_what_changed_in_the_details(cast):
    _save_details(signed_in(cast.member), position="Head of the port unit")

    [entry] = entries("settings.profile_changed")
    assert entry.actor == cast.member
    assert entry.changes["position"] == ["", "Head of the port unit"]


def test_it_records_nothing_when_nothing_changed(cast):
    client = signed_in(cast.member)
    _save_details(client)
    first = len(entries("settings.profile_changed"))

    _save_details(client)

    assert len(entries("settings.profile_changed")) == first


def test_it_speaks_the_chosen_interface_language(cast):
    client = signed_in(cast.member)

    saved = _save_details(client, language="fr")
    page = client.get("/accounts/profile/")

    assert saved.status_code == 302
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_it_offers_english_french_and_spanish(cast, language):
    assert _save_details(signed_in(cast.member), language=language).status_code == 302


def test_it_refuses_a_language_it_does_not_speak(cast):
    response = _save_details(signed_in(cast.member), language="de")

    assert "language" in response.context["form"].errors


def test_it_shows_times_in_the_chosen_time_zone(cast):
    client = signed_in(cast.member)

    _save_details(client, time_zone="Africa/Nairobi")
    page = client.get("/accounts/profile/")

    assert page.context["TIME_ZONE"] == "Africa/Nairobi"


def test_it_refuses_a_made_up_time_zone(cast):
    response = _save_details(signed_in(cast.member), time_zone="Mars/Olympus_Mons")

    assert "time_zone" in response.context["form"].errors
    assert Person.objects.get(pk=cast.member.pk).time_zone == "UTC"


def test_it_does_not_let_people_change_their_own_role_or_organisation(cast):
    _save_details(signed_in(cast.member), role="administrator", organisation=cast.other.pk, state="active")

    person = Person.objects.get(pk=cast.member.pk)
    assert (person.role, person.organisation) == ("member", cast.home)


# --- Email address ----------------------------------------------------------------------------------------

NEW_ADDRESS = "mohamed.member@kra.example"


def _ask_change(client: Client, capture, address: str = NEW_ADDRESS):
    with capture(execute=True):
        return client.post("/accounts/profile/email/", {"email": address})


def test_it_changes_the_address_only_once_the_new_one_is_confirmed(cast, mailbox, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)

    _ask_change(client, django_capture_on_commit_callbacks, NEW_ADDRESS.upper())

    assert Person.objects.get(pk=cast.member.pk).email == cast.member.email
    [confirmation] = mailbox.to(NEW_ADDRESS)
    [notice] = mailbox.to(cast.member.email)
    assert notice["Subject"] == "[ENVIRONET] A change of email address was requested"
    link = link_in(confirmation)
    assert client.get(link).status_code == 200
    assert client.post(link)["Location"] == "/accounts/profile/"
    assert Person.objects.get(pk=cast.member.pk).email == NEW_ADDRESS
    [entry] = entries("settings.email_changed")
    assert entry.changes == {"email": [cast.member.email, NEW_ADDRESS]}


def test_it_lets_the_confirmation_link_work_once(cast, mailbox, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)
    _ask_change(client, django_capture_on_commit_callbacks)
    link = link_in(mailbox.to(NEW_ADDRESS)[0])
    client.post(link)

    assert client.get(link).status_code == 404


def test_it_does_not_let_someone_else_confirm_the_change(cast, mailbox, django_capture_on_commit_callbacks):
    _ask_change(signed_in(cast.member), django_capture_on_commit_callbacks)
    link = link_in(mailbox.to(NEW_ADDRESS)[0])

    assert signed_in(cast.focal_point).post(link).status_code == 404
    assert Person.objects.get(pk=cast.member.pk).email == cast.member.email


def test_it_keeps_only_the_latest_confirmation_link(cast, mailbox, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)
    _ask_change(client, django_capture_on_commit_callbacks)
    _ask_change(client, django_capture_on_commit_callbacks, "m2@kra.example")

    assert client.get(link_in(mailbox.to(NEW_ADDRESS)[0])).status_code == 404
    assert client.get(link_in(mailbox.to("m2@kra.example")[0])).status_code == 200


def test_it_answers_alike_for_a_taken_address_and_tells_its_owner_instead(
    cast, mailbox, django_capture_on_commit_callbacks
):
    """Refusing a taken address would tell any signed-in person who has an account (issue 8)."""
    taken = _ask_change(signed_in(cast.member), django_capture_on_commit_callbacks, cast.focal_point.email.upper())
    free = _ask_change(signed_in(cast.member), django_capture_on_commit_callbacks, "nobody@kra.example")

    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"]
    [said_taken] = [str(message) for message in get_messages(taken.wsgi_request)]
    [said_free] = [str(message) for message in get_messages(free.wsgi_request)]
    assert said_taken.replace(cast.focal_point.email, "@") == said_free.replace("nobody@kra.example", "@")
    [owner_notice] = mailbox.to(cast.focal_point.email)
    assert owner_notice["Subject"] == "[ENVIRONET] Someone asked to use your address for another account"
    assert "http" not in owner_notice.get_payload()  # no link that could move the account
    assert AccessLink.objects.filter(new_email=cast.focal_point.email).count() == 0
    assert Person.objects.get(pk=cast.member.pk).email == cast.member.email


def test_it_does_not_change_to_an_address_taken_meanwhile(cast, mailbox, django_capture_on_commit_callbacks):
    client = signed_in(cast.member)
    _ask_change(client, django_capture_on_commit_callbacks)
    Person.objects.filter(pk=cast.observer.pk).update(email=NEW_ADDRESS)

    client.post(link_in(mailbox.to(NEW_ADDRESS)[0]))

    assert Person.objects.get(pk=cast.member.pk).email == cast.member.email


# --- Topics A–G -------------------------------------------------------------------------------------------


def _topics(client: Client, **choices: str):
    return client.post("/accounts/profile/topics/", {f"topic-{code}": value for code, value in choices.items()})


def _deliveries(person: Person) -> dict[str, str]:
    return dict(TopicChoice.objects.filter(person=person).values_list("topic__code", "delivery"))


def test_it_starts_with_no_topic_ticked(cast):
    page = signed_in(cast.member).get("/accounts/profile/topics/")

    rows = [(topic.code, chosen) for topic, chosen in page.context["rows"]]
    assert rows == [(code, "none") for code in "ABCDEFG"]


def test_it_saves_how_the_person_hears_about_each_topic(cast):
    response = _topics(signed_in(cast.member), A="live_email", B="live_digest", D="live", E="none")

    assert response["Location"] == "/accounts/profile/topics/"
    assert _deliveries(cast.member) == {"A": "live_email", "B": "live_digest", "D": "live"}


def test_it_offers_the_four_ways_of_hearing(cast):
    page = signed_in(cast.member).get("/accounts/profile/topics/")

    assert [value for value, _label in page.context["deliveries"]] == ["live_email", "live_digest", "live", "none"]


def test_it_unticks_a_topic(cast):
    client = signed_in(cast.member)
    _topics(client, A="live_email", B="live")

    _topics(client, B="live")

    assert _deliveries(cast.member) == {"B": "live"}


def test_it_audits_the_topic_choices(cast):
    client = signed_in(cast.member)
    _topics(client, A="live_email")
    _topics(client, A="live", G="live_digest")

    first, second = entries("settings.topics_changed")
    assert first.changes == {"A": ["none", "live_email"]}
    assert second.changes == {"A": ["live_email", "live"], "G": ["none", "live_digest"]}
    assert first.actor == second.actor == cast.member


def test_it_refuses_a_made_up_delivery_and_saves_nothing(cast):
    response = _topics(signed_in(cast.member), A="live_email", B="carrier_pigeon")

    assert response.status_code == 200
    assert response.context["errors"] == ["B"]
    assert _deliveries(cast.member) == {}


def test_it_keeps_each_person_s_choices_apart(cast):
    _topics(signed_in(cast.member), A="live")
    _topics(signed_in(cast.observer), B="live")

    assert _deliveries(cast.member) == {"A": "live"}
    assert _deliveries(cast.observer) == {"B": "live"}


def test_it_offers_time_zones_under_their_current_names_only(cast):
    offered = dict(signed_in(cast.member).get("/accounts/profile/").context["form"].fields["time_zone"].choices)

    assert {"UTC", "Africa/Nairobi", "Africa/Asmara", "Europe/Amsterdam", "Asia/Shanghai"} <= set(offered)
    assert not {"Africa/Asmera", "Africa/Timbuktu", "Asia/Chungking", "US/Eastern"} & set(offered)


def test_it_keeps_an_old_name_of_a_time_zone_saved_before(cast):
    cast.member.time_zone = "Africa/Asmera"
    cast.member.save(update_fields=["time_zone"])

    response = _save_details(signed_in(cast.member), time_zone="Africa/Asmera", position="Head of the port unit")

    assert response.status_code == 302
    person = Person.objects.get(pk=cast.member.pk)
    assert (person.time_zone, person.position) == ("Africa/Asmera", "Head of the port unit")
    # Only its owner keeps it: nobody chooses it anew.
    refused = _save_details(signed_in(cast.other_focal_point), time_zone="Africa/Asmera")
    assert "time_zone" in refused.context["form"].errors
