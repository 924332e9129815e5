"""Telling people about requests for assistance: a live notice (references only, worded when shown:
assistance.notices) and an email in the reader's language with the marking line. Emails above GREEN carry
no content (not even the subject), as for messages. Nothing is told to someone who may not read the request.
"""

from django.urls import reverse

from accounts.models import Person
from assistance import access
from assistance.models import Request
from environet.mail import absolute, send_after_commit
from messaging import actions as messaging_actions
from messaging.access import marking_allows_email_content

# What each notice is about: "assistance.<what>".
WHATS = ("invited", "open", "accepted", "answered", "closed", "withdrawn", "expired", "reminder", "overdue")


def tell(*, person: Person, what: str, found: Request) -> bool:
    """A notice and an email to ``person`` about ``found``; False (nothing told) if they may not read it."""
    assert what in WHATS
    if not (person.is_active and access.may_read(person, found)):
        return False
    messaging_actions.notice(person=person, about=f"assistance.{what}", request=found.pk)
    thread = found.thread
    send_after_commit(
        to=person.email,
        template="assistance/email/told",
        language=person.language,
        context={
            "person": person,
            "what": what,
            "found": found,
            "subject": thread.subject,
            "deadline": found.deadline,
            "marking": thread.get_marking_display(),
            "with_content": marking_allows_email_content(thread.marking),
            "link": absolute(reverse("assistance:request", args=[found.pk])),
        },
    )
    return True


def experts_of_topics(found: Request):
    topics = list(found.thread.topics.values_list("code", flat=True))
    experts = Person.objects.filter(is_expert=True, state=Person.State.ACTIVE).exclude(pk=found.asker_id)
    return [expert for expert in experts if set(expert.expert_topics or []) & set(topics)]


def open_to_all_after_commit(found: Request) -> None:
    """A request open to all experts of its topics: each of them who may read it is told."""
    for expert in experts_of_topics(found):
        if access.is_expert(expert):
            tell(person=expert, what="open", found=found)
