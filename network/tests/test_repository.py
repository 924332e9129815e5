"""The repository: completed and past activities, searched and filtered."""

from datetime import date

import pytest

from conftest import signed_in
from network import actions, selectors
from network.models import Status
from network.tests.builders import build, draft


@pytest.fixture
def net(cast):
    return build(cast)


@pytest.fixture
def activities(cast, net):
    def add(title, person=None, **fields):
        return actions.propose_activity(
            request=None, person=person or net.clerk, network=net.network, draft=draft(cast, title=title, **fields)
        )

    return {
        "waste": add("E-waste training in East Africa", status=Status.COMPLETED, starts_on=date(2019, 3, 1),
                     ends_on=date(2019, 3, 5), funding_source="Demo fund A"),
        "ozone": add("Ozone smuggling workshop", kind="workshop", status=Status.CANCELLED, countries=["PH"],
                     regions=["035"], conventions=["montreal"], leads=[cast.secretariat], starts_on=date(2018, 5, 1),
                     ends_on=date(2018, 5, 2), description="Refrigerant cylinders at the border",
                     funding_source="Demo fund B"),
        "future": add("Port inspection guidance", kind="tool", status=Status.PLANNED, starts_on=date(2099, 1, 1),
                      ends_on=date(2099, 6, 1)),
    }  # fmt: skip


def _titles(net, **filters) -> set[str]:
    return {activity.title for activity in selectors.repository(net.network, selectors.Filters(**filters))}


def test_it_holds_completed_and_past_activities_only(net, activities):
    assert _titles(net) == {"E-waste training in East Africa", "Ozone smuggling workshop"}


def test_it_filters_by_each_criterion(cast, net, activities):
    assert _titles(net, text="refrigerant") == {"Ozone smuggling workshop"}  # description
    assert _titles(net, text="E-WASTE") == {"E-waste training in East Africa"}
    assert _titles(net, kind="workshop") == {"Ozone smuggling workshop"}
    assert _titles(net, country="KE") == {"E-waste training in East Africa"}
    assert _titles(net, region="035") == {"Ozone smuggling workshop"}
    assert _titles(net, convention="basel") == {"E-waste training in East Africa"}
    assert _titles(net, lead=cast.secretariat.pk) == {"Ozone smuggling workshop"}
    assert _titles(net, funder="fund a") == {"E-waste training in East Africa"}
    assert _titles(net, starts=date(2019, 1, 1), ends=date(2019, 12, 31)) == {"E-waste training in East Africa"}
    assert _titles(net, starts=date(2018, 5, 2), ends=date(2018, 5, 2)) == {"Ozone smuggling workshop"}


def test_the_repository_page_searches(cast, net, activities):
    client = signed_in(cast.observer)
    page = client.get("/network/ENFORCE/repository/?q=ozone&convention=montreal").content.decode()
    assert "Ozone smuggling workshop" in page and "E-waste training" not in page and "Port inspection" not in page
    assert client.get("/network/ENFORCE/repository/?country=XX").status_code == 400
