"""A record page's related records rendered once and shown again (seizures.templatetags.seizures.related_row,
issue 14): after any change to what a row shows (the other record's organisation, whether the reader may open
it, the reasons, the language) the page is what it would be with nothing kept; a reader who may not manage the
record gets no form from a row kept with one; and each form carries the reader's own CSRF token, which the
contact request then accepts."""

import re
from collections.abc import Callable

import pytest

from conftest import shown_as_if_nothing_were_kept, signed_in
from seizures.models import Link, MatchKey, Seizure, Status
from seizures.templatetags import seizures as tags
from seizures.tests.test_record_page_queries import record_holding

pytestmark = pytest.mark.django_db


def related_of(client, record: Seizure, *, tokens: bool = False) -> str:
    """The page's related records; each form's CSRF token left out unless ``tokens`` (a token is masked anew on
    every page: two pages of one reader never show the same)."""
    content = client.get(f"/seizures/{record.pk}/").content.decode()
    section = content[content.index('<section id="related">') :]
    section = section[: section.index("</section>")]
    return section if tokens else re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1(token)"', section)


def others_of(record: Seizure) -> list[Link]:
    return list(Link.objects.filter(low_id=record.pk)) + list(Link.objects.filter(high_id=record.pk))


def renamed(cast, record: Seizure) -> None:
    cast.other.short_name = "DGDDI-FR"
    cast.other.save(update_fields=["short_name"])


def shared(cast, record: Seizure) -> None:
    drafts = [link.other(record.pk) for link in others_of(record)]
    Seizure.objects.filter(pk__in=drafts, status=Status.DRAFT).update(status=Status.SHARED)


def opened(cast, record: Seizure) -> None:
    """The other records, shared with their own organisation only (the member is told "a related record exists
    at ..."), are shared with the whole network: the member may now open them."""
    Seizure.objects.filter(pk__in=[link.other(record.pk) for link in others_of(record)]).update(audience="network")


def reasons_changed(cast, record: Seizure) -> None:
    Link.objects.filter(low_id=record.pk).update(reasons=1 << MatchKey.Kind.VESSEL)
    Link.objects.filter(high_id=record.pk).update(reasons=1 << MatchKey.Kind.VESSEL)


def in_french(cast, record: Seizure) -> None:
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])


@pytest.mark.parametrize("change", [renamed, shared, reasons_changed, in_french], ids=lambda change: change.__name__)
def test_a_change_to_a_related_record_shows_as_if_nothing_were_kept(cast, settings, change: Callable):
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    record = record_holding(cast, 4)
    reader = signed_in(cast.member)
    shown_as_if_nothing_were_kept(lambda: related_of(reader, record), lambda: change(cast, record), tags._RELATED)


def test_a_related_record_the_reader_may_now_open_shows_as_if_nothing_were_kept(cast, settings):
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    record = record_holding(cast, 4)
    others = [link.other(record.pk) for link in others_of(record)]
    Seizure.objects.filter(pk__in=others).exclude(organisation=cast.home).update(audience="organisations")
    reader = signed_in(cast.member)
    assert "A related record exists at DGDDI" in related_of(reader, record)
    shown_as_if_nothing_were_kept(lambda: related_of(reader, record), lambda: opened(cast, record), tags._RELATED)


def test_a_reader_who_may_not_manage_the_record_gets_no_form_from_a_row_kept_with_one(cast, settings):
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    record = record_holding(cast, 2)
    assert "Ask for contact" in related_of(signed_in(cast.member), record)  # kept, with the form
    observed = related_of(signed_in(cast.observer), record)  # of the same organisation, reading only
    assert "Ask for contact" not in observed
    tags._RELATED.clear()
    assert observed == related_of(signed_in(cast.observer), record)


def test_each_form_carries_the_readers_own_token_and_the_request_is_accepted(cast, settings):
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    record = record_holding(cast, 2)
    signed_in(cast.focal_point).get(f"/seizures/{record.pk}/")  # the rows are kept by another reader's page
    reader = signed_in(cast.member)
    reader.handler.enforce_csrf_checks = True
    section = related_of(reader, record, tokens=True)
    assert tags.TOKEN_KEPT_OUT not in section
    forms = re.findall(
        r'action="(/seizures/related/[^"]+/contact/)">.*?name="csrfmiddlewaretoken" value="([^"]+)"', section
    )
    assert forms
    action, token = forms[0]
    refused = reader.post(action, {"csrfmiddlewaretoken": "x" * 64, "note": "Hello"})
    assert refused.status_code == 403
    answer = reader.post(action, {"csrfmiddlewaretoken": token, "note": "Hello"})
    assert answer.status_code == 302 and answer["Location"].startswith("/messages/threads/")
