"""Email: rendered in the recipient's language, sent by the task queue after the transaction commits."""

from collections.abc import Callable, Iterable, Sequence
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from environet import enqueue


@task()
def deliver(*, to: list[str], subject: str, body: str, attachments: Sequence[Sequence[str]] = ()) -> None:
    """``attachments``: (file name, text, content type) each; text only, as task arguments are JSON."""
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    for name, content, content_type in attachments:
        message.attach(name, content, content_type)
    message.send()


# Emails of one notice to many people go to the mail server over one connection per batch: a new connection
# (and task) per email made sending ten times slower than a plain loop. A batch is retried whole if its worker
# dies, so it is kept small: at most this many could go twice.
BATCH_SIZE = 50


@task()
def deliver_batch(*, emails: list[dict[str, Any]]) -> int:
    """Several emails (each {"to": [...], "subject", "body"}) over one connection to the mail server."""
    messages = [
        EmailMessage(
            subject=email["subject"], body=email["body"], from_email=settings.DEFAULT_FROM_EMAIL, to=email["to"]
        )
        for email in emails
    ]
    return mailers.default.send_messages(messages) or 0


def _rendered(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    return f"[ENVIRONET] {subject}", body


def send_each_after_commit(
    *, people: Iterable[Any], template: str, context_for: Callable[[Any], dict[str, Any]]
) -> int:
    """One email to each of ``people`` (with ``email`` and ``language``), rendered for each in their language
    with ``context_for(person)``, queued once committed in batches sent over one connection each."""
    emails = []
    for person in people:
        subject, body = _rendered(template, context_for(person), person.language)
        emails.append({"to": [person.email], "subject": subject, "body": body})
    for batch in batched(emails, BATCH_SIZE):
        enqueue.after_commit(deliver_batch, emails=list(batch))
    return len(emails)


def send_after_commit(
    *,
    to: str | Iterable[str],
    template: str,
    context: dict[str, Any],
    language: str = "en",
    attachments: Sequence[tuple[str, str, str]] = (),
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue them once committed, with
    ``attachments`` ((file name, text, content type) each: a calendar invitation, never shared content).

    Nothing leaves the building if the transaction rolls back.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    subject, body = _rendered(template, context, language)
    files = [list(attachment) for attachment in attachments]
    enqueue.after_commit(deliver, to=recipients, subject=subject, body=body, attachments=files)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
