"""The roadmap as of a date as IATI activity XML (IATI Activity Standard 2.03,
https://iatistandard.org/en/iati-standard/203/activity-standard/), for donors.

Built with ``xml.etree.ElementTree`` (never by joining strings), with the elements of each
``iati-activity`` in the order the 2.03 schema's sequence requires: iati-identifier, reporting-org, title,
description, participating-org, activity-status, activity-date, recipient-country, recipient-region,
budget, transaction.

What each element holds, and where its code comes from:
- ``iati-identifier`` is the reporting organisation's identifier, a hyphen and the activity's number. Our
  organisations carry no registered organisation identifier (org-id.guide), and none is made up here: the
  network's own short name stands in for it (``reporting-org/@ref``), and the file says so in a comment at
  its top. Whoever publishes it to the IATI Registry replaces that prefix with their registered identifier.
- ``reporting-org/@type`` and ``participating-org/@type`` (OrganisationType codelist) only where our kind
  of organisation says it without doubt: customs administrations and national agencies are 10 Government,
  international organisations 40 Multilateral. Regional networks and observer organisations could be
  several IATI types, so the attribute is left out for them.
- ``participating-org/@role`` (OrganisationRole codelist): lead organisations and partners are 4
  Implementing; the funding source or donor, known by name only, is 1 Funding (no ``@ref``).
- ``activity-status/@code``: ``models.IATI_ACTIVITY_STATUS`` (the reasons are there).
- ``activity-date/@type`` (ActivityDateType codelist): the roadmap's dates are planned ones, 1 Planned
  start and 3 Planned end.
- ``recipient-country/@code`` is the ISO 3166-1 alpha-2 code (IATI Country codelist, which has XK for
  Kosovo); the European Union, which we list as a CITES Party, is not a recipient country and is left out.
  ``recipient-region`` has ``@vocabulary="2"`` (RegionVocabulary: UN regions) and the M49 code. No
  percentages: the roadmap does not say how an activity is split between its countries, so none is
  invented (the standard asks for them only when the split is known to the publisher).
- ``budget`` when the amount, its currency and both planned dates are known: type 1 Original, status 2
  Committed when the funding is secured and 1 Indicative otherwise (BudgetStatus codelist), valued on the
  planned start.
- ``transaction`` when the funding is secured with an amount and currency: type 11 Incoming Commitment
  (TransactionType codelist, added in 2.03) from the funding source, dated the day the history recorded it
  as secured (``ActivityChange``).
- Contact people are not exported: their names are for the network, not for publication.
"""

from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import timezone

from accounts.models import Organisation
from accounts.places import EXTRA_COUNTRIES
from network import history
from network.models import IATI_ACTIVITY_STATUS, ActivityChange, Funding, Network

VERSION = "2.03"

ORGANISATION_TYPE: dict[str, str] = {
    Organisation.Kind.CUSTOMS: "10",
    Organisation.Kind.AGENCY: "10",
    Organisation.Kind.INTERNATIONAL: "40",
}
IMPLEMENTING, FUNDING_ROLE = "4", "1"
PLANNED_START, PLANNED_END = "1", "3"
UN_REGIONS = "2"
ORIGINAL, INDICATIVE, COMMITTED = "1", "1", "2"
INCOMING_COMMITMENT = "11"
GENERAL, OTHER = "1", "4"

NOTE = (
    " The organisations of this platform carry no registered IATI organisation identifier. The prefix "
    "'{prefix}' of each iati-identifier and the reporting-org ref are the network's own short name, not a "
    "registered identifier: replace them with the publisher's registered organisation identifier "
    "(see org-id.guide) before publishing this file to the IATI Registry. "
)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "narrative").text = text
    return element


def _organisation(parent: ET.Element, tag: str, organisation: Organisation | None, name: str, **attributes):
    if organisation is not None and organisation.kind in ORGANISATION_TYPE:
        attributes["type"] = ORGANISATION_TYPE[organisation.kind]
    return _text(parent, tag, name, **attributes)


def _secured_on(network: Network, day: date) -> dict[int, date]:
    """For each activity, the day its funding was last recorded as secured, up to the end of ``day``."""
    found: dict[int, date] = {}
    rows = (
        ActivityChange.objects.filter(activity__network=network, at__lt=history.end_of(day))
        .order_by("at", "pk")
        .values_list("activity_id", "at", "changes")
    )
    for activity_id, at, changes in rows:
        if "funding" in changes and changes["funding"][1] == Funding.SECURED:
            found[activity_id] = timezone.localdate(at)
    return found


