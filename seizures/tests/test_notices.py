"""The seizure notices as each person sees them when shown (seizures/notices.py): worded from ids, through the
access rule of the day they are shown, in the person's language; nothing for one who may no longer know."""

from typing import Any

import pytest

from environet import notices
from messaging.models import Audience
from seizures import actions
from seizures.models import Link, WithheldMatch
from seizures.tests.builders import company, file, filing, line

pytestmark = pytest.mark.django_db


def shown(someone, about: str, **references: Any) -> notices.Shown | None:
    return notices.render(someone, about, references)


def related_pair(cast):
    kenyan = file(cast.member, share=True, containers=["CSQU3054383"], involved=[company("Acme Trading Ltd")])
    french = file(
        cast.other_focal_point,
        share=True,
        country="FR",
        containers=["CSQU3054383"],
        involved=[company("ACME TRADING LIMITED")],
        lines=[line("cites", "Manis gigantea")],
    )
    assert Link.objects.filter(low=kenyan, high=french).exists()
    return kenyan, french


def test_it_words_a_related_notice_for_its_officer(cast):
    kenyan, french = related_pair(cast)

    notice = shown(cast.member, "seizure.related", record=kenyan.pk, other=french.pk)

    assert notice == notices.Shown(
        text=f"{kenyan.reference} is related to a record of DGDDI: same company, same container.",
        url=f"/seizures/{kenyan.pk}/#related",
    )


def test_it_shows_a_related_notice_to_nobody_outside_the_records_organisation(cast):
    kenyan, french = related_pair(cast)

    for someone in (cast.other_focal_point, cast.administrator):
        assert shown(someone, "seizure.related", record=kenyan.pk, other=french.pk) is None


def test_it_shows_no_related_notice_once_the_link_is_taken_back(cast):
    kenyan, french = related_pair(cast)
    assert shown(cast.member, "seizure.related", record=kenyan.pk, other=french.pk) is not None

    actions.update_seizure(request=None, person=cast.member, seizure=kenyan, filing=filing(containers=[]))

    assert shown(cast.member, "seizure.related", record=kenyan.pk, other=french.pk) is None


def test_it_shows_no_related_notice_for_ids_that_are_not_there(cast):
    kenyan, _french = related_pair(cast)

    assert shown(cast.member, "seizure.related", record=kenyan.pk, other=kenyan.pk + 1000) is None
    assert shown(cast.member, "seizure.related", record=str(kenyan.pk)) is None


def test_it_words_a_match_for_its_follower_while_they_may_read_the_record(cast):
    followed = actions.follow_search(
        request=None, person=cast.other_focal_point, name="Ivory", convention="", code="Loxodonta africana",
        country="", company="", by_email=False,
    )  # fmt: skip
    seizure = file(cast.member, share=True)

    notice = shown(cast.other_focal_point, "seizure.match", record=seizure.pk, search=followed.pk)
    assert notice == notices.Shown(
        text=f"New seizure record {seizure.reference} (TLP:GREEN) matches “Ivory”.", url=f"/seizures/{seizure.pk}/"
    )
    # Someone else's search says nothing to them.
    assert shown(cast.focal_point, "seizure.match", record=seizure.pk, search=followed.pk) is None

    # Narrowed since: the follower may no longer read it, so the notice is no longer shown.
    actions.update_seizure(
        request=None,
        person=cast.member,
        seizure=seizure,
        filing=filing(audience=Audience.ORGANISATIONS, organisations=[cast.home]),
    )
    assert shown(cast.other_focal_point, "seizure.match", record=seizure.pk, search=followed.pk) is None


def test_it_shows_no_match_once_the_search_is_no_longer_followed(cast):
    followed = actions.follow_search(
        request=None, person=cast.other_focal_point, name="Ivory", convention="", code="Loxodonta africana",
        country="", company="", by_email=False,
    )  # fmt: skip
    seizure = file(cast.member, share=True)

    actions.unfollow_search(request=None, person=cast.other_focal_point, followed=followed)

    assert shown(cast.other_focal_point, "seizure.match", record=seizure.pk, search=followed.pk) is None


def test_it_words_a_notice_in_the_persons_language(cast):
    kenyan, french = related_pair(cast)
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])

    notice = shown(cast.member, "seizure.related", record=kenyan.pk, other=french.pk)

    assert notice is not None
    assert notice.text.startswith(f"{kenyan.reference} est liée à une fiche de DGDDI")
    assert notice.text.endswith("même société, même conteneur.")


def test_it_shows_no_related_notice_of_a_link_with_another_organisations_draft_until_it_is_shared(cast):
    french = file(
        cast.other_focal_point, share=True, country="FR", containers=["CSQU3054383"],
        lines=[line("cites", "Manis gigantea")],
    )  # fmt: skip
    draft = file(cast.member, containers=["CSQU3054383"])

    assert shown(cast.member, "seizure.related", record=draft.pk, other=french.pk) is None
    assert shown(cast.other_focal_point, "seizure.related", record=french.pk, other=draft.pk) is None

    actions.share_seizure(request=None, person=cast.member, seizure=draft)

    assert shown(cast.member, "seizure.related", record=draft.pk, other=french.pk) is not None
    assert shown(cast.other_focal_point, "seizure.related", record=french.pk, other=draft.pk) is not None


def follow_company(someone):
    return actions.follow_search(
        request=None, person=someone, name="Watch list", convention="", code="", country="",
        company="Zebulon Quixote Exports", by_email=False,
    )  # fmt: skip


def test_it_answers_a_company_match_only_inside_the_records_nominal_grant(cast):
    followed = follow_company(cast.other_focal_point)
    seizure = file(cast.member, share=True, involved=[company("ZEBULON QUIXOTE EXPORTS LTD")])

    assert shown(cast.other_focal_point, "seizure.match", record=seizure.pk, search=followed.pk) is None

    actions.set_grants(request=None, person=cast.member, seizure=seizure, organisations=[cast.other])
    assert shown(cast.other_focal_point, "seizure.match", record=seizure.pk, search=followed.pk) is not None

    actions.set_grants(request=None, person=cast.member, seizure=seizure, organisations=[])
    assert shown(cast.other_focal_point, "seizure.match", record=seizure.pk, search=followed.pk) is None


def test_it_words_a_withheld_company_match_for_the_records_people_only(cast, django_capture_on_commit_callbacks):
    followed = follow_company(cast.other_focal_point)
    seizure = file(
        cast.member, share=True, capture=django_capture_on_commit_callbacks,
        involved=[company("ZEBULON QUIXOTE EXPORTS LTD")],
    )  # fmt: skip
    withheld = WithheldMatch.objects.get()

    notice = shown(cast.member, "seizure.followed_company", record=seizure.pk, withheld=withheld.pk)
    assert notice == notices.Shown(
        text=f"Someone in DGDDI follows a company named in your record {seizure.reference}.",
        url=f"/seizures/{seizure.pk}/followed/{withheld.pk}/",
    )
    assert shown(cast.focal_point, "seizure.followed_company", record=seizure.pk, withheld=withheld.pk) is not None
    for outsider in (cast.observer, cast.other_focal_point, cast.administrator):
        assert shown(outsider, "seizure.followed_company", record=seizure.pk, withheld=withheld.pk) is None
    assert shown(cast.member, "seizure.followed_company", record=seizure.pk + 1, withheld=withheld.pk) is None

    actions.unfollow_search(request=None, person=cast.other_focal_point, followed=followed)
    assert shown(cast.member, "seizure.followed_company", record=seizure.pk, withheld=withheld.pk) is None
