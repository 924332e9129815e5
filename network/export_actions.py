"""The audit of the network's downloads and imports (references and dates only, never content)."""

from datetime import date

from accounts.models import Person
from audit.actions import record
from network.models import Network


def roadmap_exported(*, request, person: Person, network: Network, as_of: date, form: str) -> None:
    record(
        "network.roadmap_exported",
        request=request,
        actor=person,
        target=network,
        changes={"as_of": str(as_of), "format": form},
    )


def repository_exported(*, request, person: Person, network: Network, form: str) -> None:
    record("network.repository_exported", request=request, actor=person, target=network, changes={"format": form})
