"""The reply form as a thread page first shows it, rendered once per process and language
(messaging.views._blank_reply, issue 14): the same as rendered for the request, in the reader's language, with
the attachment limits of the moment; a reply sent back with its problems is the reader's own."""

import re

import pytest

from conftest import shown_as_if_nothing_were_kept, signed_in
from environet import fragments
from messaging.tests.test_thread_pages import thread_of


def reply_form_of(client, thread) -> str:
    """The reply form's fields, without the one-time tokens."""
    content = client.get(f"/messages/threads/{thread.pk}/").content.decode()
    start = content.index(f'action="/messages/threads/{thread.pk}/reply/"')
    return re.sub(r'value="[^"]*"', "", content[start : content.index("</form>", start)])


@pytest.fixture
def kept():
    """The process's rendered fragments, as something that can be cleared."""

    class Fragments:
        @staticmethod
        def clear() -> None:
            fragments._kept.clear()

    return Fragments


def test_another_language_shows_the_form_in_it(cast, kept):
    thread, _ = thread_of(cast.member, 0)
    reader = signed_in(cast.focal_point)

    def in_french() -> None:
        cast.focal_point.language = "fr"
        cast.focal_point.save(update_fields=["language"])

    shown_as_if_nothing_were_kept(lambda: reply_form_of(reader, thread), in_french, kept)


def test_new_attachment_limits_show_at_once(cast, kept, settings):
    thread, _ = thread_of(cast.member, 0)
    reader = signed_in(cast.focal_point)

    def fewer_files() -> None:
        settings.MAX_ATTACHMENTS_PER_MESSAGE = 2

    shown_as_if_nothing_were_kept(lambda: reply_form_of(reader, thread), fewer_files, kept)


def test_a_refused_reply_comes_back_with_its_draft_and_the_next_page_is_blank_again(cast):
    thread, _ = thread_of(cast.member, 0)
    reader = signed_in(cast.focal_point)
    blank = reply_form_of(reader, thread)

    page = reader.post(f"/messages/threads/{thread.pk}/reply/", {"kind": "alert", "body": "  "})
    assert page.status_code == 400
    refused = page.content.decode()
    assert "Write something before sending." in refused
    assert '<option value="alert" selected>' in refused
    assert reply_form_of(reader, thread) == blank
