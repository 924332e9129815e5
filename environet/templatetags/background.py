"""Said where people wait for work done after their request (an import checked, a library file read): when no
task worker is running, so that a page that keeps saying "waiting" says why, and that nothing is lost."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from environet import worker

register = template.Library()


@register.simple_tag
def background_paused() -> SafeString | str:
    if worker.working():
        return ""
    return format_html(
        '<p class="notice" role="status">{}</p>',
        _(
            "Work after sending is paused: the platform's background worker is not running at the moment. "
            "Your file is kept, and this goes on by itself as soon as the worker is back; the administrators "
            "see it on the health check."
        ),
    )
