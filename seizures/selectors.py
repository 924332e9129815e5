"""Reads about seizure records, always through access."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from django.db import connection
from django.db.models import Count, Q, Window
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from environet.compiled import ByIds, Converted, Joined, Kept, Prepared, attach, ids_in_one_value, prepare
from messaging.access import rule_key
from reference import tables
from seizures import access, correlation, handles, nominal
from seizures.forms import country_label
from seizures.models import (
    CommodityLine,
    Convention,
    Link,
    MatchKey,
    NominalEntry,
    NominalGrant,
    Seizure,
    SeizureFile,
    StatusChange,
)


@dataclass
class RelatedRecord:
    """Another record related to the one on the page, as much of it as the reader may know."""

    link: Link
    other: Seizure
    visible: bool  # the reader may open it
    reasons: list[str]
    handle: str  # how pages, forms and the API refer to it (seizures.handles): never by its id


@dataclass
class InvolvedEntry:
    entry: NominalEntry
    data: nominal.Nominal


# What the record page (and the API) shows of a related record and what the access rule asks of it, read by
# the ids from a statement compiled once (environet.compiled.Joined): the others' forty columns are deferred.
RELATED_SHOWN = {
    "": ("id", "reference", "organisation_id", "status", "occurred_on"),
    "organisation": ("id", "name", "short_name"),
}
_RELATED = Joined(Seizure, RELATED_SHOWN)


def related_records(*, person, seizure: Seizure) -> list[RelatedRecord]:
    links = _links_of(seizure)
    if not links:
        return []
    other_ids = [link.other(seizure.pk) for link in links]
    others = cast(dict[int, Seizure], _RELATED.read(other_ids))
    visible = access.readable_among(person, other_ids)
    shown = []
    for link, other_id in zip(links, other_ids, strict=True):
        other = others[other_id]
        reasons = access.visible_reasons(person, seizure, other, link.reasons, other_visible=other_id in visible)
        if reasons:
            kinds = [str(kind.label) for kind in MatchKey.Kind if reasons & (1 << kind.value)]
            shown.append(
                RelatedRecord(
                    link=link,
                    other=other,
                    visible=other_id in visible,
                    reasons=kinds,
                    handle=handles.handle(seizure.pk, other_id),
                )
            )
    # The latest seizures first.
    return sorted(shown, key=lambda item: (item.other.occurred_on, item.other.pk), reverse=True)


_LINKS: Kept[ByIds] = Kept(2)


def _links_of(seizure: Seizure) -> list[Link]:
    """``Link.objects.filter(Q(low=seizure) | Q(high=seizure))``, from a statement compiled once."""
    names = ("low_id", "high_id", "reasons", "announced")
    statement = _LINKS.statement(
        "links",
        lambda: ByIds.of(
            Link.objects.filter(Q(low_id__in=ids_in_one_value()) | Q(high_id__in=ids_in_one_value()))
            .order_by()
            .values_list(*names)
        ),
    )
    return [Link(**dict(zip(names, row, strict=True))) for row in statement.rows([seizure.pk])]


# What the record page reads under the record, from statements compiled once (environet.compiled.Joined):
# building these queries anew cost the page more than running them. Each is the ORM's ``seizure.<name>.all()``
# (with the objects it shows); test_record_page_queries compares them.
_FILES = Joined(SeizureFile, {"": None})
_HISTORY = Joined(StatusChange, {"": None, "by": ("id", "full_name")})
_ENTRIES = Joined(NominalEntry, {"": None})
_GRANTS = Joined(NominalGrant, {"": None, "organisation": None, "granted_by": None})
_LINES: Kept[ByIds] = Kept(2)
LINE_FIELDS = tuple(field.attname for field in CommodityLine._meta.concrete_fields)


def involved(*, person, seizure: Seizure) -> list[InvolvedEntry] | None:
    """The persons and companies involved, or None when the person may not read them."""
    if not access.can_see_nominal(person, seizure):
        return None
    entries = cast(list[NominalEntry], _ENTRIES.under("seizure", [seizure.pk]))
    return [InvolvedEntry(entry=entry, data=nominal.unseal(entry)) for entry in entries]


def common_values(*, person, seizure: Seizure) -> list[str]:
    """What the page says of the record's values too common to link: non-nominal values by name; nominal
    ones only to those who may read the record's nominal data, and without the value, and not on a draft
    (a draft must not learn that a name it guessed is held by many records of other organisations)."""
    may_read_nominal = access.can_see_nominal(person, seizure) and not seizure.is_draft
    said = []
    for key in correlation.common_values(seizure):
        if key.label:
            said.append(key.label)
        elif may_read_nominal:
            said.append(str(MatchKey.Kind(key.kind).label))
    return said


# Said of a taxon kept as written because the tables do not list it (seizures.forms.LineForm): for review.
NOT_IN_TABLES = gettext_lazy("Not in the reference tables: kept as written, for review")
NOT_LISTED = gettext_lazy("Not in the CITES Appendices (excluded from its higher taxon's listing)")


def what_the_code_says(line: CommodityLine, origin: str) -> str:
    """What the reference tables say of a line's code: the CITES appendix (of the population of the country
    of origin, for a split listing), the Montreal annex and group, the Basel entry, the chemical's name."""
    if line.convention == Convention.CITES:
        appendix = tables.cites_appendix(line.code, origin if origin not in ("", "XX", "XZ") else "")
        entry = tables.cites_entry(line.code)
        if not appendix:
            # A loaded CITES list names species excluded from their family's listing ("NC"): not listed.
            return str(NOT_LISTED if entry is not None and entry.row.get("listed_under") is not None else NOT_IN_TABLES)
        said = _("CITES Appendix %(appendix)s") % {"appendix": appendix}
        under = entry.row.get("listed_under", "") if entry is not None else ""
        if under and tables.taxon_key(under) != tables.taxon_key(line.code):
            # As Species+ says it: Python regius is listed under "Pythonidae spp.".
            said = _("%(appendix)s, listed under %(taxon)s") % {"appendix": said, "taxon": under}
        return said
    if line.convention == Convention.MONTREAL:
        entry = tables.find("montreal", line.code)
        if entry is None:
            return ""
        if entry.row.get("annex") == "mixture":
            return _("Mixture: %(name)s") % {"name": entry.row.get("name", "")}
        return _("Annex %(annex)s, group %(group)s: %(name)s") % {
            "annex": entry.row.get("annex", ""),
            "group": entry.row.get("group", ""),
            "name": entry.row.get("name", ""),
        }
    tables_by_convention: dict[str, str] = {
        Convention.BASEL: "basel",
        Convention.STOCKHOLM: "stockholm",
        Convention.ROTTERDAM: "rotterdam",
    }
    table = tables_by_convention.get(line.convention)
    entry = tables.find(table, line.code) if table else None
    return entry.label if entry is not None and entry.label != line.code else ""


