"""Pages of the enforcement networks: thin (parse, call, render). Rules are in access.py, reads in
selectors.py, writes in actions.py. Anything the person may not see answers 404."""

from datetime import date

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from environet.http import SignedInRequest
from messaging.actions import Refused
from messaging.views import stored_file_response
from network import access, actions, export, export_views, output_actions, output_selectors, selectors
from network.forms import (
    ActivityForm,
    AsOfForm,
    CommentForm,
    MembershipEditForm,
    MembershipForm,
    MembersOnForm,
    NetworkForm,
    NewNetworkForm,
    PublishForm,
    RepositoryForm,
    ResolveFlagForm,
    refuse,
)
from network.models import Network, Standing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _network(request: SignedInRequest, short_name: str) -> Network:
    return access.network_for(request.user, short_name)


def _day(form: AsOfForm, name: str) -> date | None:
    return form.cleaned_data.get(name) if form.is_valid() else None


@require_safe
def networks(request: SignedInRequest) -> HttpResponse:
    if not access.is_reader(request.user):
        raise Http404
    return render(
        request,
        "network/networks.html",
        {"networks": selectors.networks(request.user), "can_open": access.can_open_networks(request.user)},
    )


@require_http_methods(["GET", "POST"])
def network_new(request: SignedInRequest) -> HttpResponse:
    if not access.can_open_networks(request.user):
        raise Http404
    form = NewNetworkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = actions.open_network(
                request=request,
                person=request.user,
                name=data["name"],
                short_name=data["short_name"],
                mandate=data["mandate"],
                secretariat=data["secretariat"],
                terms=data["terms"],
            )
        except actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The network is open. Add its members and observers."))
            return redirect("network:network", network=found.short_name)
    return render(request, "network/network_form.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
def network(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    form = MembersOnForm(request.GET or None)
    day = (form.cleaned_data.get("as_of") if form.is_valid() else None) or timezone.localdate()
    held = list(selectors.members_on(found, day))
    manages = access.can_manage(request.user, found)
    return render(
        request,
        "network/network.html",
        {
            "network": found,
            "form": form,
            "day": day,
            "members": [m for m in held if m.standing == Standing.MEMBER],
            "observers": [m for m in held if m.standing == Standing.OBSERVER],
            "history": selectors.membership_history(found) if manages else None,
            "terms": selectors.latest_terms(found),
            "standing": selectors.standing_label(access.standing(request.user, found) or ""),
            "can_manage": manages,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def network_edit(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    if not access.can_manage(request.user, found):
        raise Http404
    form = NetworkForm(
        request.POST or None, request.FILES or None, initial={"name": found.name, "mandate": found.mandate}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.update_network(request=request, person=request.user, network=found, name=data["name"],
                               mandate=data["mandate"], terms=data["terms"])  # fmt: skip
        notices.success(request, _("The network has been saved."))
        return redirect("network:network", network=found.short_name)
    return render(
        request, "network/network_form.html", {"form": form, "network": found}, status=400 if form.errors else 200
    )


@require_safe
def terms(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    stored = selectors.latest_terms(found)
    if stored is None:
        raise Http404
    content = actions.download_terms(request=request, person=request.user, terms=stored)
    return stored_file_response(stored, content, thumbnail=False)


@require_http_methods(["GET", "POST"])
def membership_new(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    if not access.can_manage(request.user, found):
        raise Http404
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_membership(request=request, person=request.user, network=found, draft=form.draft())
        except actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The membership has been recorded."))
            return redirect("network:network", network=found.short_name)
    return render(
        request, "network/membership_form.html", {"form": form, "network": found}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def membership_edit(request: SignedInRequest, network: str, membership_id: int) -> HttpResponse:
    found = _network(request, network)
    membership = access.membership_for(request.user, found, membership_id)
    initial = {"left_on": membership.left_on, "decision": membership.decision,
               "focal_points": list(membership.focal_points.all())}  # fmt: skip
    form = MembershipEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_membership(request=request, person=request.user, membership=membership,
                                      left_on=data.get("left_on"), decision=data.get("decision", ""),
                                      focal_points=list(data.get("focal_points") or []))  # fmt: skip
        except actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The membership has been saved."))
            return redirect("network:network", network=found.short_name)
    return render(
        request,
        "network/membership_form.html",
        {"form": form, "network": found, "membership": membership},
        status=400 if form.errors else 200,
    )


# --- Roadmap -----------------------------------------------------------------------------------------


def _roadmap_page(request: SignedInRequest, found: Network, publish_form: PublishForm, status: int = 200):
    form = AsOfForm(request.GET or None)
    today = timezone.localdate()
    day = _day(form, "as_of") or today
    compare_with = _day(form, "compare")
    # The diff reads from the earlier date to the later, whichever field holds which.
    first, second = sorted((compare_with, day)) if compare_with else (day, day)
    return render(
        request,
        "network/roadmap.html",
        {
            "network": found,
            "form": form,
            "day": day,
            "is_today": day == today,
            "sections": selectors.roadmap(found, day),
            "comparison": selectors.compare(found, first, second) if compare_with else None,
            "first": first,
            "second": second,
            "editions": found.editions.all()[:20],
            "can_propose": access.can_propose(request.user, found),
            "can_manage": access.can_manage(request.user, found),
            "publish_form": publish_form,
        },
        status=400 if form.errors or publish_form.errors else status,
    )


@require_safe
def roadmap(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    return _roadmap_page(request, found, PublishForm(initial={"as_of": timezone.localdate()}))


@require_POST
def publish(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    if not access.can_manage(request.user, found):
        raise Http404
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            actions.publish(request=request, person=request.user, network=found, as_of=form.cleaned_data["as_of"])
        except actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The roadmap has been published."))
            return redirect("network:roadmap", network=found.short_name)
    return _roadmap_page(request, found, form)


@require_safe
def roadmap_export(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    try:
        day = export_views.as_of(request)
    except export_views.BadDate as error:
        return export_views.refused_date(error)
    content = export.roadmap_xlsx(found, day)
    actions.roadmap_exported(request=request, person=request.user, network=found, as_of=day)
    response = HttpResponse(content, content_type=XLSX)
    name = f"{found.short_name}-roadmap-{day.isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Activities --------------------------------------------------------------------------------------


def _activity_form(request: SignedInRequest, found: Network, activity=None) -> ActivityForm:
    return ActivityForm(
        request.POST if request.method == "POST" else None,
        initial=ActivityForm.initial_of(activity) if activity else {"status": "proposed"},
        network=found,
        statuses=access.statuses_for(request.user, found, activity),
        contacts=selectors.people_of(found),
    )


@require_http_methods(["GET", "POST"])
def activity_new(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    if not access.can_propose(request.user, found):
        raise Http404
    form = _activity_form(request, found)
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.propose_activity(request=request, person=request.user, network=found, draft=form.draft())
        except actions.Invalid as error:
            refuse(form, error)
        except Refused:
            raise Http404 from None
        else:
            notices.success(request, _("The activity has been added to the roadmap."))
            return redirect("network:activity", network=found.short_name, activity_id=made.pk)
    return render(
        request, "network/activity_form.html", {"form": form, "network": found}, status=400 if form.errors else 200
    )


@require_safe
def activity(request: SignedInRequest, network: str, activity_id: int) -> HttpResponse:
    found = _network(request, network)
    return _activity_page(request, found, access.activity_for(request.user, found, activity_id), CommentForm())


def _activity_page(request: SignedInRequest, found: Network, item, comment_form: CommentForm) -> HttpResponse:
    from network import history

    names = selectors.Names.for_states([history.state_of(item)])
    return render(
        request,
        "network/activity.html",
        {
            "network": found,
            "activity": item,
            "rows": selectors.rows_of(history.state_of(item), names),
            "steps": selectors.activity_history(item),
            "comments": item.comments.select_related("author__organisation"),
            "comment_form": comment_form,
            "can_edit": access.can_edit(request.user, item),
            "can_comment": access.can_comment(request.user, found),
            "flags": selectors.flags_of(request.user, item),
            "inputs": selectors.inputs_of(item),
            "outputs": output_selectors.outputs_of(request.user, item),
            "can_record_outputs": access.can_edit(request.user, item) and item.status in output_actions.TAKES_OUTPUTS,
        },
        status=400 if comment_form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request: SignedInRequest, network: str, activity_id: int) -> HttpResponse:
    found = _network(request, network)
    item = access.activity_for(request.user, found, activity_id)
    if not access.can_edit(request.user, item):
        raise Http404
    form = _activity_form(request, found, item)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_activity(request=request, person=request.user, activity=item, draft=form.draft())
        except actions.Invalid as error:
            refuse(form, error)
        except Refused:
            raise Http404 from None
        else:
            notices.success(request, _("The activity has been saved."))
            return redirect("network:activity", network=found.short_name, activity_id=item.pk)
    return render(
        request,
        "network/activity_form.html",
        {"form": form, "network": found, "activity": item},
        status=400 if form.errors else 200,
    )


@require_POST
def comment(request: SignedInRequest, network: str, activity_id: int) -> HttpResponse:
    found = _network(request, network)
    item = access.activity_for(request.user, found, activity_id)
    if not access.can_comment(request.user, found):
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.comment(request=request, person=request.user, activity=item, body=form.cleaned_data["body"])
        except actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("Your comment has been added."))
            return redirect(reverse("network:activity", args=[found.short_name, item.pk]) + "#comments")
    return _activity_page(request, found, item, form)


@require_safe
def repository(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    form = RepositoryForm(request.GET or None)
    filters = form.filters()
    found_activities = selectors.repository(found, filters) if not form.errors else found.activities.none()
    shown = list(found_activities[:200])
    outputs = output_selectors.outputs_by_activity(request.user, shown)
    return render(
        request,
        "network/repository.html",
        {"network": found, "form": form, "activities": [(activity, outputs[activity.pk]) for activity in shown]},
        status=400 if form.errors else 200,
    )


# --- Coordination flags ------------------------------------------------------------------------------


@require_safe
def flags(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    shown = selectors.flags(request.user, found)
    return render(
        request,
        "network/flags.html",
        {
            "network": found,
            "open": [item for item in shown if item.flag.is_open],
            "closed": [item for item in shown if not item.flag.is_open],
            "can_manage": access.can_manage(request.user, found),
        },
    )


@require_POST
def flags_check(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    if not access.can_manage(request.user, found):
        raise Http404
    raised = actions.check_roadmap(request=request, person=request.user, network=found)
    message = ngettext(
        "The roadmap has been checked: %(count)d new flag.",
        "The roadmap has been checked: %(count)d new flags.",
        len(raised),
    )
    notices.success(request, message % {"count": len(raised)})
    return redirect("network:flags", network=found.short_name)


def _flag_page(request: SignedInRequest, found: Network, flag, form: ResolveFlagForm) -> HttpResponse:
    return render(
        request,
        "network/flag.html",
        {
            "network": found,
            "item": selectors.explained(flag),
            "steps": selectors.flag_steps(flag),
            "form": form,
            "can_resolve": access.can_manage(request.user, found) and flag.is_open,
        },
        status=400 if form.errors else 200,
    )


@require_safe
def flag(request: SignedInRequest, network: str, flag_id: int) -> HttpResponse:
    found = _network(request, network)
    return _flag_page(request, found, access.flag_for(request.user, found, flag_id), ResolveFlagForm())


@require_POST
def flag_resolve(request: SignedInRequest, network: str, flag_id: int) -> HttpResponse:
    found = _network(request, network)
    item = access.flag_for(request.user, found, flag_id)
    if not access.can_manage(request.user, found):
        raise Http404
    form = ResolveFlagForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.resolve_flag(request=request, person=request.user, flag=item, reason=data["reason"],
                                 note=data.get("note", ""))  # fmt: skip
        except actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The flag has been resolved."))
            return redirect("network:flag", network=found.short_name, flag_id=item.pk)
    return _flag_page(request, found, item, form)
