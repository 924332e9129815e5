"""The library's pages: thin, every read through library.selectors/access, every write through actions."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from environet import submissions
from environet.http import SignedInRequest
from library import access, actions, search, selectors
from library.forms import CorrectionForm, EditionForm, ItemForm, SearchForm
from messaging.access import is_reader
from messaging.views import stored_file_response

PAGE_SIZE = 20


def _reader(request: SignedInRequest):
    if not is_reader(request.user):
        raise Http404
    return request.user


@require_safe
def home(request: SignedInRequest) -> HttpResponse:
    """Browse and search: results and their count only from what the person may read."""
    person = _reader(request)
    form = SearchForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    page = search.page(person=person, filters=filters, number=request.GET.get("page"), size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "library/home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_publish": access.can_publish(person),
            "searching": bool(filters.text.strip()),
        },
        status=400 if form.errors else 200,
    )


@require_safe
def item(request: SignedInRequest, item_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.item_for(person, item_id)
    return render(request, "library/item.html", selectors.item_page(person=person, item=found))


@require_http_methods(["GET", "POST"])
@submissions.once
def new_item(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not access.can_publish(person):
        raise Http404
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = actions.ItemDraft(
            title=data["title"],
            kind=data["kind"],
            summary=data["summary"],
            topics=list(data["topics"]),
            conventions=data["conventions"],
            languages=data["languages"],
            authors=data["authors"],
            published_on=data["published_on"],
            version=data["version"],
            licence=data["licence"],
            external_url=data["external_url"],
            external_title=data["external_title"],
            external_checked_on=data["external_checked_on"],
            references=data["references"],
            files=data["uploads"] or [],
            **form.audience_choice(),
        )
        try:
            published = actions.publish_item(request=request, publisher=person, draft=draft)
        except actions.Refused as refused:
            form.add_error(None, str(refused) or _("This cannot be published."))
        else:
            notices.success(request, _("The item is in the library."))
            return redirect("library:item", item_id=published.pk)
    return render(request, "library/new_item.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@submissions.once
def new_edition(request: SignedInRequest, item_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.item_for(person, item_id)
    if not access.can_add_edition(person, found):
        raise Http404
    replaces = selectors.replaced_edition_date(found)
    form = EditionForm(request.POST or None, request.FILES or None, is_link=found.is_link, replaces=replaces)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = actions.EditionDraft(
            published_on=data["published_on"],
            version=data["version"],
            changes=data["changes"],
            files=data.get("uploads") or [],
        )
        try:
            actions.add_edition(request=request, person=person, item=found, draft=draft)
        except actions.Refused as refused:
            form.add_error(None, str(refused) or _("This edition cannot be added."))
        else:
            notices.success(
                request, _("The new edition is in the library. Those who downloaded an earlier one are told.")
            )
            return redirect("library:item", item_id=found.pk)
    return render(
        request, "library/new_edition.html", {"form": form, "item": found}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def correct(request: SignedInRequest, item_id: int) -> HttpResponse:
    """Correct the description, links, licence, audience or marking of a published item, without a new edition:
    the publishing organisation's people who may add an edition (the action checks it again)."""
    person = _reader(request)
    found = access.item_for(person, item_id)
    if not access.can_add_edition(person, found):
        raise Http404
    form = CorrectionForm(request.POST) if request.method == "POST" else CorrectionForm(item=found)
    if request.method == "POST" and form.is_valid():
        try:
            actions.correct_item(request=request, person=person, item=found, correction=form.correction())
        except actions.Refused as refused:
            form.add_error(None, str(refused) or _("This correction cannot be saved."))
        else:
            notices.success(request, _("The item is corrected."))
            # A narrower audience may leave the corrector outside it: the library's home is always theirs.
            if access.items_visible_to(person).filter(pk=found.pk).exists():
                return redirect("library:item", item_id=found.pk)
            return redirect("library:home")
    return render(request, "library/correct.html", {"form": form, "item": found}, status=400 if form.errors else 200)


@require_safe
def figures(request: SignedInRequest, item_id: int) -> HttpResponse:
    """Download counts and who downloaded: the publishing organisation only."""
    person = _reader(request)
    found = access.item_for(person, item_id)
    shown = selectors.download_figures(person=person, item=found)
    if shown is None:
        raise Http404
    return render(request, "library/figures.html", {"item": found, "figures": shown})


def _file(request: SignedInRequest, file_id: int, *, preview: bool) -> HttpResponse:
    person = _reader(request)
    stored = access.file_for(person, file_id)  # checked again on every download
    if preview and not stored.has_thumbnail:
        raise Http404
    content = actions.download(request=request, person=person, stored=stored, preview=preview)
    return stored_file_response(stored, content, thumbnail=preview)


@require_GET
def download(request: SignedInRequest, library_file_id: int) -> HttpResponse:
    return _file(request, library_file_id, preview=False)


@require_GET
def preview(request: SignedInRequest, library_file_id: int) -> HttpResponse:
    return _file(request, library_file_id, preview=True)
