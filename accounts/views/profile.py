"""A person's own settings: details, topics, password, email address, second factor."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import actions, confirmation, totp
from accounts.forms import ChangePasswordForm, EmailChangeForm, ProfileForm
from accounts.models import AccessLink, Person
from environet.http import SignedInRequest
from topics.actions import choose_deliveries
from topics.models import TopicChoice
from topics.selectors import choices_for


@require_http_methods(["GET", "POST"])
def profile(request: SignedInRequest) -> HttpResponse:
    person = request.user
    # The form gets its own copy: validating a ModelForm writes into its instance, and the action must
    # see the values from before to save and audit the change.
    form = ProfileForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        actions.update_profile(request=request, person=person, data=form.cleaned_data)
        translation.activate(person.language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "section": "profile"})


@require_http_methods(["GET", "POST"])
def topics(request: SignedInRequest) -> HttpResponse:
    person = request.user
    rows = choices_for(person=person)
    errors = []
    if request.method == "POST":
        allowed = set(TopicChoice.Delivery.values)
        chosen = {topic.code: request.POST.get(f"topic-{topic.code}", TopicChoice.Delivery.NONE) for topic, _d in rows}
        errors = [code for code, value in chosen.items() if value not in allowed]
        if not errors:
            choose_deliveries(request=request, person=person, choices=chosen)
            messages.success(request, _("Your topic choices have been saved."))
            return redirect("accounts:topics")
        rows = [(topic, chosen[topic.code]) for topic, _d in rows]
    return render(
        request,
        "accounts/topics.html",
        {
            "rows": rows,
            "deliveries": TopicChoice.Delivery.choices,
            "errors": errors,
            "section": "topics",
        },
    )


@require_http_methods(["GET", "POST"])
def password(request: SignedInRequest) -> HttpResponse:
    form = ChangePasswordForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        actions.change_password(request=request, person=request.user, password=form.cleaned_data["password1"])
        messages.success(request, _("Your password has been changed. Your other sessions have been signed out."))
        return redirect("accounts:security")
    return render(request, "accounts/password.html", {"form": form, "section": "security"})


@require_http_methods(["GET", "POST"])
def email(request: SignedInRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        actions.request_email_change(request=request, person=request.user, new_email=form.cleaned_data["email"])
        messages.success(
            request,
            _("We have sent a confirmation link to %(email)s. Your address changes once you open it.")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("accounts:profile")
    return render(request, "accounts/email.html", {"form": form, "section": "profile"})


@require_http_methods(["GET", "POST"])
def confirm_email(request: SignedInRequest, token: str) -> HttpResponse:
    link = actions.find_link(token, AccessLink.Purpose.EMAIL_CHANGE)
    if link is None or link.person_id != request.user.pk:
        return render(request, "accounts/link_invalid.html", status=404)
    if request.method == "POST":
        if actions.confirm_email_change(request=request, person=request.user, link=link):
            messages.success(request, _("Your email address is now %(email)s.") % {"email": link.new_email})
        else:
            messages.error(request, _("That address can no longer be used. Choose another."))
        return redirect("accounts:profile")
    return render(request, "accounts/confirm_email.html", {"link": link})


@require_safe
def security(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "remaining": totp.remaining_recovery_codes(request.user),
            "section": "security",
        },
    )


@require_POST
@confirmation.fresh_confirmation_required
def new_recovery_codes(request: SignedInRequest) -> HttpResponse:
    request.session["new_recovery_codes"] = actions.regenerate_recovery_codes(request=request, person=request.user)
    return redirect("accounts:recovery_codes")
