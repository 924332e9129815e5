"""Seizure records: the list and search, filing, the record page, changes, sharing, closing, grants."""

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages as notices
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from environet import fragments, submissions
from environet.compiled import Kept, Prepared, prepare
from environet.http import SignedInRequest
from messaging.views import stored_file_response
from reference import tables
from seizures import access, actions, held_files, nominal, search, selectors
from seizures.forms import (
    CODE_TABLES,
    SUGGESTION_TABLES,
    CloseForm,
    ContactForm,
    GrantsForm,
    LineFormSet,
    NominalFormSet,
    SearchForm,
    SeizureForm,
)
from seizures.models import Seizure, Status

PAGE_SIZE = 25


def _reader(request: SignedInRequest):
    if not access.can_read(request.user):
        raise Http404
    return request.user


def filters_of(form: SearchForm) -> search.Filters:
    data = form.cleaned_data
    organisation = data.get("organisation")
    return search.Filters(
        text=data.get("q", ""),
        convention=data.get("convention", ""),
        code=data.get("code", "").strip(),
        country=data.get("country", ""),
        organisation_id=organisation.pk if organisation else None,
        status=data.get("status", ""),
        transport_mode=data.get("transport_mode", ""),
        marking=data.get("marking", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        container=data.get("container", ""),
    )


@require_safe
def records(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    # Turning pages of the whole list is not searching: the form is bound only when a filter is given.
    form = SearchForm(request.GET) if _filters_given(request.GET) else None
    if form is None:
        filters: search.Filters | None = search.Filters()
    else:
        filters = filters_of(form) if form.is_valid() else None  # refused filters find nothing
    page = search.listed_page(person, filters, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "seizures/records.html",
        {
            "form": form,
            "filters": _blank_filters() if form is None else "",
            "page": page,
            "query": query.urlencode(),
            "can_file": access.can_file(person),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _filters_given(asked) -> bool:
    return any(value.strip() for name, values in asked.lists() if name != "page" for value in values)


# The active organisations, as the filter form lists them: compiled once (``_blank_filters`` reads them each time).
_ORGANISATIONS: Kept[Prepared | None] = Kept(4)


def _blank_filters() -> str:
    """The filter form as the list first shows it, empty: the same for every reader in a language, so it is
    rendered once per process (its lists of countries and organisations made most of the page's time), again
    when the organisations change."""
    listed = SearchForm.base_fields["organisation"].queryset  # type: ignore[attr-defined]
    organisations = _ORGANISATIONS.statement("listed", lambda: prepare(listed.values_list("pk", "short_name", "name")))
    rows = tuple(organisations.rows()) if organisations is not None else ()
    return fragments.blank_form("seizures.filters", rows, SearchForm)


@dataclass
class Editor:
    """The three parts of the record form, bound together."""

    record: SeizureForm
    lines: Any
    involved: Any
    # Files chosen on an earlier post of this form, held until it is saved (seizures.held_files).
    kept: list[held_files.Held] = dataclasses.field(default_factory=list)

    def is_valid(self) -> bool:
        # Every part is checked, so every problem is shown at once.
        results = [self.record.is_valid(), self.lines.is_valid(), self.involved.is_valid()]
        chosen = len(self.record.cleaned_data.get("attachments") or []) + len(self.kept)
        if chosen > settings.MAX_ATTACHMENTS_PER_MESSAGE:
            limit = settings.MAX_ATTACHMENTS_PER_MESSAGE
            self.record.add_error(
                "attachments", _("At most %(limit)d files can go with one record; remove some.") % {"limit": limit}
            )
            results.append(False)
        return all(results)

    def hold_new_files(self, person) -> None:
        """Keep the files chosen on this post (those that passed inspection) for the form's next post."""
        uploads = self.record.cleaned_data.get("attachments") or []
        tokens = held_files.hold(person, uploads)
        self.kept += [held_files.Held(token, upload) for token, upload in zip(tokens, uploads, strict=True)]
        self.record.cleaned_data["attachments"] = []

    @property
    def has_errors(self) -> bool:
        return bool(self.record.errors or self.lines.total_error_count() or self.involved.total_error_count())

    def error_links(self) -> list[tuple[str, str]]:
        """Every error of the form, in page order, as (the id of its field, what to say): the summary at the
        top links each one to its field. Errors of the whole form or a whole part have no field ("")."""
        found: list[tuple[str, str]] = [("", str(error)) for error in self.record.non_field_errors()]
        found += [("", str(error)) for error in self.lines.non_form_errors()]
        found += [("", str(error)) for error in self.involved.non_form_errors()]
        fields: list[tuple[Any, str]] = []  # (bound field, the part of the form it belongs to), in page order
        for key, part in self.record.parts().items():
            for item in part["fields"]:
                fields += [(field, "") for field in item["fields"]] if isinstance(item, dict) else [(item, "")]
            if key == "seized":
                for index, form in enumerate(self.lines.forms, 1):
                    fields += [(field, _("Commodity %(number)s") % {"number": index}) for field in form]
            if key == "involved":
                for index, form in enumerate(self.involved.forms, 1):
                    fields += [(field, _("Person or company %(number)s") % {"number": index}) for field in form]
        for field, part_name in fields:
            for error in field.errors:
                label = f"{part_name}, {field.label}" if part_name else str(field.label)
                # Through the catalogue: French puts a space before the colon.
                found.append((_field_anchor(field), _("%(field)s: %(problem)s") % {"field": label, "problem": error}))
        return found

    def to_complete(self) -> None:
        """Posted back to be completed ("add another"), not judged: no field shows an error, so none may
        claim one either (``aria-invalid``, an ``aria-describedby`` naming an error that is not there)."""
        for form in (self.record, *self.lines.forms, *self.involved.forms):
            form._errors = ErrorDict()


def _field_anchor(field) -> str:
    """The id of the element a link to ``field`` should reach: the field itself or, for a group of checkboxes
    or radio buttons (whose group has no id), its first choice."""
    if field.use_fieldset and field.auto_id:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id or ""


def _completing(request) -> bool:
    """Posted back to be completed ("add another", "remove" a kept file), not to be saved."""
    return bool(request.POST.get("more") or request.POST.get("drop_kept"))


def _kept(request) -> list[held_files.Held]:
    """The files held from earlier posts of this form, less the one the officer removes now."""
    dropped = request.POST.get("drop_kept", "")
    if dropped:
        held_files.release(request.user, [dropped])
    return held_files.held(request.user, [token for token in request.POST.getlist("kept") if token != dropped])


def _editor(request: SignedInRequest, *, initial: dict | None = None, lines=None, involved=None) -> Editor:
    """The form as posted, or (GET) filled from ``initial``. A "one more line / person" button posts the
    form back with one more empty form, keeping everything typed."""
    if request.method != "POST":
        return Editor(
            record=SeizureForm(initial=initial),
            lines=LineFormSet(prefix="lines", initial=lines or [{}]),
            involved=NominalFormSet(prefix="involved", initial=involved),
        )
    data = request.POST.copy()
    more = request.POST.get("more")
    if more in ("lines", "involved"):
        key = f"{more}-TOTAL_FORMS"
        count = str(data.get(key, ""))
        if count.isdigit():
            data[key] = str(int(count) + 1)
    record = SeizureForm(data, request.FILES)
    record.is_valid()  # commodity lines are checked against its date of seizure (Basel codes change)
    return Editor(
        record=record,
        lines=LineFormSet(data, prefix="lines", on=record.cleaned_data.get("occurred_on")),
        involved=NominalFormSet(data, prefix="involved"),
        kept=_kept(request),
    )


def filing_of(editor: Editor) -> actions.Filing:
    data = editor.record.cleaned_data
    involved = [
        actions.Involved(
            kind=form.cleaned_data["kind"],
            role=form.cleaned_data["role"],
            data=nominal.Nominal(
                name=form.cleaned_data["name"].strip(),
                identifiers=form.cleaned_data["identifiers"],
                address=form.cleaned_data["address"].strip(),
                nationality=form.cleaned_data["nationality"],
                born_on=form.cleaned_data["born_on"].isoformat() if form.cleaned_data["born_on"] else "",
                notes=form.cleaned_data["notes"].strip(),
            ),
        )
        for form in editor.involved.forms
        if form.has_changed() and form.cleaned_data.get("name", "").strip()
    ]
    return actions.Filing(
        facts={name: data.get(name, "") for name in actions.FACTS},
        lines=[form.cleaned_data for form in editor.lines.forms if form.cleaned_data],
        involved=involved,
        **editor.record.audience_choice(),
        files=[*data["attachments"], *(item.upload for item in editor.kept)],
    )


def _editor_page(request, editor: Editor, *, seizure: Seizure | None = None, status: int = 200) -> HttpResponse:
    # After "add another", the form comes back to be completed, not judged: no error shown, no 400 either.
    judged = request.method == "POST" and not _completing(request)
    if request.method == "POST":
        editor.hold_new_files(request.user)  # a browser never sends a chosen file twice
    if request.method == "POST" and not judged:
        editor.to_complete()
    return render(
        request,
        "seizures/edit.html",
        {"editor": editor, "seizure": seizure, "more": request.POST.get("more"), "show_errors": judged},
        status=status if judged else 200,
    )


@require_http_methods(["GET", "POST"])
@submissions.once
def new_record(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not access.can_file(person):
        raise Http404
    editor = _editor(request, initial={"country": person.organisation.country})
    if request.method == "POST" and not _completing(request) and editor.is_valid():
        share = request.POST.get("share") == "1"
        try:
            seizure = actions.file_seizure(request=request, officer=person, filing=filing_of(editor), share=share)
        except actions.TooManyNominalSaves as refused:
            notices.error(request, refused.message)  # the form comes back as typed, to be saved later
            return _editor_page(request, editor, status=429)
        held_files.release(person, [item.token for item in editor.kept])
        if share:
            notices.success(request, _("Seizure %(reference)s is shared.") % {"reference": seizure.reference})
        else:
            notices.success(
                request,
                _("Seizure %(reference)s is saved as a draft: only your organisation sees it.")
                % {"reference": seizure.reference},
            )
        return redirect("seizures:record", seizure_id=seizure.pk)
    return _editor_page(request, editor, status=400 if request.method == "POST" and editor.has_errors else 200)


@require_safe
def record(request: SignedInRequest, seizure_id: int) -> HttpResponse:
    person = _reader(request)
    seizure = access.seizure_for(person, seizure_id)
    context = selectors.record_page(person=person, seizure=seizure)
    if context["involved"]:
        actions.nominal_viewed(request=request, person=person, seizure=seizure)
    context["close_form"] = fragments.blank_form("record close form", None, CloseForm)
    return render(request, "seizures/record.html", context)


def _initial(seizure: Seizure) -> tuple[dict, list[dict], list[dict]]:
    """What the edit form starts from: the record as it is."""
    facts = {name: getattr(seizure, name) for name in actions.FACTS}
    facts["containers"] = "\n".join(seizure.container_numbers)
    facts["transit_countries"] = ", ".join(seizure.transits)
    facts["traffic_types"] = [code for code in seizure.traffic_types.split(",") if code]
    facts.update(
        marking=seizure.marking,
        audience=seizure.audience,
        organisations=list(seizure.audience_organisations.all()),
        countries=seizure.country_codes,
        people=", ".join(someone.email for someone in seizure.audience_people.exclude(pk=seizure.officer_id)),
    )
    lines = [
        {name: getattr(line, name) for name in actions.LINE_FIELDS if name != "reference_version"}
        for line in seizure.lines.all()
    ]
    involved = []
    for entry in seizure.nominal_entries.all():
        data = nominal.unseal(entry)
        involved.append(
            {
                "kind": entry.kind,
                "role": entry.role,
                "name": data.name,
                "identifiers": "\n".join(data.identifiers),
                "address": data.address,
                "nationality": data.nationality,
                "born_on": data.born_on or None,
                "notes": data.notes,
            }
        )
    return facts, lines, involved


@require_http_methods(["GET", "POST"])
@submissions.once
def edit_record(request: SignedInRequest, seizure_id: int) -> HttpResponse:
    person = _reader(request)
    seizure = access.seizure_for(person, seizure_id)
    if not access.can_change(person, seizure) or seizure.status == Status.CLOSED:
        raise Http404
    facts, lines, involved = _initial(seizure)
    if request.method == "GET" and involved:
        actions.nominal_viewed(request=request, person=person, seizure=seizure)  # the form shows them
    editor = _editor(request, initial=facts, lines=lines, involved=involved)
    if request.method == "POST" and not _completing(request) and editor.is_valid():
        try:
            actions.update_seizure(request=request, person=person, seizure=seizure, filing=filing_of(editor))
        except actions.TooManyNominalSaves as refused:
            notices.error(request, refused.message)
            return _editor_page(request, editor, seizure=seizure, status=429)
        held_files.release(person, [item.token for item in editor.kept])
        notices.success(request, _("Seizure %(reference)s is saved.") % {"reference": seizure.reference})
        return redirect("seizures:record", seizure_id=seizure.pk)
    status = 400 if request.method == "POST" and editor.has_errors else 200
    return _editor_page(request, editor, seizure=seizure, status=status)


@require_POST
def share(request: SignedInRequest, seizure_id: int) -> HttpResponse:
    person = _reader(request)
    seizure = access.seizure_for(person, seizure_id)
    if not access.can_share(person, seizure):
        raise Http404
    try:
        actions.share_seizure(request=request, person=person, seizure=seizure)
    except actions.Refused as refused:
        if not refused.args:
            raise Http404 from None
        # A draft saved before the marking rule it now breaks: the reason, and the record to edit.
        notices.error(request, refused.args[0])
        return redirect("seizures:record", seizure_id=seizure.pk)
    notices.success(
        request, _("Seizure %(reference)s is shared; its discussion is open.") % {"reference": seizure.reference}
    )
    return redirect("seizures:record", seizure_id=seizure.pk)


@require_POST
def close(request: SignedInRequest, seizure_id: int) -> HttpResponse:
    person = _reader(request)
    seizure = access.seizure_for(person, seizure_id)
    if not access.can_close(person, seizure):
        raise Http404
    form = CloseForm(request.POST)
    if not form.is_valid():
        notices.error(request, _("The note is too long: at most 300 characters."))
        return redirect("seizures:record", seizure_id=seizure.pk)
    actions.close_seizure(request=request, person=person, seizure=seizure, note=form.cleaned_data["note"])
    notices.success(request, _("Seizure %(reference)s is closed.") % {"reference": seizure.reference})
    return redirect("seizures:record", seizure_id=seizure.pk)


@require_http_methods(["GET", "POST"])
def grants(request: SignedInRequest, seizure_id: int) -> HttpResponse:
    person = _reader(request)
    seizure = access.seizure_for(person, seizure_id)
    if not access.can_change(person, seizure):
        raise Http404
    current = [grant.organisation for grant in selectors.grants_of(seizure)]
    form = GrantsForm(request.POST or None, initial={"organisations": current})
    form.fields["organisations"].queryset = form.fields["organisations"].queryset.exclude(pk=seizure.organisation_id)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        actions.set_grants(
            request=request, person=person, seizure=seizure, organisations=list(form.cleaned_data["organisations"])
        )
        notices.success(request, _("Who may read the persons and companies involved is saved."))
        return redirect("seizures:record", seizure_id=seizure.pk)
    return render(
        request, "seizures/grants.html", {"seizure": seizure, "form": form}, status=400 if form.errors else 200
    )


@require_safe
def related(request: SignedInRequest, handle: str) -> HttpResponse:
    """A related record named by its handle (a request for contact links to it): each person lands on the
    one of the two they may read."""
    person = _reader(request)
    seizure = access.record_by_handle(person, handle)
    return redirect(reverse("seizures:record", args=[seizure.pk]) + "#related")


@require_POST
def contact(request: SignedInRequest, handle: str) -> HttpResponse:
    person = _reader(request)
    link, own, other = access.link_by_handle(person, handle)
    form = ContactForm(request.POST)
    if not form.is_valid():
        notices.error(request, _("The note is too long: at most 1,000 characters."))
        return redirect("seizures:record", seizure_id=own.pk)
    thread_id = actions.ask_for_contact(
        request=request, person=person, link=link, own=own, other=other, note=form.cleaned_data["note"]
    )
    notices.success(
        request,
        _("Your request has gone to the officer who filed the related record, in this private conversation."),
    )
    return redirect("messaging:thread", thread_id=thread_id)


def _stored_file(request: SignedInRequest, file_id: int, *, thumbnail: bool) -> HttpResponse:
    person = _reader(request)
    found = access.file_for(person, file_id)
    if thumbnail and not found.has_thumbnail:
        raise Http404
    content = actions.download_file(request=request, person=person, stored=found, thumbnail=thumbnail)
    return stored_file_response(found, content, thumbnail=thumbnail)


@require_GET
def stored_file(request: SignedInRequest, file_id: int) -> HttpResponse:
    return _stored_file(request, file_id, thumbnail=False)


@require_GET
def stored_file_thumbnail(request: SignedInRequest, file_id: int) -> HttpResponse:
    return _stored_file(request, file_id, thumbnail=True)


@require_safe
def codes(request: SignedInRequest) -> HttpResponse:
    """Suggestions for the "species, code or substance" field as the officer types (a <datalist>)."""
    _reader(request)
    # The record form's commodity lines send their own field names ("lines-2-code") and their prefix.
    prefix = request.GET.get("prefix", "")
    if not re.fullmatch(r"lines-\d{1,2}", prefix):
        prefix = ""
    field = f"{prefix}-" if prefix else ""
    convention = request.GET.get(f"{field}convention", "")
    name = {**CODE_TABLES, **SUGGESTION_TABLES}.get(convention)
    text = request.GET.get(f"{field}code", "").strip()[:200]
    found = tables.search(name, text, limit=15) if name and text else []
    list_id = f"{prefix}-codes" if prefix else request.GET.get("list", "codes")
    return render(request, "seizures/_codes.html", {"found": found, "list_id": list_id})
