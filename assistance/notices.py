"""What notices about requests for assistance say, worded when shown (environet.notices), through today's
access rule: a notice about a request the person may no longer read is not shown at all.

Each ``assistance.<what>`` notice holds ``request`` (an id) and nothing else.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import access
from environet import notices


def _texts() -> dict[str, str]:
    return {
        "invited": _("You are invited to help with the request “%(subject)s” (%(marking)s)."),
        "open": _("A new request for assistance in your topics: “%(subject)s” (%(marking)s)."),
        "accepted": _("An expert has accepted your request “%(subject)s” (%(marking)s)."),
        "answered": _("Your request “%(subject)s” (%(marking)s) has been answered: close it when you are done."),
        "closed": _("The request “%(subject)s” (%(marking)s) that you answered has been closed."),
        "withdrawn": _("The request “%(subject)s” (%(marking)s) has been withdrawn."),
        "expired": _("Nobody took up your request “%(subject)s” (%(marking)s) before its deadline: it has expired."),
        "reminder": _("The request “%(subject)s” (%(marking)s) is due on %(deadline)s."),
        "overdue": _("The request “%(subject)s” (%(marking)s) is overdue since %(deadline)s."),
    }


def _render(what: str):
    def shown(person, references: dict[str, Any]) -> notices.Shown | None:
        request_id = references.get("request")
        if not isinstance(request_id, int):
            return None
        found = access.requests_visible_to(person).select_related("thread").filter(pk=request_id).first()
        if found is None:
            return None
        text = _texts()[what] % {
            "subject": found.thread.subject,
            "marking": found.thread.get_marking_display(),
            "deadline": found.deadline.isoformat(),
        }
        return notices.Shown(text=text, url=reverse("assistance:request", args=[found.pk]))

    return shown


for _what in ("invited", "open", "accepted", "answered", "closed", "withdrawn", "expired", "reminder", "overdue"):
    notices.renderer(f"assistance.{_what}")(_render(_what))
