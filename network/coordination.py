"""Coordination: which activities of a roadmap may duplicate each other or compete for the same resources.

The rules (issue 10), between two live activities of one network whose planned periods overlap:
- likely duplicate: the same type, at least one target country in common, and descriptions at least
  ``SIMILAR`` % alike by rapidfuzz's token-set ratio (words compared as sets, so a description that
  repeats another with a few words added still scores high, and word order does not matter);
- same funder sought: both seek (funding "sought") the same funding source, spelt alike up to case and spaces;
- same lead organisation: one lead organisation in common.

"Live" is every status but completed and cancelled: a finished or abandoned activity competes with nothing.
A period is the planned start to the planned end (the start alone when no end is given); an activity
without a planned start has no period and is never flagged on these rules.

``Finding`` is what a rule found; its words are made by ``explain`` when a flag is shown, from the
activities as they are then (nothing is stored but the pair and the kind).
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, utils

from network.models import Activity, FlagKind, Status

SIMILAR = 70  # % token-set ratio from which two descriptions are "similar"
LIVE = [s for s in Status.values if s not in (Status.COMPLETED, Status.CANCELLED)]


@dataclass(frozen=True)
class Finding:
    kind: str
    first: Activity
    second: Activity


def period(activity: Activity) -> tuple[date, date] | None:
    if activity.starts_on is None:
        return None
    return activity.starts_on, activity.ends_on or activity.starts_on


def overlap(one: Activity, other: Activity) -> tuple[date, date] | None:
    """The days both planned periods hold, or None."""
    a, b = period(one), period(other)
    if a is None or b is None:
        return None
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start <= end else None


def _text(activity: Activity) -> str:
    # An activity proposed with a title only is compared on its title.
    return activity.description or activity.title


def similarity(one: Activity, other: Activity) -> int:
    """How alike the two descriptions are, 0–100 (rapidfuzz token-set ratio, case and punctuation ignored)."""
    return round(fuzz.token_set_ratio(_text(one), _text(other), processor=utils.default_process))


def _funder(activity: Activity) -> str:
    return " ".join(activity.funding_source.split()).casefold()


def _leads(activity: Activity) -> set[int]:
    return {lead.pk for lead in activity.leads.all()}


def findings(one: Activity, other: Activity) -> list[Finding]:
    """Every rule the pair meets (the lower id first in each finding)."""
    return _rules(one, other, shared_lead=bool(_leads(one) & _leads(other)))


def _rules(one: Activity, other: Activity, *, shared_lead: bool) -> list[Finding]:
    if one.pk == other.pk or one.network_id != other.network_id:
        return []
    if one.status not in LIVE or other.status not in LIVE or overlap(one, other) is None:
        return []
    first, second = sorted((one, other), key=lambda activity: activity.pk)
    found = []
    if one.kind == other.kind and set(one.countries) & set(other.countries) and similarity(one, other) >= SIMILAR:
        found.append(Finding(FlagKind.DUPLICATE, first, second))
    if one.funding == other.funding == "sought" and _funder(one) and _funder(one) == _funder(other):
        found.append(Finding(FlagKind.FUNDER, first, second))
    if shared_lead:
        found.append(Finding(FlagKind.LEAD, first, second))
    return found


def candidates(activity: Activity) -> list[Activity]:
    """The network's other live activities whose period overlaps this one's and that may meet a rule: the same
    type sharing a country (duplicate), seeking funding when this one seeks it from someone (funder), or sharing
    a lead organisation (each marked ``shares_lead``). One statement, written out: this runs on every save, and
    building it with the ORM cost many times what the database spends on it. The rules themselves are checked
    on what it returns (``findings_for``): it only leaves out activities that cannot meet any of them."""
    span = period(activity)
    if span is None or activity.status not in LIVE:
        return []
    start, end = (connection.ops.adapt_datefield_value(day) for day in span)
    may_meet = ["candidate.shares_lead"]
    params: list[object] = [activity.pk, activity.network_id, activity.pk, *LIVE, end, start, start]
    if activity.countries:
        like = " OR ".join(["candidate.countries_list LIKE %s ESCAPE '\\'"] * len(activity.countries))
        may_meet.append(f"(candidate.kind = %s AND ({like}))")
        params += [activity.kind, *(f"%,{connection.ops.prep_for_like_query(c)},%" for c in activity.countries)]
    if activity.funding == "sought" and _funder(activity):
        may_meet.append("candidate.funding = %s")
        params.append("sought")
    # Table names from the models; every value a parameter.
    table, leads = Activity._meta.db_table, Activity.leads.through._meta.db_table
    statement = f"""
        SELECT * FROM (
            SELECT a.id, a.network_id, a.title, a.kind, a.status, a.countries_list, a.starts_on, a.ends_on,
                   a.funding, a.funding_source, a.description,
                   EXISTS (SELECT 1 FROM {leads} theirs
                           JOIN {leads} mine ON mine.organisation_id = theirs.organisation_id
                           WHERE theirs.activity_id = a.id AND mine.activity_id = %s) AS shares_lead
            FROM {table} a
            WHERE a.network_id = %s AND a.id <> %s AND a.status IN ({", ".join(["%s"] * len(LIVE))})
              AND a.starts_on <= %s AND (a.ends_on >= %s OR (a.ends_on IS NULL AND a.starts_on >= %s))
        ) candidate
        WHERE {" OR ".join(may_meet)}
        ORDER BY candidate.starts_on, candidate.id"""  # noqa: S608
    return list(Activity.objects.raw(statement, params))


def findings_for(activity: Activity) -> list[Finding]:
    """Every rule the activity meets with another of its network: what ``findings`` finds against each of the
    network's activities (tested so), reading only the candidates."""
    found: list[Finding] = []
    for other in candidates(activity):
        found.extend(_rules(activity, other, shared_lead=bool(other.shares_lead)))  # type: ignore[attr-defined]
    return found