def grants_of(seizure: Seizure) -> list[NominalGrant]:
    """``NominalGrant.objects.filter(seizure=seizure).select_related("organisation", "granted_by")``."""
    return cast(list[NominalGrant], _GRANTS.under("seizure", [seizure.pk]))


def record_page(*, person, seizure: Seizure) -> dict:
    """Everything the record page shows this person."""
    # Read once for the page and for the library's guides to the lines (library_guides_for_seizure).
    attach(_LINES, [seizure], "lines", LINE_FIELDS)
    return {
        "seizure": seizure,
        "lines": [(line, what_the_code_says(line, seizure.origin_country)) for line in seizure.lines.all()],
        "files": _FILES.under("seizure", [seizure.pk]),
        "history": _HISTORY.under("seizure", [seizure.pk]),
        "involved": involved(person=person, seizure=seizure),
        "grants": grants_of(seizure) if access.is_owner(person, seizure) else [],
        "related": related_records(person=person, seizure=seizure),
        "common": common_values(person=person, seizure=seizure),
        "route": [country_label(code) for code in seizure.route],
        "country_name": country_label(seizure.country),
        "is_owner": access.is_owner(person, seizure),
        "can_change": access.can_change(person, seizure) and seizure.status != "closed",
        # Grants and requests for contact stay possible once a case is closed (a prosecution may follow).
        "can_manage": access.can_change(person, seizure),
        "can_share": access.can_share(person, seizure),
        "can_close": access.can_close(person, seizure),
    }


# --- For the home page --------------------------------------------------------------------------------------

NOTICE_WINDOW_DAYS = 30  # as long as unread messages count (messaging.selectors.UNREAD_WINDOW)


