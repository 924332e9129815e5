"""The parts of every page kept rendered (environet/templatetags/page_parts.py: the style sheet and scripts, the
main navigation, the live status's messages) are what their templates render for the reader's language and
role, and follow a change of either; a page served with them kept is the page served with nothing kept."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from conftest import signed_in
from environet import fragments

pytestmark = pytest.mark.django_db

PAGE = "/accounts/profile/"


def navigation(page: str) -> str:
    found = re.search(r"<nav aria-label=.*?</nav>", page, re.S)
    assert found is not None
    return found.group(0)


def without_tokens(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'name="csrf-token" content="[^"]+"', "", page)
    return re.sub(r'nonce="[^"]+"', "", page)


@pytest.mark.parametrize("role", ["member", "focal_point", "administrator", "observer"])
def test_a_page_with_its_parts_kept_is_the_page_rendered_afresh(cast, role):
    client = signed_in(getattr(cast, role))
    fragments._kept.clear()
    fresh = client.get(PAGE).content.decode()
    kept = client.get(PAGE).content.decode()
    assert without_tokens(kept) == without_tokens(fresh)
    person = getattr(cast, role)
    shown = {"is_administrator": person.is_administrator, "is_focal_point": person.is_focal_point}
    with translation.override("en"):
        assert render_to_string("_navigation.html", shown).removeprefix("  ").strip() in kept
        assert render_to_string("_page_files.html", {"signed_in": True}) in kept
        assert render_to_string("_live_status.html") in kept


def test_the_navigation_follows_the_role_and_the_language(cast):
    client = signed_in(cast.member)
    member = navigation(client.get(PAGE).content.decode())
    assert "/accounts/people/" not in member and "Audit trail" not in member
    administrator = navigation(signed_in(cast.administrator).get(PAGE).content.decode())
    assert "/accounts/people/" in administrator and "Organisations" in administrator
    cast.member.role = cast.member.Role.FOCAL_POINT
    cast.member.language = "fr"
    cast.member.save(update_fields=["role", "language"])
    promoted = navigation(client.get(PAGE).content.decode())
    assert "/accounts/people/" in promoted and "Organisations" not in promoted
    assert ">Accueil<" in promoted and ">Saisies<" in promoted  # in French now


def test_signed_out_pages_load_no_live_script(cast):
    page = signed_in(None).get("/").content.decode()
    assert "live.js" not in page and "site.css" in page
    assert "live.js" in signed_in(cast.member).get(PAGE).content.decode()
