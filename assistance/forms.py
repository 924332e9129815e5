"""Forms of experts and requests for assistance."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import places
from accounts.forms import CONVENTIONS, REGIONS
from accounts.models import Person
from assistance.access import marking_refusal
from assistance.actions import away_until_problem, deadline_problem
from assistance.models import Area, Availability, Urgency
from assistance.selectors import Filters
from messaging.forms import MAX_BODY, AttachmentsField, AudienceForm
from messaging.models import Audience
from topics.models import Topic


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _experts():
    return Person.objects.filter(is_expert=True, state=Person.State.ACTIVE)


class RequestForm(AudienceForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(
        label=_("Your question"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, lists, links. Never write names of persons involved here."),
        error_messages={"required": _("Write your question.")},
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.filter(is_forum=False),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )
    conventions = forms.MultipleChoiceField(
        label=_("Conventions"), choices=CONVENTIONS, required=False, widget=forms.CheckboxSelectMultiple
    )
    areas = forms.MultipleChoiceField(
        label=_("Commodity groups"), choices=Area.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can work in"),
        choices=places.language_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Any")), *REGIONS], required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)
    deadline = forms.DateField(label=_("Answer needed by"), widget=_date_widget())
    seizure = forms.IntegerField(
        label=_("Linked seizure record (number)"),
        required=False,
        min_value=1,
        help_text=_("Optional. Experts see the record only if its audience lets them; never its persons involved."),
    )
    open_to_all = forms.BooleanField(
        label=_("Open to every expert of these topics"),
        required=False,
        help_text=_("Otherwise, invite experts by name on the next page."),
    )
    experts = forms.ModelMultipleChoiceField(
        label=_("Invite experts now"),
        queryset=_experts(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    attachments = AttachmentsField(label=_("Attachments"), required=False)
    field_order = [
        *("subject", "question", "topics", "conventions", "areas", "languages", "region", "urgency", "deadline"),
        *("seizure", "open_to_all", "experts", "attachments"),
        *("marking", "audience", "organisations", "countries", "people"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = _experts()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        experts = list(data.get("experts") or [])
        # Named people may be only the experts invited: they join the audience (assistance.actions.ask).
        if data.get("audience") == Audience.PEOPLE and experts and not self.data.get("people", "").strip():
            self.errors.pop("people", None)
            self.errors.pop("audience", None)
            data["people"] = []
            refusal = marking_refusal(marking=data.get("marking", ""), audience=Audience.PEOPLE, people=experts)
            if refusal:
                self.add_error("audience", refusal)
        return data

    def clean_deadline(self) -> date:
        value = self.cleaned_data["deadline"]
        problem = deadline_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class ProfileForm(forms.Form):
    areas = forms.MultipleChoiceField(
        label=_("Commodity groups you know"), choices=Area.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices, widget=forms.RadioSelect)
    away_until = forms.DateField(label=_("Away until"), required=False, widget=_date_widget())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("availability") == Availability.AWAY:
            problem = away_until_problem(data.get("away_until"))
            if problem and "away_until" not in self.errors:
                self.add_error("away_until", problem)
        return data


class DirectoryForm(forms.Form):
    q = forms.CharField(label=_("Name, organisation or position"), required=False, max_length=200)
    area = forms.ChoiceField(label=_("Commodity group"), choices=[("", _("Any")), *Area.choices], required=False)
    convention = forms.ChoiceField(label=_("Convention"), choices=[("", _("Any")), *CONVENTIONS], required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(is_forum=False),
        required=False,
        to_field_name="code",
        empty_label=_("Any"),
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Any")), *REGIONS], required=False)
    available = forms.BooleanField(label=_("Available now"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any")), *places.language_choices()]  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        topic = data.get("topic")
        return Filters(
            text=data.get("q", ""),
            area=data.get("area", ""),
            convention=data.get("convention", ""),
            topic=topic.code if topic else "",
            language=data.get("language", ""),
            region=data.get("region", ""),
            available_only=bool(data.get("available")),
        )


class InviteForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts"),
        queryset=_experts(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one expert.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = _experts()  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer (optional: you may have answered in the conversation already)"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CloseForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=_("Was this useful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the answer was useful.")},
    )
    consent = forms.BooleanField(
        label=_("The question and answer may be published in the library, with the same audience and marking"),
        required=False,
    )
