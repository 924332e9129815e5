"""Which topics and forums a person may see: every topic A–G, and the forums they are a member of."""

from django.db.models import Q, QuerySet

from accounts.access import is_member_in_good_standing
from topics.models import Topic


def topics_visible_to(person) -> QuerySet[Topic]:
    if not is_member_in_good_standing(person):
        return Topic.objects.none()
    return Topic.objects.filter(Q(is_forum=False) | Q(members=person)).distinct()


def can_open_forums(person) -> bool:
    return person.is_authenticated and person.is_administrator
