"""A Party's treaty reports: the page that asks which one, and the spreadsheet itself.

Who may ask is ``access.can_report_for``: people who may file, for their own organisation's country, and
administrators for any Party. Asking for a Party one may not report for answers 404, like a missing page.
The records that go in are those the person may read, filed by organisations of the Party, shared (never a
draft); seizures/reports.py writes them in the reports' layouts. Each report generated is audited.
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts import places
from accounts.models import Person
from audit.actions import record
from environet.dates import EARLIEST
from environet.http import SignedInRequest
from seizures import access
from seizures import reports as workbooks
from seizures.models import CommodityLine, Convention, Seizure, Status, StatusChange

KINDS = {
    "cites": gettext_lazy("CITES annual illegal trade report"),
    "basel": gettext_lazy("Basel Convention: confirmed cases of illegal traffic and Table 9"),
}
FILE_NAMES = {"cites": "CITES-illegal-trade-report", "basel": "Basel-illegal-traffic-report"}


class ReportForm(forms.Form):
    """Which report, for which Party and year. The Parties offered are those the person may report for."""

    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=list(KINDS.items()))
    country = forms.ChoiceField(
        label=gettext_lazy("Party"), error_messages={"invalid_choice": gettext_lazy("Choose a Party from the list.")}
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        min_value=EARLIEST.year,
        error_messages={
            "required": gettext_lazy("Choose the year the report covers."),
            "invalid": gettext_lazy("Write the year as four digits, for example 2025."),
            "min_value": gettext_lazy("ENVIRONET holds no seizures before %(limit_value)s: check the year."),
            "max_value": gettext_lazy("The year has not begun yet: choose %(limit_value)s or earlier."),
        },
    )
    iccwc = forms.ChoiceField(
        label=gettext_lazy("May the data be shared with the ICCWC partners?"),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "CITES report only. Unless the Party says otherwise, the CITES Secretariat shares the report's data "
            "with the partners of the International Consortium on Combating Wildlife Crime for research and "
            "analysis; the data remain the Party's."
        ),
    )

    def __init__(self, *args, parties: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].validators.append(MaxValueValidator(this_year))
        self.fields["year"].initial = this_year - 1  # the CITES report covers the year before
        self.fields["country"].choices = parties  # type: ignore[attr-defined]
        self.fields["iccwc"].initial = "yes"


@dataclass
class Selection:
    """The records a report is made of."""

    cases: list[Seizure]  # CITES: the records with CITES lines; Basel: the cases of the year
    closed: list[Seizure]  # Basel: the cases closed in the year (Table 9)
    closed_on: dict[int, date]

    @property
    def count(self) -> int:
        return len({seizure.pk for seizure in (*self.cases, *self.closed)})

    @property
    def records(self) -> list[Seizure]:
        return list({seizure.pk: seizure for seizure in (*self.cases, *self.closed)}.values())


def parties_of(person) -> list[tuple[str, str]]:
    """The Parties the person may report for, as (code, name) choices."""
    if not access.can_file(person):
        return []
    if person.is_administrator:
        return places.country_choices()
    code = person.organisation.country
    return [(code, places.country_name(code))] if code and access.can_report_for(person, code) else []


def _reporter(request: SignedInRequest) -> tuple[Person, list[tuple[str, str]]]:
    parties = parties_of(request.user)
    if not parties:
        raise Http404
    return request.user, parties


def _bound(request: SignedInRequest, parties: list[tuple[str, str]], kind: str | None = None) -> ReportForm | None:
    """The form as asked in the query (None when nothing was asked); a Party the person may not report for is
    answered 404, so nobody learns more than that it is not theirs."""
    if not request.GET and kind is None:
        return None
    data = request.GET.copy()
    if kind is not None:
        data["kind"] = kind
    country = data.get("country", "")
    if country in places.country_codes() and country not in dict(parties):
        raise Http404
    return ReportForm(data, parties=parties)


def _party_records(person, country: str, convention: str) -> QuerySet[Seizure]:
    """Shared records the person may read, filed by organisations of the Party, with lines of the convention."""
    with_lines = CommodityLine.objects.filter(convention=convention).values("seizure_id")
    return (
        access.seizures_visible_to(person)
        .filter(organisation__country=country, pk__in=with_lines)
        .exclude(status=Status.DRAFT)
        .select_related("organisation")
        .prefetch_related("lines")
        .order_by("occurred_on", "reference")
    )


def _closing_days(records: list[Seizure]) -> dict[int, date]:
    """The day each closed record was closed (its last change to closed)."""
    changes = StatusChange.objects.filter(seizure__in=records, status=Status.CLOSED).order_by("at")
    return {change.seizure_id: timezone.localdate(change.at) for change in changes}


def selection(person, kind: str, country: str, year: int) -> Selection:
    if kind == "cites":
        return Selection(list(_party_records(person, country, Convention.CITES).filter(occurred_on__year=year)), [], {})
    basel = _party_records(person, country, Convention.BASEL)
    cases = list(basel.filter(occurred_on__year=year))
    closed_records = list(basel.filter(status=Status.CLOSED))
    closed_on = _closing_days([*cases, *closed_records])
    closed = [seizure for seizure in closed_records if closed_on.get(seizure.pk, date.min).year == year]
    return Selection(cases, closed, closed_on)


def _about(person, form: ReportForm) -> workbooks.About:
    data = form.cleaned_data
    own = person.organisation
    return workbooks.About(
        party=data["country"],
        year=data["year"],
        on=timezone.localdate(),
        # The preparing agency is the person's own organisation when it is of the Party (not the secretariat's).
        agency=own.name if own.country == data["country"] else "",
        iccwc=data["iccwc"] if data["kind"] == "cites" else "",
    )


def _page(
    request: SignedInRequest, form: ReportForm, summary: dict | None = None, *, status: int = 200
) -> HttpResponse:
    return render(request, "seizures/reports.html", {"form": form, "summary": summary}, status=status)


@require_safe
def reports(request: SignedInRequest) -> HttpResponse:
    """The form; once it is filled in, what the report will hold and the link to download it."""
    person, parties = _reporter(request)
    form = _bound(request, parties)
    if form is None:
        own = person.organisation.country
        return _page(request, ReportForm(parties=parties, initial={"country": own if own in dict(parties) else ""}))
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    found = selection(person, data["kind"], data["country"], data["year"])
    query = {"country": data["country"], "year": data["year"], **({"iccwc": data["iccwc"]} if data["iccwc"] else {})}
    summary = {
        "kind": KINDS[data["kind"]],
        "party": places.country_name(data["country"]),
        "year": data["year"],
        "records": found.count,
        "marking": workbooks.strictest_marking(found.records).label,
        "url": reverse("seizures:report", args=[data["kind"]]) + "?" + urlencode(query),
    }
    return _page(request, form, summary)


@require_safe
def report(request: SignedInRequest, kind: str) -> HttpResponse:
    """The spreadsheet, or the form again saying what is wrong with the query."""
    if kind not in KINDS:
        raise Http404
    person, parties = _reporter(request)
    form = _bound(request, parties, kind)
    assert form is not None
    if not form.is_valid():
        return _page(request, form, status=400)
    about = _about(person, form)
    found = selection(person, kind, about.party, about.year)
    if kind == "cites":
        content = workbooks.cites_report(found.cases, about)
    else:
        content = workbooks.basel_report(found.cases, found.closed, found.closed_on, about)
    record(
        "seizures.report_generated",
        request=request,
        actor=person,
        changes={"kind": kind, "country": about.party, "year": about.year, "records": found.count},
    )
    return _download(content, f"{FILE_NAMES[kind]}-{about.party}-{about.year}.xlsx")


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=workbooks.XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
