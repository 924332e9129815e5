"""Home's count of a person's drafts and the newest of them (seizures.selectors.newest_drafts, issue 14): one
statement compiled once per reader, held to ``drafts_of`` itself as drafts are filed, changed and shared, and
when their author moves to another organisation."""

from datetime import timedelta

from django.utils import timezone

from seizures import actions
from seizures.models import Seizure
from seizures.selectors import drafts_of, newest_drafts
from seizures.tests.builders import file


def as_the_rule_says(person, most: int) -> tuple[list[int], int]:
    drafts = drafts_of(person=person).order_by("-updated_at", "-pk")
    return list(drafts.values_list("pk", flat=True)[:most]), drafts.count()


def test_the_newest_drafts_and_their_count_are_the_rules(cast):
    people = [cast.member, cast.focal_point, cast.other_focal_point, cast.observer, cast.administrator]

    def all_agree() -> None:
        for person in people:
            for most in (1, 2, 5):
                assert newest_drafts(person=person, most=most) == as_the_rule_says(person, most), person.email

    all_agree()  # none yet
    first, second, third = (file(cast.member) for _ in range(3))
    file(cast.other_focal_point)
    file(cast.member, share=True)
    all_agree()
    assert newest_drafts(person=cast.member, most=2)[1] == 3

    Seizure.objects.filter(pk=first.pk).update(updated_at=timezone.now() + timedelta(minutes=5))  # changed
    assert newest_drafts(person=cast.member, most=2)[0][0] == first.pk
    actions.share_seizure(request=None, person=cast.member, seizure=second)
    all_agree()
    assert newest_drafts(person=cast.member, most=2) == ([first.pk, third.pk], 2)

    cast.member.organisation = cast.other_focal_point.organisation  # moved: the rule's own records are others
    cast.member.save(update_fields=["organisation"])
    all_agree()
