"""Pages of experts and requests for assistance: thin, every read through selectors/access, every write through
actions. Missing and forbidden answer alike (404)."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assistance import access, actions, selectors
from assistance.forms import AnswerForm, CloseForm, DirectoryForm, InviteForm, ProfileForm, RequestForm
from assistance.models import Area
from environet import submissions
from environet.http import SignedInRequest
from messaging.access import is_reader


def _reader(request: SignedInRequest):
    if not is_reader(request.user):
        raise Http404
    return request.user


@require_safe
def tracker(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    sections = selectors.tracker(person=person)
    return render(
        request,
        "assistance/tracker.html",
        {
            "sections": sections,
            "can_ask": access.can_ask(person),
            "is_expert": access.is_expert(person),
            "can_see_directory": access.can_see_directory(person),
            "figures": selectors.figures(person=person),
        },
    )


@require_safe
def experts(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not access.can_see_directory(person):
        raise Http404
    form = DirectoryForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    found = selectors.directory(person=person, filters=form.filters())
    return render(
        request,
        "assistance/experts.html",
        {"form": form, "found": found, "area_names": dict(Area.choices)},
        status=400 if form.errors else 200,
    )


@require_safe
def expert(request: SignedInRequest, expert_id: int) -> HttpResponse:
    person = _reader(request)
    shown = access.expert_for(person, expert_id)
    context = selectors.expert_page(viewer=person, expert=shown)
    context["area_names"] = dict(Area.choices)
    return render(request, "assistance/expert.html", context)


@require_http_methods(["GET", "POST"])
def profile(request: SignedInRequest) -> HttpResponse:
    """The expert's own commodity groups and availability."""
    person = _reader(request)
    if not access.is_expert(person):
        raise Http404
    current = selectors.profile_of(person)
    initial = {"areas": current.area_codes, "availability": current.availability, "away_until": current.away_until}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_profile(
                request=request,
                expert=person,
                areas=data["areas"],
                availability=data["availability"],
                away_until=data["away_until"],
            )
        except actions.Refused as refused:
            form.add_error(None, str(refused) or _("This cannot be saved."))
        else:
            notices.success(request, _("Your expert profile has been saved."))
            return redirect("assistance:expert", expert_id=person.pk)
    return render(request, "assistance/profile.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@submissions.once
def new_request(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not access.can_ask(person):
        raise Http404
    initial = {}
    seizure = request.GET.get("seizure", "")
    if seizure.isdigit() and access.can_link_seizure(person, int(seizure)):
        initial["seizure"] = int(seizure)
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = actions.RequestDraft(
            subject=data["subject"],
            question=data["question"],
            topics=list(data["topics"]),
            deadline=data["deadline"],
            urgency=data["urgency"],
            conventions=data["conventions"],
            areas=data["areas"],
            languages=data["languages"],
            region=data["region"],
            seizure_id=data["seizure"],
            open_to_all=data["open_to_all"],
            experts=list(data["experts"]),
            attachments=data["attachments"] or [],
            **form.audience_choice(),
        )
        try:
            found = actions.ask(request=request, asker=person, draft=draft)
        except actions.Refused as refused:
            form.add_error(None, str(refused) or _("This request cannot be sent."))
        else:
            notices.success(request, _("Your request for assistance is open. Invite experts below."))
            return redirect("assistance:request", request_id=found.pk)
    return render(request, "assistance/new_request.html", {"form": form}, status=400 if form.errors else 200)


def _request_page(request: SignedInRequest, found, *, status: int = 200, **forms) -> HttpResponse:
    person = request.user
    context = selectors.request_page(person=person, found=found)
    context["invite_form"] = forms.get("invite_form") or InviteForm()
    context["answer_form"] = forms.get("answer_form") or AnswerForm()
    context["close_form"] = forms.get("close_form") or CloseForm()
    context["problem"] = forms.get("problem", "")
    return render(request, "assistance/request.html", context, status=status)


@require_safe
def request_detail(request: SignedInRequest, request_id: int) -> HttpResponse:
    person = _reader(request)
    return _request_page(request, access.request_for(person, request_id))


def _acting(request: SignedInRequest, request_id: int, allowed) -> tuple:
    person = _reader(request)
    found = access.request_for(person, request_id)
    if not allowed(person, found):
        raise Http404
    return person, found


@require_POST
def invite(request: SignedInRequest, request_id: int) -> HttpResponse:
    person, found = _acting(request, request_id, access.can_invite)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _request_page(request, found, status=400, invite_form=form)
    try:
        invited = actions.invite(request=request, asker=person, found=found, experts=list(form.cleaned_data["experts"]))
    except actions.Refused as refused:
        form.add_error(None, str(refused) or _("These experts cannot be invited."))
        return _request_page(request, found, status=400, invite_form=form)
    notices.success(request, _("Invited: %(count)d.") % {"count": len(invited)})
    return redirect("assistance:request", request_id=found.pk)


@require_POST
def accept(request: SignedInRequest, request_id: int) -> HttpResponse:
    """Accept; an expert who could accept it but no longer may (they did already, the click sent again, or a
    colleague did first) is sent back to the request with the reason, not a "page not found"."""
    person = _reader(request)
    found = access.request_for(person, request_id)
    if access.can_accept(person, found):
        try:
            actions.accept(request=request, expert=person, found=found)
        except actions.Refused:  # accepted by someone else since it was read: the action reads it locked
            found = access.request_for(person, request_id)
        else:
            notices.success(request, _("You have accepted this request. Answer in its conversation."))
            return redirect("assistance:request", request_id=found.pk)
    refusal = access.accept_refusal(person, found)
    if not refusal:
        raise Http404
    (notices.info if found.expert_id == person.pk else notices.warning)(request, refusal)
    return redirect("assistance:request", request_id=found.pk)


@require_POST
def answered(request: SignedInRequest, request_id: int) -> HttpResponse:
    person, found = _acting(request, request_id, access.can_mark_answered)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _request_page(request, found, status=400, answer_form=form)
    actions.mark_answered(request=request, expert=person, found=found, answer=form.cleaned_data["answer"])
    notices.success(request, _("The request is marked answered; its asker is told."))
    return redirect("assistance:request", request_id=found.pk)


@require_POST
def close(request: SignedInRequest, request_id: int) -> HttpResponse:
    person, found = _acting(request, request_id, access.can_close)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _request_page(request, found, status=400, close_form=form)
    actions.close(
        request=request,
        asker=person,
        found=found,
        useful=form.cleaned_data["useful"],
        consent=form.cleaned_data["consent"],
    )
    notices.success(request, _("The request is closed. Thank you for saying how it went."))
    return redirect("assistance:request", request_id=found.pk)


@require_POST
def withdraw(request: SignedInRequest, request_id: int) -> HttpResponse:
    person, found = _acting(request, request_id, access.can_withdraw)
    actions.withdraw(request=request, asker=person, found=found)
    notices.success(request, _("The request has been withdrawn."))
    return redirect("assistance:request", request_id=found.pk)


@require_POST
def publish(request: SignedInRequest, request_id: int) -> HttpResponse:
    person, found = _acting(request, request_id, access.can_publish_to_library)
    item = actions.publish_to_library(request=request, person=person, found=found)
    notices.success(request, _("The question and answer are in the library."))
    return redirect("library:item", item_id=item.pk)
