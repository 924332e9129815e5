from ninja import Router, Schema

from environet.api_errors import refusals
from topics.selectors import choices_for

router = Router(tags=["topics"])


class TopicOut(Schema):
    code: str
    name: str
    delivery: str


@router.get(
    "/",
    response={200: list[TopicOut], **refusals(invalid=False)},
    summary="Topics A–G and how the signed-in person hears about each",
)
def list_topics(request):
    return [
        TopicOut(code=topic.code, name=topic.display_name, delivery=delivery)
        for topic, delivery in choices_for(person=request.auth)
    ]
