from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import places
from accounts.models import ApiToken, Organisation, Person, time_zone_choices, time_zone_label
from topics.models import Topic

CONVENTIONS = [
    ("cites", "CITES"),
    ("basel", _("Basel Convention")),
    ("montreal", _("Montreal Protocol")),
    ("stockholm", _("Stockholm Convention")),
    ("rotterdam", _("Rotterdam Convention")),
    ("cartagena", _("Cartagena Protocol")),
    ("timber", _("Timber")),
    ("fisheries", _("Fisheries")),
    ("nuclear", _("Nuclear and radioactive materials")),
]
REGIONS = [
    ("africa", _("Africa")),
    ("americas", _("Americas")),
    ("asia_pacific", _("Asia and the Pacific")),
    ("europe", _("Europe")),
    ("middle_east", _("Middle East and North Africa")),
]


def _role_choices(roles: list[str]) -> list[tuple[str, Any]]:
    return [(value, label) for value, label in Person.Role.choices if value in roles]


def _offer(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class CountryField(forms.ChoiceField):
    def __init__(self, *, required: bool = True, **kwargs) -> None:
        super().__init__(choices=self._choices, required=required, **kwargs)

    @staticmethod
    def _choices() -> list[tuple[str, str]]:
        return [("", "—"), *places.country_choices()]


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class RequestAccessForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email address"), help_text=_("Use your official address."))
    position = forms.CharField(label=_("Position"), max_length=150)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    organisation_kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Organisation.Kind.choices)
    country = CountryField(label=_("Country"), required=False, help_text=_("Leave empty for an international body."))
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)
    reason = forms.CharField(
        label=_("Why do you need access?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("organisation_kind") not in (
            Organisation.Kind.INTERNATIONAL,
            Organisation.Kind.REGIONAL,
            None,
        ) and not data.get("country"):
            self.add_error("country", _("Choose the country of your organisation."))
        return data


class NewPasswordForm(forms.Form):
    """Password and confirmation, checked against every configured validator."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A passphrase of several words is easy to remember and hard to guess."),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, person: Person, **kwargs) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ChangePasswordForm(NewPasswordForm):
    current = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current", "password1", "password2"]

    def clean_current(self):
        if not self.person.check_password(self.cleaned_data["current"]):
            raise forms.ValidationError(_("That is not your current password."))
        return self.cleaned_data["current"]


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        # Room for a recovery code as printed ("xxxxx-xxxxx"), which the page says it accepts.
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ProfileForm(forms.ModelForm):
    languages_spoken = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        required=False,
        choices=places.language_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Person
        fields = ["full_name", "position", "languages_spoken", "language", "time_zone"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A zone saved before the list was narrowed (Africa/Asmera) stays offered to its owner, so that saving
        # the other details does not fail on it; nobody else is offered it.
        saved = self.instance.time_zone
        if saved and saved not in dict(time_zone_choices()):
            cast(forms.ChoiceField, self.fields["time_zone"]).choices = sorted(
                [*time_zone_choices(), (saved, time_zone_label(saved))]
            )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"))

    def __init__(self, *args, person: Person, **kwargs) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if email == self.person.email.lower():
            raise forms.ValidationError(_("That is already your address."))
        # An address that belongs to someone else is not refused here: that would tell any signed-in person
        # who has an account. accounts.actions.request_email_change tells that address's owner instead.
        return email


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics they hear about"),
        queryset=Topic.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "On the platform and in a daily email. Ticked at first: the topics their organisation's people follow. "
            "They see this when they first sign in and can change it at any time."
        ),
    )

    def __init__(self, *args, organisations, roles: list[str], usual_topics: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        cast(forms.ModelMultipleChoiceField, self.fields["topics"]).queryset = Topic.objects.filter(is_forum=False)
        self.fields["topics"].initial = usual_topics
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Person.Role.choices if value in roles
        ]
        self.fields["role"].initial = Person.Role.MEMBER

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Person.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this address already has an account or a pending request."))
        return email


class ApproveForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Administrators may move the request to an organisation that already exists."),
    )

    def __init__(self, *args, roles: list[str], organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Person.Role.choices if value in roles
        ]
        self.fields["role"].initial = Person.Role.MEMBER
        if organisations is None:
            del self.fields["organisation"]
        else:
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit trail)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Person.Role.choices if value in roles
        ]


class ExpertiseForm(forms.Form):
    is_expert = forms.BooleanField(label=_("Available as an expert to help others"), required=False)
    expert_conventions = forms.MultipleChoiceField(
        label=_("Conventions"), choices=CONVENTIONS, required=False, widget=forms.CheckboxSelectMultiple
    )
    expert_topics = forms.MultipleChoiceField(label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple)
    expert_languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=places.language_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    expert_regions = forms.MultipleChoiceField(
        label=_("Regions"), choices=REGIONS, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        from topics.models import Topic

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["expert_topics"]).choices = [
            (topic.code, str(topic)) for topic in Topic.objects.all()
        ]


class OrganisationForm(forms.ModelForm):
    country = CountryField(label=_("Country"), required=False, help_text=_("Leave empty for an international body."))

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "country", "standing", "is_active"]

    def clean(self):
        data = super().clean() or {}
        if data.get("kind") not in (
            Organisation.Kind.INTERNATIONAL,
            Organisation.Kind.REGIONAL,
            None,
        ) and not data.get("country"):
            self.add_error("country", _("Choose the country of the organisation."))
        return data


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, what it may do, and its last day (at most a year away)."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the system using it.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(label=_("Last day it works"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, scopes: list[str] | None = None, **kwargs: Any) -> None:
        from accounts import tokens

        super().__init__(*args, **kwargs)
        if scopes is not None:  # those the token's person may use (accounts.access.token_scopes_usable_by)
            offered = [(value, label) for value, label in ApiToken.Scope.choices if value in scopes]
            cast(forms.MultipleChoiceField, self.fields["scopes"]).choices = offered
        today = timezone.now().date()
        self.latest = today + timedelta(days=tokens.MAX_DAYS)
        field = self.fields["expires_on"]
        field.initial = today + timedelta(days=tokens.DEFAULT_DAYS)
        field.widget.attrs.update(min=today.isoformat(), max=self.latest.isoformat())

    def clean_expires_on(self) -> date:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < timezone.now().date():
            raise forms.ValidationError(_("Choose today or a later day."))
        if expires_on > self.latest:
            raise forms.ValidationError(
                _("A token may work for at most %(days)d days: choose %(latest)s or earlier.")
                % {"days": (self.latest - timezone.now().date()).days, "latest": self.latest.isoformat()}
            )
        return expires_on
