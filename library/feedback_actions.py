"""Readers' feedback on an item: a usefulness rating (1 to 5, one per person, changeable) and comments, which
are a messaging thread attached to the item, opened by the first comment.

The thread is started with ``messaging.actions.start_thread`` (kind information, the item's topics, its marking
and audience), so live delivery, receipts, search and email work as for any thread, under the thread's own
access rule. That rule has no "publishing organisation" clause, so the thread's audience names it: chosen
organisations include the publishing one, named people include the publisher. The thread's audience is thus
the item's, never wider (for named people under a marking other than RED, the item also reaches its publishing
organisation and the thread does not: those colleagues read the item but not its comments).

Each action checks its own rules, refuses with ``Refused`` carrying a sentence, and is audited with references
only (the item, the thread and message ids, the number of stars)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Person
from audit.actions import record
from library import access
from library.models import CommentThread, Item, Rating
from messaging import access as messaging_access
from messaging import actions as messaging_actions
from messaging.actions import Refused
from messaging.models import Audience, Message

__all__ = ["Refused", "comment", "rate"]

STARS = range(1, 6)


@transaction.atomic
def rate(*, request, person: Person, item: Item, stars: int | None) -> Rating:
    """Rate ``item`` (which the person may read) from 1 to 5; a second rating replaces the first."""
    if not access.can_rate(person, item):
        raise Refused
    if stars is None or stars not in STARS:
        raise Refused(_("Rate the usefulness from 1 to 5."))
    rating = Rating.objects.select_for_update().filter(item=item, person=person).first()
    before = rating.stars if rating else None
    if rating is None:
        rating = Rating.objects.create(item=item, person=person, stars=stars)
    else:
        rating.stars, rating.at = stars, timezone.now()
        rating.save(update_fields=["stars", "at"])
    record("library.item_rated", request=request, actor=person, target=item, changes={"stars": [before, stars]})
    return rating


@transaction.atomic
def comment(*, request, person: Person, item: Item, body: str) -> Message:
    """Add a comment to the item's conversation, opening it with this comment if it has none."""
    item = Item.objects.select_for_update().get(pk=item.pk)  # one first comment opens the thread, not two
    if not access.can_comment(person, item):
        raise Refused
    if not body.strip():
        raise Refused(_("Write a comment first."))
    attached = CommentThread.objects.filter(item=item).select_related("thread").first()
    if attached is None:
        thread = messaging_actions.start_thread(request=request, author=person, draft=_draft(person, item, body))
        CommentThread.objects.create(item=item, thread=thread)
        message = thread.messages.get()
    else:
        thread = attached.thread
        if not messaging_access.threads_visible_to(person).filter(pk=thread.pk).exists():
            raise Refused(_("The comments on this item are for its named people only."))
        message = messaging_actions.reply(
            request=request, author=person, thread=thread, kind=Message.Kind.INFORMATION, body=body
        )
    record(
        "library.item_commented",
        request=request,
        actor=person,
        target=item,
        changes={"thread": thread.pk, "message": message.pk},
    )
    return message


def thread_audience(item: Item, *, commenter: Person) -> dict:
    """The audience and marking of the item's comment thread, started by ``commenter``: the item's own (see
    above). Also used when a correction narrows or widens the item (library.actions.correct_item)."""
    organisations = list(item.audience_organisations.all()) if item.audience == Audience.ORGANISATIONS else []
    if item.audience == Audience.ORGANISATIONS and item.organisation not in organisations:
        organisations.append(item.organisation)
    named = [*item.audience_people.all(), item.publisher] if item.audience == Audience.PEOPLE else []
    people = list({named_person.pk: named_person for named_person in named if named_person.pk != commenter.pk}.values())
    return {
        "marking": item.marking,
        "audience": item.audience,
        "organisations": organisations,
        "countries": item.country_codes,
        "people": people,
    }


def _draft(person: Person, item: Item, body: str) -> messaging_actions.Draft:
    return messaging_actions.Draft(
        subject=item.title[:200],
        topics=list(item.topics.all()),
        kind=Message.Kind.INFORMATION,
        body=body,
        **thread_audience(item, commenter=person),
    )
