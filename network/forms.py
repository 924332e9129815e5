"""Forms of the network pages. They turn what was typed into the actions' types; the rules themselves are
the actions' (``actions.problems``), asked here too so that every mistake is shown at once, by its field."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import places
from accounts.models import Organisation, Person
from environet import dates
from messaging import attachments
from network import actions, meeting_actions, regions, selectors
from network.models import (
    Activity,
    ActivityType,
    Funding,
    InputKind,
    Network,
    Participation,
    Resolution,
    Standing,
    Status,
)
from seizures.models import Convention
from topics.models import TOPIC_NAMES

# A date input takes only an ISO date as its value and shows a French "07/12/2026" (the language's first input
# format, Django's default) as empty: the value is ISO in every language, the browser shows it the reader's way.
ISO_DAY = "%Y-%m-%d"


def _date(label, *, required: bool = False) -> forms.DateField:
    """A date between 1950 and 2100 (environet.dates): a mistyped year is refused next to its field."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(format=ISO_DAY, attrs={"type": "date"}),
        validators=[dates.validate_year],
    )


def _organisations():
    return Organisation.objects.filter(is_active=True, proposed=False)


def _codes(value: str) -> list[str]:
    return sorted(
        {part.strip().upper() for part in value.replace(";", ",").replace(" ", ",").split(",") if part.strip()}
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Type"), choices=ActivityType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    leads = forms.ModelMultipleChoiceField(label=_("Lead organisations"), queryset=Organisation.objects.none())
    partners = forms.ModelMultipleChoiceField(label=_("Partners"), queryset=Organisation.objects.none(), required=False)
    countries = forms.CharField(
        label=_("Target countries"),
        required=False,
        max_length=1000,
        help_text=_("Two-letter ISO codes separated by commas, for example KE, TZ, UG."),
    )
    regions = forms.MultipleChoiceField(label=_("Target regions"), choices=(), required=False)
    conventions = forms.MultipleChoiceField(
        label=_("Conventions"), choices=Convention.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=list(TOPIC_NAMES.items()), required=False, widget=forms.CheckboxSelectMultiple
    )
    commodity_focus = forms.CharField(label=_("Commodity focus"), max_length=300, required=False)
    starts_on = _date(_("Planned start"))
    ends_on = _date(_("Planned end"))
    funding_source = forms.CharField(label=_("Funding source or donor"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, required=False, min_value=0)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217 code, for example USD or EUR.")
    )
    funding = forms.ChoiceField(label=_("Funding"), choices=[("", "—"), *Funding.choices], required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    expected_outputs = forms.CharField(label=_("Expected outputs"), widget=forms.Textarea, required=False)
    contact = forms.ModelChoiceField(label=_("Contact person"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args, network: Network, statuses: list[str], contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = _organisations()  # type: ignore[attr-defined]
        self.fields["partners"].queryset = _organisations()  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["regions"].choices = regions.region_choices()  # type: ignore[attr-defined]
        self.fields["status"].choices = [c for c in Status.choices if c[0] in statuses]  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(activity: Activity) -> dict[str, Any]:
        return {
            "title": activity.title,
            "kind": activity.kind,
            "status": activity.status,
            "leads": list(activity.leads.all()),
            "partners": list(activity.partners.all()),
            "countries": ", ".join(activity.countries),
            "regions": activity.regions,
            "conventions": activity.conventions,
            "topics": activity.topics,
            "commodity_focus": activity.commodity_focus,
            "starts_on": activity.starts_on,
            "ends_on": activity.ends_on,
            "funding_source": activity.funding_source,
            "amount": activity.amount,
            "currency": activity.currency,
            "funding": activity.funding,
            "description": activity.description,
            "expected_outputs": activity.expected_outputs,
            "contact": activity.contact,
        }

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for name, message in actions.problems(self.draft()).items():
            self.add_error(None if name == "__all__" else name, message)
        return data

    def draft(self) -> actions.ActivityDraft:
        data = self.cleaned_data
        return actions.ActivityDraft(
            title=data["title"],
            kind=data["kind"],
            status=data["status"],
            leads=list(data["leads"]),
            partners=list(data.get("partners") or []),
            countries=_codes(data.get("countries", "")),
            regions=list(data.get("regions") or []),
            conventions=list(data.get("conventions") or []),
            topics=list(data.get("topics") or []),
            commodity_focus=data.get("commodity_focus", ""),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            funding_source=data.get("funding_source", ""),
            amount=data.get("amount"),
            currency=data.get("currency", ""),
            funding=data.get("funding", ""),
            description=data.get("description", ""),
            expected_outputs=data.get("expected_outputs", ""),
            contact=data.get("contact"),
        )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class _OneOfSeveral(forms.Form):
    """One of several forms on a page (the roadmap, a meeting): its own ids, so each label belongs to its own
    field when two forms have a field of the same name."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class AsOfForm(forms.Form):
    as_of = _date(_("Roadmap as of"))
    compare = _date(_("Compare with the roadmap as of"))


class MembersOnForm(forms.Form):
    as_of = _date(_("Members on"))


class PublishForm(_OneOfSeveral):
    """On the roadmap page, below the form choosing the date shown (whose field is also "as_of")."""

    id_prefix = "publish"
    as_of = _date(_("Status as of"), required=True)


class RepositoryForm(forms.Form):
    q = forms.CharField(label=_("Words in the title or description"), required=False, max_length=200)
    starts = _date(_("From"))
    ends = _date(_("Until"))
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *ActivityType.choices], required=False)
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False)
    region = forms.ChoiceField(label=_("Region"), choices=(), required=False)
    convention = forms.ChoiceField(label=_("Convention"), choices=[("", "—"), *Convention.choices], required=False)
    lead = forms.ModelChoiceField(label=_("Lead organisation"), queryset=Organisation.objects.none(), required=False)
    funder = forms.CharField(label=_("Funding source or donor"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *places.country_choices()]  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", "—"), *regions.region_choices()]  # type: ignore[attr-defined]
        self.fields["lead"].queryset = _organisations()  # type: ignore[attr-defined]

    def filters(self) -> selectors.Filters:
        """The filters chosen (none when the form is not valid: the caller shows its errors)."""
        if not self.is_valid():
            return selectors.Filters()
        data = self.cleaned_data
        return selectors.Filters(
            text=data.get("q", "").strip(),
            starts=data.get("starts"),
            ends=data.get("ends"),
            kind=data.get("kind", ""),
            country=data.get("country", ""),
            region=data.get("region", ""),
            convention=data.get("convention", ""),
            lead=data["lead"].pk if data.get("lead") else None,
            funder=data.get("funder", "").strip(),
        )


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    mandate = forms.CharField(label=_("Mandate"), widget=forms.Textarea, required=False)
    terms = forms.FileField(label=_("Terms of reference (file)"), required=False)

    def clean_terms(self) -> attachments.Upload | None:
        upload = self.cleaned_data.get("terms")
        return attachments.inspect(upload) if upload else None


class NewNetworkForm(NetworkForm):
    short_name = forms.SlugField(
        label=_("Short name"), max_length=40, help_text=_("Letters, digits and hyphens, for example ENFORCE.")
    )
    secretariat = forms.ModelChoiceField(label=_("Secretariat organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secretariat"].queryset = _organisations()  # type: ignore[attr-defined]


class MembershipForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    expert = forms.ModelChoiceField(label=_("or a named expert"), queryset=Person.objects.none(), required=False)
    standing = forms.ChoiceField(label=_("Standing"), choices=Standing.choices)
    joined_on = _date(_("Date joined"), required=True)
    left_on = _date(_("Date left"))
    decision = forms.CharField(
        label=_("Decision that admitted them"), max_length=200, required=False, help_text=_("For example BC-11/8.")
    )
    focal_points = forms.ModelMultipleChoiceField(
        label=_("Focal points"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(state=Person.State.ACTIVE).select_related("organisation")
        self.fields["organisation"].queryset = _organisations()  # type: ignore[attr-defined]
        self.fields["expert"].queryset = people  # type: ignore[attr-defined]
        self.fields["focal_points"].queryset = people  # type: ignore[attr-defined]

    def draft(self) -> actions.MembershipDraft:
        data = self.cleaned_data
        return actions.MembershipDraft(
            standing=data["standing"],
            joined_on=data["joined_on"],
            organisation=data.get("organisation"),
            expert=data.get("expert"),
            left_on=data.get("left_on"),
            decision=data.get("decision", ""),
            focal_points=list(data.get("focal_points") or []),
        )


class MembershipEditForm(forms.Form):
    left_on = _date(_("Date left"))
    decision = forms.CharField(label=_("Decision that admitted them"), max_length=200, required=False)
    focal_points = forms.ModelMultipleChoiceField(
        label=_("Focal points"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focal_points"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            state=Person.State.ACTIVE
        ).select_related("organisation")


def refuse(form: forms.Form, error: actions.Invalid) -> None:
    for name, message in error.errors.items():
        form.add_error(None if name == "__all__" or name not in form.fields else name, ValidationError(message))


class ResolveFlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Resolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("In a few words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Needed when the reason is “other”."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == Resolution.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say why in a few words when the reason is “other”."))
        return data


# --- Meetings ----------------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, help_text=_("For example ENFORCE-7."))
    title = forms.CharField(label=_("Title"), max_length=300)
    starts_on = _date(_("First day"), required=True)
    ends_on = _date(_("Last day"), required=True)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online = forms.BooleanField(label=_("Online"), required=False)
    host = forms.ModelChoiceField(label=_("Host organisation"), queryset=Organisation.objects.none(), required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = _organisations()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            for name, message in meeting_actions.meeting_problems(self.draft()).items():
                self.add_error(None if name == "__all__" else name, message)
        return data

    def draft(self) -> "meeting_actions.MeetingDraft":
        data = self.cleaned_data
        return meeting_actions.MeetingDraft(
            number=data["number"], title=data["title"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            place=data.get("place", ""), online=bool(data.get("online")), host=data.get("host"),
            minutes=data.get("minutes", ""),
        )  # fmt: skip


class AgendaItemForm(_OneOfSeveral):
    id_prefix = "agenda"
    title = forms.CharField(label=_("Agenda item"), max_length=300)


class DocumentForm(_OneOfSeveral):
    id_prefix = "document"
    document = forms.FileField(label=_("Document"))

    def clean_document(self) -> attachments.Upload:
        return attachments.inspect(self.cleaned_data["document"])


class InviteForm(_OneOfSeveral):
    id_prefix = "invite"
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone active may be chosen, so that choosing someone outside the network gets its own clear message.
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class ParticipationForm(_OneOfSeveral):
    id_prefix = "participation"
    state = forms.ChoiceField(label=_("Participation"), choices=Participation.choices)


FOLLOW_UPS = 3  # follow-up rows offered with a new decision


class DecisionForm(_OneOfSeveral):
    id_prefix = "decision"
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, FOLLOW_UPS + 1):
            self.fields[f"follow_up_{row}"] = forms.CharField(
                label=_("Follow-up action %(row)d") % {"row": row}, max_length=500, required=False
            )
            self.fields[f"owner_{row}"] = forms.ModelChoiceField(
                label=_("Owner of action %(row)d") % {"row": row}, queryset=_organisations(), required=False
            )
            self.fields[f"due_{row}"] = _date(_("Due date of action %(row)d") % {"row": row})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, FOLLOW_UPS + 1):
            text, owner = (data.get(f"follow_up_{row}") or "").strip(), data.get(f"owner_{row}")
            due = self[f"due_{row}"].value()  # what was typed, a date or not
            if text and owner is None:
                self.add_error(f"owner_{row}", _("Name the organisation that owns this action."))
            elif (owner is not None or due) and not text:
                # Else the row would be left out without a word, and the date typed lost.
                self.add_error(f"follow_up_{row}", _("Say what the action is."))
        return data

    def follow_ups(self) -> list["meeting_actions.FollowUpDraft"]:
        data = self.cleaned_data
        return [
            meeting_actions.FollowUpDraft(
                text=data[f"follow_up_{row}"], owner=data[f"owner_{row}"], due_on=data.get(f"due_{row}")
            )
            for row in range(1, FOLLOW_UPS + 1)
            if (data.get(f"follow_up_{row}") or "").strip() and data.get(f"owner_{row}")
        ]


class InputForm(_OneOfSeveral):
    """Input at a meeting: a new activity (title, type, leads, countries, period, description), a new status for
    an activity of the roadmap, or a comment on one."""

    id_prefix = "input"

    kind = forms.ChoiceField(label=_("Your input"), choices=InputKind.choices, widget=forms.RadioSelect)
    activity = forms.ModelChoiceField(
        label=_("Activity (for a status update or a comment)"), queryset=Activity.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("New status"), choices=[("", "—"), *Status.choices], required=False)
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    title = forms.CharField(label=_("Title of the proposed activity"), max_length=300, required=False)
    activity_kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *ActivityType.choices], required=False)
    leads = forms.ModelMultipleChoiceField(label=_("Lead organisations"), queryset=Organisation.objects.none(),
                                           required=False)  # fmt: skip
    countries = forms.CharField(
        label=_("Target countries"), required=False, max_length=1000,
        help_text=_("Two-letter ISO codes separated by commas, for example KE, TZ, UG."),
    )  # fmt: skip
    starts_on = _date(_("Planned start"))
    ends_on = _date(_("Planned end"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, network: Network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = network.activities.order_by("title")  # type: ignore[attr-defined]
        self.fields["leads"].queryset = _organisations()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data["kind"] == InputKind.PROPOSAL:
            if not data.get("title", "").strip():
                self.add_error("title", _("Give the activity a title."))
            if not data.get("activity_kind"):
                self.add_error("activity_kind", _("Choose the type of activity."))
            if not self.errors:
                for name, message in actions.problems(self.proposal()).items():
                    name = {"kind": "activity_kind"}.get(name, name)
                    self.add_error(name if name in self.fields else None, message)
        return data

    def proposal(self) -> actions.ActivityDraft:
        data = self.cleaned_data
        return actions.ActivityDraft(
            title=data.get("title", ""), kind=data.get("activity_kind", ""), status=Status.PROPOSED,
            leads=list(data.get("leads") or []), countries=_codes(data.get("countries", "")),
            starts_on=data.get("starts_on"), ends_on=data.get("ends_on"), description=data.get("description", ""),
        )  # fmt: skip

    def draft(self) -> "meeting_actions.InputDraft":
        data = self.cleaned_data
        kind = data["kind"]
        return meeting_actions.InputDraft(
            kind=kind,
            activity_id=data["activity"].pk if data.get("activity") and kind != InputKind.PROPOSAL else None,
            status=data.get("status", "") if kind == InputKind.STATUS else "",
            body=data.get("body", "") if kind == InputKind.COMMENT else "",
            proposal=self.proposal() if kind == InputKind.PROPOSAL else None,
        )


class ReviewForm(_OneOfSeveral):
    id_prefix = "review"
    decision = forms.ChoiceField(
        label=_("Review"), choices=[("accept", _("Accept into the roadmap")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason (when declining)"), max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the input is declined."))
        return data
