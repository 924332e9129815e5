"""Downloads of the roadmap and the repository: the roadmap as of a date as PDF and IATI activity XML, the
repository (with the page's filters) as XLSX and PDF. Thin: access, build, audit, answer. Whoever sees
the network's roadmap may download it (network.access); anything else answers 404."""

from datetime import date

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from environet.http import SignedInRequest
from network import access, export, export_actions, iati, output_selectors, pdf, selectors
from network.forms import AsOfForm, RepositoryForm
from network.models import Network

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XML = "application/xml; charset=utf-8"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


class BadDate(Exception):
    """The date asked for is not one (or its year is mistyped): the download answers 400 saying why."""


def as_of(request: SignedInRequest) -> date:
    """The day the download is as of: today when none is given; ``BadDate`` when the one given is wrong."""
    form = AsOfForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise BadDate(" ".join(str(message) for messages in form.errors.values() for message in messages))
    return (form.cleaned_data.get("as_of") if form.is_bound else None) or timezone.localdate()


def refused_date(error: BadDate) -> HttpResponse:
    """A plain 400 that says what is wrong with the date, instead of a roadmap of another day."""
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


@require_safe
def roadmap_pdf(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    try:
        day = as_of(request)
    except BadDate as error:
        return refused_date(error)
    content = pdf.roadmap_pdf(found, day)
    export_actions.roadmap_exported(request=request, person=request.user, network=found, as_of=day, form="pdf")
    return _download(content, PDF, f"{found.short_name}-roadmap-{day.isoformat()}.pdf")


@require_safe
def roadmap_iati(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    try:
        day = as_of(request)
    except BadDate as error:
        return refused_date(error)
    content = iati.roadmap_iati(found, day)
    export_actions.roadmap_exported(request=request, person=request.user, network=found, as_of=day, form="iati")
    return _download(content, XML, f"{found.short_name}-roadmap-{day.isoformat()}-iati.xml")


def _repository(request: SignedInRequest, found: Network) -> tuple[export.Sections, str, export.OutputsById]:
    """The repository's sections with the page's filters, those filters in words (the page's labels), and each
    activity's outputs as the person may see them (library items through library.access)."""
    form = RepositoryForm(request.GET or None)
    filters = form.filters()  # a wrong filter is dropped here; the page shows why
    chosen = []
    if form.is_valid():
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if hasattr(field, "choices") and not hasattr(value, "pk"):
                value = dict(field.choices).get(value, value)
            chosen.append(f"{field.label}: {value}")
    activities = list(selectors.repository(found, filters))
    outputs = output_selectors.outputs_by_activity(request.user, activities)
    return export.repository_sections(activities), "; ".join(chosen), outputs


@require_safe
def repository_xlsx(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    sections, _chosen, outputs = _repository(request, found)
    today = timezone.localdate()
    content = export.repository_xlsx(found, sections, today, outputs)
    export_actions.repository_exported(request=request, person=request.user, network=found, form="xlsx")
    return _download(content, XLSX, f"{found.short_name}-repository-{today.isoformat()}.xlsx")


@require_safe
def repository_pdf(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    sections, chosen, outputs = _repository(request, found)
    today = timezone.localdate()
    content = pdf.repository_pdf(found, sections, today, chosen, outputs)
    export_actions.repository_exported(request=request, person=request.user, network=found, form="pdf")
    return _download(content, PDF, f"{found.short_name}-repository-{today.isoformat()}.pdf")
