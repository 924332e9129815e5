"""A row of a list of threads (the overview, a topic's page) rendered once and shown again (issue 14).

The overview renders twenty rows, and the template engine (a marking include, the topics, the date) made that
most of the page's rendering, for threads that change only when a message is posted. A row is kept, rendered,
under everything it is rendered from: the language and time zone of the moment and every value
``_thread_row.html`` shows, its unread mark included. A new message, a subject or marking changed, a topic
added, an author or organisation renamed: the key differs, so the row is rendered anew.
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from environet.compiled import Kept, attached
from environet.fragments import language_and_zone, once_per_page
from messaging.models import Thread

register = template.Library()

# About twenty-five pages of twenty rows, a few hundred bytes each.
_ROWS: Kept[SafeString] = Kept(512)


def _subject_of(thread: Thread) -> object:
    """What the row's subject (``Thread.shown_subject``) is made from: the thread's own subject, or, for a
    seizure record's thread, what ``seizures/thread_subject.txt`` shows of the record (rendering that subject for
    every row of every page to make the key cost the overview more than the rows it saved)."""
    try:
        seizure = thread.seizure  # the seizures app's reverse one-to-one
    except ObjectDoesNotExist:
        return thread.subject
    if seizure is None:
        return thread.subject
    return ("record", seizure.reference, seizure.country, tuple(line.code for line in attached(seizure, "lines")))


def _row_of(thread: Thread, shown_in: tuple[str, str]) -> tuple:
    """Every value ``_thread_row.html`` shows, and what it is shown in (its language and time zone)."""
    return (
        *(*shown_in, thread.pk, _subject_of(thread)),
        *(bool(getattr(thread, "has_unread", False)), tuple(topic.code for topic in attached(thread, "topics"))),
        *(thread.marking, thread.author.full_name, str(thread.organisation), thread.last_message_at),
    )


@register.simple_tag(takes_context=True)
def listed_thread(context: template.Context, thread: Thread) -> SafeString:
    """A row of ``_threads.html`` (the lists read what it shows: ``messaging.selectors._as_listed``)."""
    return _ROWS.statement(
        ("listed thread", _row_of(thread, once_per_page(context, "threads shown in", language_and_zone))),
        lambda: render_to_string("messaging/_thread_row.html", {"thread": thread}),  # escaped by the template
    )