def noticed_records(*, person) -> list[Seizure]:
    """The records the person was told of in the last 30 days (``seizure.related``: a record related to
    one of their organisation's; ``seizure.match``: a new record matching a search they follow), newest
    first, each once, and only those the notice would still be shown for today (seizures.notices): the same
    rule, asked of all of them at once, so the home page asks the same few queries however many there are."""
    from datetime import timedelta

    from django.utils import timezone

    from messaging.models import Event
    from seizures.models import FollowedSearch

    if not access.can_read(person):
        return []
    # The notices of the window, newest first, from a statement compiled once per person (home asks it on every
    # visit; building it cost more than running it): the start of the window is given on each run.
    field = Event._meta.get_field("created_at")
    statement = _NOTICES.statement(
        person.pk,
        lambda: Converted.of(
            Event.objects.filter(
                kind="notice",
                person=person,
                data__about__in=["seizure.related", "seizure.match"],
                created_at__gte=_SINCE,
            )
            .order_by("-pk")
            .values_list("data"),
            field.get_db_prep_value(_SINCE, connection, prepared=False),
        ),
    )
    since = timezone.now() - timedelta(days=NOTICE_WINDOW_DAYS)
    rows = [data for (data,) in statement.run(field.get_db_prep_value(since, connection, prepared=False))]
    wanted = [
        (data.get("about"), data.get("record"), data.get("other"), data.get("search"))
        for data in rows
        if isinstance(data.get("record"), int)
    ]
    ids = {pk for _, record, other, _ in wanted for pk in (record, other) if isinstance(pk, int)}
    if not ids:
        return []
    records = Seizure.objects.in_bulk(list(ids))
    visible = set(access.seizures_visible_to(person).filter(pk__in=ids).values_list("pk", flat=True))
    searches = dict(
        FollowedSearch.objects.filter(
            person=person, pk__in=[search for *_, search in wanted if isinstance(search, int)]
        ).values_list("pk", "company_digest")
    )
    granted = set(
        NominalGrant.objects.filter(seizure_id__in=ids, organisation_id=person.organisation_id).values_list(
            "seizure_id", flat=True
        )
    )
    pairs = {(min(a, b), max(a, b)) for about, a, b, _ in wanted if about == "seizure.related" and isinstance(b, int)}
    links = {
        (link.low_id, link.high_id): link.reasons
        for link in Link.objects.filter(low_id__in={low for low, _ in pairs}, high_id__in={high for _, high in pairs})
    }
    found: dict[int, Seizure] = {}
    for about, record_id, other_id, search_id in wanted:
        record = records.get(record_id)
        if record is None or record_id in found:
            continue
        if about == "seizure.related":
            other = records.get(other_id) if isinstance(other_id, int) else None
            reasons = links.get((min(record_id, other_id), max(record_id, other_id))) if other else None
            shown = (
                other is not None
                and reasons is not None
                and access.is_owner(person, record)
                and access.visible_reasons(person, record, other, reasons, other_visible=other_id in visible) != 0
            )
        else:
            digest = searches.get(search_id, False) if isinstance(search_id, int) else False
            nominal_ok = not digest or record.organisation_id == person.organisation_id or record_id in granted
            shown = digest is not False and record_id in visible and not record.is_draft and nominal_ok
        if shown:
            found[record_id] = record
    return list(found.values())


# Stands for the start of the notices' window while the statement is compiled (no notice is this old).
_SINCE = datetime(1900, 1, 1, 0, 0, 0, 424_242, tzinfo=UTC)
_NOTICES: Kept[Converted] = Kept(1024)


def drafts_of(*, person):
    """The person's own records not shared yet."""
    from seizures.models import Status

    return access.seizures_visible_to(person).filter(officer=person, status=Status.DRAFT)


_NEWEST_DRAFTS: Kept[Prepared | None] = Kept(1024)


def newest_drafts(*, person, most: int) -> tuple[list[int], int]:
    """The ids of the person's ``most`` most recently changed drafts (``drafts_of``) and how many drafts they
    have, in one statement compiled once per reader (``rule_key``): home asks it on every visit, and building
    the rule cost it more than running it."""
    statement = _NEWEST_DRAFTS.statement(
        rule_key(person),
        lambda: prepare(
            drafts_of(person=person)
            .order_by("-updated_at", "-pk")
            .annotate(total=Window(Count("*")))
            .values_list("pk", "total"),
            paged=True,
        ),
    )
    rows = [] if statement is None else statement.rows(then=(most, 0))
    return [pk for pk, _total in rows], (rows[0][1] if rows else 0)