# --- Words -------------------------------------------------------------------------------------------


def months(span: tuple[date, date]) -> str:
    """ "June 2027", "June–July 2027", "December 2026–January 2027", in the active language."""
    start, end = span
    if (start.year, start.month) == (end.year, end.month):
        return date_format(start, "F Y")
    if start.year == end.year:
        return f"{date_format(start, 'F')}–{date_format(end, 'F Y')}"
    return f"{date_format(start, 'F Y')}–{date_format(end, 'F Y')}"


def explain(kind: str, one: Activity, other: Activity) -> str:
    """Why the pair is flagged, from the activities as they are now, in the active language. When an edit
    means the rule no longer holds, the words say what still holds (the flag keeps its history)."""
    span = overlap(one, other)
    parts: list[str] = []
    if kind == FlagKind.DUPLICATE:
        if one.kind == other.kind:
            parts.append(_("same type"))
        union = set(one.countries) | set(other.countries)
        if union:
            shared = len(set(one.countries) & set(other.countries))
            parts.append(_("%(shared)d of %(all)d countries shared") % {"shared": shared, "all": len(union)})
    elif kind == FlagKind.FUNDER:
        parts.append(_("both seek funding from %(funder)s") % {"funder": one.funding_source or other.funding_source})
    elif kind == FlagKind.LEAD:
        common = sorted(str(lead) for lead in one.leads.all() if lead.pk in _leads(other))
        parts.append(_("both led by %(leads)s") % {"leads": ", ".join(common) or "—"})
    if span:
        parts.append(_("overlapping %(months)s") % {"months": months(span)})
    else:
        parts.append(_("periods no longer overlap"))
    if kind == FlagKind.DUPLICATE:
        parts.append(_("description %(percent)d %% similar") % {"percent": similarity(one, other)})
    return ", ".join(parts)
