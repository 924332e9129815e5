from ninja import Router, Schema

from environet.api_errors import refusals

router = Router(tags=["people"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    organisation: str
    role: str
    language: str
    time_zone: str
    is_expert: bool


@router.get("/me", response={200: MeOut, **refusals(invalid=False)}, summary="The signed-in person")
def me(request):
    person = request.auth
    return MeOut(
        id=person.pk,
        email=person.email,
        full_name=person.full_name,
        organisation=str(person.organisation),
        role=person.role,
        language=person.language,
        time_zone=person.time_zone,
        is_expert=person.is_expert,
    )
