"""What the audit trail calls threads, messages and attachments: only what the viewer may read today
(messaging.access), so a subject or a file name never reaches someone outside the audience."""

from collections.abc import Collection

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import labels
from messaging import access
from messaging.models import Follow, Message


def threads(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.threads_visible_to(viewer).filter(pk__in=ids).values_list("pk", "subject"))


def messages(viewer, ids: Collection[int]) -> dict[int, str]:
    found = access.messages_visible_to(viewer).filter(pk__in=ids).values_list("pk", "thread__subject")
    return {pk: _("%(subject)s, message #%(id)s") % {"subject": subject, "id": pk} for pk, subject in found}


def attachments(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.attachments_visible_to(viewer).filter(pk__in=ids).values_list("pk", "name"))


def register() -> None:
    labels.register("messaging.thread", name=gettext_lazy("thread"), labels=threads)
    # A moderator's reason for hiding a message may speak of what it said.
    labels.register("messaging.message", name=gettext_lazy("message"), labels=messages, private_changes={"reason"})
    labels.register("messaging.attachment", name=gettext_lazy("attachment"), labels=attachments)
    # A thread's start records the kind of its first message; a follow, the thread's new setting.
    follow = {**dict(Follow.State.choices), "topics": gettext_lazy("As its topics say")}
    labels.register_changes(
        "messaging.thread",
        {
            "kind": labels.Words(name=gettext_lazy("kind"), values=dict(Message.Kind.choices)),
            "follow": labels.Words(name=gettext_lazy("following"), values=follow),
        },
    )
