"""The form for the outputs of a completed activity (network.output_actions): library items, rows of
participants trained (country, women, men, sex not reported), lessons. The rules are the action's
(``output_problems``), asked here too so that every mistake is shown at once."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import places
from library import access as library_access
from library.models import Item
from network import output_actions
from network.models import Activity, Lessons

EMPTY_ROWS = 3  # rows offered beyond those already recorded
LEAST_ROWS = 4


def row_count(activity: Activity) -> int:
    return max(activity.trained.count() + EMPTY_ROWS, LEAST_ROWS)


class OutputsForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label=_("Library items it produced"),
        queryset=Item.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Manuals, reports, training tools: publish them in the library first, then tick them here."),
    )
    lessons = forms.CharField(
        label=_("Lessons learned"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=output_actions.LESSONS_LENGTH,
    )

    def __init__(self, *args, person, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["items"].queryset = (  # type: ignore[attr-defined]
            library_access.items_visible_to(person).order_by("title", "pk")
        )
        countries = [("", "—"), *places.country_choices()]
        for row in range(1, rows + 1):
            self.fields[f"country_{row}"] = forms.ChoiceField(
                label=_("Country, row %(row)d") % {"row": row}, choices=countries, required=False
            )
            for name, label in (
                ("women", _("Women, row %(row)d")),
                ("men", _("Men, row %(row)d")),
                ("not_reported", _("Sex not reported, row %(row)d")),
            ):
                self.fields[f"{name}_{row}"] = forms.IntegerField(
                    label=label % {"row": row}, required=False, min_value=0, max_value=1_000_000
                )

    @staticmethod
    def initial_of(person, activity: Activity) -> dict[str, Any]:
        readable = library_access.items_visible_to(person)
        initial: dict[str, Any] = {
            "items": list(activity.outputs.filter(item__in=readable).values_list("item_id", flat=True)),
            "lessons": Lessons.objects.filter(activity=activity).values_list("text", flat=True).first() or "",
        }
        for row, found in enumerate(activity.trained.order_by("country"), start=1):
            initial.update({f"country_{row}": found.country, f"women_{row}": found.women, f"men_{row}": found.men,
                            f"not_reported_{row}": found.not_reported})  # fmt: skip
        return initial

    def row_fields(self) -> list[list[forms.BoundField]]:
        names = ("country", "women", "men", "not_reported")
        return [[self[f"{name}_{row}"] for name in names] for row in range(1, self.rows + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, self.rows + 1):
            numbers = [data.get(f"{name}_{row}") for name in ("women", "men", "not_reported")]
            if not data.get(f"country_{row}") and any(number is not None for number in numbers):
                self.add_error(f"country_{row}", _("Choose the country of these participants."))
        if self.errors:
            return data
        for name, message in output_actions.output_problems(self.draft()).items():
            self.add_error(name if name in self.fields else None, message)
        return data

    def draft(self) -> output_actions.OutputsDraft:
        data = self.cleaned_data
        rows = [
            output_actions.TrainedRow(
                country=data[f"country_{row}"],
                women=data.get(f"women_{row}") or 0,
                men=data.get(f"men_{row}") or 0,
                not_reported=data.get(f"not_reported_{row}") or 0,
            )
            for row in range(1, self.rows + 1)
            if data.get(f"country_{row}")
        ]
        return output_actions.OutputsDraft(
            items=[item.pk for item in data.get("items") or []], trained=rows, lessons=data.get("lessons", "")
        )
