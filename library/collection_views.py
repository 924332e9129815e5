"""Collection pages: thin, every read through library.selectors/access, every write through
library.collection_actions. Changes are POSTs with buttons (no script needed) and return to the page they came
from with a notice saying what happened or why nothing was saved."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from environet.http import SignedInRequest
from library import access, collection_actions, collection_export, selectors
from library.forms import CollectionForm
from library.views import _reader


@require_safe
def collections(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    return render(
        request,
        "library/collections.html",
        {"collections": selectors.collections_page(person=person), "can_make": access.can_make_collection(person)},
    )


@require_http_methods(["GET", "POST"])
def new_collection(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not access.can_make_collection(person):
        raise Http404
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = collection_actions.make_collection(
                request=request,
                person=person,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except collection_actions.Refused as refused:
            form.add_error(None, str(refused) or _("This collection cannot be made."))
        else:
            notices.success(request, _("The collection is made. Add items to it from their pages."))
            return redirect("library:collection", collection_id=made.pk)
    return render(request, "library/new_collection.html", {"form": form}, status=400 if form.errors else 200)


@require_safe
def collection(request: SignedInRequest, collection_id: int) -> HttpResponse:
    """Shareable by its address: each person sees only the items of it they may read, and counts only those."""
    person = _reader(request)
    found = access.collection_for(person, collection_id)
    return render(
        request,
        "library/collection.html",
        {
            "collection": found,
            "entries": selectors.collection_items(person=person, collection=found),
            "can_change": access.can_change_collection(person, found),
        },
    )


@require_safe
def export(request: SignedInRequest, collection_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.collection_for(person, collection_id)
    content = collection_export.export(request=request, person=person, collection=found)
    response = HttpResponse(content, content_type=collection_export.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="collection-{found.pk}.xlsx"'
    return response


def _item_id(request: SignedInRequest) -> int | None:
    value = request.POST.get("item", "")
    return int(value) if value.isdigit() else None


def _back(request: SignedInRequest, collection_id: int) -> HttpResponse:
    """To the page the button was on (the item page or the collection), else the collection."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("library:collection", collection_id=collection_id)


def _change(request: SignedInRequest, collection_id: int, change, done: str) -> HttpResponse:
    person = _reader(request)
    found = access.collection_for(person, collection_id)
    if not access.can_change_collection(person, found):
        raise Http404
    try:
        change(person=person, collection=found, item_id=_item_id(request))
    except collection_actions.Refused as refused:
        notices.error(request, str(refused) or _("Nothing was changed."))
    else:
        if done:
            notices.success(request, done)
    return _back(request, found.pk)


@require_POST
def add_item(request: SignedInRequest, collection_id: int) -> HttpResponse:
    def change(**kwargs) -> None:
        collection_actions.add_item(request=request, **kwargs)

    return _change(request, collection_id, change, _("The item is in the collection."))


@require_POST
def remove_item(request: SignedInRequest, collection_id: int) -> HttpResponse:
    def change(**kwargs) -> None:
        collection_actions.remove_item(request=request, **kwargs)

    return _change(request, collection_id, change, _("The item is no longer in the collection."))


@require_POST
def move_item(request: SignedInRequest, collection_id: int) -> HttpResponse:
    direction = request.POST.get("direction", "")

    def change(**kwargs) -> None:
        collection_actions.move_item(request=request, direction=direction, **kwargs)

    return _change(request, collection_id, change, "")
