from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import places
from accounts.access import named_people, people_who_may_be_named
from accounts.forms import CountryField
from accounts.models import Organisation, Person
from messaging import access, attachments
from messaging.attachments import Upload
from messaging.models import Audience, Marking, Message
from messaging.search import Filters
from topics.access import topics_visible_to
from topics.models import Topic

MAX_BODY = 20_000


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files; each is read and its type decided from its content (messaging.attachments.inspect).
    Cleans to a list of Upload; every refused file is named in its own error."""

    def __init__(self, **kwargs) -> None:
        accept = ",".join(f".{extension}" for extensions in attachments.EXTENSIONS.values() for extension in extensions)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list[Upload]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        limit = settings.MAX_ATTACHMENTS_PER_MESSAGE
        if len(files) > limit:
            raise forms.ValidationError(_("At most %(limit)d files can go with one message.") % {"limit": limit})
        uploads, problems = [], []
        for upload in files:
            try:
                uploads.append(attachments.inspect(upload))
            except forms.ValidationError as problem:
                problems.extend(problem.messages)
        if problems:
            raise forms.ValidationError(problems)
        return uploads


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
    attachments = AttachmentsField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Photos (JPEG, PNG, GIF, WebP), PDF, office documents (DOCX, XLSX, PPTX, ODT, ODS) or text; "
            "up to %(count)d files of at most %(size)s each. They are stored encrypted."
        ) % {
            "count": settings.MAX_ATTACHMENTS_PER_MESSAGE,
            "size": attachments.human_size(settings.MAX_ATTACHMENT_BYTES),
        }

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something before sending."))
        return body


class AudienceForm(forms.Form):
    """Who may read something and its handling marking: for a new thread, and for a seizure record."""

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = CountryField._choices()[1:]  # type: ignore[attr-defined]

    def clean_people(self) -> list[Person]:
        text = self.cleaned_data.get("people", "")
        # Unknown addresses and people out of reach get the same answer (accounts.access.named_people).
        found, missing = named_people(text.replace("\n", ",").split(","))
        if missing:
            # The message and the addresses apart: an import checked in one language says it in its reader's
            # (seizures/problem_words.py); the form shows the same text.
            raise forms.ValidationError(
                _("No active member has these addresses: %(addresses)s"),
                code="not_members",
                params={"addresses": ", ".join(missing)},
            )
        return found

    def audience_choice(self) -> dict[str, Any]:
        """The cleaned marking and audience, as the drafts of threads, records, library items and requests
        take them (keyword arguments)."""
        data = self.cleaned_data
        return {
            "marking": data["marking"],
            "audience": data["audience"],
            "organisations": list(data["organisations"]),
            "countries": data["countries"],
            "people": data["people"],
        }

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
        # Named people the form could not read are said already; the marking rule needs them read.
        if marking and audience and not (audience == Audience.PEOPLE and "people" in self.errors):
            # Not yet said: an import keeps the message's id (seizures/problem_words.py).
            refusal = access.marking_refused(marking=marking, audience=audience, people=data.get("people") or [])
            if refusal:
                self.add_error("audience", refusal)
        return data


class ThreadForm(MessageForm, AudienceForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )
    field_order = [
        *("subject", "topics", "kind", "marking", "audience", "organisations", "countries", "people"),
        *("body", "attachments"),
    ]

    def __init__(self, *args, topics, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics  # type: ignore[attr-defined]


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
        queryset=people_who_may_be_named(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )


class SearchForm(forms.Form):
    """What to look for, and the filters; every field may stay empty."""

    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_('All the words must appear. "Quotes" find a phrase; -word leaves out messages with that word.'),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic or forum"),
        queryset=Topic.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Any"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *Message.Kind.choices], required=False)
    marking = forms.ChoiceField(label=_("Handling"), choices=[("", _("Any")), *Marking.choices], required=False)
    organisation = forms.ModelChoiceField(
        label=_("Author's organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any"),
    )
    country = forms.ChoiceField(label=_("Author's country"), required=False)
    author = forms.EmailField(label=_("Author (email address)"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics_visible_to(person)  # type: ignore[attr-defined]
        self.fields["country"].choices = [("", _("Any")), *places.country_choices()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def has_criteria(self) -> bool:
        return any(value not in (None, "") for value in self.cleaned_data.values())

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            text=data["q"],
            topic=data["topic"],
            kind=data["kind"],
            organisation=data["organisation"],
            country=data["country"],
            author=data["author"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            marking=data["marking"],
        )
