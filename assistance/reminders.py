"""The daily round of requests for assistance (run by the task ``assistance.tasks.daily``, which
``manage.py assistance_reminders`` enqueues, or runs at once with ``--now``; schedule it once a day):

- **Reminder**: an open or accepted request due within ``REMIND_DAYS`` days is told once to its asker and to
  its expert (or, while nobody has accepted it, to the experts invited).
- **Overdue**: an open or accepted request past its deadline is flagged once to the focal points who follow one
  of its topics (and may read it), and to its asker.
- **Expired**: an open request nobody accepted expires ``EXPIRE_AFTER_DAYS`` days after its deadline.

Every one is told through ``assistance.notify.tell``, which tells nobody who may not read the request.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Person
from assistance import actions, notify
from assistance.models import ACTIVE_STATES, Request, State
from topics.models import TopicChoice

REMIND_DAYS = 2
EXPIRE_AFTER_DAYS = 7


def run(*, today: date | None = None) -> dict[str, int]:
    """One daily round; returns how many requests were reminded, flagged overdue and expired."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "overdue": 0, "expired": 0}
    due = Request.objects.filter(
        state__in=ACTIVE_STATES,
        reminded_on__isnull=True,
        deadline__gte=today,
        deadline__lte=today + timedelta(REMIND_DAYS),
    )
    for found in due.select_related("thread", "asker", "expert"):
        with transaction.atomic():
            if Request.objects.filter(pk=found.pk, reminded_on__isnull=True).update(reminded_on=today):
                for person in _involved(found):
                    notify.tell(person=person, what="reminder", found=found)
                counts["reminded"] += 1
    late = Request.objects.filter(state__in=ACTIVE_STATES, overdue_flagged_on__isnull=True, deadline__lt=today)
    for found in late.select_related("thread", "asker"):
        with transaction.atomic():
            if Request.objects.filter(pk=found.pk, overdue_flagged_on__isnull=True).update(overdue_flagged_on=today):
                for person in [found.asker, *focal_points_of(found)]:
                    notify.tell(person=person, what="overdue", found=found)
                counts["overdue"] += 1
    stale = Request.objects.filter(state=State.OPEN, deadline__lt=today - timedelta(EXPIRE_AFTER_DAYS))
    for found in stale.select_related("thread", "asker"):
        counts["expired"] += int(actions.expire(found=found))
    return counts


def _involved(found: Request) -> list[Person]:
    people = [found.asker]
    if found.expert is not None:
        people.append(found.expert)
    else:
        people += [invitation.expert for invitation in found.invitations.select_related("expert")]
    return people


def focal_points_of(found: Request) -> list[Person]:
    """The focal points who follow one of the request's topics (telling nobody outside its audience is
    notify.tell's part)."""
    topic_ids = list(found.thread.topics.values_list("pk", flat=True))
    following = (
        TopicChoice.objects.filter(topic_id__in=topic_ids)
        .exclude(delivery=TopicChoice.Delivery.NONE)
        .values("person_id")
    )
    return list(
        Person.objects.filter(pk__in=following, role=Person.Role.FOCAL_POINT, state=Person.State.ACTIVE).exclude(
            pk=found.asker_id
        )
    )
