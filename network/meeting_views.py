"""Pages of a network's meetings: thin (parse, call, render), like network/views.py. Rules are in access.py,
writes in meeting_actions.py. Every form works without JavaScript; a refused form shows the meeting page
again with what was typed (400) and nothing saved."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Person
from environet.http import SignedInRequest
from messaging.actions import Refused
from messaging.views import stored_file_response
from network import access, invitations, meeting_actions, selectors
from network.forms import (
    AgendaItemForm,
    DecisionForm,
    DocumentForm,
    InputForm,
    InviteForm,
    MeetingForm,
    ParticipationForm,
    ReviewForm,
    refuse,
)
from network.models import Meeting, Network


def _network(request: SignedInRequest, short_name: str) -> Network:
    return access.network_for(request.user, short_name)


def _meeting(request: SignedInRequest, network: str, meeting_id: int) -> tuple[Network, Meeting]:
    found = _network(request, network)
    return found, access.meeting_for(request.user, found, meeting_id)


def _managed(request: SignedInRequest, network: str, meeting_id: int) -> tuple[Network, Meeting]:
    found, meeting = _meeting(request, network, meeting_id)
    if not access.can_manage(request.user, found):
        raise Http404
    return found, meeting


def _invite_form(data=None) -> InviteForm:
    return InviteForm(data, people=Person.objects.filter(state=Person.State.ACTIVE).select_related("organisation"))


def _page(
    request: SignedInRequest, found: Network, meeting: Meeting, reviewing: int | None = None, **forms
) -> HttpResponse:
    manages = access.can_manage(request.user, found)
    bound = {
        "agenda_form": AgendaItemForm(),
        "document_form": DocumentForm(),
        "invite_form": _invite_form(),
        "decision_form": DecisionForm(),
        "input_form": InputForm(network=found),
        "review_form": ReviewForm(),
        "participation_form": ParticipationForm(),
        **forms,
    }
    failed = any(form.errors for form in forms.values())
    return render(
        request,
        "network/meeting.html",
        {
            "network": found,
            "meeting": meeting,
            "where": invitations.where(meeting),
            "view": selectors.meeting_view(request.user, meeting),
            "can_manage": manages,
            "can_give_input": access.can_give_input(request.user, found),
            "takes_input": meeting_actions.takes_input(meeting),
            "reviewing": reviewing,
            **bound,
        },
        status=400 if failed else 200,
    )


@require_safe
def meetings(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    return render(
        request,
        "network/meetings.html",
        {"network": found, "meetings": found.meetings.select_related("host"),
         "can_manage": access.can_manage(request.user, found)},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def meeting_new(request: SignedInRequest, network: str) -> HttpResponse:
    found = _network(request, network)
    if not access.can_manage(request.user, found):
        raise Http404
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = meeting_actions.open_meeting(request=request, person=request.user, network=found, draft=form.draft())
        except meeting_actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The meeting has been added. Add its agenda and invite its participants."))
            return redirect("network:meeting", network=found.short_name, meeting_id=made.pk)
    return render(
        request, "network/meeting_form.html", {"form": form, "network": found}, status=400 if form.errors else 200
    )


@require_safe
def meeting(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _meeting(request, network, meeting_id)
    return _page(request, found, item)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    initial = {name: getattr(item, name) for name in ("number", "title", "starts_on", "ends_on", "place", "online",
                                                       "host", "minutes")}  # fmt: skip
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_actions.update_meeting(request=request, person=request.user, meeting=item, draft=form.draft())
        except meeting_actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The meeting has been saved."))
            return redirect("network:meeting", network=found.short_name, meeting_id=item.pk)
    return render(
        request,
        "network/meeting_form.html",
        {"form": form, "network": found, "meeting": item},
        status=400 if form.errors else 200,
    )


def _back(found: Network, item: Meeting, anchor: str) -> HttpResponse:
    return redirect(reverse("network:meeting", args=[found.short_name, item.pk]) + anchor)


@require_POST
def agenda_add(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            meeting_actions.add_agenda_item(request=request, person=request.user, meeting=item,
                                            title=form.cleaned_data["title"])  # fmt: skip
        except meeting_actions.Invalid as error:
            refuse(form, error)
        else:
            return _back(found, item, "#agenda")
    return _page(request, found, item, agenda_form=form)


@require_POST
def document_add(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        meeting_actions.add_document(request=request, person=request.user, meeting=item,
                                     upload=form.cleaned_data["document"])  # fmt: skip
        notices.success(request, _("The document has been added."))
        return _back(found, item, "#documents")
    return _page(request, found, item, document_form=form)


@require_safe
def document(request: SignedInRequest, network: str, meeting_id: int, document_id: int) -> HttpResponse:
    _found, item = _meeting(request, network, meeting_id)
    stored = item.documents.filter(pk=document_id).first()
    if stored is None:
        raise Http404
    content = meeting_actions.download_document(request=request, person=request.user, document=stored)
    return stored_file_response(stored, content, thumbnail=False)


@require_POST
def invite(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    form = _invite_form(request.POST)
    if form.is_valid():
        try:
            meeting_actions.invite(request=request, person=request.user, meeting=item,
                                   invitee=form.cleaned_data["person"])  # fmt: skip
        except meeting_actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The invitation has been sent."))
            return _back(found, item, "#participants")
    return _page(request, found, item, invite_form=form)


@require_POST
def participation(request: SignedInRequest, network: str, meeting_id: int, participant_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    participant = access.participant_for(request.user, item, participant_id)
    form = ParticipationForm(request.POST)
    if not form.is_valid():
        return _page(request, found, item, participation_form=form)
    meeting_actions.set_participation(request=request, person=request.user, participant=participant,
                                      state=form.cleaned_data["state"])  # fmt: skip
    return _back(found, item, "#participants")


@require_safe
def invitation(request: SignedInRequest, network: str, meeting_id: int, participant_id: int) -> HttpResponse:
    found, item = _meeting(request, network, meeting_id)
    participant = access.participant_for(request.user, item, participant_id)
    url = request.build_absolute_uri(reverse("network:meeting", args=[found.short_name, item.pk]))
    response = HttpResponse(invitations.ics(item, participant, url=url), content_type="text/calendar; charset=utf-8")
    name = f"{item.number}.ics"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def decision_add(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            meeting_actions.add_decision(request=request, person=request.user, meeting=item,
                                         text=form.cleaned_data["text"], follow_ups=form.follow_ups())  # fmt: skip
        except meeting_actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The decision has been recorded."))
            return _back(found, item, "#decisions")
    return _page(request, found, item, decision_form=form)


@require_POST
def input_add(request: SignedInRequest, network: str, meeting_id: int) -> HttpResponse:
    found, item = _meeting(request, network, meeting_id)
    if not access.can_give_input(request.user, found):
        raise Http404
    form = InputForm(request.POST, network=found)
    if form.is_valid():
        try:
            meeting_actions.submit_input(request=request, person=request.user, meeting=item, draft=form.draft())
        except meeting_actions.Invalid as error:
            refuse(form, error)
        except Refused:
            raise Http404 from None
        else:
            notices.success(request, _("Your input has been sent to the secretariat."))
            return _back(found, item, "#input")
    return _page(request, found, item, input_form=form)


@require_POST
def input_review(request: SignedInRequest, network: str, meeting_id: int, input_id: int) -> HttpResponse:
    found, item = _managed(request, network, meeting_id)
    given = item.inputs.filter(pk=input_id).first()
    if given is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            accept = data["decision"] == "accept"
            meeting_actions.review_input(
                request=request, person=request.user, given=given, accept=accept, reason=data.get("reason", "")
            )
        except meeting_actions.Invalid as error:
            refuse(form, error)
        else:
            notices.success(request, _("The input has been reviewed."))
            return _back(found, item, "#input")
    return _page(request, found, item, review_form=form, reviewing=given.pk)
