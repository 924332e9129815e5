from audit.models import Entry
from conftest import signed_in


def test_it_lets_an_administrator_make_someone_a_moderator(cast):
    response = signed_in(cast.administrator).post(
        f"/accounts/people/{cast.member.pk}/moderator/", {"is_moderator": "1"}
    )
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.is_moderator
    entry = Entry.objects.get(action="person.moderator_changed")
    assert entry.actor == cast.administrator
    assert entry.changes == {"is_moderator": [False, True]}


def test_it_lets_an_administrator_take_the_moderation_back(cast):
    cast.member.is_moderator = True
    cast.member.save()
    signed_in(cast.administrator).post(f"/accounts/people/{cast.member.pk}/moderator/", {})
    cast.member.refresh_from_db()
    assert not cast.member.is_moderator


def test_it_refuses_focal_points_as_if_nothing_were_there(cast):
    response = signed_in(cast.focal_point).post(f"/accounts/people/{cast.member.pk}/moderator/", {"is_moderator": "1"})
    assert response.status_code == 404
    cast.member.refresh_from_db()
    assert not cast.member.is_moderator
    assert not Entry.objects.filter(action="person.moderator_changed").exists()


def test_it_asks_for_a_fresh_confirmation_first(cast):
    response = signed_in(cast.administrator, confirmed=False).post(
        f"/accounts/people/{cast.member.pk}/moderator/", {"is_moderator": "1"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")
    cast.member.refresh_from_db()
    assert not cast.member.is_moderator


def test_it_shows_the_choice_to_administrators_only(cast):
    assert "is_moderator" in signed_in(cast.administrator).get(f"/accounts/people/{cast.member.pk}/").content.decode()
    assert "is_moderator" not in signed_in(cast.focal_point).get(f"/accounts/people/{cast.member.pk}/").content.decode()
