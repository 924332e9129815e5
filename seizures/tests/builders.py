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


# --- Added for the record, privacy, notification and access tests -------------------------------------------


def png(name: str = "tusks.png", size: tuple[int, int] = (64, 48), color: str = "green") -> Any:
    """A real PNG photo, as a browser uploads it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def text_file(name: str = "statement.txt", text: str = "Forty tusks in hollowed logs.") -> Any:
    """A plain-text document, as a browser uploads it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def upload(file: Any) -> Any:
    """A file as the form hands it to the actions (checked, thumbnail drawn)."""
    from messaging import attachments

    return attachments.inspect(file)


def record_id(response: Any) -> int:
    """The id in the /seizures/<id>/ a filing redirects to."""
    assert response.status_code == 302, getattr(response, "context", None) and _errors(response)
    return int(response["Location"].rstrip("/").rsplit("/", 1)[-1])


def _errors(response: Any) -> Any:
    editor = response.context.get("editor") if response.context else None
    if editor is None:
        return response.status_code
    return editor.record.errors, editor.lines.errors, editor.involved.errors


def post_record(officer: Person, path: str = NEW_RECORD, *, files: Iterable[Any] = (), **fields: Any) -> Any:
    """Post the record form as ``officer`` (files uploaded as its photos and documents)."""
    from conftest import signed_in

    data = record_form(**fields)
    if files:
        data["attachments"] = list(files)
    return signed_in(officer).post(path, data)


def edit_form(seizure: Seizure, **fields: Any) -> dict[str, Any]:
    """The record form as the edit page posts it: the record as it is, with ``fields`` changed."""
    lines = [
        {name: value for name, value in row.items() if value not in (None, "")}
        for row in seizure.lines.values(*(name for name in actions.LINE_FIELDS if name != "reference_version"))
    ]
    facts = {
        "occurred_on": seizure.occurred_on.isoformat(),
        "country": seizure.country,
        "place": seizure.place,
        "origin_country": seizure.origin_country,
        "destination_country": seizure.destination_country,
        "containers": "\n".join(seizure.container_numbers),
        "marking": seizure.marking,
        "audience": seizure.audience,
        "lines": lines,
    }
    return {**facts, **fields}


def contact_path(officer: Person, seizure: Seizure) -> str:
    """Where the "ask for contact" form of ``seizure``'s page posts, for its one related record."""
    import re

    from conftest import signed_in

    page = signed_in(officer).get(f"/seizures/{seizure.pk}/").content.decode()
    [path] = re.findall(r'action="(/seizures/related/[a-z2-7]+/contact/)"', page)
    return path
