from messaging.models import Event


def live(request) -> dict:
    """The newest event id when the page was made: its live stream starts after it, so an event posted
    between rendering the page and opening the stream is not missed."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"live_after": Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0}
