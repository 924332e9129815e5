"""A network for the tests: the cast's secretariat (WCO) runs it, the home organisation (KRA) is a member, an
observer organisation (EIA) observes, and the other organisation (DGDDI) is outside it."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from accounts.models import Organisation, Person
from conftest import Cast, make_person
from network import actions
from network.models import ActivityType, Membership, Network, Standing, Status


@dataclass
class Net:
    network: Network
    observer_organisation: Organisation
    watcher: Person  # a member-role person of the observer organisation
    clerk: Person  # a member-role person of the secretariat organisation


def build(cast: Cast, *, short_name: str = "ENFORCE") -> Net:
    network = Network.objects.create(
        name="Environmental Network for Optimizing Regulatory Compliance on Illegal Traffic",
        short_name=short_name,
        mandate="Promote compliance with the Basel Convention on illegal traffic.",
        secretariat=cast.secretariat,
    )
    eia = Organisation.objects.create(name="Environmental Investigation Agency", short_name="EIA", kind="observer")
    Membership.objects.create(
        network=network,
        organisation=cast.home,
        standing=Standing.MEMBER,
        joined_on=date(2013, 5, 1),
        decision="BC-11/8",
    )
    Membership.objects.create(network=network, organisation=eia, standing=Standing.OBSERVER, joined_on=date(2016, 1, 1))
    return Net(
        network=network,
        observer_organisation=eia,
        watcher=make_person(f"wes@{short_name.lower()}.eia.example", "Wes Watcher", eia),
        clerk=make_person(f"carla@{short_name.lower()}.wco.example", "Carla Clerk", cast.secretariat),
    )


def draft(cast: Cast, **fields) -> actions.ActivityDraft:
    values: dict[str, Any] = {
        "title": "Regional training on detecting illegal e-waste shipments",
        "kind": ActivityType.TRAINING,
        "status": Status.PROPOSED,
        "leads": [cast.home],
        "countries": ["KE", "TZ"],
        "regions": ["014"],
        "conventions": ["basel"],
        "topics": ["A"],
        "starts_on": date(2027, 3, 1),
        "ends_on": date(2027, 3, 5),
        "funding_source": "Demo donor",
        "description": "Two days in class and a day at the port.",
    }
    values.update(fields)
    return actions.ActivityDraft(**values)


def form_data(cast: Cast, **fields) -> dict:
    data = {
        "title": "Regional training on detecting illegal e-waste shipments",
        "kind": "training",
        "status": "proposed",
        "leads": [cast.home.pk],
        "countries": "KE, tz",
        "regions": ["014"],
        "conventions": ["basel"],
        "topics": ["A"],
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-05",
        "funding_source": "Demo donor",
        "amount": "",
        "currency": "",
        "description": "Two days in class and a day at the port.",
    }
    data.update(fields)
    return data
