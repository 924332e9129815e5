"""What the audit trail calls requests for assistance: their subject, only for those who may read them today
(assistance.access), so a subject never reaches someone outside the request's audience."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from assistance import access
from assistance.models import Area, Availability
from audit import labels


def requests(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.requests_visible_to(viewer).filter(pk__in=ids).values_list("pk", "thread__subject"))


def register() -> None:
    labels.register("assistance.request", name=gettext_lazy("request for assistance"), labels=requests)
    labels.register_changes(
        "assistance.request",
        {
            "useful": labels.Words(name=gettext_lazy("was this useful")),
            "consent_to_publish": labels.Words(name=gettext_lazy("may be published in the library")),
        },
    )
    # An expert's own profile (assistance.actions.set_expert_profile), recorded on the person.
    labels.register_changes(
        "accounts.person",
        {
            "areas": labels.Words(name=gettext_lazy("commodity groups"), values=dict(Area.choices)),
            "availability": labels.Words(name=gettext_lazy("availability"), values=dict(Availability.choices)),
            "away_until": labels.Words(name=gettext_lazy("away until")),
        },
    )
