"""Records in and out in bulk: importing a spreadsheet, following the import, exporting a search."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.actions import record
from environet.http import SignedInRequest
from messaging.views import _file_response
from seizures import (
    access,
    actions,
    exporter,
    import_columns,
    import_jobs,
    import_mapping,
    problem_words,
    search,
    spreadsheets,
)
from seizures.forms import SearchForm
from seizures.views.records import filters_of


def _number(value: int) -> str:
    """5,000 in English, 5 000 in French."""
    return number_format(value, force_grouping=True)


def _reader(request: SignedInRequest):
    if not access.can_read(request.user):
        raise Http404
    return request.user


def _filer(request: SignedInRequest):
    person = _reader(request)
    if not access.can_file(person):
        raise Http404
    return person


@require_http_methods(["GET", "POST"])
def import_file(request: SignedInRequest) -> HttpResponse:
    person = _filer(request)
    if request.method == "POST":
        form = import_jobs.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = import_jobs.start_import(request=request, person=person, form=form)
            return redirect("seizures:import_job", job_id=job.pk)
    else:
        form = import_jobs.ImportForm()
    context = {"form": form, "columns": import_columns.column_guide(), "max_rows": _number(spreadsheets.MAX_ROWS)}
    return render(request, "seizures/import.html", context, status=400 if form.errors else 200)


@require_safe
def import_job(request: SignedInRequest, job_id: int) -> HttpResponse:
    person = _reader(request)
    job = import_jobs.expire_if_due(access.import_job_for(person, job_id))
    return _job_page(request, person, job)


def _job_page(request: SignedInRequest, person, job, *, mapping_form=None, status: int = 200) -> HttpResponse:
    made = access.seizures_visible_to(person).filter(pk__in=job.created).order_by("pk") if job.created else []
    drafts = import_jobs.drafts_of(person, job)
    context = {"job": job, "made": made, "drafts": drafts, "first_draft": drafts[0] if drafts else None}
    context["problems"] = problem_words.problems_now(job.problems)  # in the reader's language, not the checker's
    if mapping_form is None and job.state == job.State.MAPPING:
        proposal = import_mapping.proposal(job)
        mapping_form = import_mapping.MappingForm(proposal=proposal) if proposal else None
    context["mapping_form"] = mapping_form
    # htmx asks for the progress part alone, every two seconds until the job is over.
    partial = request.headers.get("HX-Request") == "true"
    template = "seizures/_import_progress.html" if partial else "seizures/import_job.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def import_mapping_confirm(request: SignedInRequest, job_id: int) -> HttpResponse:
    """What the unrecognised columns hold, and values for the whole file: the job then runs again."""
    person = _filer(request)
    job = import_jobs.expire_if_due(access.import_job_for(person, job_id))
    proposal = import_mapping.proposal(job)
    if proposal is None:
        return _no_longer_waiting(request, job, _("This import no longer waits for its columns: here is where it is."))
    form = import_mapping.MappingForm(request.POST, proposal=proposal)
    if not form.is_valid():
        return _job_page(request, person, job, mapping_form=form, status=400)
    if not import_jobs.confirm_mapping(request=request, person=person, job=job, form=form):
        return _no_longer_waiting(request, job, _("This import no longer waits for its columns: here is where it is."))
    return redirect("seizures:import_job", job_id=job.pk)


def _no_longer_waiting(request: SignedInRequest, job, said: str) -> HttpResponse:
    """Back to the job's page, saying why the answer changed nothing: it expired, or was answered already."""
    job.refresh_from_db()
    if job.state == job.State.EXPIRED:
        notices.error(request, _expired_text(job))
    else:
        notices.info(request, said)
    return redirect("seizures:import_job", job_id=job.pk)


def _expired_text(job) -> str:
    return _(
        "This import expired on %(date)s without being finished, so your answer changed nothing: nothing from "
        "%(file)s was saved, and the file was deleted. Send the file again to import it."
    ) % {"date": date_format(timezone.localtime(job.finished_at), "DATE_FORMAT"), "file": job.file_name}


@require_POST
def import_choose(request: SignedInRequest, job_id: int) -> HttpResponse:
    """Import the records that pass, or nothing: the answer to a check where some rows have problems."""
    person = _filer(request)
    job = import_jobs.expire_if_due(access.import_job_for(person, job_id))
    choice = request.POST.get("import", "")
    if choice not in (import_jobs.Choice.PASSING, import_jobs.Choice.NOTHING):
        return HttpResponseBadRequest(_("Choose to import the records that pass, or nothing."))
    if not import_jobs.choose(request=request, person=person, job=job, choice=choice):
        return _no_longer_waiting(request, job, _("This import was already answered: here is where it is."))
    return redirect("seizures:import_job", job_id=job.pk)


@require_POST
def import_share(request: SignedInRequest, job_id: int) -> HttpResponse:
    """Share every draft the import made, at once, with the audience and marking chosen for the import."""
    person = _filer(request)
    job = access.import_job_for(person, job_id)
    try:
        shared = import_jobs.share_imported(request=request, person=person, job=job)
    except actions.Refused as refused:
        # A draft whose marking its audience may no longer have: nothing was shared; the reason is said.
        notices.error(request, refused.args[0] if refused.args else _("These records may not be shared."))
        return redirect("seizures:import_job", job_id=job.pk)
    if shared:
        notices.success(
            request,
            ngettext("%(count)d record is shared.", "%(count)d records are shared.", shared) % {"count": shared},
        )
    else:
        notices.info(request, _("No record of this import is waiting to be shared."))
    return redirect("seizures:import_job", job_id=job.pk)


@require_safe
def import_refused_rows(request: SignedInRequest, job_id: int) -> HttpResponse:
    """The refused rows with a "problem" column, for the person who sent the file; 404 for anyone else."""
    person = _reader(request)
    job = access.import_job_for(person, job_id)
    content = import_jobs.refused_rows(job)
    if content is None:
        raise Http404
    record("seizures.import_refused_rows_downloaded", request=request, actor=person, target=job, changes={})
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    filename = pgettext("file name", "%(name)s-not-imported.xlsx") % {"name": stem}
    return _file_response(content, content_type=exporter.FORMATS["xlsx"], filename=filename, inline=False)


@require_safe
def import_template(request: SignedInRequest) -> HttpResponse:
    _filer(request)
    return _file_response(
        import_columns.template_csv(),
        content_type="text/csv; charset=utf-8",
        filename="environet-import-template.csv",
        inline=False,
    )


@require_safe
def export(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    kind = request.GET.get("format", "csv")
    if kind not in exporter.FORMATS:
        return HttpResponseBadRequest(_("Choose the format of the export: CSV or XLSX."))
    query = request.GET.copy()
    query.pop("format", None)
    back = f"{reverse('seizures:records')}?{query.urlencode()}"
    form = SearchForm(request.GET)
    if not form.is_valid():
        notices.error(request, _("Correct the search before exporting it."))
        return redirect(back)
    found = search.search(person=person, filters=filters_of(form))
    try:
        made = exporter.export(request=request, person=person, found=found, kind=kind)
    except exporter.TooLarge as refused:
        notices.error(
            request,
            _(
                "This search gives %(lines)s lines; an export holds at most %(limit)s. Narrow the search (dates, "
                "country, convention) and export again."
            )
            % {"lines": _number(refused.lines), "limit": _number(exporter.MAX_LINES)},
        )
        return redirect(back)
    return _file_response(made.content, content_type=made.content_type, filename=made.filename, inline=False)
