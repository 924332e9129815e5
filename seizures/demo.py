"""Demo seizure records for `make run`: related records across countries, a draft, a closed waste case,
and a followed search, so a newcomer sees correlation, privacy and the dashboards at once."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, Person
from messaging.models import Audience, Marking
from seizures import actions, nominal
from seizures.models import FollowedSearch, Seizure


def _company(name: str, role: str = "exporter", **fields) -> actions.Involved:
    return actions.Involved(kind="company", role=role, data=nominal.Nominal(name=name, **fields))


def _person(name: str, **fields) -> actions.Involved:
    return actions.Involved(kind="person", role="suspect", data=nominal.Nominal(name=name, **fields))


def _cites(taxon: str, specimen: str, quantity: Decimal, unit: str) -> dict:
    return {"convention": "cites", "code": taxon, "specimen_type": specimen, "quantity": quantity, "unit": unit}


def _records(today) -> list[tuple[str, bool, actions.Filing]]:
    """(officer, share, filing) of each demo record; the officers' organisations file them."""
    ivory = {"convention": "cites", "code": "Loxodonta africana", "specimen_type": "TUS", "hs_code": "050710"}
    return [
        (
            "focal.kenya@demo.environet.test",
            True,
            actions.Filing(
                facts={
                    "occurred_on": today - timedelta(days=40),
                    "country": "KE",
                    "place": "Port of Mombasa",
                    "locode": "KEMBA",
                    "detection_method": "scanner",
                    "transport_mode": "sea",
                    "containers": ["CSQU3054383"],
                    "origin_country": "KE",
                    "transit_countries": ["LK"],
                    "destination_country": "VN",
                    "declared_goods": "Wooden handicrafts",
                    "found_goods": "Ivory tusks cut into blocks behind carved panels",
                    "concealment": "among_goods",
                    "summary": "Scanner image showed dense blocks behind the panels; 2.1 t of ivory.",
                    "reason": "misdeclared",
                    "disposal": "stored",
                    "source_reliability": "A",
                    "information_credibility": "1",
                },
                lines=[
                    {**ivory, "quantity": Decimal(2100), "unit": "KGM", "value": Decimal(2100000), "currency": "USD"}
                ],
                involved=[_company("Haiphong Crafts Trading Co., Ltd", role="importer"), _person("Otieno Brian")],
                marking=Marking.AMBER,
            ),
        ),
        (
            "member.philippines@demo.environet.test",
            True,
            actions.Filing(
                facts={
                    "occurred_on": today - timedelta(days=25),
                    "country": "PH",
                    "place": "Manila International Container Port",
                    "locode": "PHMNL",
                    "detection_method": "intelligence",
                    "transport_mode": "sea",
                    "containers": ["MSCU1234566"],
                    "origin_country": "KE",
                    "destination_country": "VN",
                    "declared_goods": "Handicrafts",
                    "found_goods": "Ivory pieces and pangolin scales",
                    "concealment": "misdeclared",
                    "source_reliability": "B",
                    "information_credibility": "2",
                },
                lines=[
                    {**ivory, "specimen_type": "IVP", "quantity": Decimal(350), "unit": "KGM"},
                    {
                        "convention": "cites",
                        "code": "Manis gigantea",
                        "specimen_type": "SCA",
                        "quantity": Decimal(900),
                        "unit": "KGM",
                    },
                ],
                involved=[_company("HAIPHONG CRAFTS TRADING", role="importer")],
                marking=Marking.AMBER,
            ),
        ),
        (
            "member.france@demo.environet.test",
            True,
            actions.Filing(
                facts={
                    "occurred_on": today - timedelta(days=60),
                    "country": "FR",
                    "place": "Paris-Charles de Gaulle airport",
                    "locode": "FRCDG",
                    "detection_method": "dog",
                    "transport_mode": "air_cargo",
                    "air_waybill": "176-12345675",
                    "origin_country": "CN",
                    "destination_country": "FR",
                    "declared_goods": "Refrigerant HFC-134a",
                    "found_goods": "HCFC-22 in disposable cylinders",
                    "concealment": "misdeclared",
                    "reason": "misdeclared",
                },
                lines=[
                    {
                        "convention": "montreal",
                        "code": "HCFC-22",
                        "hs_code": "290371",
                        "cas_number": "75-45-6",
                        "quantity": Decimal(420),
                        "unit": "KGM",
                    }
                ],
                marking=Marking.GREEN,
            ),
        ),
        (
            "focal.brazil@demo.environet.test",
            True,
            actions.Filing(
                facts={
                    "occurred_on": today - timedelta(days=90),
                    "country": "BR",
                    "place": "Port of Santos",
                    "locode": "BRSSZ",
                    "detection_method": "documents",
                    "transport_mode": "sea",
                    "vessel_imo": "9074729",
                    "origin_country": "BR",
                    "destination_country": "PT",
                    "declared_goods": "Sawn wood, Cedrela odorata",
                    "found_goods": "Brazilian rosewood planks",
                    "reason": "no_permit",
                },
                lines=[_cites("Dalbergia nigra", "SAW", Decimal(12), "MTQ")],
                marking=Marking.GREEN,
            ),
        ),
        (
            "focal.france@demo.environet.test",
            True,
            actions.Filing(
                facts={
                    "occurred_on": today - timedelta(days=120),
                    "country": "FR",
                    "place": "Le Havre",
                    "locode": "FRLEH",
                    "transport_mode": "sea",
                    "containers": ["TGHU8888883"],
                    "origin_country": "FR",
                    "destination_country": "NG",
                    "declared_goods": "Used household appliances",
                    "found_goods": "Broken refrigerators and lead-acid batteries",
                    "reason": "prohibited",
                    "disposal": "taken_back",
                    "traffic_types": ["a", "d"],
                },
                lines=[
                    {"convention": "basel", "code": "Y49", "quantity": Decimal("18.5"), "unit": "TNE"},
                    {"convention": "basel", "code": "A1160", "quantity": Decimal(4), "unit": "TNE"},
                ],
                marking=Marking.GREEN,
            ),
        ),
        (
            "member.kenya@demo.environet.test",
            False,
            actions.Filing(
                facts={
                    "occurred_on": today - timedelta(days=3),
                    "country": "KE",
                    "place": "Jomo Kenyatta International Airport",
                    "locode": "KENBO",
                    "transport_mode": "air_passenger",
                    "flight_number": "KQ310",
                    "origin_country": "KE",
                    "destination_country": "TH",
                    "found_goods": "Rhino horn in checked luggage",
                    "concealment": "luggage",
                },
                lines=[_cites("Diceros bicornis", "HOR", Decimal(2), "H87")],
                involved=[_person("Brian Otieno", identifiers=["Passport: AK0012345"])],
                marking=Marking.AMBER_STRICT,
                audience=Audience.ORGANISATIONS,
                organisations=list(Organisation.objects.filter(short_name__in=["KRA", "WCO"])),
            ),
        ),
    ]


def seed() -> int:
    """Create the demo records once (matched by their officer and date of seizure); returns how many."""
    created = 0
    today = timezone.localdate()
    for email, share, filing in _records(today):
        officer = Person.objects.get(email=email)
        if Seizure.objects.filter(officer=officer, found_goods=filing.facts.get("found_goods", "")).exists():
            continue
        seizure = actions.file_seizure(request=None, officer=officer, filing=filing, share=share)
        if seizure.country == "FR" and seizure.lines.filter(convention="basel").exists():
            actions.close_seizure(request=None, person=officer, seizure=seizure, note="Wastes taken back.")
        created += 1
    follower = Person.objects.get(email="member.rilo@demo.environet.test")
    if not FollowedSearch.objects.filter(person=follower).exists():
        actions.follow_search(
            request=None,
            person=follower,
            name="Pangolins",
            convention="cites",
            code="Manis gigantea",
            country="",
            company="",
            by_email=False,
        )
    return created
