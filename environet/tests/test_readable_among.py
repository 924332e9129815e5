"""Which of some records or library items a person may read, from a statement compiled once per reader with the
ids given as one value (``environet.compiled.among``): the same answer as the rule's query filtered by the ids,
for every role, restricted and draft records, RED items, ids that do not exist, and lists of any length."""

import pytest

from accounts.models import Organisation
from environet.compiled import Kept, Prepared, among
from library import access as library_access
from library.models import Item
from library.tests import builders as library_builders
from messaging.models import Audience, Marking
from seizures import access as seizure_access
from seizures.models import Seizure
from seizures.tests.builders import file

pytestmark = pytest.mark.django_db

ROLES = ("member", "focal_point", "other_focal_point", "observer", "administrator", "suspended", "requested")
MISSING = 10_000_000


def test_among_gives_the_ids_the_query_has(cast):
    kept: Kept[Prepared | None] = Kept(4)
    others = Organisation.objects.exclude(pk=cast.home.pk)
    every = list(Organisation.objects.values_list("pk", flat=True))
    for ids in ([], [cast.home.pk], every, [*every, MISSING], [MISSING]):
        expected = set(others.filter(pk__in=ids).values_list("pk", flat=True))
        assert among(kept, "others", lambda: others, ids) == expected
    assert among(kept, "none", lambda: Organisation.objects.none(), every) == set()


@pytest.mark.parametrize("role", ROLES)
def test_readable_records_among_are_the_rules(cast, role):
    made = [
        file(cast.member, share=True),
        file(cast.member),  # a draft
        file(cast.member, share=True, audience="organisations", organisations=[cast.home]),
        file(cast.other_focal_point, share=True, audience="organisations", organisations=[cast.secretariat]),
        file(cast.other_focal_point),
    ]
    person = getattr(cast, role)
    ids = [record.pk for record in made] + [MISSING]
    for some in (ids, ids[:1], ids[1:3], ids[::-1]):
        expected = set(seizure_access.seizures_visible_to(person).filter(pk__in=some).values_list("pk", flat=True))
        assert seizure_access.readable_among(person, some) == expected
    assert Seizure.objects.count() == len(made)


@pytest.mark.parametrize("role", ROLES)
def test_readable_items_among_are_the_rules(cast, role):
    made = [
        library_builders.publish(cast.member),
        library_builders.publish(
            cast.member, marking=Marking.RED, audience=Audience.PEOPLE, people=[cast.administrator]
        ),
        library_builders.publish(
            cast.other_focal_point,
            marking=Marking.AMBER,
            audience=Audience.ORGANISATIONS,
            organisations=[cast.secretariat],
        ),
    ]
    person = getattr(cast, role)
    ids = [item.pk for item in made] + [MISSING]
    for some in (ids, ids[1:], ids[:1]):
        expected = set(library_access.items_visible_to(person).filter(pk__in=some).values_list("pk", flat=True))
        assert library_access.readable_among(person, some) == expected
    assert Item.objects.count() == len(made)