def _last_changes(network: Network, day: date) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    rows = ActivityChange.objects.filter(activity__network=network, at__lt=history.end_of(day)).values_list(
        "activity_id", "at"
    )
    for activity_id, at in rows:
        if activity_id not in found or at > found[activity_id]:
            found[activity_id] = at
    return found


def roadmap_iati(network: Network, day: date) -> bytes:
    """The roadmap as it stood at the end of ``day``, one ``iati-activity`` per activity."""
    states = history.roadmap_on(network, day)
    organisation_ids = {pk for state in states.values() for pk in [*state["leads"], *state["partners"]]}
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=organisation_ids)}
    secured_on, updated = _secured_on(network, day), _last_changes(network, day)
    prefix = network.short_name
    root = ET.Element(
        "iati-activities", {"version": VERSION, "generated-datetime": timezone.now().replace(microsecond=0).isoformat()}
    )
    root.append(ET.Comment(NOTE.format(prefix=prefix)))
    ordered = sorted(states.items(), key=lambda item: (item[1].get("starts_on") or "9999", item[0]))
    for pk, state in ordered:
        attributes = {"last-updated-datetime": updated[pk].replace(microsecond=0).isoformat()} if pk in updated else {}
        activity = ET.SubElement(root, "iati-activity", attributes)
        _activity(activity, network, pk, state, organisations, secured_on.get(pk))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _activity(
    activity: ET.Element,
    network: Network,
    pk: int,
    state: dict[str, Any],
    organisations: dict[int, Organisation],
    secured_on: date | None,
) -> None:
    ET.SubElement(activity, "iati-identifier").text = f"{network.short_name}-{pk}"
    _organisation(activity, "reporting-org", network.secretariat, network.name, ref=network.short_name)
    _text(activity, "title", state["title"])
    if state.get("description"):
        _text(activity, "description", state["description"], type=GENERAL)
    if state.get("expected_outputs"):
        _text(activity, "description", state["expected_outputs"], type=OTHER)
    for organisation_id in [*state["leads"], *[p for p in state["partners"] if p not in state["leads"]]]:
        found = organisations.get(organisation_id)
        if found is not None:
            _organisation(activity, "participating-org", found, found.name, role=IMPLEMENTING)
    if state.get("funding_source"):
        _text(activity, "participating-org", state["funding_source"], role=FUNDING_ROLE)
    ET.SubElement(activity, "activity-status", {"code": str(IATI_ACTIVITY_STATUS[state["status"]])})
    if state.get("starts_on"):
        ET.SubElement(activity, "activity-date", {"iso-date": state["starts_on"], "type": PLANNED_START})
    if state.get("ends_on"):
        ET.SubElement(activity, "activity-date", {"iso-date": state["ends_on"], "type": PLANNED_END})
    for code in state["countries"]:
        if code not in EXTRA_COUNTRIES or code == "XK":
            ET.SubElement(activity, "recipient-country", {"code": code})
    for code in state["regions"]:
        ET.SubElement(activity, "recipient-region", {"code": code, "vocabulary": UN_REGIONS})
    amount, currency = state.get("amount"), state.get("currency")
    if not (amount and currency):
        return
    secured = state.get("funding") == Funding.SECURED
    if state.get("starts_on") and state.get("ends_on"):
        budget = ET.SubElement(activity, "budget", {"type": ORIGINAL, "status": COMMITTED if secured else INDICATIVE})
        ET.SubElement(budget, "period-start", {"iso-date": state["starts_on"]})
        ET.SubElement(budget, "period-end", {"iso-date": state["ends_on"]})
        value = ET.SubElement(budget, "value", {"currency": currency, "value-date": state["starts_on"]})
        value.text = amount
    if secured and secured_on is not None:
        transaction = ET.SubElement(activity, "transaction")
        ET.SubElement(transaction, "transaction-type", {"code": INCOMING_COMMITMENT})
        ET.SubElement(transaction, "transaction-date", {"iso-date": secured_on.isoformat()})
        value = ET.SubElement(transaction, "value", {"currency": currency, "value-date": secured_on.isoformat()})
        value.text = amount
        if state.get("funding_source"):
            _text(transaction, "provider-org", state["funding_source"])
