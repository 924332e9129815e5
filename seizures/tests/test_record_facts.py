"""A record page's facts and commodities rendered once and shown again
(seizures.templatetags.seizures.record_facts, issue 14): after any change to the record or its lines, or to
the language, time zone and reference tables they are shown with, the page is what it would be with nothing
kept."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from conftest import shown_as_if_nothing_were_kept, signed_in
from seizures.models import CommodityLine, Seizure
from seizures.templatetags import seizures as tags
from seizures.tests.builders import file, line
from seizures.tests.test_listed_rows import changed, first_line, line_added, line_changed, pangolin_scales


def facts_of(client, record: Seizure) -> str:
    content = client.get(f"/seizures/{record.pk}/").content.decode()
    return content[content.index('<dl class="facts">') : content.index("</tbody></table>")]


def reader_set(cast, setting: tuple[str, str]) -> None:
    field, value = setting
    setattr(cast.focal_point, field, value)
    cast.focal_point.save(update_fields=[field])


def value_given(record: Seizure) -> None:
    CommodityLine.objects.filter(pk=first_line(record).pk).update(value=Decimal("125000"), currency="USD")


CHANGES = [
    *(changed(occurred_on=date(2026, 9, 30)), changed(place="Mombasa port"), changed(country="TZ")),
    *(changed(locode="KEMBA"), changed(detection_method="detector_dog"), changed(transport_mode="road")),
    *(changed(vessel_name="MSC Aurora"), changed(flight_number="KQ101"), changed(vehicle="KCA 123X")),
    *(changed(tracking_number="EE123456789KE"), changed(containers="MSCU1234565")),
    *(changed(air_waybill="706-12345675"), changed(destination_country="TH"), changed(transit_countries="AE")),
    *(changed(declared_goods="Tea"), changed(found_goods="Scales"), changed(concealment_details="In tea sacks")),
    *(changed(summary="Found at the port."), changed(legal_basis="WCMA 2013"), changed(sanction="Fine")),
    *(line_changed(quantity=Decimal("2200")), line_changed(unit="TNE"), line_changed(code="Manis tricuspis")),
    *(line_changed(specimen_type="TUS"), line_changed(description="Dried"), line_changed(hs_code="050790")),
    *(line_changed(cas_number="50-00-0"), line_changed(approximate=True), value_given, line_added),
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_to_a_record_shows_as_if_nothing_were_kept(cast, change: Callable[[Seizure], None]):
    record = pangolin_scales(cast)
    reader = signed_in(cast.focal_point)
    shown_as_if_nothing_were_kept(lambda: facts_of(reader, record), lambda: change(record), tags._FACTS)


@pytest.mark.parametrize("setting", [("language", "fr"), ("language", "es")])
def test_the_readers_language_is_the_one_shown(cast, setting: tuple[str, str]):
    record = file(cast.member, share=True, lines=[line("cites", "Manis gigantea", quantity=Decimal("7.5"), unit="KGM")])
    reader = signed_in(cast.focal_point)
    shown_as_if_nothing_were_kept(lambda: facts_of(reader, record), lambda: reader_set(cast, setting), tags._FACTS)


def test_every_reader_sees_the_same_facts(cast):
    record = file(cast.member, share=True)
    pages = [facts_of(signed_in(person), record) for person in (cast.member, cast.other_focal_point)]
    tags._FACTS.clear()
    assert pages == [facts_of(signed_in(person), record) for person in (cast.member, cast.other_focal_point)]


def test_the_words_around_the_facts_are_in_the_readers_language(cast):
    # Nothing of this record reads differently in French (Kenya is Kenya, no route, a code with nothing to
    # say of it): only the page's own words do.
    record = file(cast.member, share=True, origin_country="", destination_country="", lines=[line("other", "Sacks")])
    reader = signed_in(cast.focal_point)
    shown_as_if_nothing_were_kept(
        lambda: facts_of(reader, record), lambda: reader_set(cast, ("language", "fr")), tags._FACTS
    )
