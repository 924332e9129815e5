"""What the audit trail calls requests for assistance: their subject, only for those who may read them today
(assistance.access), so a subject never reaches someone outside the request's audience."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from assistance import access
from audit import labels


def requests(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.requests_visible_to(viewer).filter(pk__in=ids).values_list("pk", "thread__subject"))


def register() -> None:
    labels.register("assistance.request", name=gettext_lazy("request for assistance"), labels=requests)
