from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from environet import submissions

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_key(context) -> SafeString:
    """A form's one-time key (environet/submissions.py): the one the page was sent back with after an error,
    so correcting and resending counts as the same submission, or a new one."""
    request = context.get("request")
    sent = request.POST.get(submissions.FIELD, "")[:64] if request is not None and request.method == "POST" else ""
    return format_html('<input type="hidden" name="{}" value="{}">', submissions.FIELD, sent or submissions.new_key())
