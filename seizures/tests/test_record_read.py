"""A record read by ``access.seizure_for`` (from a statement compiled once: environet.compiled.Joined) is the
object the ORM reads: every field of the record, its organisation and its officer, with the same values of the
same types, nothing deferred; it saves as the ORM's does; a record gone or forbidden answers 404 alike."""

from decimal import Decimal

import pytest
from django.http import Http404

from conftest import typed
from seizures import access
from seizures.models import Seizure
from seizures.tests.builders import file, line, person

pytestmark = pytest.mark.django_db


def test_a_record_read_is_the_orms(cast, settings):
    settings.SEIZURE_NOMINAL_SAVES_PER_HOUR = 0
    records = [
        file(cast.member, share=True, lines=[line("cites", "Manis gigantea", quantity=Decimal("2.5"), unit="KGM")]),
        file(cast.member, involved=[person("A suspect")], containers=["MSKU 1234565"]),  # a draft
        file(cast.other_focal_point, share=True, country="FR"),
    ]
    for record in records:
        found = access.seizure_for(cast.member, record.pk)
        orm = Seizure.objects.select_related("organisation", "officer").get(pk=record.pk)
        assert typed(found) == typed(orm)
        assert typed(found.organisation) == typed(orm.organisation)
        assert (found.officer and typed(found.officer)) == (orm.officer and typed(orm.officer))
        assert found.get_deferred_fields() == set() and found.organisation.get_deferred_fields() == set()
    edited = access.seizure_for(cast.member, records[1].pk)
    edited.place = "Mombasa port"
    edited.save(update_fields=["place"])
    assert Seizure.objects.get(pk=records[1].pk).place == "Mombasa port"


def test_a_record_gone_or_forbidden_is_not_found_alike(cast):
    draft = file(cast.other_focal_point)  # another organisation's draft
    for missing in (draft.pk, 987654):
        with pytest.raises(Http404):
            access.seizure_for(cast.member, missing)
