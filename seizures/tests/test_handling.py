"""The guards of the seizure actions, called directly as any caller other than the form would (an import, a
script, a future API): a marking its audience may not have (TLP 2.0, messaging.access.marking_refusal) and an
observer filing are refused, and nothing is saved, shared, published or audited.

The forms say the same first (test_records, test_import); these tests fail if an action's own guard goes.
"""

from typing import Any

import pytest
from django.contrib.messages import get_messages

from audit.models import Entry
from conftest import signed_in
from messaging.models import Audience, Event, Marking, Message, Thread
from seizures import actions
from seizures.models import CommodityLine, Link, NominalEntry, Seizure, SeizureFile, Status, StatusChange
from seizures.tests.builders import file, filing, person, post_record

pytestmark = pytest.mark.django_db

MODELS = (Seizure, CommodityLine, NominalEntry, SeizureFile, StatusChange, Link, Thread, Message, Event, Entry)
RED_ONLY = "TLP:RED is for named people only"
STRICT_ONLY = "TLP:AMBER+STRICT is for the recipient's organisation only"

# Markings with an audience they may not have (written from TLP 2.0, not from the rule under test), and the
# start of the refusal. The chosen organisations, countries or people are never missing: only the marking
# is wrong.
FORBIDDEN: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "RED to the network": (Marking.RED, Audience.NETWORK, {}, RED_ONLY),
    "RED to organisations": (Marking.RED, Audience.ORGANISATIONS, {"organisations": "other"}, RED_ONLY),
    "RED to countries": (Marking.RED, Audience.COUNTRIES, {"countries": ["FR"]}, RED_ONLY),
    "RED to nobody named": (Marking.RED, Audience.PEOPLE, {}, RED_ONLY),
    "AMBER+STRICT to the network": (Marking.AMBER_STRICT, Audience.NETWORK, {}, STRICT_ONLY),
    "AMBER+STRICT to countries": (Marking.AMBER_STRICT, Audience.COUNTRIES, {"countries": ["FR"]}, STRICT_ONLY),
}


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _fields(cast, marking: str, audience: str, chosen: dict[str, Any]) -> dict[str, Any]:
    if chosen.get("organisations") == "other":
        chosen = {"organisations": [cast.other]}
    return {"marking": marking, "audience": audience, **chosen}


@pytest.mark.parametrize("share", [False, True], ids=["draft", "shared at once"])
@pytest.mark.parametrize(("marking", "audience", "chosen", "message"), FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_file_seizure_refuses_on_its_own_a_marking_its_audience_may_not_have(
    cast, django_capture_on_commit_callbacks, share, marking, audience, chosen, message
):
    fields = _fields(cast, marking, audience, chosen)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused) as refused:
        actions.file_seizure(
            request=None, officer=cast.member, filing=filing(involved=[person("Ivan Nominal")], **fields), share=share
        )

    assert refused.value.args[0].startswith(message)
    assert _counts() == before
    assert callbacks == []  # no notice, no email, no correlation told


@pytest.mark.parametrize(
    ("marking", "audience", "chosen"),
    [
        (Marking.AMBER_STRICT, Audience.ORGANISATIONS, {"organisations": "other"}),
        (Marking.AMBER_STRICT, Audience.PEOPLE, {"people": "other_focal_point"}),
        (Marking.RED, Audience.PEOPLE, {"people": "other_focal_point"}),
    ],
)
def test_file_seizure_accepts_what_tlp_2_allows(cast, django_capture_on_commit_callbacks, marking, audience, chosen):
    if chosen.get("people"):
        chosen = {"people": [cast.by_role[chosen["people"]]]}
    seizure = file(
        cast.member, share=True, capture=django_capture_on_commit_callbacks, **_fields(cast, marking, audience, chosen)
    )

    assert (seizure.status, seizure.marking, seizure.audience) == (Status.SHARED, marking, audience)
    assert seizure.thread is not None and (seizure.thread.marking, seizure.thread.audience) == (marking, audience)


@pytest.mark.parametrize("share", [False, True], ids=["draft", "shared at once"])
def test_file_seizure_refuses_an_observer(cast, django_capture_on_commit_callbacks, share):
    # Observers read; they do not file, not even a draft only their organisation would see.
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused):
        actions.file_seizure(request=None, officer=cast.observer, filing=filing(), share=share)

    assert _counts() == before and callbacks == []


@pytest.mark.parametrize(("marking", "audience", "chosen", "message"), FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_update_seizure_refuses_on_its_own_a_marking_its_audience_may_not_have(
    cast, django_capture_on_commit_callbacks, marking, audience, chosen, message
):
    # A shared record: a change would also carry the marking to its discussion thread.
    seizure = file(cast.member, share=True, capture=django_capture_on_commit_callbacks, marking=Marking.AMBER)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused) as refused:
        actions.update_seizure(
            request=None, person=cast.member, seizure=seizure, filing=filing(**_fields(cast, marking, audience, chosen))
        )

    assert refused.value.args[0].startswith(message)
    assert _counts() == before and callbacks == []
    seizure.refresh_from_db()
    assert seizure.thread is not None
    assert (seizure.marking, seizure.audience, seizure.status) == (Marking.AMBER, Audience.NETWORK, Status.SHARED)
    assert (seizure.thread.marking, seizure.thread.audience) == (Marking.AMBER, Audience.NETWORK)


def _old_draft(cast, marking: str) -> Seizure:
    """A draft for the whole network saved before the rule refused ``marking`` for it (written as it was)."""
    draft = file(cast.member)
    Seizure.objects.filter(pk=draft.pk).update(marking=marking)
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize(
    ("marking", "message"), [(Marking.AMBER_STRICT, STRICT_ONLY), (Marking.RED, RED_ONLY)], ids=["strict", "red"]
)
def test_share_seizure_refuses_a_draft_whose_marking_its_audience_may_not_have(
    cast, django_capture_on_commit_callbacks, marking, message
):
    draft = _old_draft(cast, marking)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.Refused) as refused:
        actions.share_seizure(request=None, person=cast.focal_point, seizure=draft)

    assert refused.value.args[0].startswith(message)
    assert _counts() == before and callbacks == []
    draft.refresh_from_db()
    assert (draft.status, draft.thread) == (Status.DRAFT, None)


def test_the_share_button_says_why_such_a_draft_stays_a_draft(cast):
    draft = _old_draft(cast, Marking.AMBER_STRICT)
    client = signed_in(cast.member)

    response = client.post(f"/seizures/{draft.pk}/share/")

    assert response.status_code == 302 and response["Location"] == f"/seizures/{draft.pk}/"
    assert [str(notice) for notice in get_messages(response.wsgi_request)] == [
        "TLP:AMBER+STRICT is for the recipient's organisation only: choose “Chosen organisations” or “Named "
        "people”, not the whole network or whole countries."
    ]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and Thread.objects.count() == 0


@pytest.mark.parametrize("audience", [Audience.NETWORK, Audience.COUNTRIES])
def test_the_record_form_refuses_amber_strict_beyond_chosen_organisations_or_people(cast, audience):
    chosen: dict[str, Any] = {"countries": ["FR"]} if audience == Audience.COUNTRIES else {}

    response = post_record(cast.member, marking=Marking.AMBER_STRICT, audience=audience, share=True, **chosen)

    assert response.status_code == 400
    [problem] = response.context["editor"].record.errors["audience"]
    assert problem.startswith(STRICT_ONLY)
    assert Seizure.objects.count() == 0
