from django.db import connection

from environet.compiled import fetch
from messaging.models import Event

_KEY = str(Event._meta.pk.column)


def live(request) -> dict:
    """The newest event id when the page was made: its live stream starts after it, so an event posted
    between rendering the page and opening the stream is not missed. Asked of every page, in one constant
    statement (building the ORM's query each time cost more than running it)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    quote = connection.ops.quote_name
    newest = fetch(f"SELECT MAX({quote(_KEY)}) FROM {quote(Event._meta.db_table)}", [])  # noqa: S608 - names from the model
    return {"live_after": newest[0] or 0}
