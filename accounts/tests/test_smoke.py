import pytest

from conftest import signed_in


@pytest.mark.parametrize("url", ["/", "/accounts/signin/", "/accounts/request-access/", "/accounts/password-reset/"])
def test_it_shows_public_pages(db, client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/profile/",
        "/accounts/profile/topics/",
        "/accounts/security/",
        "/accounts/people/",
        "/accounts/organisations/",
        "/audit/",
        "/accounts/people/invite/",
        "/accounts/organisations/new/",
    ],
)
def test_it_shows_administrator_pages(cast, url):
    response = signed_in(cast.administrator).get(url)
    assert response.status_code == 200, response.content[:500]
