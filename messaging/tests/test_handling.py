"""The marking and its audience (Traffic Light Protocol 2.0), and the guards of ``start_thread`` called
directly, as any caller other than the form would: a refusal, and nothing saved, published or queued.

TLP 2.0 as DOMAIN.md states it: AMBER+STRICT is for the recipient's organisation only, so it goes to chosen
organisations or named people, never to the whole network or whole countries; RED is for named recipients
only. The expected answers below are written from that wording, not computed with the rule under test.
"""

from typing import Any

import pytest

from audit.models import Entry
from messaging import access, actions
from messaging.models import Attachment, Audience, Event, Follow, Marking, Message, Reading, Thread
from topics.models import Topic

pytestmark = pytest.mark.django_db

MODELS = (Thread, Message, Attachment, Event, Entry, Follow, Reading)
RED_ONLY = "TLP:RED is for named people only"
STRICT_ONLY = "TLP:AMBER+STRICT is for the recipient's organisation only"

# Every marking with every audience (someone chosen): OK where TLP 2.0 allows it, else the refusal's start.
OK, NET, ORG, CTY, PPL = None, Audience.NETWORK, Audience.ORGANISATIONS, Audience.COUNTRIES, Audience.PEOPLE
# fmt: off
RULE: dict[str, dict[str, str | None]] = {
    #                      the network       chosen organisations  chosen countries   named people
    Marking.CLEAR:        {NET: OK,          ORG: OK,              CTY: OK,           PPL: OK},
    Marking.GREEN:        {NET: OK,          ORG: OK,              CTY: OK,           PPL: OK},
    Marking.AMBER:        {NET: OK,          ORG: OK,              CTY: OK,           PPL: OK},
    Marking.AMBER_STRICT: {NET: STRICT_ONLY, ORG: OK,              CTY: STRICT_ONLY,  PPL: OK},
    Marking.RED:          {NET: RED_ONLY,    ORG: RED_ONLY,        CTY: RED_ONLY,     PPL: OK},
}
# fmt: on
CASES = [(marking, audience) for marking in RULE for audience in RULE[marking]]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _draft(cast, *, marking: str, audience: str, **chosen: Any) -> actions.Draft:
    chosen_by_default: dict[str, dict[str, Any]] = {
        Audience.ORGANISATIONS: {"organisations": [cast.other]},
        Audience.COUNTRIES: {"countries": ["FR"]},
        Audience.PEOPLE: {"people": [cast.other_focal_point]},
    }
    members = chosen_by_default.get(audience, {})
    return actions.Draft(
        subject="Rhino horn in checked luggage",
        topics=[Topic.objects.get(code="B")],
        kind=Message.Kind.ALERT,
        body="Two horns, Nairobi to Bangkok.",
        marking=marking,
        audience=audience,
        **{**members, **chosen},
    )


def test_the_rule_covers_every_marking_and_audience():
    assert set(RULE) == set(Marking.values)
    assert all(set(row) == set(Audience.values) for row in RULE.values())


@pytest.mark.parametrize(("marking", "audience"), CASES, ids=[f"{m}-{a}" for m, a in CASES])
def test_the_rule_says_what_tlp_2_says(marking, audience):
    someone = object()  # a named person, as far as the rule is concerned
    problem = access.marking_refusal(marking=marking, audience=audience, people=[someone])

    want = RULE[marking][audience]
    assert (problem is None) == (want is None), problem
    if want is not None:
        assert problem is not None and problem.startswith(want)


def test_the_rule_wants_someone_named_for_red():
    assert access.marking_refusal(marking=Marking.RED, audience=Audience.PEOPLE, people=[]) is not None
    assert access.marking_refusal(marking=Marking.AMBER_STRICT, audience=Audience.PEOPLE, people=[]) is None


@pytest.mark.parametrize(("marking", "audience"), CASES, ids=[f"{m}-{a}" for m, a in CASES])
def test_start_thread_refuses_on_its_own_what_the_marking_forbids(
    cast, django_capture_on_commit_callbacks, marking, audience
):
    draft = _draft(cast, marking=marking, audience=audience)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if RULE[marking][audience] is None:
            thread = actions.start_thread(request=None, author=cast.member, draft=draft)
            assert (thread.marking, thread.audience) == (marking, audience)
            return
        with pytest.raises(actions.Refused) as refused:
            actions.start_thread(request=None, author=cast.member, draft=draft)

    assert refused.value.args[0].startswith(RULE[marking][audience])
    assert _counts() == before
    assert callbacks == []  # no live event, no email


@pytest.mark.parametrize("audience", [Audience.NETWORK, Audience.PEOPLE])
def test_start_thread_refuses_red_without_anyone_named(cast, django_capture_on_commit_callbacks, audience):
    draft = _draft(cast, marking=Marking.RED, audience=audience, people=[])
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused) as refused:
        actions.start_thread(request=None, author=cast.member, draft=draft)

    assert refused.value.args[0].startswith(RED_ONLY)
    assert _counts() == before and callbacks == []


def test_start_thread_refuses_an_observer(cast, django_capture_on_commit_callbacks):
    # Observers read; they do not post, whatever the marking and audience.
    draft = _draft(cast, marking=Marking.GREEN, audience=Audience.NETWORK)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused):
        actions.start_thread(request=None, author=cast.observer, draft=draft)

    assert _counts() == before and callbacks == []


def test_reply_refuses_an_observer(cast, django_capture_on_commit_callbacks):
    draft = _draft(cast, marking=Marking.GREEN, audience=Audience.NETWORK)
    thread = actions.start_thread(request=None, author=cast.member, draft=draft)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused):
        actions.reply(request=None, author=cast.observer, thread=thread, kind=Message.Kind.INFORMATION, body="Seen.")

    assert _counts() == before and callbacks == []
