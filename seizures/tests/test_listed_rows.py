"""The seizure list's rows rendered once and shown again (seizures.templatetags.seizures.listed_row, issue 14):
after any change to what a row shows, or to the language and reference tables it is shown with, the list is
what it would be with nothing kept."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.template import loader

from conftest import shown_as_if_nothing_were_kept, signed_in
from reference import tables
from seizures.models import CommodityLine, Seizure
from seizures.templatetags import seizures as tags
from seizures.tests.builders import file, line

LIST = "/seizures/"


def rows_of(client) -> str:
    content = client.get(LIST).content.decode()
    return content[content.index("<tbody>") : content.index("</tbody>")]


def first_line(record: Seizure) -> CommodityLine:
    return record.lines.order_by("position", "pk")[0]


def changed(**fields) -> Callable[[Seizure], None]:
    def change(record: Seizure) -> None:
        Seizure.objects.filter(pk=record.pk).update(**fields)

    change.__name__ = "_".join(fields)
    return change


def line_changed(**fields) -> Callable[[Seizure], None]:
    def change(record: Seizure) -> None:
        CommodityLine.objects.filter(pk=first_line(record).pk).update(**fields)

    change.__name__ = "line_" + "_".join(fields)
    return change


def line_added(record: Seizure) -> None:
    CommodityLine.objects.create(seizure=record, position=5, convention="basel", code="A1180", unit="TNE")


def organisation_renamed(record: Seizure) -> None:
    record.organisation.short_name = "KRA-Customs"
    record.organisation.save(update_fields=["short_name"])


def pangolin_scales(cast) -> Seizure:
    """A shared record of the member's: 2,100 kg of pangolin scales."""
    return file(
        cast.member,
        share=True,
        lines=[line("cites", "Manis gigantea", specimen_type="SCA", quantity=Decimal("2100"), unit="KGM")],
    )


CHANGES = [
    changed(reference="KE-2026-999999"),
    changed(occurred_on=date(2026, 9, 30)),
    changed(place="Mombasa port"),
    changed(country="TZ"),
    changed(status="closed"),
    changed(marking="amber"),
    organisation_renamed,
    line_changed(quantity=Decimal("2200")),
    line_changed(unit="TNE"),
    line_changed(code="Manis tricuspis"),
    line_changed(specimen_type="TUS"),
    line_changed(approximate=True),
    line_added,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_to_a_record_shows_as_if_nothing_were_kept(cast, change: Callable[[Seizure], None]):
    record = pangolin_scales(cast)
    reader = signed_in(cast.member)
    shown_as_if_nothing_were_kept(lambda: rows_of(reader), lambda: change(record), tags._ROWS)


def test_the_readers_language_is_the_one_shown(cast):
    file(cast.member, share=True, lines=[line("cites", "Manis gigantea", quantity=Decimal("2100.5"), unit="KGM")])
    reader = signed_in(cast.member)
    before = rows_of(reader)

    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])
    shown = rows_of(reader)
    tags._ROWS.clear()
    assert shown == rows_of(reader)
    assert shown != before


def test_new_reference_tables_render_the_rows_anew(cast, monkeypatch, settings, tmp_path):
    settings.REFERENCE_DIR = tmp_path / "loaded"  # this test's own loaded releases
    file(cast.member, share=True, lines=[line("cites", "Manis gigantea", quantity=Decimal("7"), unit="KGM")])
    reader = signed_in(cast.member)
    rows_of(reader)
    rendered = []

    def counted(*args, **kwargs) -> str:
        rendered.append(1)
        return loader.render_to_string(*args, **kwargs)

    monkeypatch.setattr(tags, "render_to_string", counted)

    rows_of(reader)
    assert rendered == []  # kept
    tables.loaded_dir().mkdir()
    (tables.loaded_dir() / "manifest.json").write_text("{}")  # what a load of releases changes, each time
    rows_of(reader)
    assert rendered == [1]
