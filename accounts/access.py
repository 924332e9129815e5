"""Who may see or do what with people and organisations: the only place these rules live.

Every helper that fetches an object raises Http404 both when it does not exist and when the person
may not see it, so nobody can probe what exists.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import ApiToken, Organisation, Person

Role = Person.Role


def is_member_in_good_standing(person: Person) -> bool:
    """Whether ``person`` may read and act on the platform now: an active person, or the service identity
    of an active organisation (it only ever gets here through one of its tokens: it cannot sign in). The
    service identity then holds the rights of a member of its organisation with no personal grants, so
    every app's audience, marking and ownership rules apply to it unchanged. Deactivating the organisation
    stops its tokens at the next call."""
    if not person.is_authenticated:
        return False
    if person.is_service:
        return person.organisation.is_active and not person.organisation.proposed
    return person.is_active


def people_who_may_be_named() -> QuerySet[Person]:
    """Who is within reach: the people an author may name as readers (a named-people audience, a
    mention, a forum's members), the same for every author. Only active people: a requested, rejected
    or suspended person is out of reach, and callers answer for them exactly as for an address nobody
    has, so that naming people does not tell who has, or had, an account."""
    return Person.objects.filter(state=Person.State.ACTIVE)


def named_people(addresses: Iterable[str]) -> tuple[list[Person], list[str]]:
    """The people within reach who have these email addresses, and the other addresses (lower case,
    sorted), whether nobody or someone out of reach has them. One query, whatever the addresses."""
    wanted = {address.strip().lower() for address in addresses if address.strip()}
    found = list(people_who_may_be_named().filter(email__in=wanted))
    return found, sorted(wanted - {person.email for person in found})


def can_manage_people(person: Person) -> bool:
    return person.is_administrator or person.is_focal_point


def people_managed_by(person: Person) -> QuerySet[Person]:
    # An organisation's service identity is nobody's to manage as a person (role, suspension, welcome
    # link) and is no member to list: its tokens are managed on the organisation's service-token page.
    people = Person.objects.exclude(state=Person.State.SERVICE)
    if person.is_administrator:
        return people
    if person.is_focal_point:
        # Administrators answer to the secretariat: a focal point never touches one, even in their own
        # organisation (role, suspension, expertise, welcome link).
        return people.filter(organisation_id=person.organisation_id).exclude(role=Role.ADMINISTRATOR)
    return Person.objects.none()


def person_for_manager(person: Person, person_id: int) -> Person:
    try:
        return people_managed_by(person).select_related("organisation").get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404 from None


def requests_decided_by(person: Person) -> QuerySet[Person]:
    """Access requests this person may approve or reject.

    A focal point decides for their own (known, active) organisation; administrators decide for all,
    and alone for organisations nobody has confirmed yet.
    """
    waiting = Person.objects.filter(state=Person.State.REQUESTED)
    if person.is_administrator:
        return waiting
    if person.is_focal_point:
        return waiting.filter(
            organisation_id=person.organisation_id, organisation__is_active=True, organisation__proposed=False
        )
    return Person.objects.none()


def can_decide(actor: Person, person: Person) -> bool:
    return requests_decided_by(actor).filter(pk=person.pk).exists()


def roles_assignable_by(actor: Person, person: Person) -> list[str]:
    """Roles ``actor`` may give ``person``. Nobody changes their own role; focal points never touch
    administrators and never make one."""
    if actor.pk == person.pk or person.state != Person.State.ACTIVE:
        return []
    if actor.is_administrator:
        return [choice.value for choice in Role]
    if actor.is_focal_point and person.organisation_id == actor.organisation_id and person.role != Role.ADMINISTRATOR:
        return [Role.FOCAL_POINT, Role.MEMBER, Role.OBSERVER]
    return []


def can_set_moderator(actor: Person, person: Person) -> bool:
    """Administrators choose the moderators (who may hide messages and lock threads)."""
    return actor.is_administrator and person.state == Person.State.ACTIVE


def can_suspend(actor: Person, person: Person) -> bool:
    if actor.pk == person.pk or person.state != Person.State.ACTIVE:
        return False
    if actor.is_administrator:
        return True
    return (
        actor.is_focal_point and person.organisation_id == actor.organisation_id and person.role != Role.ADMINISTRATOR
    )


def can_reactivate(actor: Person, person: Person) -> bool:
    if person.state != Person.State.SUSPENDED:
        return False
    if actor.is_administrator:
        return True
    return (
        actor.is_focal_point and person.organisation_id == actor.organisation_id and person.role != Role.ADMINISTRATOR
    )


def can_resend_welcome(actor: Person, person: Person) -> bool:
    return person.is_active and not person.has_signed_in_once and people_managed_by(actor).filter(pk=person.pk).exists()


def organisations_for_invitations(actor: Person) -> QuerySet[Organisation]:
    if actor.is_administrator:
        return Organisation.objects.filter(is_active=True)
    if actor.is_focal_point:
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()


def invitable_roles(actor: Person) -> list[str]:
    if actor.is_administrator:
        return [choice.value for choice in Role]
    if actor.is_focal_point:
        return [Role.FOCAL_POINT, Role.MEMBER, Role.OBSERVER]
    return []


def can_manage_organisations(person: Person) -> bool:
    return person.is_administrator


def organisations_managed_by(person: Person) -> QuerySet[Organisation]:
    return Organisation.objects.all() if person.is_administrator else Organisation.objects.none()


def organisation_for_manager(person: Person, organisation_id: int) -> Organisation:
    try:
        return organisations_managed_by(person).get(pk=organisation_id)
    except Organisation.DoesNotExist:
        raise Http404 from None


def decision_makers_for(person: Person) -> QuerySet[Person]:
    """Who is told about a new access request: the organisation's focal points, else administrators."""
    organisation = person.organisation
    if organisation.is_active and not organisation.proposed:
        focal_points = Person.objects.filter(
            organisation=organisation, role=Role.FOCAL_POINT, state=Person.State.ACTIVE
        )
        if focal_points.exists():
            return focal_points
    return Person.objects.filter(role=Role.ADMINISTRATOR, state=Person.State.ACTIVE)


# --- API tokens -------------------------------------------------------------------------------------------

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_scope_needed(*, method: str, section: str) -> str | None:
    """The scope a token needs for a call to the API section (its first path segment after /api/v1/:
    "seizures", "messages"...), or None when no token may make the call. Which records the call then
    reaches is the person's own access, as in the pages: the scope only narrows it."""
    Scope = ApiToken.Scope
    if section == "messages":
        return Scope.MESSAGES
    if method.upper() in _SAFE_METHODS:
        return Scope.READ
    if section == "seizures":
        return Scope.SEIZURES_WRITE
    return None


def token_scopes_usable_by(person: Person) -> list[str]:
    """The scopes a personal token of ``person`` may be given: a scope for calls their access refuses anyway
    (an observer filing records) would only answer 404s."""
    from messaging.access import can_post

    Scope = ApiToken.Scope
    usable = [Scope.READ.value, Scope.MESSAGES.value]
    return usable + ([Scope.SEIZURES_WRITE.value] if can_post(person) else [])


def token_allows(token: ApiToken, *, method: str, section: str) -> bool:
    needed = token_scope_needed(method=method, section=section)
    return needed is not None and needed in token.scopes


def token_of(person: Person, token_id: int) -> ApiToken:
    """One of the person's own tokens; anyone else's answers as missing."""
    token = ApiToken.objects.filter(pk=token_id, person=person).first()
    if token is None:
        raise Http404
    return token


# An organisation's service tokens are made, listed and revoked by the people who already answer for the
# organisation on the platform: its focal points, and the administrators. They belong to the organisation
# rather than to whoever made them, so they outlive that person's suspension or move.


def organisations_with_service_tokens_of(person: Person) -> QuerySet[Organisation]:
    """The organisations whose service tokens ``person`` may list, make and revoke."""
    known = Organisation.objects.filter(proposed=False)
    if person.is_administrator:
        return known
    if person.is_focal_point:
        return known.filter(pk=person.organisation_id)
    return Organisation.objects.none()


def service_tokens_organisation_for(person: Person, organisation_id: int) -> Organisation:
    """An organisation whose service tokens ``person`` manages; any other answers as missing."""
    organisation = organisations_with_service_tokens_of(person).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation


def can_manage_service_tokens(person: Person, organisation: Organisation) -> bool:
    return organisations_with_service_tokens_of(person).filter(pk=organisation.pk).exists()


def can_make_service_token(person: Person, organisation: Organisation) -> bool:
    """A deactivated organisation's tokens would not work: none is made for it."""
    return organisation.is_active and can_manage_service_tokens(person, organisation)


def service_token_of(person: Person, organisation: Organisation, token_id: int) -> ApiToken:
    """One of the organisation's service tokens, for someone who manages them; anything else (a personal
    token, another organisation's) answers as missing."""
    if not can_manage_service_tokens(person, organisation):
        raise Http404
    token = ApiToken.objects.filter(
        pk=token_id, person__organisation=organisation, person__state=Person.State.SERVICE
    ).first()
    if token is None:
        raise Http404
    return token
