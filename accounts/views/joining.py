"""Getting in: requesting access, the welcome link, enrolling the authenticator, recovery codes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import actions, confirmation, throttle, totp
from accounts.forms import EnrolForm, NewPasswordForm, RequestAccessForm
from accounts.models import AccessLink, Person
from environet import crypto
from environet.http import Request, SignedInRequest
from topics.models import TopicChoice
from topics.selectors import choices_for


@login_not_required
@require_http_methods(["GET", "POST"])
def request_access(request: Request) -> HttpResponse:
    form = RequestAccessForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        if not throttle.take(throttle.key("request-address", request.client_address), throttle.FORM_PER_ADDRESS):
            form.add_error(None, _("Too many requests from your network. Try again in an hour."))
        else:
            actions.request_access(request=request, data=form.cleaned_data)
            return redirect("accounts:request_sent")
    return render(request, "accounts/request_access.html", {"form": form})


@login_not_required
@require_safe
def request_sent(request: Request) -> HttpResponse:
    return render(request, "accounts/request_sent.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def welcome(request: Request, token: str) -> HttpResponse:
    """The link from an invitation or an approval: choose a password, then enrol the authenticator."""
    link = actions.find_link(token, AccessLink.Purpose.WELCOME)
    if link is None:
        return render(request, "accounts/link_invalid.html", status=404)
    form = NewPasswordForm(request.POST or None, person=link.person)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.set_first_password(request=request, link=link, password=form.cleaned_data["password1"])
        except actions.NotAllowed:
            return render(request, "accounts/link_invalid.html", status=404)
        confirmation.begin(request, person, stage="enrol")
        return redirect("accounts:enrol")
    # What they will hear about, shown before they are in so that nothing surprises them (nor is missed).
    deliveries = dict(TopicChoice.Delivery.choices)
    followed = [
        (topic, deliveries[delivery])
        for topic, delivery in choices_for(person=link.person)
        if delivery != TopicChoice.Delivery.NONE
    ]
    return render(
        request,
        "accounts/welcome.html",
        {
            "form": form,
            "person": link.person,
            "followed": followed,
        },
    )


def _enrolling_person(request: Request) -> Person | None:
    if request.user.is_authenticated:
        return request.user if confirmation.is_fresh(request) else None
    return confirmation.pending_person(request, "enrol")


@login_not_required
@require_http_methods(["GET", "POST"])
def enrol(request: Request) -> HttpResponse:
    """Show a new secret as a QR code and accept it once a code from the app proves it was scanned.

    Signed-in people come here to replace their authenticator, after a fresh confirmation.
    """
    person = _enrolling_person(request)
    if person is None:
        if request.user.is_authenticated:
            return confirmation.fresh_confirmation_required(enrol)(request)
        messages.info(request, _("Please sign in again: the previous step has expired."))
        return redirect("accounts:signin")
    sealed = request.session.get("enrol_secret")
    context = f"enrol:{person.pk}:{request.session.session_key}"
    try:
        secret = crypto.open_sealed(bytes.fromhex(sealed), context=context).decode() if sealed else ""
    except crypto.DecryptionError:
        secret = ""
    if not secret:
        secret = totp.new_secret()
        request.session["enrol_secret"] = crypto.seal(secret.encode(), context=context).hex()
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttle.take(throttle.key("code-account", str(person.pk)), throttle.CODE_PER_ACCOUNT):
            form.add_error(None, _("Too many attempts. Wait a few minutes, then try again."))
        else:
            codes = actions.enrol_second_factor(
                request=request, person=person, secret=secret, code=form.cleaned_data["code"]
            )
            if codes is None:
                form.add_error(
                    "code",
                    _("That code does not match. Check the time on your phone and try the newest code."),
                )
            else:
                del request.session["enrol_secret"]
                if not request.user.is_authenticated:
                    from accounts.views.signin import complete_signin

                    complete_signin(request, person, "enrolment")
                request.session["new_recovery_codes"] = codes
                return redirect("accounts:recovery_codes")
    uri = totp.provisioning_uri(secret, person.email)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr": totp.qr_svg(uri),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "replacing": request.user.is_authenticated,
        },
    )


@require_safe
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    """The new recovery codes, shown once."""
    codes = request.session.pop("new_recovery_codes", None)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})
