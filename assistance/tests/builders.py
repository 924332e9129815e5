from datetime import timedelta
from typing import Any

from django.utils import timezone

from assistance import actions
from assistance.models import Request
from topics.models import Topic


def draft(**fields: Any) -> actions.RequestDraft:
    values: dict[str, Any] = {
        "subject": "Pangolin scales: how to tell species apart?",
        "question": "We hold **12 bags** of scales at Mombasa.",
        "topics": [Topic.objects.get(code="B")],
        "deadline": timezone.localdate() + timedelta(days=10),
        "conventions": ["cites"],
        "areas": ["pangolin"],
    }
    values.update(fields)
    return actions.RequestDraft(**values)


def ask(asker, **fields: Any) -> Request:
    return actions.ask(request=None, asker=asker, draft=draft(**fields))


def answered(asker, expert, **fields: Any) -> Request:
    found = ask(asker, experts=[expert], **fields)
    found = actions.accept(request=None, expert=expert, found=found)
    return actions.mark_answered(request=None, expert=expert, found=found, answer="Count the ridges.")
