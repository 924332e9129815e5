"""A restricted request says nothing to those outside its audience: page, tracker and its counts, notices,
audit labels; a linked seizure record is shown only to its readers and its nominal data never."""

from django.urls import reverse

from assistance import access, actions, selectors
from assistance.audit_labels import requests as audit_labels
from assistance.tests.builders import ask
from conftest import signed_in
from environet import notices
from environet.tests.test_authorization_table import _without_csrf_tokens
from messaging.models import Audience, Marking
from seizures.tests.builders import file, person

SUSPECT = "Zebulon Quartermain"


def _restricted(cast, expert, **fields):
    return ask(
        cast.member,
        experts=[expert],
        subject="Restricted ivory route",
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home, cast.secretariat],
        marking=Marking.AMBER,
        **fields,
    )


def test_a_restricted_request_is_404_for_others_like_a_missing_one(cast, expert):
    found = _restricted(cast, expert)
    outsider = signed_in(cast.other_focal_point)
    forbidden = outsider.get(reverse("assistance:request", args=[found.pk]))
    missing = outsider.get(reverse("assistance:request", args=[found.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert _without_csrf_tokens(forbidden.content) == _without_csrf_tokens(missing.content)
    assert signed_in(expert).get(reverse("assistance:request", args=[found.pk])).status_code == 200


def test_the_tracker_and_its_counts_leave_out_what_one_may_not_read(cast, expert):
    found = _restricted(cast, expert, open_to_all=True)
    actions.accept(request=None, expert=expert, found=found)
    page = signed_in(cast.other_focal_point).get(reverse("assistance:tracker"))
    assert b"Restricted ivory route" not in page.content
    assert b"(0)" in page.content and b"(1)" not in page.content
    tracker = selectors.tracker(person=cast.other_focal_point)
    assert all(found not in section for section in tracker.values())
    assert selectors.waiting_count(person=cast.other_focal_point) == 0
    assert selectors.waiting_count(person=expert) == 1


def test_notices_are_checked_again_when_shown(cast, expert):
    found = _restricted(cast, expert)
    references = {"request": found.pk}
    assert notices.render(expert, "assistance.invited", references) is not None
    assert notices.render(cast.other_focal_point, "assistance.invited", references) is None


def test_audit_labels_name_a_request_only_for_its_readers(cast, expert):
    found = _restricted(cast, expert)
    assert audit_labels(cast.focal_point, [found.pk]) == {found.pk: "Restricted ivory route"}
    assert audit_labels(cast.other_focal_point, [found.pk]) == {}


def test_a_linked_seizure_record_never_shows_its_nominal_data(cast, expert):
    seizure = file(cast.member, share=True, involved=[person(SUSPECT)])
    found = ask(cast.member, experts=[expert], seizure_id=seizure.pk)
    page = signed_in(expert).get(reverse("assistance:request", args=[found.pk]))
    assert page.status_code == 200
    assert reverse("seizures:record", args=[seizure.pk]).encode() in page.content
    assert SUSPECT.encode() not in page.content
    thread = signed_in(expert).get(reverse("messaging:thread", args=[found.thread_id]))
    assert SUSPECT.encode() not in thread.content


def test_a_linked_record_outside_the_experts_reach_is_not_linked_for_them(cast, expert):
    seizure = file(
        cast.member, share=True, audience=Audience.ORGANISATIONS, organisations=[cast.home], marking=Marking.AMBER
    )
    found = ask(cast.member, experts=[expert], seizure_id=seizure.pk)
    assert access.seizure_for_reader(expert, found) is None
    page = signed_in(expert).get(reverse("assistance:request", args=[found.pk]))
    assert reverse("seizures:record", args=[seizure.pk]).encode() not in page.content


def test_one_may_not_link_a_record_one_cannot_read(cast):
    import pytest

    draft = file(cast.other_focal_point, country="FR")  # a draft of the other organisation
    with pytest.raises(actions.Refused, match="cannot be linked"):
        ask(cast.member, seizure_id=draft.pk)


def test_a_threads_link_to_its_request_is_given_to_those_who_may_read_the_request(cast, expert):
    """The thread page's link (``access.request_of_thread``, the thread's rule in one prepared statement) is
    given exactly to those ``requests_visible_to`` lets read the request, and is absent for a thread that is no
    request's."""
    from messaging.models import Thread

    restricted = _restricted(cast, expert)
    open_one = ask(cast.member, experts=[expert], subject="Open question")
    plain = Thread.objects.exclude(assistance_request__isnull=False).first()
    people = [cast.observer, cast.member, cast.focal_point, cast.other_focal_point, cast.administrator]
    people += [cast.suspended, expert]
    given = []
    for thread in [restricted.thread, open_one.thread] + ([plain] if plain else []):
        for someone in people:
            expected = access.requests_visible_to(someone).filter(thread=thread).values_list("pk", flat=True).first()
            assert access.request_of_thread(someone, thread) == expected, (someone, thread)
            given.append(expected is not None)
    assert any(given) and not all(given)  # both answers were asked for
