"""A message as everyone sees it on a thread page, rendered once and shown again (issue 14).

A thread page renders fifty messages, and the template engine made that a third of the page's time, on every
visit, for messages that rarely change. What a message shows to every reader (its author and organisation, its
time, its kind, its text or that it is gone, its files) is kept, rendered, under everything it is rendered
from: the language and time zone of the moment and every value ``_message_shown.html`` reads. A message edited,
retracted or hidden, an author renamed, a file added: the key differs, so the message is rendered anew and the
old rendering is dropped in time (the least recently used past a bound). What differs per reader (the tools
under their own messages, a moderator's) is rendered for each page, in ``_message.html``; a message under which
a reader has no tools (most messages, for most readers) is the same for every reader, and is kept whole
(``message_article``).
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from environet.compiled import Kept, attached
from environet.fragments import language_and_zone, once_per_page
from messaging.models import Message

register = template.Library()

# About forty pages of fifty messages; each entry holds the text twice (the key and the rendering), a few KB.
_SHOWN: Kept[SafeString] = Kept(2048)


def _shown_of(message: Message, shown_in: tuple[str, str]) -> tuple:
    """Every value ``_message_shown.html`` shows, and what it is shown in (its language and time zone)."""
    author = message.author
    files = attached(message, "attachments")
    return (
        *shown_in,
        *(message.pk, message.kind, message.created_at, message.edited_at, message.retracted_at),
        *(message.hidden_at, message.body_html, author.full_name, str(author.organisation)),
        tuple((file.pk, file.name, file.size, file.has_thumbnail) for file in files),
    )


def _has_tools(message: Message, reader_id: int | None, can_moderate: bool) -> bool:
    """Whether ``_message.html`` puts anything under the message for this reader: its footer's conditions."""
    own = message.author_id == reader_id
    return (
        (own and message.is_visible_text)
        or bool(message.edited_at and (own or can_moderate))
        or bool(can_moderate and not message.hidden_at)
    )


@register.simple_tag(takes_context=True)
def message_article(context: template.Context, message: Message) -> SafeString:
    """``{% include "messaging/_message.html" %}`` for ``message``, kept whole when the reader has no tools under
    it: the page then differs from another reader's in nothing, and fifty includes cost a thread page a third
    of its rendering."""
    assert context.template is not None  # a tag renders within a template
    article = context.template.engine.get_template("messaging/_message.html")

    def rendered() -> SafeString:
        with context.push(message=message):
            return article.render(context)

    user = context.get("user")
    live = bool(context.get("live"))
    if not live and _has_tools(message, getattr(user, "pk", None), bool(context.get("can_moderate"))):
        return rendered()
    return _SHOWN.statement(
        ("message article", live, _shown_of(message, once_per_page(context, "messages shown in", language_and_zone))),
        rendered,
    )


@register.simple_tag(takes_context=True)
def shown_message(context: template.Context, message: Message) -> SafeString:
    return _SHOWN.statement(
        ("shown message", _shown_of(message, once_per_page(context, "messages shown in", language_and_zone))),
        lambda: render_to_string("messaging/_message_shown.html", {"message": message}),  # escaped by the template
    )
