"""Dates refused with a sentence, what was typed kept and nothing saved: a date of publication before 1950 (a
mistyped year, the rule of a date of seizure: environet.dates) or in the future, a link checked after today or
before 1950, and a new edition dated before the edition it replaces. The form says it; the action refuses on its
own too."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import signed_in
from library import actions
from library.models import Edition, Item
from library.tests import builders
from library.tests.test_publishing import _form as publishing_form

pytestmark = pytest.mark.django_db

LINK = {"external_url": "https://cites.org/guide", "external_title": "CITES guide"}


def _form(**fields):
    # The publishing tests' form, as a link (no file to read): only its dates vary here.
    return publishing_form(**LINK, **fields)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"published_on": "0001-01-01"}, "The date of publication cannot be before 1950: check the year."),
        ({"external_checked_on": "2099-01-01"}, "The link cannot have been checked after today."),
        (
            {"external_checked_on": "0001-01-01"},
            "The date the link was last checked cannot be before 1950: check the year.",
        ),
    ],
)
def test_the_form_refuses_a_date_out_of_bounds_keeping_what_was_typed(cast, fields, said):
    response = signed_in(cast.member).post(reverse("library:new"), _form(**fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert said in page
    assert 'value="Identifying pangolin scales"' in page and f'value="{next(iter(fields.values()))}"' in page
    assert not Item.objects.exists()


def test_a_link_checked_today_is_taken(cast):
    today = timezone.localdate().isoformat()
    assert signed_in(cast.member).post(reverse("library:new"), _form(external_checked_on=today)).status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"published_on": date(1, 1, 1)},
        {"published_on": date(2099, 1, 1)},
        {"external_checked_on": date(2099, 1, 1), **LINK, "files": []},
        {"external_checked_on": date(1, 1, 1), **LINK, "files": []},
    ],
)
def test_the_action_refuses_them_on_its_own(cast, fields):
    with pytest.raises(actions.Refused):
        builders.publish(cast.member, **fields)
    assert not Item.objects.exists()


def test_a_new_edition_may_not_be_dated_before_the_one_it_replaces(cast):
    item = builders.publish(cast.member)  # its first edition is of builders.DAY
    earlier = builders.DAY - timedelta(days=1)
    client = signed_in(cast.member)
    response = client.post(
        reverse("library:new_edition", args=[item.pk]),
        {
            "version": "2nd edition",
            "published_on": earlier.isoformat(),
            "changes": "New photos.",
            "uploads": [SimpleUploadedFile("guide-2.pdf", builders.pdf("second"))],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"A new edition cannot be dated before the edition it replaces ({builders.DAY.isoformat()})." in page
    assert 'value="2nd edition"' in page and "New photos." in page
    assert Edition.objects.filter(item=item).count() == 1
    draft = actions.EditionDraft(
        published_on=earlier, changes="New photos.", files=[builders.upload("g.pdf", builders.pdf("second"))]
    )
    with pytest.raises(actions.Refused, match="before the edition it replaces"):
        actions.add_edition(request=None, person=cast.member, item=item, draft=draft)
    assert Edition.objects.filter(item=item).count() == 1
    draft.published_on = builders.DAY  # the same day is taken
    actions.add_edition(request=None, person=cast.member, item=item, draft=draft)
    assert Edition.objects.filter(item=item).count() == 2
