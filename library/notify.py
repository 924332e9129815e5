"""Telling people about the library, as messages tell topic followers (messaging.notify):

- who downloaded an earlier edition learns that a new one is out (``library.new_edition``);
- who follows one of an item's topics learns of a newly published item or a new edition
  (``library.published``), if they may read it, except the one who published it and those already told as
  downloaders. How they hear is their choice per topic (topics.TopicChoice): a live notice always, and an
  email at once ("live and email"), or an entry in a daily library digest ("live and digest"). The library
  digest is its own daily email (``send_digests``, queued by ``manage.py send_digests`` next to the digest
  of messages), because the messages' digest is made of messages and their threads.

Live notices hold references only and are worded when shown (library.notices). Emails are in the reader's
language, open and close with the marking, and carry no title, summary or changes above GREEN. The work
runs after the commit, in the task queue, so publishing never waits for it.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from environet import enqueue
from environet.mail import absolute, send_after_commit
from library import access
from library.models import Download, Edition, Item
from messaging import actions as messaging_actions
from messaging.access import marking_allows_email_content
from topics.models import TopicChoice


def new_edition_after_commit(*, item_id: int, edition_id: int, people: list[int]) -> None:
    if people:
        enqueue.after_commit(tell_new_edition, item_id=item_id, edition_id=edition_id, people=people)


@task()
def tell_new_edition(*, item_id: int, edition_id: int, people: list[int]) -> int:
    edition = Edition.objects.select_related("item").filter(pk=edition_id, item_id=item_id).first()
    if edition is None:
        return 0
    item = edition.item
    topic_ids = list(item.topics.values_list("pk", flat=True))
    by_email = set(
        TopicChoice.objects.filter(
            person_id__in=people, topic_id__in=topic_ids, delivery=TopicChoice.Delivery.LIVE_AND_EMAIL
        ).values_list("person_id", flat=True)
    )
    told = 0
    with transaction.atomic():
        for person in Person.objects.filter(pk__in=people, state=Person.State.ACTIVE):
            if not access.items_visible_to(person).filter(pk=item.pk).exists():
                continue  # no longer in the audience: told nothing
            messaging_actions.notice(person=person, about="library.new_edition", item=item.pk)
            if person.pk in by_email:
                send_after_commit(
                    to=person.email,
                    template="library/email/new_edition",
                    language=person.language,
                    context={
                        "person": person,
                        "item": item,
                        "edition": edition,
                        "marking": item.get_marking_display(),
                        "with_content": marking_allows_email_content(item.marking),
                        "link": absolute(reverse("library:item", args=[item.pk])),
                        "preferences": absolute(reverse("accounts:topics")),
                    },
                )
            told += 1
    return told


# The strongest choice wins when a person follows several of an item's topics.
_STRENGTH: dict[str, int] = {
    TopicChoice.Delivery.LIVE: 1,
    TopicChoice.Delivery.LIVE_AND_DIGEST: 2,
    TopicChoice.Delivery.LIVE_AND_EMAIL: 3,
}


def published_after_commit(*, item_id: int, edition_id: int, told: list[int]) -> None:
    """Once committed, tell the followers of the item's topics about this edition (the first one: a new item),
    except the people in ``told`` (the one who published it, and downloaders told of the new edition)."""
    enqueue.after_commit(tell_followers, item_id=item_id, edition_id=edition_id, told=told)


def followers(item: Item, *, told: list[int]) -> dict[Person, str]:
    """Active followers of the item's topics who may read it now, with their strongest choice of delivery."""
    choices = TopicChoice.objects.filter(
        topic__in=item.topics.all(), delivery__in=list(_STRENGTH), person__state=Person.State.ACTIVE
    ).exclude(person_id__in=told)
    delivery: dict[int, str] = {}
    for person_id, chosen in choices.values_list("person_id", "delivery"):
        if _STRENGTH[chosen] > _STRENGTH.get(delivery.get(person_id, ""), 0):
            delivery[person_id] = chosen
    return {
        person: delivery[person.pk]
        for person in Person.objects.filter(pk__in=delivery).order_by("pk")
        if access.items_visible_to(person).filter(pk=item.pk).exists()
    }


@task()
def tell_followers(*, item_id: int, edition_id: int, told: list[int]) -> int:
    edition = Edition.objects.select_related("item__organisation").filter(pk=edition_id, item_id=item_id).first()
    if edition is None:
        return 0
    item = edition.item
    reached = followers(item, told=told)
    with transaction.atomic():
        for person, delivery in reached.items():
            messaging_actions.notice(person=person, about="library.published", item=item.pk, edition=edition.pk)
            if delivery == TopicChoice.Delivery.LIVE_AND_EMAIL:
                send_after_commit(
                    to=person.email,
                    template="library/email/published",
                    language=person.language,
                    context={"person": person, **_entry(edition), "preferences": absolute(reverse("accounts:topics"))},
                )
    return len(reached)


@task()
def send_digests() -> int:
    """The daily library digest (queued once a day by ``manage.py send_digests``)."""
    return send_digests_at(now=timezone.now())


def send_digests_at(*, now: datetime) -> int:
    """One email per person who chose a daily digest for a topic, listing the items and new editions of the
    day before ``now`` in those topics that they may read: not their own, not those they already had by
    email at once, and not new editions of what they downloaded (they were told of those already)."""
    since = now - timedelta(days=1)
    choosers = Person.objects.filter(
        state=Person.State.ACTIVE, topic_choices__delivery=TopicChoice.Delivery.LIVE_AND_DIGEST
    ).distinct()
    sent = 0
    with transaction.atomic():
        for person in choosers:
            editions = list(_digest_editions(person, since=since, until=now))
            if not editions:
                continue
            send_after_commit(
                to=person.email,
                template="library/email/digest",
                language=person.language,
                context={
                    "person": person,
                    "entries": [_entry(edition) for edition in editions],
                    "preferences": absolute(reverse("accounts:topics")),
                },
            )
            sent += 1
    return sent


def _digest_editions(person: Person, *, since: datetime, until: datetime):
    chosen = TopicChoice.objects.filter(person=person)
    digest_topics = chosen.filter(delivery=TopicChoice.Delivery.LIVE_AND_DIGEST).values("topic_id")
    email_topics = chosen.filter(delivery=TopicChoice.Delivery.LIVE_AND_EMAIL).values("topic_id")
    downloaded_before = Download.objects.filter(person=person, item=OuterRef("item"), at__lt=OuterRef("created_at"))
    in_digest = Item.objects.filter(topics__in=digest_topics).exclude(topics__in=email_topics).values("pk")
    return (
        Edition.objects.filter(
            created_at__gte=since,
            created_at__lt=until,
            item__in=access.items_visible_to(person),
        )
        .filter(item__in=in_digest)
        .exclude(added_by=person)
        .exclude(Exists(downloaded_before))
        .select_related("item__organisation")
        .order_by("created_at", "pk")
    )


def _entry(edition: Edition) -> dict:
    item = edition.item
    return {
        "item": item,
        "edition": edition,
        "is_new_edition": edition.number > 1,
        "marking": item.get_marking_display(),
        "with_content": marking_allows_email_content(item.marking),
        "link": absolute(reverse("library:item", args=[item.pk])),
    }
