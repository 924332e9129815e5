"""Rebuilding the correlation at once (manage.py recorrelate) gives exactly what filing the records one by one
gave: the same links with the same reasons, the same keys (common or not) and the same counts.

The oracle is the live path: each record filed through seizures.actions.file_seizure, which correlates it
as it is saved. Small pools of values, a small common limit and a short window make values become common,
windowed values cross the limit in some windows and not others, and links be taken back."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seizures import nominal
from seizures.models import Link, MatchKey, ValueCount
from seizures.tests.builders import DAY, company, file, line, person

pytestmark = pytest.mark.django_db

CONTAINERS = ("CSQU3054383", "MSCU1234566", "TGHU7654320")
VESSELS = ("9074729", "9312341")
FLIGHTS = ("KQ310", "ET308")
WAYBILLS = ("176-12345675",)
SPECIES = ("Loxodonta africana", "Manis gigantea")
COUNTRIES = ("KE", "VN", "TZ", "MY")
PEOPLE = (
    company("Acme Trading Ltd", identifiers=["RC 1234567"]),
    company("ACME TRADING LIMITED"),
    company("Zenith Exports", address="12 Harbour Road, Mombasa"),
    person("SMITH John", identifiers=["Passport: X1234567"]),
    person("John Smith", address="12 Harbour Road, Mombasa"),
    person("Wei Chen", identifiers=["x 123 4567"]),
)


@st.composite
def records(draw):
    route = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True))
    fields = {
        "occurred_on": DAY - timedelta(days=draw(st.integers(min_value=0, max_value=120))),
        "origin_country": route[0],
        "destination_country": route[-1],
        "transit_countries": route[1:-1],
        "country": draw(st.sampled_from(route)),
        "lines": [line("cites", code) for code in draw(st.lists(st.sampled_from(SPECIES), min_size=1, max_size=2))],
        "containers": draw(st.lists(st.sampled_from(CONTAINERS), max_size=2, unique=True)),
        "involved": draw(st.lists(st.sampled_from(PEOPLE), max_size=2)),
    }
    for name, pool in (("vessel_imo", VESSELS), ("flight_number", FLIGHTS), ("air_waybill", WAYBILLS)):
        chosen = draw(st.none() | st.sampled_from(pool))
        if chosen is not None:
            fields[name] = chosen
    return draw(st.booleans()), fields


def state() -> tuple[set, set, dict]:
    links = set(Link.objects.values_list("low_id", "high_id", "reasons"))
    keys = set(
        MatchKey.objects.values_list(
            "seizure_id", "kind", "digest", "occurred_on", "nominal_entry_id", "label", "is_common"
        )
    )
    counts = dict(ValueCount.objects.values_list("digest", "count"))
    return links, {(*key[:2], bytes(key[2]), *key[3:]) for key in keys}, {bytes(d): n for d, n in counts.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    filed=st.lists(records(), min_size=2, max_size=14),
    limit=st.integers(min_value=1, max_value=3),
    window=st.integers(min_value=10, max_value=60),
)
def test_it_rebuilds_exactly_what_filing_the_records_one_by_one_made(cast, settings, filed, limit, window):
    settings.SEIZURE_COMMON_LIMIT, settings.SEIZURE_WINDOW_DAYS = limit, window
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    nominal.digest("")  # the blind-index key made outside the example, which is rolled back
    with transaction.atomic():
        for by_member, fields in filed:
            file(cast.member if by_member else cast.other_focal_point, **fields)
        filed_one_by_one = state()
        call_command("recorrelate", verbosity=0)
        assert state() == filed_one_by_one
        transaction.set_rollback(True)


def test_it_takes_back_what_several_values_crossing_at_once_alone_related(cast, settings):
    """The third record makes the three stretches of the route common at once: the first two records are
    related by nothing else."""
    settings.SEIZURE_COMMON_LIMIT, settings.SEIZURE_WINDOW_DAYS = 1, 60
    route: dict[str, Any] = {
        "origin_country": "KE",
        "transit_countries": ["VN"],
        "destination_country": "TZ",
        "country": "KE",
    }
    for _ in range(3):
        file(cast.member, **route)
    filed_one_by_one = state()
    call_command("recorrelate", verbosity=0)
    assert state() == filed_one_by_one
    assert filed_one_by_one[0] == set()


def test_it_takes_back_a_reason_when_the_other_shared_value_was_common_on_one_side(cast, settings):
    """Records a and b both carry ivory and pangolin from Kenya to Viet Nam; the pangolin was common when b
    was saved (three earlier holders in its window) though not when a was. When the ivory becomes common,
    the pangolin does not keep them related."""
    settings.SEIZURE_COMMON_LIMIT, settings.SEIZURE_WINDOW_DAYS = 1, 30
    ivory, pangolin = line("cites", "Loxodonta africana"), line("cites", "Manis gigantea")
    for _ in range(2):
        file(cast.member, lines=[pangolin], occurred_on=DAY)
    a = file(cast.member, lines=[ivory, pangolin], occurred_on=DAY + timedelta(days=31))
    b = file(cast.member, lines=[ivory, pangolin], occurred_on=DAY + timedelta(days=20))
    file(cast.member, lines=[ivory], occurred_on=DAY + timedelta(days=25))
    filed_one_by_one = state()
    call_command("recorrelate", verbosity=0)
    assert state() == filed_one_by_one
    assert (a.pk, b.pk) not in {(low, high) for low, high, _reasons in filed_one_by_one[0]}


def test_it_tells_the_links_as_they_stand_and_nobody_again(cast):
    """Within one organisation a link is taken as told; across organisations, once both are shared."""
    member_draft = file(cast.member, containers=["CSQU3054383"])
    member_shared = file(cast.member, containers=["CSQU3054383"], share=True)
    other_draft = file(cast.other_focal_point, containers=["CSQU3054383"])
    other_shared = file(cast.other_focal_point, containers=["CSQU3054383"], share=True)
    call_command("recorrelate", verbosity=0)
    announced = {frozenset((link.low_id, link.high_id)) for link in Link.objects.filter(announced=True)}
    assert announced == {
        frozenset((member_draft.pk, member_shared.pk)),
        frozenset((other_draft.pk, other_shared.pk)),
        frozenset((member_shared.pk, other_shared.pk)),
    }
    assert Link.objects.count() == 6
