"""Topics A–G: seeded by a migration, named as in the terms of reference, chosen per person."""

import importlib

from django.apps import apps
from django.test import Client, RequestFactory
from django.utils import translation

from conftest import signed_in
from topics.actions import choose_deliveries
from topics.models import Topic, TopicChoice
from topics.selectors import choices_for, followed_topics

# As in DOMAIN.md.
TOPICS = [
    ("A", "Hazardous waste, chemicals and pesticides, persistent organic pollutants (POPs)"),
    ("B", "Wildlife (fauna and flora)"),
    ("C", "Living modified organisms (LMO)"),
    ("D", "Ozone-depleting substances (ODS)"),
    ("E", "Illegal logging"),
    ("F", "Illegal fishing"),
    ("G", "Other / general interest"),
]


def _topics_a_to_g() -> list[tuple[str, str]]:
    return list(Topic.objects.filter(code__in="ABCDEFG").values_list("code", "name"))


def _choose(person, **choices: str) -> None:
    request = RequestFactory().post("/")
    request.user = person
    choose_deliveries(request=request, person=person, choices=choices)


def test_it_seeds_the_seven_topics_in_order(db):
    assert _topics_a_to_g() == TOPICS


def test_it_seeds_idempotently(db):
    seed = importlib.import_module("topics.migrations.0002_seed_topics")
    Topic.objects.filter(code="B").update(name="Wildlife (renamed by hand)")

    seed.seed_topics(apps, None)
    seed.seed_topics(apps, None)

    assert _topics_a_to_g() == TOPICS


def test_it_shows_topic_names_in_the_reader_s_language(db):
    wildlife = Topic.objects.get(code="B")

    with translation.override("fr"):
        french = wildlife.display_name
    with translation.override("es"):
        spanish = wildlife.display_name

    assert wildlife.display_name == "Wildlife (fauna and flora)"
    assert french != wildlife.display_name and spanish != wildlife.display_name
    assert french != spanish


def test_it_lists_every_topic_unticked_for_a_newcomer(cast):
    rows = [(topic.code, delivery) for topic, delivery in choices_for(person=cast.member)]

    assert rows == [(code, "none") for code, _name in TOPICS]
    assert followed_topics(person=cast.member) == []


def test_it_follows_only_the_ticked_topics(cast):
    _choose(cast.member, A="live_email", C="live_digest", F="live", G="none")

    assert [topic.code for topic in followed_topics(person=cast.member)] == ["A", "C", "F"]


def test_it_keeps_no_row_for_a_topic_set_to_not_at_all(cast):
    # No row means nothing arrives: the messaging feature can rely on the rows alone.
    _choose(cast.member, A="live")
    _choose(cast.member, A="none")

    assert not TopicChoice.objects.filter(person=cast.member).exists()


def test_it_ignores_codes_of_topics_that_do_not_exist(cast):
    _choose(cast.member, Z="live", A="live")

    assert list(TopicChoice.objects.filter(person=cast.member).values_list("topic__code", flat=True)) == ["A"]


def test_it_shows_the_chosen_topics_on_the_home_page(cast):
    _choose(cast.member, B="live_email", E="live")

    page = signed_in(cast.member).get("/")

    assert [topic.code for topic in page.context["topics"]] == ["B", "E"]


def test_it_answers_the_api_with_each_topic_and_its_delivery(cast):
    _choose(cast.member, D="live_digest")

    response = signed_in(cast.member).get("/api/v1/topics/")

    assert response.status_code == 200
    deliveries = {row["code"]: row["delivery"] for row in response.json()}
    assert deliveries == {code: ("live_digest" if code == "D" else "none") for code, _name in TOPICS}


def test_it_answers_the_api_only_to_signed_in_people(db):
    assert Client().get("/api/v1/topics/").status_code == 401
