"""The read-only API of requests for assistance: the tracker's sections and one request with its history, only
what the request's audience allows; a linked seizure record only for its readers, its nominal data never."""

from django.urls import reverse

from assistance import actions
from assistance.tests.builders import answered, ask
from conftest import signed_in
from messaging.models import Audience, Marking
from seizures.tests.builders import file, line, person

SUSPECT = "Zebulon Quartermain"
SUBJECT = "Restricted ivory route"


def _restricted(cast, expert, **fields):
    """Mohamed's AMBER request for his organisation and the secretariat: the other focal point is outside it."""
    return ask(
        cast.member,
        experts=[expert],
        subject=SUBJECT,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home, cast.secretariat],
        marking=Marking.AMBER,
        **fields,
    )


def _read(client, found_id: int):
    return client.get(reverse("api:read_assistance_request", kwargs={"request_id": found_id}))


def _section(client, section: str):
    return client.get(reverse("api:list_assistance_requests"), {"section": section})


def test_the_endpoints_are_in_the_schema(cast):
    paths = signed_in(cast.member).get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/assistance/requests" in paths
    assert "/api/v1/assistance/requests/{request_id}" in paths


def test_the_asker_reads_the_request_with_its_history_and_the_records_facts_only(cast, expert):
    seizure = file(
        cast.member, share=True, involved=[person(SUSPECT)], lines=[line(code="Manis javanica", specimen_type="SCA")]
    )
    found = answered(cast.member, expert, seizure_id=seizure.pk, subject=SUBJECT)
    response = _read(signed_in(cast.member), found.pk)
    assert response.status_code == 200
    read = response.json()
    assert read["subject"] == SUBJECT and read["state"] == "answered"
    assert [change["state"] for change in read["history"]] == ["open", "accepted", "answered"]
    assert read["history"][1]["by"] == expert.full_name
    assert read["expert"]["name"] == expert.full_name and [p["name"] for p in read["invited"]] == [expert.full_name]
    assert read["seizure"]["id"] == seizure.pk
    assert read["seizure"]["lines"] == [{"convention": "cites", "code": "Manis javanica"}]
    assert SUSPECT not in response.content.decode()
    mine = _section(signed_in(cast.member), "mine").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == found.pk


def test_the_expert_finds_it_for_them_and_open_ones_in_their_topics(cast, expert):
    invited = ask(cast.member, experts=[expert], subject="Invited by name")
    open_to_all = ask(cast.member, subject="Open to every wildlife expert", open_to_all=True)
    client = signed_in(expert)
    assert [r["id"] for r in _section(client, "for_me").json()["results"]] == [invited.pk]
    assert [r["id"] for r in _section(client, "in_my_topics").json()["results"]] == [open_to_all.pk]
    assert _section(client, "mine").json()["count"] == 0
    assert _section(client, "nowhere").status_code == 422


def test_an_outsider_gets_404_like_a_missing_request_and_sees_nothing_listed(cast, expert):
    found = _restricted(cast, expert, open_to_all=True)
    actions.accept(request=None, expert=expert, found=found)
    outsider = signed_in(cast.other_focal_point)
    forbidden, missing = _read(outsider, found.pk), _read(outsider, found.pk + 1000)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    for section in ("mine", "for_me", "in_my_topics", "overdue"):
        listed = _section(outsider, section)
        assert listed.status_code == 200 and listed.json()["count"] == 0, section
        assert SUBJECT not in listed.content.decode()
    # Those in the audience read it; anonymous callers are turned away before anything.
    assert _read(signed_in(cast.observer), found.pk).status_code == 200
    assert _read(signed_in(None), found.pk).status_code == 401


def test_a_linked_record_outside_the_callers_reach_is_not_given(cast, expert):
    seizure = file(
        cast.member, share=True, audience=Audience.ORGANISATIONS, organisations=[cast.home], marking=Marking.AMBER
    )
    found = ask(cast.member, experts=[expert], seizure_id=seizure.pk)
    as_expert = _read(signed_in(expert), found.pk)
    assert as_expert.status_code == 200 and as_expert.json()["seizure"] is None
    assert seizure.reference not in as_expert.content.decode()
    assert _read(signed_in(cast.member), found.pk).json()["seizure"]["id"] == seizure.pk
