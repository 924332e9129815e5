"""Email: rendered in the recipient's language, sent by the task queue after the transaction commits."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task()
def deliver(*, to: list[str], subject: str, body: str, attachments: Sequence[Sequence[str]] = ()) -> None:
    """``attachments``: (file name, text, content type) each; text only, as task arguments are JSON."""
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    for name, content, content_type in attachments:
        message.attach(name, content, content_type)
    message.send()


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
    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    files = [list(attachment) for attachment in attachments]
    transaction.on_commit(
        lambda: deliver.enqueue(to=recipients, subject=f"[ENVIRONET] {subject}", body=body, attachments=files)
    )


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
