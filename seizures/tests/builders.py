"""Helpers for the seizure tests: records filed through the actions or the page, and what a form posts."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from accounts.models import Person
from seizures import actions, nominal
from seizures.models import Seizure

NEW_RECORD = "/seizures/new/"
DAY = date(2026, 10, 1)


def line(convention: str = "cites", code: str = "Loxodonta africana", **fields: Any) -> dict[str, Any]:
    return {"convention": convention, "code": code, **fields}


def company(name: str, *, role: str = "exporter", **fields: Any) -> actions.Involved:
    return actions.Involved(kind="company", role=role, data=nominal.Nominal(name=name, **fields))


def person(name: str, *, role: str = "suspect", **fields: Any) -> actions.Involved:
    return actions.Involved(kind="person", role=role, data=nominal.Nominal(name=name, **fields))


def filing(
    *,
    lines: Iterable[dict[str, Any]] = (),
    involved: Iterable[actions.Involved] = (),
    marking: str = "green",
    audience: str = "network",
    organisations=(),
    countries=(),
    people=(),
    files=(),
    **facts: Any,
) -> actions.Filing:
    """A record as a form would give it: seized in Kenya on 1 October 2026, bound for Viet Nam."""
    base: dict[str, Any] = {"occurred_on": DAY, "country": "KE", "origin_country": "KE", "destination_country": "VN"}
    base.update(facts)
    return actions.Filing(
        facts=base,
        lines=list(lines) or [line()],
        involved=list(involved),
        marking=marking,
        audience=audience,
        organisations=list(organisations),
        countries=list(countries),
        people=list(people),
        files=list(files),
    )


def file(officer: Person, *, share: bool = False, capture: Callable | None = None, **fields: Any) -> Seizure:
    """File a record through the action (running what waits for the commit when ``capture`` is given)."""
    if capture is None:
        return actions.file_seizure(request=None, officer=officer, filing=filing(**fields), share=share)
    with capture(execute=True):
        return actions.file_seizure(request=None, officer=officer, filing=filing(**fields), share=share)


def record_form(
    *,
    occurred_on: str = "2026-10-01",
    country: str = "KE",
    lines: Iterable[dict[str, Any]] = ({"convention": "cites", "code": "Loxodonta africana"},),
    involved: Iterable[dict[str, Any]] = (),
    marking: str = "green",
    audience: str = "network",
    share: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    """What the record form posts, with its two formsets."""
    data: dict[str, Any] = {
        "occurred_on": occurred_on,
        "country": country,
        "detection_method": "unknown",
        "transport_mode": "unknown",
        "source_reliability": "A",
        "information_credibility": "1",
        "marking": marking,
        "audience": audience,
        "share": "1" if share else "0",
    }
    data.update(fields)
    rows = list(lines)
    data.update({"lines-TOTAL_FORMS": len(rows), "lines-INITIAL_FORMS": 0, "lines-MIN_NUM_FORMS": 1})
    for index, row in enumerate(rows):
        data.update({f"lines-{index}-{name}": value for name, value in row.items()})
    people = list(involved)
    data.update({"involved-TOTAL_FORMS": len(people), "involved-INITIAL_FORMS": 0, "involved-MIN_NUM_FORMS": 0})
    for index, row in enumerate(people):
        data.update(
            {f"involved-{index}-{name}": value for name, value in {"kind": "person", "role": "suspect", **row}.items()}
        )
    return data
