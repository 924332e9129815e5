"""Managing people: focal points for their own organisation, administrators for all."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import access, actions, confirmation, selectors
from accounts.forms import ApproveForm, ExpertiseForm, InviteForm, RejectForm, RoleForm, SuspendForm
from accounts.models import Person
from environet.http import SignedInRequest


def _manager(request: SignedInRequest) -> Person:
    if not access.can_manage_people(request.user):
        raise Http404
    return request.user


def _target(
    request: SignedInRequest, person_id: int, allowed: Callable[[Person, Person], bool]
) -> tuple[Person, Person]:
    """(actor, person) when the actor may do this to the person; otherwise 404, as if nobody were there."""
    actor = _manager(request)
    person = access.person_for_manager(actor, person_id)
    if not allowed(actor, person):
        raise Http404
    return actor, person


@require_safe
def people(request: SignedInRequest) -> HttpResponse:
    actor = _manager(request)
    query, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    if state not in Person.State.values:
        state = ""
    page = Paginator(selectors.people_list(person=actor, query=query, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/people.html",
        {
            "page": page,
            "query": query,
            "state": state,
            # Service identities are no members: they are not listed, so not offered as a filter either.
            "states": [choice for choice in Person.State.choices if choice[0] != Person.State.SERVICE],
            "waiting": selectors.waiting_requests(person=actor),
        },
    )


def _person_page(request: SignedInRequest, person: Person, status: int = 200, **forms) -> HttpResponse:
    actor = request.user
    deciding = access.can_decide(actor, person)
    context = {
        "person": person,
        "can_decide": deciding,
        "can_suspend": access.can_suspend(actor, person),
        "can_reactivate": access.can_reactivate(actor, person),
        "can_resend": access.can_resend_welcome(actor, person),
        "can_set_moderator": access.can_set_moderator(actor, person),
        "approve_form": forms.get("approve_form")
        or (
            ApproveForm(
                roles=access.invitable_roles(actor),
                organisations=access.organisations_for_invitations(actor) if actor.is_administrator else None,
            )
            if deciding
            else None
        ),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "suspend_form": forms.get("suspend_form") or SuspendForm(),
        "role_form": forms.get("role_form")
        or (
            RoleForm(roles=access.roles_assignable_by(actor, person), initial={"role": person.role})
            if access.roles_assignable_by(actor, person)
            else None
        ),
        "expertise_form": forms.get("expertise_form")
        or ExpertiseForm(
            initial={
                name: getattr(person, name)
                for name in (
                    "is_expert",
                    "expert_conventions",
                    "expert_topics",
                    "expert_languages",
                    "expert_regions",
                )
            }
        ),
    }
    return render(request, "accounts/person.html", context, status=status)


@require_safe
def person_detail(request: SignedInRequest, person_id: int) -> HttpResponse:
    return _person_page(request, access.person_for_manager(_manager(request), person_id))


@require_POST
@confirmation.fresh_confirmation_required
def approve(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor, person = _target(request, person_id, access.can_decide)
    form = ApproveForm(
        request.POST,
        roles=access.invitable_roles(actor),
        organisations=access.organisations_for_invitations(actor) if actor.is_administrator else None,
    )
    if not form.is_valid():
        return _person_page(request, person, status=400, approve_form=form)
    actions.approve(
        request=request,
        actor=actor,
        person=person,
        role=form.cleaned_data["role"],
        organisation=form.cleaned_data.get("organisation"),
    )
    messages.success(
        request,
        _("%(name)s has been approved and sent a link to choose a password.") % {"name": person.full_name},
    )
    return redirect("accounts:person", person_id=person.pk)


@require_POST
@confirmation.fresh_confirmation_required
def reject(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor, person = _target(request, person_id, access.can_decide)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, status=400, reject_form=form)
    actions.reject(request=request, actor=actor, person=person, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("The request of %(name)s has been rejected; they have been told why.") % {"name": person.full_name},
    )
    return redirect("accounts:people")


@require_POST
@confirmation.fresh_confirmation_required
def change_role(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor = _manager(request)
    person = access.person_for_manager(actor, person_id)
    roles = access.roles_assignable_by(actor, person)
    if not roles:
        raise Http404
    form = RoleForm(request.POST, roles=roles)
    if not form.is_valid():
        return _person_page(request, person, status=400, role_form=form)
    actions.change_role(request=request, actor=actor, person=person, role=form.cleaned_data["role"])
    messages.success(request, _("The role has been saved."))
    return redirect("accounts:person", person_id=person.pk)


@require_POST
@confirmation.fresh_confirmation_required
def moderator(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor, person = _target(request, person_id, access.can_set_moderator)
    actions.set_moderator(
        request=request, actor=actor, person=person, moderator=request.POST.get("is_moderator") == "1"
    )
    messages.success(request, _("The role has been saved."))
    return redirect("accounts:person", person_id=person.pk)


@require_POST
def expertise(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor = _manager(request)
    person = access.person_for_manager(actor, person_id)
    form = ExpertiseForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, status=400, expertise_form=form)
    actions.set_expertise(request=request, actor=actor, person=person, data=form.cleaned_data)
    messages.success(request, _("The areas of expertise have been saved."))
    return redirect("accounts:person", person_id=person.pk)


@require_POST
@confirmation.fresh_confirmation_required
def suspend(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor, person = _target(request, person_id, access.can_suspend)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, status=400, suspend_form=form)
    actions.suspend(request=request, actor=actor, person=person, reason=form.cleaned_data["reason"])
    messages.success(request, _("%(name)s has been suspended and signed out everywhere.") % {"name": person.full_name})
    return redirect("accounts:person", person_id=person.pk)


@require_POST
@confirmation.fresh_confirmation_required
def reactivate(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor, person = _target(request, person_id, access.can_reactivate)
    actions.reactivate(request=request, actor=actor, person=person)
    messages.success(request, _("%(name)s can sign in again.") % {"name": person.full_name})
    return redirect("accounts:person", person_id=person.pk)


@require_POST
def resend_welcome(request: SignedInRequest, person_id: int) -> HttpResponse:
    actor, person = _target(request, person_id, access.can_resend_welcome)
    actions.resend_welcome(request=request, actor=actor, person=person)
    messages.success(
        request,
        _("A new link has been sent to %(email)s; earlier links no longer work.") % {"email": person.email},
    )
    return redirect("accounts:person", person_id=person.pk)


@require_http_methods(["GET", "POST"])
def invite(request: SignedInRequest) -> HttpResponse:
    actor = _manager(request)
    organisations = access.organisations_for_invitations(actor)
    # Preselected: what the people of the organisation they join follow (the one offered, or the inviter's).
    joining = organisations.first() if organisations.count() == 1 else actor.organisation
    form = InviteForm(
        request.POST or None,
        organisations=organisations,
        roles=access.invitable_roles(actor),
        usual_topics=selectors.usual_topic_codes(organisation=joining, inviter=actor),
    )
    if request.method == "POST" and form.is_valid():
        person = actions.invite(request=request, actor=actor, data=form.cleaned_data)
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(email)s. The link works for %(days)d day.",
                "Invitation sent to %(email)s. The link works for %(days)d days.",
                settings.INVITATION_DAYS,
            )
            % {"email": person.email, "days": settings.INVITATION_DAYS},
        )
        return redirect("accounts:person", person_id=person.pk)
    return render(request, "accounts/invite.html", {"form": form})
