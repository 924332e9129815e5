"""The list of organisations, kept by the platform administrators."""

from accounts.models import Organisation
from conftest import signed_in

LIST = "/accounts/organisations/"


def test_it_says_a_short_name_once(cast):
    Organisation.objects.create(
        name="Human Environment and Transport Inspectorate (ILT)", short_name="ILT", kind="agency", country="NL"
    )
    page = signed_in(cast.administrator).get(LIST).content.decode()
    assert ">Human Environment and Transport Inspectorate (ILT)</a>" in page
    assert "(ILT) (ILT)" not in page
    assert ">Kenya Revenue Authority (KRA)</a>" in page  # a name that does not say it is followed by it


def test_it_shows_each_state_by_its_label(cast):
    Organisation.objects.create(name="Lusaka Agreement Task Force", kind="regional", proposed=True, is_active=False)
    Organisation.objects.create(name="Former Agency", kind="agency", is_active=False)
    page = signed_in(cast.administrator).get(LIST).content.decode()
    assert "<td>Proposed in a request</td>" in page
    assert "<td>Active</td>" in page and "<td>Inactive</td>" in page
    assert "<td>active</td>" not in page


def test_it_agrees_the_state_with_organisation_in_french(cast):
    cast.administrator.language = "fr"
    cast.administrator.save(update_fields=["language"])
    page = signed_in(cast.administrator).get(LIST).content.decode()
    assert "<td>Active</td>" in page  # feminine, as "organisation" (a person is "Actif")
