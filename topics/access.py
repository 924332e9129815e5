"""Which topics and forums a person may see: every topic A–G, and the forums they are a member of."""

from django.db.models import Q, QuerySet

from topics.models import Topic


def topics_visible_to(person) -> QuerySet[Topic]:
    if not (person.is_authenticated and person.is_active):
        return Topic.objects.none()
    return Topic.objects.filter(Q(is_forum=False) | Q(members=person)).distinct()


def can_open_forums(person) -> bool:
    return person.is_authenticated and person.is_administrator
