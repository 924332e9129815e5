"""Signing in (password, then a one-time code), signing out, confirming, resetting a password."""

import time

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import actions, confirmation, throttle, totp
from accounts.backends import SIGNED_IN_PERSON
from accounts.forms import CodeForm, ConfirmForm, SignInForm
from accounts.models import Person
from audit.actions import record
from environet.http import Request, SignedInRequest
from environet.mail import absolute, send_after_commit

TOO_MANY = gettext_lazy("Too many attempts. Wait a few minutes, then try again.")


@login_not_required
@require_http_methods(["GET", "POST"])
def signin(request: Request) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        attempt = throttle.signin(email=email, address=request.client_address)
        refusal = throttle.signin_refusal(attempt)
        if refusal:
            actions.signin_throttled(request=request, email=email, attempt=attempt, refusal=refusal)
            form.add_error(None, TOO_MANY)
        else:
            person = authenticate(request, username=email, password=password)
            if person is None:
                throttle.signin_failed(attempt)
                known = Person.objects.filter(email__iexact=email).first()
                record("signin.failed", request=request, target=known, label=email, changes={"step": "password"})
                form.add_error(None, _("The email address or the password is wrong."))
            else:
                next_url = request.GET.get("next", "")
                if person.has_second_factor:
                    confirmation.begin(request, person, stage="code", next_url=next_url)
                    return redirect("accounts:signin_code")
                # Password proven but no authenticator yet: enrolment is the only way forward.
                confirmation.begin(request, person, stage="enrol", next_url=next_url)
                return redirect("accounts:enrol")
    return render(request, "accounts/signin.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def signin_code(request: Request) -> HttpResponse:
    person = confirmation.pending_person(request, "code")
    if person is None:
        messages.info(request, _("Please sign in again: the previous step has expired."))
        return redirect("accounts:signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttle.take(throttle.key("code-account", str(person.pk)), throttle.CODE_PER_ACCOUNT):
            record("signin.throttled", request=request, target=person, changes={"step": "code"})
            form.add_error(None, TOO_MANY)
        else:
            code = form.cleaned_data["code"]
            method = (
                "authenticator"
                if totp.use_code(person, code)
                else ("recovery_code" if totp.use_recovery_code(person, code) else "")
            )
            if method:
                return complete_signin(request, person, method)
            record("signin.failed", request=request, target=person, changes={"step": "code"})
            form.add_error("code", _("That code is wrong or has already been used."))
    return render(request, "accounts/signin_code.html", {"form": form, "person": person})


def complete_signin(request: Request, person: Person, method: str) -> HttpResponse:
    next_url = confirmation.finish(request)
    login(request, person, backend=SIGNED_IN_PERSON)
    now = time.time()
    request.session.update({"signed_in_at": now, "seen_at": now, "confirmed_at": now})
    record("signin.succeeded", request=request, actor=person, target=person, changes={"method": method})
    if method == "recovery_code":
        left = totp.remaining_recovery_codes(person)
        messages.warning(
            request,
            ngettext(
                "You used a recovery code; %(left)d remains. Make new ones from your security page.",
                "You used a recovery code; %(left)d remain. Make new ones from your security page.",
                left,
            )
            % {"left": left},
        )
    return redirect(confirmation.safe_next(request, next_url))


@require_POST
def signout(request: SignedInRequest) -> HttpResponse:
    record("signout", request=request, target=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:signin")


@require_http_methods(["GET", "POST"])
def confirm(request: SignedInRequest) -> HttpResponse:
    """Fresh confirmation before a sensitive action."""
    form = ConfirmForm(request.POST or None)
    person = request.user
    if request.method == "POST" and form.is_valid():
        if not throttle.take(throttle.key("code-account", str(person.pk)), throttle.CODE_PER_ACCOUNT):
            form.add_error(None, TOO_MANY)
        elif totp.use_code(person, form.cleaned_data["code"]) or totp.use_recovery_code(
            person, form.cleaned_data["code"]
        ):
            confirmation.mark_confirmed(request)
            record("confirmation.succeeded", request=request, target=person)
            return redirect(confirmation.safe_next(request, request.GET.get("next")))
        else:
            record("confirmation.failed", request=request, target=person)
            form.add_error("code", _("That code is wrong or has already been used."))
    return render(request, "accounts/confirm.html", {"form": form})


class ResetForm(PasswordResetForm):
    """Django's reset form, sending through our queue and never saying whether the address is known."""

    def get_users(self, email):
        return Person.objects.filter(email__iexact=email, state=Person.State.ACTIVE).exclude(password__startswith="!")

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        person = context["user"]
        link = absolute(
            reverse(
                "accounts:password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        send_after_commit(
            to=to_email,
            template="accounts/email/password_reset",
            language=person.language,
            context={"person": person, "link": link},
        )
        record("password.reset_requested", request=self.request, actor=None, target=person)

    def save(self, *args, **kwargs):
        self.request = kwargs.get("request")
        return super().save(*args, **kwargs)


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request: Request) -> HttpResponse:
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttle.take(throttle.key("reset-address", request.client_address), throttle.FORM_PER_ADDRESS):
            form.add_error(None, TOO_MANY)
        else:
            form.save(request=request, use_https=request.is_secure())
            return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


@login_not_required
def password_reset_sent(request: Request) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm[Person]
    success_url = reverse_lazy("accounts:signin")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.after_password_reset(request=self.request, person=form.user)
        messages.success(self.request, _("Your password has been changed. Sign in with it now."))
        return response


password_reset_confirm = login_not_required(ResetConfirmView.as_view())
