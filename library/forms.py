"""The library's forms: a new item, a new edition, and browsing/searching with filters."""

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import places
from accounts.models import Organisation
from library import links
from library.actions import Correction, checked_on_problem, edition_date_problem, published_on_problem
from library.models import Item, Kind
from library.search import Filters
from messaging import attachments
from messaging.forms import AttachmentsField, AudienceForm
from seizures.models import Convention
from topics.models import Topic

MAX_FILES = settings.MAX_ATTACHMENTS_PER_MESSAGE


class FilesField(AttachmentsField):
    """Several files, each inspected from its content (messaging.attachments.inspect), at most MAX_FILES."""

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(limit)d files can go with one edition.") % {"limit": MAX_FILES})
        return super().clean(data, initial)


def _files_help() -> str:
    return _(
        "PDF, office documents (DOCX, XLSX, PPTX, ODT, ODS), text or images; up to %(count)d files of at most "
        "%(size)s each. They are stored encrypted; their text is read for search after upload."
    ) % {"count": MAX_FILES, "size": attachments.human_size(settings.MAX_ATTACHMENT_BYTES)}


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class ItemForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.filter(is_forum=False),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )
    conventions = forms.MultipleChoiceField(
        label=_("Conventions"), choices=Convention.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=places.language_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={"required": _("Choose the languages the item is in.")},
    )
    authors = forms.CharField(label=_("Authors"), max_length=300, required=False)
    published_on = forms.DateField(label=_("Date of publication"), widget=_date_widget())
    version = forms.CharField(
        label=_("Edition or version"), max_length=100, required=False, help_text=_("For example: 2nd edition, v1.3")
    )
    licence = forms.CharField(
        label=_("Licence or reuse terms"),
        max_length=300,
        required=False,
        help_text=_("For example: CC BY 4.0; for use by enforcement officers only."),
    )
    references = forms.CharField(
        label=_("Species, codes and substances it is about"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, the table then the code: cites: Manis spp. · basel: A1180 · montreal: HCFC-22 · "
            "stockholm: pfos · rotterdam: alachlor · timber: Dalbergia nigra · fish: Thunnus thynnus"
        ),
    )
    uploads = FilesField(label=_("Files"), required=False)
    external_url = forms.URLField(
        label=_("Or: address of an outside resource"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("When the file may not be copied here. Leave the files empty then."),
    )
    external_title = forms.CharField(label=_("Title of the outside resource"), max_length=300, required=False)
    external_checked_on = forms.DateField(label=_("Link last checked on"), required=False, widget=_date_widget())
    field_order = [
        *("title", "kind", "summary", "topics", "conventions", "languages", "authors", "published_on", "version"),
        *("licence", "references", "uploads", "external_url", "external_title", "external_checked_on"),
        *("marking", "audience", "organisations", "countries", "people"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uploads"].help_text = _files_help()

    def clean_references(self) -> list[tuple[str, str]]:
        found, unknown = links.parse_references(self.cleaned_data.get("references", ""))
        if unknown:
            raise forms.ValidationError(
                _("Not found in the reference tables: %(lines)s. Write the table, a colon, then the code.")
                % {"lines": "; ".join(unknown)}
            )
        return found

    def clean_published_on(self) -> date:
        value = self.cleaned_data["published_on"]
        problem = published_on_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_external_checked_on(self) -> date | None:
        value = self.cleaned_data.get("external_checked_on")
        problem = checked_on_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files, url = data.get("uploads"), data.get("external_url")
        if "uploads" not in self.errors and "external_url" not in self.errors:
            if files and url:
                self.add_error("external_url", _("Either files or a link to an outside resource, not both."))
            elif not files and not url:
                self.add_error("uploads", _("Add at least one file, or the address of an outside resource."))
        if url and not data.get("external_title"):
            self.add_error("external_title", _("Give the title of the outside resource."))
        return data


class CorrectionForm(ItemForm):
    """Correcting a published item without a new edition: the publishing form's own fields and checks (title,
    summary, topics, conventions, languages, reference codes, licence, the marking with its audience), without
    what belongs to an edition (kind, authors, date, version, files, outside link)."""

    EDITION_FIELDS = (
        *("kind", "authors", "published_on", "version", "uploads"),
        *("external_url", "external_title", "external_checked_on"),
    )

    def __init__(self, *args, item: Item | None = None, **kwargs) -> None:
        if item is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_of(item))
        super().__init__(*args, **kwargs)
        for name in self.EDITION_FIELDS:
            del self.fields[name]

    @staticmethod
    def initial_of(item: Item) -> dict[str, Any]:
        now = Correction.of(item)
        return {
            "title": now.title,
            "summary": now.summary,
            "topics": now.topics,
            "conventions": now.conventions,
            "languages": now.languages,
            "licence": now.licence,
            "references": "\n".join(f"{table}: {code}" for table, code in now.references),
            "marking": now.marking,
            "audience": now.audience,
            "organisations": now.organisations,
            "countries": now.countries,
            "people": ", ".join(person.email for person in now.people),
        }

    def clean(self) -> dict[str, Any]:
        # The audience checks of AudienceForm, not the files-or-link check of a new item.
        return AudienceForm.clean(self)

    def correction(self) -> Correction:
        data = self.cleaned_data
        return Correction(
            title=data["title"],
            summary=data["summary"],
            topics=list(data["topics"]),
            conventions=data["conventions"],
            languages=data["languages"],
            licence=data["licence"],
            references=data["references"],
            **self.audience_choice(),
        )


class EditionForm(forms.Form):
    version = ItemForm.base_fields["version"]
    published_on = ItemForm.base_fields["published_on"]
    changes = forms.CharField(
        label=_("What changed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what changed in this edition.")},
    )
    uploads = FilesField(label=_("Files"), required=False)

    def __init__(self, *args, is_link: bool, replaces: date | None = None, **kwargs) -> None:
        """``replaces``: the date of the edition the new one replaces (it may not be dated before it)."""
        super().__init__(*args, **kwargs)
        self.is_link = is_link
        self.replaces = replaces
        if is_link:
            del self.fields["uploads"]
        else:
            self.fields["uploads"].help_text = _files_help()

    def clean_published_on(self) -> date:
        value = self.cleaned_data["published_on"]
        problem = edition_date_problem(value, replaces=self.replaces)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_link and not data.get("uploads") and "uploads" not in self.errors:
            self.add_error("uploads", _("Add the files of the new edition."))
        return data


class SearchForm(forms.Form):
    """Browse or search: every field may stay empty."""

    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Found in titles, summaries and the text of the files."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *Kind.choices], required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(is_forum=False),
        required=False,
        to_field_name="code",
        empty_label=_("Any"),
    )
    convention = forms.ChoiceField(label=_("Convention"), choices=[("", _("Any")), *Convention.choices], required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Publishing organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any")), *places.language_choices()]  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Filters(
            text=data.get("q", ""),
            kind=data.get("kind", ""),
            topic=data.get("topic"),
            convention=data.get("convention", ""),
            language=data.get("language", ""),
            organisation=data.get("organisation"),
            year=data.get("year"),
        )


class CollectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
