"""The roadmap as of a date as IATI activity XML (2.03). No IATI schema is published on PyPI (the iati-*
packages there are empty placeholders), so the structure is checked here by the standard's documented
rules: the elements of iati-activity in the schema's order, the required ones present, every code from its
codelist."""

from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

import pycountry
import pytest

from audit.models import Entry
from conftest import signed_in
from network import iati, regions
from network.models import IATI_ACTIVITY_STATUS
from network.tests.builders import build
from network.tests.test_pdf import make_dated

# The sequence of iati-activity in the 2.03 schema (iati-activities-schema.xsd), as far as we write it.
ORDER = [
    "iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier",
    "activity-status", "activity-date", "contact-info", "activity-scope", "recipient-country",
    "recipient-region", "location", "sector", "tag", "country-budget-items", "humanitarian-scope",
    "policy-marker", "collaboration-type", "default-flow-type", "default-finance-type", "default-aid-type",
    "default-tied-status", "budget", "planned-disbursement", "capital-spend", "transaction",
]  # fmt: skip


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def dated(cast, net):
    return make_dated(cast, net)


def check_activity(activity: Any, prefix: str) -> None:
    tags = [child.tag for child in activity if isinstance(child.tag, str)]
    assert tags == sorted(tags, key=ORDER.index), tags
    for required in ("iati-identifier", "reporting-org", "title", "activity-status", "participating-org"):
        assert required in tags
    identifier = activity.findtext("iati-identifier")
    reporting = activity.find("reporting-org")
    assert reporting is not None and reporting.get("ref") == prefix and identifier.startswith(f"{prefix}-")
    assert reporting.findtext("narrative")
    assert activity.findtext("title/narrative")
    assert activity.find("activity-status").get("code") in {"1", "2", "3", "4", "5", "6"}
    for when in activity.findall("activity-date"):
        assert when.get("type") in {"1", "2", "3", "4"}
        date.fromisoformat(when.get("iso-date"))
    for organisation in activity.findall("participating-org"):
        assert organisation.get("role") in {"1", "2", "3", "4"} and organisation.findtext("narrative")
        assert organisation.get("type") in (None, "10", "40")
    for country in activity.findall("recipient-country"):
        assert pycountry.countries.get(alpha_2=country.get("code")) is not None or country.get("code") == "XK"
    for region in activity.findall("recipient-region"):
        assert region.get("vocabulary") == "2" and region.get("code") in regions.region_codes()
    for budget in activity.findall("budget"):
        assert budget.get("type") in {"1", "2"} and budget.get("status") in {"1", "2"}
        start = date.fromisoformat(budget.find("period-start").get("iso-date"))
        end = date.fromisoformat(budget.find("period-end").get("iso-date"))
        value = budget.find("value")
        assert start <= end and value.get("currency") and float(value.text) >= 0
        date.fromisoformat(value.get("value-date"))
    for transaction in activity.findall("transaction"):
        assert [child.tag for child in transaction][:3] == ["transaction-type", "transaction-date", "value"]


def parse(content: bytes) -> Any:
    assert content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(content)
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    datetime.fromisoformat(root.get("generated-datetime", ""))
    return root


def test_the_roadmap_as_iati_xml(cast, net, dated):
    training, study = dated
    response = signed_in(cast.member).get("/network/ENFORCE/roadmap-iati.xml?as_of=2020-10-01")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert "ENFORCE-roadmap-2020-10-01-iati.xml" in response["Content-Disposition"]
    root = parse(response.content)
    activities = root.findall("iati-activity")
    assert len(activities) == 2
    for activity in activities:
        check_activity(activity, "ENFORCE")
    found = {activity.findtext("iati-identifier"): activity for activity in activities}
    first = found[f"ENFORCE-{training.pk}"]
    assert first.findtext("title/narrative") == "Formation sur les déchets électroniques"
    assert first.find("reporting-org").get("type") == "40"  # the secretariat is an international organisation
    assert first.findtext("reporting-org/narrative") == net.network.name
    # As it stood on 1 October 2020: planned (pipeline), not yet completed.
    assert first.find("activity-status").get("code") == str(IATI_ACTIVITY_STATUS["planned"]) == "1"
    assert [(d.get("type"), d.get("iso-date")) for d in first.findall("activity-date")] == [
        ("1", "2020-10-05"), ("3", "2020-10-09")]  # fmt: skip
    roles = [(o.get("role"), o.get("type"), o.findtext("narrative")) for o in first.findall("participating-org")]
    assert roles == [("4", "10", "Direction générale des douanes"), ("4", "10", "Kenya Revenue Authority"),
                     ("1", None, "Union européenne")]  # fmt: skip
    assert [c.get("code") for c in first.findall("recipient-country")] == ["CI", "SN"]
    assert [(r.get("code"), r.get("vocabulary")) for r in first.findall("recipient-region")] == [("011", "2")]
    budget = first.find("budget")
    assert budget.get("status") == "2" and budget.find("value").text == "15000.00"
    assert budget.find("value").get("currency") == "EUR"
    transaction = first.find("transaction")
    assert transaction.find("transaction-type").get("code") == "11"
    assert transaction.find("transaction-date").get("iso-date") == "2020-01-15"  # secured from the start
    assert transaction.findtext("provider-org/narrative") == "Union européenne"
    second = found[f"ENFORCE-{study.pk}"]
    assert second.find("budget") is None and second.find("transaction") is None  # no amount
    assert second.find("activity-status").get("code") == "1"
    assert Entry.objects.get(action="network.roadmap_exported").changes == {"as_of": "2020-10-01", "format": "iati"}


def test_the_file_says_the_prefix_is_not_a_registered_identifier(cast, net, dated):
    content = iati.roadmap_iati(net.network, date(2020, 12, 31))
    assert b"not a registered identifier" in content and b"'ENFORCE'" in content
    root = parse(content)
    statuses = sorted(activity.find("activity-status").get("code") for activity in root.findall("iati-activity"))
    assert statuses == ["1", "4"]  # completed by then is 4 Closed


def test_the_roadmap_before_anything_is_an_empty_file(cast, net, dated):
    root = parse(iati.roadmap_iati(net.network, date(2019, 12, 31)))
    assert root.findall("iati-activity") == []


def test_text_that_looks_like_markup_stays_text(cast, net):
    from network import actions
    from network.tests.builders import draft

    actions.propose_activity(request=None, person=cast.member, network=net.network,
                             draft=draft(cast, title="<script>x</script> & training", amount=None, currency="",
                                         countries=["EU", "XK"]))  # fmt: skip
    root = parse(iati.roadmap_iati(net.network, date.today()))
    activity = root.find("iati-activity")
    check_activity(activity, "ENFORCE")
    assert activity.findtext("title/narrative") == "<script>x</script> & training"
    assert [c.get("code") for c in activity.findall("recipient-country")] == ["XK"]  # the EU is no recipient


@pytest.mark.parametrize("who", ["observer", "member"])
def test_everyone_who_sees_the_roadmap_may_download_it(cast, net, who):
    assert signed_in(getattr(cast, who)).get("/network/ENFORCE/roadmap-iati.xml").status_code == 200
