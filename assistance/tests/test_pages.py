"""The pages: the directory and who sees it, the profile, asking with bad input, and the whole journey
through the forms."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assistance.models import ExpertProfile, Request, State
from assistance.tests.builders import ask
from conftest import signed_in


def _form(**fields):
    data = {
        "subject": "Rosewood logs: which species?",
        "question": "Logs declared as *Pterocarpus*.",
        "topics": ["E"],
        "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "urgency": "urgent",
        "marking": "green",
        "audience": "network",
    }
    data.update(fields)
    return data


def _topic_ids(form):
    from topics.models import Topic

    form["topics"] = [Topic.objects.get(code=code).pk for code in form["topics"]]
    return form


def test_it_shows_the_directory_to_members_not_observers_by_default(cast, expert, settings):
    assert signed_in(cast.member).get(reverse("assistance:experts")).status_code == 200
    assert signed_in(cast.observer).get(reverse("assistance:experts")).status_code == 404
    assert signed_in(cast.observer).get(reverse("assistance:expert", args=[expert.pk])).status_code == 404
    settings.ENVIRONET_OBSERVERS_SEE_EXPERTS = True
    page = signed_in(cast.observer).get(reverse("assistance:experts"))
    assert page.status_code == 200 and b"Emma Expert" in page.content


def test_the_expert_pages_name_languages_in_the_readers_language(cast, expert):
    expert.expert_languages = ["es", "en"]
    expert.save(update_fields=["expert_languages"])
    page = signed_in(cast.member).get(reverse("assistance:expert", args=[expert.pk])).content.decode()
    assert "<dt>Languages</dt><dd>Spanish, English</dd>" in page
    listed = signed_in(cast.member).get(reverse("assistance:experts")).content.decode()
    assert "Languages: Spanish, English ·" in listed
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])
    page = signed_in(cast.member).get(reverse("assistance:expert", args=[expert.pk])).content.decode()
    assert "<dd>espagnol, anglais</dd>" in page


def test_a_request_names_its_languages_and_the_experts_shared_ones(cast, expert):
    ExpertProfile.objects.create(person=expert, areas=",pangolin,")
    found = ask(cast.member, languages=["es", "en"])
    page = signed_in(cast.member).get(reverse("assistance:request", args=[found.pk])).content.decode()
    assert "<dt>Languages</dt><dd>Spanish, English</dd>" in page
    assert "Languages: English" in page  # why the expert (English and French) is suggested


def test_a_person_who_is_not_an_expert_has_no_profile_page(cast):
    assert signed_in(cast.member).get(reverse("assistance:expert", args=[cast.member.pk])).status_code == 404


def test_an_expert_sets_areas_and_availability(cast, expert):
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    client = signed_in(expert)
    response = client.post(
        reverse("assistance:profile"), {"areas": ["ivory", "e_waste"], "availability": "away", "away_until": until}
    )
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(person=expert)
    assert profile.area_codes == ["ivory", "e_waste"] and str(profile.away_until) == until
    page = client.get(reverse("assistance:expert", args=[expert.pk]))
    assert b"E-waste" in page.content and until.encode() in page.content


def test_away_needs_a_date_to_come(cast, expert):
    client = signed_in(expert)
    response = client.post(reverse("assistance:profile"), {"areas": ["ivory"], "availability": "away"})
    assert response.status_code == 400 and b"until when" in response.content
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(reverse("assistance:profile"), {"availability": "away", "away_until": past})
    assert response.status_code == 400 and b"in the past" in response.content
    assert not ExpertProfile.objects.exists()


def test_it_asks_through_the_form(cast, expert):
    response = signed_in(cast.member).post(reverse("assistance:new"), _topic_ids(_form(areas=["timber"])))
    found = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assistance:request", args=[found.pk])
    assert found.urgency == "urgent" and found.codes("areas") == ["timber"]


def test_a_deadline_in_the_past_is_refused_keeping_what_was_typed(cast):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = signed_in(cast.member).post(reverse("assistance:new"), _topic_ids(_form(deadline=past)))
    assert response.status_code == 400
    assert b"The deadline cannot be in the past." in response.content
    assert b"Rosewood logs: which species?" in response.content
    assert not Request.objects.exists()


def test_unknown_codes_are_refused(cast):
    response = signed_in(cast.member).post(
        reverse("assistance:new"), _topic_ids(_form(areas=["unicorn"], conventions=["narnia"], region="atlantis"))
    )
    assert response.status_code == 400
    assert b"unicorn is not one of the available choices" in response.content
    assert not Request.objects.exists()


def test_files_of_unknown_type_and_too_large_are_refused(cast, settings):
    client = signed_in(cast.member)
    odd = SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03" + bytes(200))
    response = client.post(reverse("assistance:new"), {**_topic_ids(_form()), "attachments": [odd]})
    assert response.status_code == 400 and b"is not a kind of file ENVIRONET accepts" in response.content
    settings.MAX_ATTACHMENT_BYTES = 10
    big = SimpleUploadedFile("notes.txt", b"x" * 100)
    response = client.post(reverse("assistance:new"), {**_topic_ids(_form()), "attachments": [big]})
    assert response.status_code == 400 and b"notes.txt is 100 bytes, over the 10 bytes limit." in response.content
    assert not Request.objects.exists()


def test_red_through_the_form_may_name_only_the_invited_experts(cast, expert):
    form = _topic_ids(_form(marking="red", audience="people", experts=[expert.pk]))
    response = signed_in(cast.member).post(reverse("assistance:new"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    found = Request.objects.get()
    assert set(found.thread.audience_people.all()) == {cast.member, expert}


def test_red_without_anyone_named_is_refused_by_the_form(cast):
    form = _topic_ids(_form(marking="red", audience="people"))
    response = signed_in(cast.member).post(reverse("assistance:new"), form)
    assert response.status_code == 400 and b"Name at least one person." in response.content
    assert not Request.objects.exists()


def test_an_observer_may_not_ask(cast):
    assert signed_in(cast.observer).get(reverse("assistance:new")).status_code == 404
    assert signed_in(cast.observer).post(reverse("assistance:new"), _topic_ids(_form())).status_code == 404


def test_the_whole_journey_through_the_pages(cast, expert):
    asker, helper = signed_in(cast.member), signed_in(expert)
    found = ask(cast.member)
    page = asker.get(reverse("assistance:request", args=[found.pk]))
    assert b"Emma Expert" in page.content and b"Why:" in page.content
    assert asker.post(reverse("assistance:invite", args=[found.pk]), {"experts": [expert.pk]}).status_code == 302
    assert selectors_count(expert) == 1
    assert helper.post(reverse("assistance:accept", args=[found.pk])).status_code == 302
    assert asker.post(reverse("assistance:accept", args=[found.pk])).status_code == 404
    response = helper.post(reverse("assistance:answered", args=[found.pk]), {"answer": "Use the UV lamp."})
    assert response.status_code == 302
    assert helper.post(reverse("assistance:close", args=[found.pk]), {"useful": "yes"}).status_code == 404
    assert asker.post(reverse("assistance:close", args=[found.pk]), {}).status_code == 400
    assert (
        asker.post(reverse("assistance:close", args=[found.pk]), {"useful": "yes", "consent": "on"}).status_code == 302
    )
    found.refresh_from_db()
    assert found.state == State.CLOSED and found.useful and found.consent_to_publish
    response = helper.post(reverse("assistance:publish", args=[found.pk]))
    assert response.status_code == 302 and "/library/" in response["Location"]
    tracker = asker.get(reverse("assistance:tracker"))
    assert b"Pangolin scales" in tracker.content


def selectors_count(person) -> int:
    from assistance import selectors

    return selectors.waiting_count(person=person)


def test_the_asker_withdraws_through_the_page(cast, expert):
    found = ask(cast.member, experts=[expert])
    assert signed_in(expert).post(reverse("assistance:withdraw", args=[found.pk])).status_code == 404
    assert signed_in(cast.member).post(reverse("assistance:withdraw", args=[found.pk])).status_code == 302
    found.refresh_from_db()
    assert found.state == State.WITHDRAWN


def test_a_seizure_record_offers_to_ask_an_expert_about_it_to_those_who_may_ask(cast):
    from seizures.tests.builders import file

    seizure = file(cast.member, share=True)
    link = f'href="{reverse("assistance:new")}?seizure={seizure.pk}"'.encode()
    record = reverse("seizures:record", args=[seizure.pk])
    assert link in signed_in(cast.member).get(record).content
    observer_page = signed_in(cast.observer).get(record)
    assert observer_page.status_code == 200 and link not in observer_page.content


def test_a_requests_conversation_links_back_to_the_request_for_its_readers_only(cast, expert):
    found = ask(cast.member, experts=[expert], marking="red", audience="people")
    back = f'href="{reverse("assistance:request", args=[found.pk])}"'.encode()
    thread = reverse("messaging:thread", args=[found.thread_id])
    assert back in signed_in(cast.member).get(thread).content
    assert back in signed_in(expert).get(thread).content
    assert signed_in(cast.focal_point).get(thread).status_code == 404
    plain = ask(cast.member)
    other = signed_in(cast.member).get(reverse("messaging:thread", args=[plain.thread_id])).content
    assert back not in other
