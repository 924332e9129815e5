"""The seizure list's filter form, kept rendered per language (environet.fragments): each reader sees it in
their language, with the organisations as they are now, exactly as the form renders it."""

import re

import pytest

from accounts.models import Organisation
from conftest import signed_in
from seizures.forms import SearchForm

pytestmark = pytest.mark.django_db

LIST = "/seizures/"


def filters(page: str) -> str:
    found = re.search(r'<form method="get" class="filters">(.*?)</form>', page, re.S)
    assert found is not None
    return found.group(1)


def test_the_kept_filter_form_is_the_form_as_rendered(cast):
    from django.template.loader import render_to_string

    page = signed_in(cast.member).get(LIST).content.decode()
    again = signed_in(cast.focal_point).get(LIST).content.decode()
    rendered = render_to_string("form_fields.html", {"form": SearchForm()})
    assert filters(page).strip().startswith(rendered.strip())
    assert filters(again) == filters(page)


def test_each_reader_gets_the_filter_form_in_their_language(cast):
    signed_in(cast.member).get(LIST)  # kept in English
    cast.focal_point.language = "fr"
    cast.focal_point.save(update_fields=["language"])
    french = filters(signed_in(cast.focal_point).get(LIST).content.decode())
    assert '<option value="DE">Allemagne</option>' in french
    english = filters(signed_in(cast.member).get(LIST).content.decode())
    assert '<option value="DE">Germany</option>' in english


def test_a_new_organisation_appears_in_the_kept_filter_form(cast):
    client = signed_in(cast.member)
    assert "Brazilian Federal Police" not in client.get(LIST).content.decode()
    found = Organisation.objects.create(name="Brazilian Federal Police", short_name="PF", kind="police", country="BR")
    assert f'<option value="{found.pk}">PF</option>' in filters(client.get(LIST).content.decode())
    Organisation.objects.filter(pk=found.pk).update(short_name="DPF")
    assert f'<option value="{found.pk}">DPF</option>' in filters(client.get(LIST).content.decode())


def test_chosen_filters_are_shown_chosen(cast):
    page = signed_in(cast.member).get(LIST, {"country": "KE", "status": "shared"}).content.decode()
    assert '<option value="KE" selected>' in filters(page)
    assert '<option value="shared" selected>' in filters(page)


def test_turning_pages_or_sending_the_form_empty_is_not_searching(cast):
    client = signed_in(cast.member)
    blank = filters(client.get(LIST).content.decode())
    for asked in ({"page": "2"}, {"q": " ", "country": "", "page": "1"}):
        page = client.get(LIST, asked).content.decode()
        assert filters(page) == blank
        assert '<details class="panel">' in page  # closed, as when nothing was asked
        assert "No record matches these filters." not in page


def test_a_refused_filter_says_so_and_lists_nothing(cast):
    answer = signed_in(cast.member).get(LIST, {"date_from": "not a date"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert '<details class="panel" open>' in page
    assert "No record matches these filters." in page
