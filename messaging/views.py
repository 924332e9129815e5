"""Conversation pages: topics and forums, threads, messages. Thin: parse, call, render."""

from django.conf import settings
from django.contrib import messages as notices
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from environet import fragments, submissions
from environet.http import SignedInRequest
from messaging import access, actions, attachments, search, selectors
from messaging.forms import EditForm, ForumForm, MessageForm, ReasonForm, SearchForm, ThreadForm
from messaging.models import Follow, Message, StoredFile
from topics import actions as topic_actions
from topics.access import can_open_forums, topics_visible_to


def _reader(request: SignedInRequest):
    if not access.is_reader(request.user):
        raise Http404
    return request.user


@require_safe
def overview(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    return render(
        request,
        "messaging/overview.html",
        {
            "topics": selectors.topics_overview(person=person),
            "threads": selectors.latest_threads(person=person),
            "alerts": selectors.recent_alerts(person=person),
            "can_post": access.can_post(person),
            "can_open_forums": can_open_forums(person),
        },
    )


@require_safe
def topic(request: SignedInRequest, code: str) -> HttpResponse:
    person = _reader(request)
    chosen = selectors.topic_for(person, code)
    page = Paginator(selectors.threads_in(person=person, topic=chosen), 30).get_page(request.GET.get("page"))
    return render(request, "messaging/topic.html", {"topic": chosen, "page": page, "can_post": access.can_post(person)})


@require_http_methods(["GET", "POST"])
@submissions.once
def new_thread(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not access.can_post(person):
        raise Http404
    topics = topics_visible_to(person)
    initial = {"topics": topics.filter(code=request.GET.get("topic", ""))}
    form = ThreadForm(request.POST or None, request.FILES or None, topics=topics, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = actions.Draft(
            subject=data["subject"],
            topics=list(data["topics"]),
            kind=data["kind"],
            body=data["body"],
            **form.audience_choice(),
            attachments=data["attachments"],
        )
        thread = actions.start_thread(request=request, author=person, draft=draft)
        notices.success(request, _("Your message has been sent."))
        return redirect("messaging:thread", thread_id=thread.pk)
    return render(request, "messaging/new_thread.html", {"form": form}, status=400 if form.errors else 200)


def _cursor(request: SignedInRequest, name: str) -> int | None:
    """A message id from the query string; anything else is no cursor (the page shows the newest messages)."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _blank_reply(form: MessageForm) -> str:
    """The reply form as a thread page first shows it, empty: the same for every reader in a language (its help
    names the attachment limits), so it is rendered once per process. A reply sent back with its problems is
    rendered for its request ("")."""
    if form.is_bound:
        return ""
    limits = (settings.MAX_ATTACHMENTS_PER_MESSAGE, settings.MAX_ATTACHMENT_BYTES)
    return fragments.blank_form("messaging.reply", limits, lambda: form)


def _thread_page(request: SignedInRequest, thread, form=None, status=200) -> HttpResponse:
    person = request.user
    form = form or MessageForm()
    window = selectors.thread_page(
        person=person,
        thread=thread,
        before=_cursor(request, "before"),
        after=_cursor(request, "after"),
        holding=_cursor(request, "message"),
    )
    shown = window.messages
    # Before this visit marks what it shows as read: a way to the first message not read yet, when elsewhere.
    unread = selectors.first_unread(person=person, thread=thread)
    if unread in {message.pk for message in shown}:
        unread = None
    actions.mark_read(person=person, messages=shown)
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": thread,
            "thread_messages": shown,
            "window": window,
            "first_unread": unread,
            "form": form,
            "reply_fields": _blank_reply(form),
            "can_reply": access.can_reply(person, thread),
            "can_moderate": access.can_moderate(person),
            "follow": selectors.follow_state(person=person, thread=thread),
            "topics": selectors.thread_topics(thread),
        },
        status=status,
    )


@require_safe
def thread(request: SignedInRequest, thread_id: int) -> HttpResponse:
    person = _reader(request)
    return _thread_page(request, access.thread_for(person, thread_id))


@require_POST
@submissions.once
def reply(request: SignedInRequest, thread_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.thread_for(person, thread_id)
    if not access.can_reply(person, found):
        raise Http404
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        # The draft comes back in the form, with the reason; nothing was saved.
        return _thread_page(request, found, form=form, status=400)
    data = form.cleaned_data
    actions.reply(
        request=request, author=person, thread=found, kind=data["kind"], body=data["body"], files=data["attachments"]
    )
    return redirect("messaging:thread", thread_id=found.pk)


@require_POST
def follow(request: SignedInRequest, thread_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.thread_for(person, thread_id)
    choice = request.POST.get("state", "")
    if choice not in (*Follow.State.values, "topics"):
        return HttpResponse(_("Choose follow, mute or topics."), status=400)
    actions.set_follow(request=request, person=person, thread=found, state=None if choice == "topics" else choice)
    return redirect("messaging:thread", thread_id=found.pk)


@require_POST
def mark_read(request: SignedInRequest, thread_id: int) -> JsonResponse:
    """The page read what the live stream added (called by live.js)."""
    person = _reader(request)
    found = access.thread_for(person, thread_id)
    ids = [int(value) for value in request.POST.getlist("message") if value.isdigit()]
    shown = list(found.messages.filter(pk__in=ids))
    return JsonResponse({"read": [message.pk for message in actions.mark_read(person=person, messages=shown)]})


@require_POST
def lock(request: SignedInRequest, thread_id: int) -> HttpResponse:
    person = _reader(request)
    found = access.thread_for(person, thread_id)
    if not access.can_moderate(person):
        raise Http404
    locked = request.POST.get("locked") == "1"
    if found.is_locked != locked:
        actions.set_locked(request=request, moderator=person, thread=found, locked=locked)
    return redirect("messaging:thread", thread_id=found.pk)


@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, message_id: int) -> HttpResponse:
    person = _reader(request)
    message = access.message_for(person, message_id)
    if not access.can_edit(person, message):
        raise Http404
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        actions.edit(request=request, editor=person, message=message, body=form.cleaned_data["body"])
        notices.success(request, _("Your message has been changed; the earlier text is kept in its history."))
        return redirect("messaging:thread", thread_id=message.thread_id)
    return render(
        request, "messaging/edit.html", {"form": form, "message": message}, status=400 if form.errors else 200
    )


@require_POST
def retract(request: SignedInRequest, message_id: int) -> HttpResponse:
    person = _reader(request)
    message = access.message_for(person, message_id)
    if not access.can_edit(person, message):
        raise Http404
    actions.retract(request=request, person=person, message=message)
    notices.success(request, _("Your message has been retracted."))
    return redirect("messaging:thread", thread_id=message.thread_id)


@require_POST
def hide(request: SignedInRequest, message_id: int) -> HttpResponse:
    person = _reader(request)
    message = access.message_for(person, message_id)
    if not access.can_moderate(person) or message.hidden_at is not None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        notices.error(request, _("Give a reason for hiding the message."))
    else:
        actions.hide(request=request, moderator=person, message=message, reason=form.cleaned_data["reason"])
    return redirect("messaging:thread", thread_id=message.thread_id)


@require_safe
def history(request: SignedInRequest, message_id: int) -> HttpResponse:
    person = _reader(request)
    message = access.message_for(person, message_id)
    if not (access.can_edit(person, message) or access.can_moderate(person)):
        raise Http404
    return render(
        request, "messaging/history.html", {"message": message, "revisions": message.revisions.order_by("-replaced_at")}
    )


@require_safe
def receipts(request: SignedInRequest, message_id: int) -> HttpResponse:
    person = _reader(request)
    message = access.message_for(person, message_id)
    if not access.can_see_receipts(person, message) or message.kind != Message.Kind.ALERT:
        raise Http404
    return render(
        request,
        "messaging/receipts.html",
        {"message": message, "readings": selectors.readers_of(person=person, message=message)},
    )


@require_http_methods(["GET", "POST"])
def new_forum(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    if not can_open_forums(person):
        raise Http404
    form = ForumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        forum = topic_actions.open_forum(
            request=request,
            actor=person,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            members=form.cleaned_data["members"],
        )
        notices.success(request, _("The forum is open; its members have been added."))
        return redirect("messaging:topic", code=forum.code)
    return render(request, "messaging/new_forum.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def forum_members(request: SignedInRequest, code: str) -> HttpResponse:
    person = _reader(request)
    forum = selectors.topic_for(person, code)
    if not can_open_forums(person) or not forum.is_forum:
        raise Http404
    form = ForumForm(
        request.POST or None,
        initial={"name": forum.name, "description": forum.description, "members": forum.members.all()},
    )
    if request.method == "POST" and form.is_valid():
        topic_actions.set_forum_members(
            request=request, actor=person, forum=forum, members=form.cleaned_data["members"]
        )
        notices.success(request, _("The members have been saved."))
        return redirect("messaging:topic", code=forum.code)
    return render(
        request, "messaging/new_forum.html", {"form": form, "forum": forum}, status=400 if form.errors else 200
    )


def _file_response(content: bytes, *, content_type: str, filename: str, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=not inline, filename=filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Should a browser ever show the file itself, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def stored_file_response(stored: StoredFile, content: bytes, *, thumbnail: bool) -> HttpResponse:
    """A decrypted file (or its thumbnail) of a message or a seizure record, for someone allowed to have it."""
    if thumbnail:
        content_type = attachments.thumbnail_type(content)
        return _file_response(content, content_type=content_type, filename="thumbnail." + content_type[6:], inline=True)
    content_type = stored.content_type + ("; charset=utf-8" if stored.content_type.startswith("text/") else "")
    return _file_response(content, content_type=content_type, filename=attachments.download_name(stored), inline=False)


def _attachment(request: SignedInRequest, attachment_id: int, *, thumbnail: bool) -> HttpResponse:
    person = _reader(request)
    found = access.attachment_for(person, attachment_id)
    if thumbnail and not found.has_thumbnail:
        raise Http404
    content = actions.download_attachment(request=request, person=person, attachment=found, thumbnail=thumbnail)
    return stored_file_response(found, content, thumbnail=thumbnail)


@require_GET
def attachment(request: SignedInRequest, attachment_id: int) -> HttpResponse:
    return _attachment(request, attachment_id, thumbnail=False)


@require_GET
def attachment_thumbnail(request: SignedInRequest, attachment_id: int) -> HttpResponse:
    return _attachment(request, attachment_id, thumbnail=True)


@require_safe
def search_page(request: SignedInRequest) -> HttpResponse:
    person = _reader(request)
    form = SearchForm(request.GET or None, person=person)
    page, results = None, []
    if form.is_bound and form.is_valid() and form.has_criteria():
        filters = form.filters()
        page = search.page(person=person, filters=filters, number=request.GET.get("page"), limit=search.COUNT_LIMIT)
        results = [(message, search.snippet(message.body, filters.text)) for message in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "messaging/search.html",
        {"form": form, "page": page, "results": results, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )
