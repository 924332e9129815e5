"""Telling people who downloaded an earlier edition that a new one is out: a live notice (references only,
worded when shown: library.notices) and, for those who chose email for one of the item's topics, an email.
Emails above GREEN carry no content, as for messages. The work runs after the commit, in the task queue."""

from django.db import transaction
from django.tasks import task
from django.urls import reverse

from accounts.models import Person
from environet.mail import absolute, send_after_commit
from library import access
from library.models import Edition
from messaging import actions as messaging_actions
from messaging.access import marking_allows_email_content
from topics.models import TopicChoice


def new_edition_after_commit(*, item_id: int, edition_id: int, people: list[int]) -> None:
    if people:
        transaction.on_commit(lambda: tell_new_edition.enqueue(item_id=item_id, edition_id=edition_id, people=people))


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
