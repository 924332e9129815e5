"""Writes in the library: validate, change, audit (references only), and tell people after commit.

Each action checks its own rules (who may, the marking with the audience, codes, files) whatever its caller
checked, and refuses with ``Refused`` carrying a sentence for the form. Files are written before the commit
and removed again if anything fails, so nothing is left half-saved.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Person
from accounts.places import language_choices
from audit.actions import record
from environet import dates, enqueue
from library import access, links, notify, search, selectors
from library.models import CommentThread, Download, Edition, Extraction, Item, Kind, LibraryFile
from messaging import attachments
from messaging.actions import Refused, audience_columns, set_audience_members
from messaging.attachments import Upload
from messaging.models import Audience, Marking
from seizures.models import Convention

__all__ = [
    "Correction",
    "EditionDraft",
    "ItemDraft",
    "Refused",
    "add_edition",
    "correct_item",
    "download",
    "publish_item",
]


@dataclass
class EditionDraft:
    """A new edition as typed: what it is called, what changed, and its files."""

    published_on: date
    version: str = ""
    changes: str = ""
    files: list[Upload] = field(default_factory=list)


@dataclass
class ItemDraft:
    """A new item as typed (validated by the form, and again here)."""

    title: str
    kind: str
    summary: str
    topics: list[Any]
    languages: list[str]
    published_on: date
    conventions: list[str] = field(default_factory=list)
    authors: str = ""
    version: str = ""
    licence: str = ""
    external_url: str = ""
    external_title: str = ""
    external_checked_on: date | None = None
    references: list[tuple[str, str]] = field(default_factory=list)  # (table, code) found in reference.tables
    files: list[Upload] = field(default_factory=list)
    marking: str = Marking.GREEN
    audience: str = Audience.NETWORK
    organisations: list[Organisation] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


@dataclass
class Correction:
    """What the publishing organisation may correct after publishing, without a new edition (as typed in the
    correction form, validated there and again here)."""

    title: str
    summary: str
    topics: list[Any]
    languages: list[str]
    conventions: list[str] = field(default_factory=list)
    licence: str = ""
    references: list[tuple[str, str]] = field(default_factory=list)
    marking: str = Marking.GREEN
    audience: str = Audience.NETWORK
    organisations: list[Organisation] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)

    @classmethod
    def of(cls, item: Item) -> "Correction":
        """The item as it stands, to start a correction from."""
        return cls(
            title=item.title,
            summary=item.summary,
            topics=list(item.topics.all()),
            languages=item.language_codes,
            conventions=item.convention_codes,
            licence=item.licence,
            references=[(link.table, link.code) for link in item.references.all()],
            marking=item.marking,
            audience=item.audience,
            organisations=list(item.audience_organisations.all()) if item.audience == Audience.ORGANISATIONS else [],
            countries=item.country_codes if item.audience == Audience.COUNTRIES else [],
            # The publisher is always among the named people (set_audience_members): not named again.
            people=[p for p in item.audience_people.all() if p.pk != item.publisher_id]
            if item.audience == Audience.PEOPLE
            else [],
        )


def published_on_problem(day: date) -> str:
    """Why an item or edition may not bear this date of publication, in the active language; empty if it may."""
    if day > dates.today():
        return _("The date of publication cannot be in the future.")
    if dates.too_early(day):
        return _("The date of publication cannot be before 1950: check the year.")
    return ""


def checked_on_problem(day: date | None) -> str:
    """Why an outside link may not have been last checked on this day; empty if it may (or no day is given)."""
    if day is None:
        return ""
    if day > dates.today():
        return _("The link cannot have been checked after today.")
    if dates.too_early(day):
        return _("The date the link was last checked cannot be before 1950: check the year.")
    return ""


def edition_date_problem(day: date, *, replaces: date | None) -> str:
    """Why a new edition may not bear this date, given the date of the edition it replaces (None for the first)."""
    problem = published_on_problem(day)
    if not problem and replaces is not None and day < replaces:
        problem = _("A new edition cannot be dated before the edition it replaces (%(day)s).") % {
            "day": replaces.isoformat()
        }
    return problem


def problems_with(draft: ItemDraft) -> list[str]:
    """Why the draft may not be published, in the active language; empty if it may."""
    problems = _description_problems(draft)
    if draft.kind not in Kind.values:
        problems.append(_("Choose what kind of item this is."))
    problems.extend(
        problem
        for problem in (
            published_on_problem(draft.published_on),
            checked_on_problem(draft.external_checked_on if draft.external_url else None),
        )
        if problem
    )
    problems.extend(_edition_problems(files=draft.files, external_url=draft.external_url))
    return problems


def _description_problems(draft: "ItemDraft | Correction") -> list[str]:
    """What the publishing form and the correction form check alike: the marking with its audience (the one rule,
    messaging.access.marking_refusal), topics, conventions, languages and reference codes."""
    problems = []
    refusal = access.marking_refusal(marking=draft.marking, audience=draft.audience, people=draft.people)
    if refusal:
        problems.append(refusal)
    if not draft.title.strip():
        problems.append(_("Give the item a title."))
    if not draft.topics or any(topic.is_forum for topic in draft.topics):
        problems.append(_("Choose at least one topic (A to G)."))
    if set(draft.conventions) - set(Convention.values):
        problems.append(_("Choose conventions from the list."))
    known_languages = {code for code, _name in language_choices()}
    if not draft.languages or set(draft.languages) - known_languages:
        problems.append(_("Choose the languages the item is in."))
    for table, code in draft.references:
        if table not in links.LINKABLE or links.parse_references(f"{table}: {code}")[1]:
            problems.append(_("%(code)s is not in the reference tables.") % {"code": f"{table}: {code}"})
    return problems


def _edition_problems(*, files: Sequence[Upload], external_url: str) -> list[str]:
    if files and external_url:
        return [_("An item is either files stored here or a link to an outside resource, not both.")]
    if not files and not external_url:
        return [_("Add at least one file, or the address of the outside resource.")]
    return []


def publish_item(*, request, publisher: Person, draft: ItemDraft) -> Item:
    with attachments.removed_on_failure() as written:
        return _publish_item(request=request, publisher=publisher, draft=draft, written=written)


@transaction.atomic
def _publish_item(*, request, publisher: Person, draft: ItemDraft, written: list[Path]) -> Item:
    if not access.can_publish(publisher):
        raise Refused
    problems = problems_with(draft)
    if problems:
        raise Refused(" ".join(problems))
    item = Item.objects.create(
        title=draft.title,
        kind=draft.kind,
        summary=draft.summary,
        conventions=_codes(draft.conventions),
        languages=_codes(draft.languages),
        organisation=publisher.organisation,
        publisher=publisher,
        authors=draft.authors,
        published_on=draft.published_on,
        licence=draft.licence,
        external_url=draft.external_url,
        external_title=draft.external_title if draft.external_url else "",
        external_checked_on=draft.external_checked_on if draft.external_url else None,
        **audience_columns(marking=draft.marking, audience=draft.audience, countries=draft.countries),
    )
    # A new item has no topics, members or links yet: only what the draft names is written (no clearing first).
    item.topics.add(*draft.topics)
    if draft.audience in (Audience.ORGANISATIONS, Audience.PEOPLE):
        set_audience_members(
            item, audience=draft.audience, organisations=draft.organisations, people=draft.people, author=publisher
        )
    if draft.references:
        links.set_references(item, draft.references)
    edition = _new_edition(
        request=request,
        person=publisher,
        item=item,
        draft=EditionDraft(published_on=draft.published_on, version=draft.version, files=draft.files),
        number=1,
        written=written,
    )
    record(
        "library.item_published",
        request=request,
        actor=publisher,
        target=item,
        changes={
            "kind": item.kind,
            "marking": item.marking,
            "audience": item.audience,
            "files": len(draft.files),  # each written as a file of the edition, or refused above
            "link": item.is_link,
            "references": len(draft.references),
        },
    )
    notify.published_after_commit(item_id=item.pk, edition_id=edition.pk, told=[publisher.pk])
    return item


def add_edition(*, request, person: Person, item: Item, draft: EditionDraft) -> Edition:
    """A new edition of ``item``: the earlier ones stay readable; who downloaded one of them is told."""
    with attachments.removed_on_failure() as written:
        return _add_edition(request=request, person=person, item=item, draft=draft, written=written)


@transaction.atomic
def _add_edition(*, request, person: Person, item: Item, draft: EditionDraft, written: list[Path]) -> Edition:
    item = Item.objects.select_for_update().get(pk=item.pk)
    if not access.can_add_edition(person, item):
        raise Refused
    problems = _edition_problems(files=draft.files, external_url=item.external_url)
    if item.is_link and draft.files:
        problems = [_("This item is a link to an outside resource: its new edition is described, not uploaded.")]
    elif item.is_link:
        problems = []
    if not draft.changes.strip():
        problems.append(_("Say what changed in this edition."))
    dated = edition_date_problem(draft.published_on, replaces=selectors.replaced_edition_date(item))
    if dated:
        problems.append(dated)
    if problems:
        raise Refused(" ".join(problems))
    number = (item.editions.aggregate(highest=Max("number"))["highest"] or 0) + 1
    edition = _new_edition(request=request, person=person, item=item, draft=draft, number=number, written=written)
    record(
        "library.edition_added",
        request=request,
        actor=person,
        target=item,
        changes={"edition": number, "files": edition.files.count()},
    )
    earlier = set(Download.objects.filter(item=item).exclude(file__edition=edition).values_list("person_id", flat=True))
    notify.new_edition_after_commit(item_id=item.pk, edition_id=edition.pk, people=sorted(earlier - {person.pk}))
    # Followers of the item's topics hear of it too, except who is told above as a downloader.
    notify.published_after_commit(item_id=item.pk, edition_id=edition.pk, told=sorted(earlier | {person.pk}))
    return edition


# Correctable fields, in the order the audit entry lists them.
CORRECTABLE = (
    "title",
    "summary",
    "topics",
    "conventions",
    "languages",
    "references",
    "licence",
    "marking",
    "audience",
)


def correct_item(*, request, person: Person, item: Item, correction: Correction) -> list[str]:
    """Correct a published item's description, links, licence, audience or marking without a new edition; the
    names of the fields that changed. A narrower audience or a higher marking applies at once everywhere (pages,
    search, lists, files, previews, the API, and notices already sent, which are worded through today's rule),
    since all of them read the item's columns through library.access when they are shown. A wider one is allowed
    under the same rule as publishing (access.can_publish and the one marking rule). The audit entry names the
    fields, never their content. Nothing changed: refused, nothing written."""
    return _correct_item(request=request, person=person, item=item, correction=correction)


@transaction.atomic
def _correct_item(*, request, person: Person, item: Item, correction: Correction) -> list[str]:
    item = Item.objects.select_for_update().get(pk=item.pk)
    # The publishing organisation's people who may publish (those who may add an edition), and only while they may
    # read the item: a RED item is corrected by its named people of that organisation only.
    if not access.can_add_edition(person, item) or not access.items_visible_to(person).filter(pk=item.pk).exists():
        raise Refused
    problems = _description_problems(correction)
    if problems:
        raise Refused(" ".join(problems))
    before = Correction.of(item)
    changed = [name for name in CORRECTABLE if _differs(name, before, correction)]
    if _members(before) != _members(correction) and "audience" not in changed:
        changed.append("audience")
    if not changed:
        raise Refused(_("Nothing was changed."))
    item.title = correction.title
    item.summary = correction.summary
    item.conventions = _codes(correction.conventions)
    item.languages = _codes(correction.languages)
    item.licence = correction.licence
    for column, value in audience_columns(
        marking=correction.marking, audience=correction.audience, countries=correction.countries
    ).items():
        setattr(item, column, value)
    item.corrected_at = timezone.now()
    item.save()
    item.topics.set(correction.topics)
    set_audience_members(
        item,
        audience=correction.audience,
        organisations=correction.organisations,
        people=correction.people,
        author=item.publisher,
    )
    if "references" in changed:
        links.set_references(item, correction.references)
    if "title" in changed or "summary" in changed:
        search.index(item)
    if {"marking", "audience"} & set(changed):
        _follow_audience(item)
    facts: dict[str, Any] = {"fields": changed}
    if "marking" in changed:
        facts["marking"] = [before.marking, correction.marking]
    if before.audience != correction.audience:
        facts["audience"] = [before.audience, correction.audience]
    record("library.item_corrected", request=request, actor=person, target=item, changes=facts)
    return changed


def _differs(name: str, before: Correction, after: Correction) -> bool:
    old, new = getattr(before, name), getattr(after, name)
    if name == "topics":
        return {topic.pk for topic in old} != {topic.pk for topic in new}
    if name in ("conventions", "languages", "references"):
        return set(old) != set(new)
    return old != new


def _members(correction: Correction) -> tuple[frozenset, frozenset, frozenset]:
    return (
        frozenset(organisation.pk for organisation in correction.organisations),
        frozenset(correction.countries),
        frozenset(person.pk for person in correction.people),
    )


def _follow_audience(item: Item) -> None:
    """The comments on an item are a thread with the item's audience and marking (library.feedback_actions): it
    follows a corrected audience or marking at once, so a reader taken out of the item loses its comments too."""
    attached = CommentThread.objects.filter(item=item).select_related("thread").first()
    if attached is None:
        return
    from library.feedback_actions import thread_audience

    thread = attached.thread
    # The thread's author (who wrote the first comment) always reads it under messaging's rule: once the item is
    # no longer theirs to read, the thread passes to the item's publisher, and its comments go from them too.
    if not access.items_visible_to(thread.author).filter(pk=item.pk).exists():
        thread.author = item.publisher
    wanted = thread_audience(item, commenter=thread.author)
    for column, value in audience_columns(
        marking=wanted["marking"], audience=wanted["audience"], countries=wanted["countries"]
    ).items():
        setattr(thread, column, value)
    thread.save(update_fields=["marking", "audience", "audience_countries", "author"])
    set_audience_members(
        thread,
        audience=wanted["audience"],
        organisations=wanted["organisations"],
        people=wanted["people"],
        author=thread.author,
    )


def _new_edition(
    *, request, person: Person, item: Item, draft: EditionDraft, number: int, written: list[Path]
) -> Edition:
    edition = Edition.objects.create(
        item=item,
        number=number,
        version=draft.version,
        changes=draft.changes,
        published_on=draft.published_on,
        added_by=person,
    )
    for upload in draft.files:
        stored = LibraryFile.objects.create(edition=edition, **attachments.write(upload=upload, written=written))
        record(
            "library.file_added",
            request=request,
            actor=person,
            target=stored,
            changes={"item": item.pk, "edition": number, "content_type": stored.content_type, "size": stored.size},
            subject_organisation=item.organisation,
        )
    item.extraction = Extraction.WAITING if draft.files else Extraction.NONE
    item.extraction_failure = ""
    item.save(update_fields=["extraction", "extraction_failure"])
    search.index(item, body="")  # the new edition is the current one, and its files are not read yet
    if draft.files:
        from library import tasks

        item_id = item.pk
        enqueue.after_commit(tasks.extract_text, item_id=item_id)
    return edition


def download(*, request, person: Person, stored: LibraryFile, preview: bool = False) -> bytes:
    """The decrypted file (or its preview), for someone access.file_for let through; audited, and a download of
    the file itself is counted for the publishing organisation."""
    content = attachments.content_of(stored, thumbnail=preview)
    item_id = stored.edition.item_id
    with transaction.atomic():
        if not preview:
            Download.objects.create(person=person, file=stored, item_id=item_id)
        record(
            "library.preview_viewed" if preview else "library.file_downloaded",
            request=request,
            actor=person,
            target=stored,
            changes={"item": item_id, "edition": stored.edition.number},
            subject_organisation=stored.edition.item.organisation,
        )
    return content


def _codes(codes: Sequence[str]) -> str:
    return "," + ",".join(codes) + "," if codes else ""
