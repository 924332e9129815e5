from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CountryField
from accounts.models import Organisation, Person
from messaging.models import Audience, Marking, Message

MAX_BODY = 20_000


class MessageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Message.Kind.choices, initial=Message.Kind.INFORMATION)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, lists, links. Mention someone with @ and their email address."),
        error_messages={
            "required": _("Write something before sending."),
            "max_length": _("This message is too long: at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something before sending."))
        return body


class ThreadForm(MessageForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )
    marking = forms.ChoiceField(
        label=_("Handling (Traffic Light Protocol)"),
        choices=Marking.choices,
        initial=Marking.GREEN,
        help_text=_(
            "CLEAR: no limit. GREEN: the community. AMBER: recipients' organisations, need to know. "
            "AMBER+STRICT: the recipient's organisation only. RED: named recipients only."
        ),
    )
    audience = forms.ChoiceField(
        label=_("Who may read it"), choices=Audience.choices, initial=Audience.NETWORK, widget=forms.RadioSelect
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    people = forms.CharField(
        label=_("Named people"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Email addresses, separated by commas or new lines."),
    )
    field_order = ["subject", "topics", "kind", "marking", "audience", "organisations", "countries", "people", "body"]

    def __init__(self, *args, topics, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics  # type: ignore[attr-defined]
        self.fields["countries"].choices = CountryField._choices()[1:]  # type: ignore[attr-defined]

    def clean_people(self) -> list[Person]:
        text = self.cleaned_data.get("people", "")
        addresses = {part.strip().lower() for part in text.replace("\n", ",").split(",") if part.strip()}
        found = list(Person.objects.filter(email__in=addresses, state=Person.State.ACTIVE))
        missing = addresses - {person.email for person in found}
        if missing:
            raise forms.ValidationError(
                _("No active member has these addresses: %(addresses)s") % {"addresses": ", ".join(sorted(missing))}
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience, marking = data.get("audience"), data.get("marking")
        chosen = {
            Audience.ORGANISATIONS: ("organisations", _("Choose at least one organisation.")),
            Audience.COUNTRIES: ("countries", _("Choose at least one country.")),
            Audience.PEOPLE: ("people", _("Name at least one person.")),
        }
        if audience in chosen:
            name, problem = chosen[audience]
            if not data.get(name) and name not in self.errors:
                self.add_error(name, problem)
        if marking == Marking.RED and (
            audience != Audience.PEOPLE or (not data.get("people") and "people" not in self.errors)
        ):
            self.add_error("audience", _("TLP:RED is for named people only: choose “Named people” and name them."))
        return data


class EditForm(forms.Form):
    body = MessageForm.base_fields["body"]

    def clean_body(self) -> str:
        return MessageForm.clean_body(self)  # type: ignore[arg-type]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit trail)"), max_length=1000)


class ForumForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("What it is for"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Person.objects.filter(state=Person.State.ACTIVE),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
