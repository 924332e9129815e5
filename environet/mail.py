"""Email: rendered in the recipient's language, sent by the task queue after the transaction commits."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task()
def deliver(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()


def send_after_commit(*, to: str | Iterable[str], template: str, context: dict[str, Any], language: str = "en") -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue them once committed.

    Nothing leaves the building if the transaction rolls back.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    transaction.on_commit(lambda: deliver.enqueue(to=recipients, subject=f"[ENVIRONET] {subject}", body=body))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
