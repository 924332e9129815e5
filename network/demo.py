"""The demo network for `make run`: ENFORCE with 12 member and 6 observer organisations, seven meetings, and a
roadmap of 60 demo activities from 2016 to 2027 whose history of edits runs over past dates, so "the roadmap as
of" and its diff have something to show, and the coordination has duplicates, gaps and clashes to find.

The network's name, its establishment by decision BC-11/8 and its mission come from the source document
(shared/seeds/enforce-basel-network.txt). The organisations are real bodies (as in accounts.demo), but their
membership here is made up for the demo and says so: every membership decision is "ENFORCE meeting (demo)".
Everything else is made up too and says so: each activity's title starts with "Demo:", its description says it is
not a real activity, donors are "Demo donor A/B/C...", meetings are numbered "ENFORCE-1 (demo)" to "ENFORCE-7
(demo)", titled "Demo: ...", with demo minutes, decisions and input (one proposal accepted at the sixth meeting,
"proposed at" it; one left for the secretariat to review). Only the demo cast of accounts.demo take part: no new
person is made here.

For the coordination: two pairs of likely duplicates (the West African port trainings, the South Asian ship
recycling workshops), activities seeking the same demo donor at the same time, leads with overlapping
activities, and whole regions with no activity (the Caribbean, Central Asia, Central America...). The check of
the whole roadmap runs once after seeding, as the secretariat would run it. Completed activities have outputs:
demo library items (library.demo, seeded before this), participants trained by country and sex, lessons.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import Organisation, Person
from network import actions, meeting_actions, output_actions
from network.models import Membership, Network, Participant, RoadmapInput, Standing

NAME = "Environmental Network for Optimizing Regulatory Compliance on Illegal Traffic"
MANDATE = (
    "Established by the eleventh meeting of the Conference of the Parties to the Basel Convention (BC-11/8). "
    "Its mission is, through a network of relevant experts, to promote parties' compliance with the provisions "
    "of the Basel Convention pertaining to preventing and combating illegal traffic in hazardous wastes and "
    "other wastes through the better implementation and enforcement of national law."
)
SECRETARIAT_EMAIL = "member.brs@demo.environet.test"
NOTE = "Demo activity for trying ENVIRONET; not a real ENFORCE activity."

# Organisations of the network beyond those of accounts.demo (real bodies; their membership is the demo's):
# short name, name, kind, country, platform standing.
ORGANISATIONS = [
    ("GRA", "Ghana Revenue Authority, Customs Division", "customs", "GH", "member"),
    ("NCS", "Nigeria Customs Service", "customs", "NG", "member"),
    ("DGD SN", "Direction générale des douanes du Sénégal", "customs", "SN", "member"),
    ("KCS", "Korea Customs Service", "customs", "KR", "member"),
    ("ILT", "Human Environment and Transport Inspectorate (ILT)", "agency", "NL", "member"),
    ("SARS", "South African Revenue Service, Customs and Excise", "customs", "ZA", "member"),
    ("DOE MY", "Department of Environment Malaysia", "agency", "MY", "member"),
    ("INTERPOL", "International Criminal Police Organization", "international", "", "observer"),
    ("UNODC", "United Nations Office on Drugs and Crime", "international", "", "observer"),
    ("IMPEL", "European Union Network for the Implementation and Enforcement of Environmental Law", "regional", "",
     "observer"),
    ("BAN", "Basel Action Network", "observer", "US", "observer"),
]  # fmt: skip

# short name, standing, joined, focal point emails
MEMBERS = [
    ("WCO", Standing.MEMBER, date(2013, 9, 1), ["admin@demo.environet.test"]),
    ("KRA", Standing.MEMBER, date(2016, 4, 1), ["focal.kenya@demo.environet.test"]),
    ("DGDDI", Standing.MEMBER, date(2016, 4, 1), ["focal.france@demo.environet.test"]),
    ("BOC", Standing.MEMBER, date(2018, 6, 1), ["focal.philippines@demo.environet.test"]),
    ("IBAMA", Standing.OBSERVER, date(2019, 11, 1), ["focal.brazil@demo.environet.test"]),
    ("RILO AP", Standing.MEMBER, date(2017, 5, 1), ["focal.rilo@demo.environet.test"]),
    ("EIA", Standing.OBSERVER, date(2018, 6, 1), []),
    ("GRA", Standing.MEMBER, date(2017, 5, 1), []),
    ("NCS", Standing.MEMBER, date(2017, 5, 1), []),
    ("DGD SN", Standing.MEMBER, date(2019, 11, 1), []),
    ("KCS", Standing.MEMBER, date(2016, 11, 22), []),
    ("ILT", Standing.MEMBER, date(2016, 11, 22), []),
    ("SARS", Standing.MEMBER, date(2019, 11, 1), []),
    ("DOE MY", Standing.MEMBER, date(2018, 10, 16), []),
    ("INTERPOL", Standing.OBSERVER, date(2013, 9, 1), []),
    ("UNODC", Standing.OBSERVER, date(2016, 11, 22), []),
    ("IMPEL", Standing.OBSERVER, date(2018, 10, 16), []),
    ("BAN", Standing.OBSERVER, date(2021, 6, 8), []),
]

KE, FR, PH, RILO = (
    "focal.kenya@demo.environet.test",
    "focal.france@demo.environet.test",
    "focal.philippines@demo.environet.test",
    "focal.rilo@demo.environet.test",
)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


# (proposer, fields, [(date, by, changes)]): the first date is when it was proposed.
ACTIVITIES: list[tuple[str, dict, list[tuple[date, str, dict]]]] = [
    (KE, {"title": "Demo: national training on detecting illegal e-waste shipments at Mombasa port",
          "kind": "training", "leads": ["KRA"], "partners": ["BRS"], "countries": ["KE"], "regions": ["014"],
          "conventions": ["basel"], "topics": ["A"], "commodity_focus": "Used electrical and electronic equipment",
          "starts_on": date(2020, 3, 2), "ends_on": date(2020, 3, 4), "funding_source": "Demo donor A",
          "amount": Decimal(18000), "currency": "USD", "funding": "sought"},
     [(date(2019, 11, 5), KE, {}), (date(2020, 1, 20), "S", {"status": "planned"}),
      (date(2020, 2, 10), "S", {"status": "funded", "funding": "secured"}),
      (date(2020, 3, 6), KE, {"status": "completed"})]),
    (FR, {"title": "Demo: workshop on plastic waste shipments (Basel Y48) for customs and environment officers",
          "kind": "workshop", "leads": ["DGDDI"], "partners": ["WCO"], "countries": ["FR", "BE", "NL"],
          "regions": ["155"], "conventions": ["basel"], "topics": ["A"], "commodity_focus": "Plastic waste",
          "starts_on": date(2021, 6, 14), "ends_on": date(2021, 6, 15), "funding_source": "Demo donor B"},
     [(date(2020, 9, 1), FR, {}), (date(2020, 10, 1), "S", {"status": "planned"}),
      (date(2021, 3, 1), FR, {"status": "postponed", "starts_on": date(2021, 11, 8), "ends_on": date(2021, 11, 9)}),
      (date(2021, 11, 10), FR, {"status": "completed"})]),
    ("admin@demo.environet.test", {
        "title": "Demo: joint customs operation on hazardous waste shipments in Asia and the Pacific",
        "kind": "joint_operation", "leads": ["WCO", "RILO AP"], "partners": ["BOC"], "countries": ["PH", "KR"],
        "regions": ["035", "030"], "conventions": ["basel", "montreal"], "topics": ["A", "D"],
        "starts_on": date(2022, 9, 1), "ends_on": date(2022, 10, 31), "funding_source": "Demo donor C",
        "amount": Decimal(120000), "currency": "EUR", "funding": "sought"},
     [(date(2021, 12, 1), "admin@demo.environet.test", {}), (date(2022, 2, 1), "S", {"status": "planned"}),
      (date(2022, 6, 1), "S", {"status": "funded", "funding": "secured", "amount": Decimal(95000)}),
      (date(2022, 9, 1), RILO, {"status": "ongoing"}), (date(2022, 11, 15), RILO, {"status": "completed"})]),
    (SECRETARIAT_EMAIL, {
        "title": "Demo: interactive e-learning module for customs officers on hazardous chemicals and wastes",
        "kind": "tool", "leads": ["BRS"], "partners": ["WCO"], "regions": ["001"],
        "conventions": ["basel", "rotterdam", "stockholm"], "topics": ["A"], "starts_on": date(2023, 1, 1),
        "ends_on": date(2024, 6, 30), "funding_source": "Demo donor A"},
     [(date(2022, 10, 1), SECRETARIAT_EMAIL, {"status": "planned"}),
      (date(2023, 1, 10), SECRETARIAT_EMAIL, {"status": "ongoing"}),
      (date(2024, 7, 15), SECRETARIAT_EMAIL, {"status": "completed"})]),
    (PH, {"title": "Demo: awareness campaign for port operators on ozone-depleting substances",
          "kind": "awareness", "leads": ["BOC"], "countries": ["PH"], "regions": ["035"],
          "conventions": ["montreal"], "topics": ["D"], "commodity_focus": "Refrigerants (HCFC, HFC)",
          "starts_on": date(2023, 9, 1), "ends_on": date(2023, 12, 31)},
     [(date(2023, 2, 1), PH, {}), (date(2023, 4, 1), "S", {"status": "cancelled"})]),
    (RILO, {"title": "Demo: study of waste trafficking routes in South-East Asia",
            "kind": "study", "leads": ["RILO AP"], "regions": ["035"], "conventions": ["basel"], "topics": ["A"],
            "starts_on": date(2024, 1, 15), "ends_on": date(2024, 12, 15), "funding_source": "Demo donor B",
            "amount": Decimal(40000), "currency": "USD", "funding": "secured"},
     [(date(2023, 10, 1), RILO, {}), (date(2023, 11, 1), "S", {"status": "funded"}),
      (date(2024, 1, 15), RILO, {"status": "ongoing"}), (date(2025, 1, 20), RILO, {"status": "completed"})]),
    (KE, {"title": "Demo: regional training on the Basel Convention for East African customs",
          "kind": "training", "leads": ["KRA"], "partners": ["WCO", "BRS"], "countries": ["KE", "TZ", "UG"],
          "regions": ["014"], "conventions": ["basel"], "topics": ["A"], "starts_on": date(2025, 5, 5),
          "ends_on": date(2025, 5, 9), "funding_source": "Demo donor A", "amount": Decimal(60000),
          "currency": "USD", "funding": "sought"},
     [(date(2024, 10, 1), KE, {}), (date(2024, 11, 20), "S", {"status": "planned"}),
      (date(2025, 2, 1), "S", {"status": "funded", "funding": "secured"}),
      (date(2025, 5, 5), KE, {"status": "ongoing", "countries": ["KE", "TZ", "UG", "RW"]}),
      (date(2025, 5, 12), KE, {"status": "completed"})]),
    (FR, {"title": "Demo: guidance on distinguishing used equipment from waste at inspection",
          "kind": "tool", "leads": ["DGDDI"], "partners": ["BRS"], "regions": ["150"], "conventions": ["basel"],
          "topics": ["A"], "starts_on": date(2025, 9, 1), "ends_on": date(2026, 6, 30)},
     [(date(2025, 6, 1), FR, {}), (date(2025, 7, 1), "S", {"status": "planned"}),
      (date(2025, 9, 1), FR, {"status": "ongoing"}),
      (date(2026, 5, 1), FR, {"ends_on": date(2027, 3, 31), "status": "postponed"})]),
    (PH, {"title": "Demo: training on sampling and identifying refrigerant gases at the border",
          "kind": "training", "leads": ["BOC"], "partners": ["RILO AP"], "countries": ["PH", "VN", "TH"],
          "regions": ["035"], "conventions": ["montreal"], "topics": ["D"],
          "commodity_focus": "Refrigerant cylinders", "starts_on": date(2026, 3, 9), "ends_on": date(2026, 3, 13),
          "funding_source": "Demo donor C", "amount": Decimal(35000), "currency": "USD", "funding": "sought"},
     [(date(2025, 10, 15), PH, {}), (date(2025, 12, 1), "S", {"status": "planned"}),
      (date(2026, 2, 1), "S", {"status": "funded", "funding": "secured"}),
      (date(2026, 3, 16), PH, {"status": "completed"})]),
    (RILO, {"title": "Demo: joint operation on illegal shipments of mixed metal scrap",
            "kind": "joint_operation", "leads": ["RILO AP", "WCO"], "countries": ["KR", "PH"], "regions": ["030"],
            "conventions": ["basel"], "topics": ["A"], "starts_on": date(2027, 2, 1), "ends_on": date(2027, 4, 30),
            "funding_source": "Demo donor B", "amount": Decimal(80000), "currency": "EUR", "funding": "sought"},
     [(date(2026, 6, 1), RILO, {}), (date(2026, 9, 1), "S", {"status": "planned"})]),
    (KE, {"title": "Demo: workshop on inspecting end-of-life vehicles and tyres",
          "kind": "workshop", "leads": ["KRA"], "countries": ["KE"], "regions": ["014"],
          "conventions": ["basel"], "topics": ["A"], "starts_on": date(2027, 5, 10), "ends_on": date(2027, 5, 12)},
     [(date(2026, 10, 20), KE, {})]),
    (SECRETARIAT_EMAIL, {
        "title": "Demo: updated manual for customs officers on the Basel, Rotterdam and Stockholm conventions",
        "kind": "tool", "leads": ["BRS"], "partners": ["WCO"], "regions": ["001"],
        "conventions": ["basel", "rotterdam", "stockholm"], "topics": ["A"], "starts_on": date(2026, 1, 1),
        "ends_on": date(2027, 12, 31), "funding_source": "Demo donor A", "amount": Decimal(50000),
        "currency": "USD", "funding": "sought"},
     [(date(2025, 11, 1), SECRETARIAT_EMAIL, {"status": "planned"}),
      (date(2026, 1, 5), SECRETARIAT_EMAIL, {"status": "ongoing", "funding": "secured"})]),
    # For the coordination flags: the next two are a likely duplicate (same type, shared countries, June–July
    # 2027, described alike); the first and the third seek the same demo donor at the same time.
    (FR, {"title": "Demo: training for West African port officers on detecting e-waste in containers",
          "kind": "training", "leads": ["DGDDI"], "countries": ["GH", "NG", "CI", "SN"], "regions": ["011"],
          "conventions": ["basel"], "topics": ["A"], "starts_on": date(2027, 6, 7), "ends_on": date(2027, 7, 16),
          "funding_source": "Demo donor C", "amount": Decimal(45000), "currency": "EUR", "funding": "sought",
          "description": "Port officers of West Africa learn to detect used electronics declared as second-hand "
                         "goods in containers, with a practical day at the port."},
     [(date(2026, 9, 15), FR, {})]),
    (SECRETARIAT_EMAIL, {
        "title": "Demo: West Africa port training on e-waste detection", "kind": "training", "leads": ["BRS"],
        "countries": ["GH", "NG", "CI"], "regions": ["011"], "conventions": ["basel"], "topics": ["A"],
        "starts_on": date(2027, 6, 14), "ends_on": date(2027, 7, 2),
        "description": "West African port officers learn to detect used electronics declared as second-hand goods "
                       "in containers, with a day of practice at the port."},
     [(date(2026, 10, 1), SECRETARIAT_EMAIL, {})]),
    (PH, {"title": "Demo: awareness campaign on illegal imports of refrigerants", "kind": "awareness",
          "leads": ["BOC"], "countries": ["PH"], "regions": ["035"], "conventions": ["montreal"], "topics": ["D"],
          "starts_on": date(2027, 6, 1), "ends_on": date(2027, 9, 30), "funding_source": "Demo donor C",
          "amount": Decimal(20000), "currency": "USD", "funding": "sought"},
     [(date(2026, 10, 5), PH, {})]),
]  # fmt: skip


# More of the roadmap, in a shorter form: (proposer, title, type, leads, countries, regions, conventions, topic,
# planned start, planned end, demo donor or "", amount, currency, status today, description). Each one's history
# is the lifecycle to its status today (``_lifecycle``): proposed some months before its start, planned by the
# secretariat, funded when a donor was found, started and completed by its proposer, or postponed (a year later)
# or cancelled on the way. Activities of organisations without demo people are proposed by the secretariat.
S = SECRETARIAT_EMAIL
A = "admin@demo.environet.test"
MORE: list[tuple] = [
    # Completed.
    (KE, "national training on the Basel Convention for Kenyan customs officers", "training", ["KRA"], ["KE"],
     ["014"], ["basel"], "A", date(2016, 10, 10), date(2016, 10, 14), "Demo donor A", 15000, "USD", "completed",
     "Customs officers of Kenya learn the Basel Convention's procedures for transboundary movements."),
    (FR, "workshop on illegal shipments of end-of-life vehicles at Le Havre", "workshop", ["DGDDI"], ["FR"], ["155"],
     ["basel"], "A", date(2017, 3, 20), date(2017, 3, 21), "", None, "", "completed",
     "Inspectors compare end-of-life vehicles with used cars declared for export, on the quay."),
    (A, "global joint customs operation on hazardous waste shipments", "joint_operation", ["WCO"], [], ["001"],
     ["basel"], "A", date(2017, 9, 1), date(2017, 10, 31), "Demo donor B", 150000, "EUR", "completed",
     "Customs administrations target declared shipments of hazardous waste for two months and share results."),
    (S, "training on e-waste controls at the port of Tema", "training", ["GRA"], ["GH"], ["011"], ["basel"], "A",
     date(2018, 4, 16), date(2018, 4, 20), "", None, "", "completed",
     "Officers at Tema learn to tell working used electronics from e-waste in containers."),
    (S, "workshop on inspecting used vehicles and parts at Lagos ports", "workshop", ["NCS"], ["NG"], ["011"],
     ["basel"], "A", date(2018, 11, 5), date(2018, 11, 7), "", None, "", "completed",
     "Nigerian officers inspect used vehicle parts and batteries arriving at Lagos."),
    (RILO, "study of illegal trade in ozone-depleting substances in Asia", "study", ["RILO AP"], [], ["035", "030"],
     ["montreal"], "D", date(2019, 1, 15), date(2019, 9, 30), "Demo donor C", 30000, "USD", "completed",
     "An analysis of seizures of refrigerants and foam blowing agents reported in the region."),
    (S, "risk indicators for mixed plastic scrap exports", "tool", ["KCS"], ["KR"], ["030"], ["basel"], "A",
     date(2019, 5, 1), date(2019, 12, 20), "", None, "", "completed",
     "A list of risk indicators for targeting exports of mixed plastic scrap."),
    (S, "workshop for European inspectors on waste shipment inspections", "workshop", ["ILT"], ["NL", "BE", "DE"],
     ["155"], ["basel"], "A", date(2019, 10, 8), date(2019, 10, 9), "", None, "", "completed",
     "Environment inspectors and customs of three countries plan joint inspections at ports."),
    (PH, "training on hazardous waste declared as scrap at Manila ports", "training", ["BOC"], ["PH"], ["035"],
     ["basel"], "A", date(2020, 9, 21), date(2020, 9, 25), "", None, "", "completed",
     "Customs examiners learn to spot hazardous waste declared as metal or plastic scrap."),
    (S, "training on e-waste and used electronics for Southern African customs", "training", ["SARS"],
     ["ZA", "BW", "NA"], ["018"], ["basel"], "A", date(2021, 8, 16), date(2021, 8, 20), "Demo donor A", 40000, "USD",
     "completed", "Officers of Southern Africa test used electronics and classify e-waste under Basel."),
    (S, "awareness campaign on illegal plastic waste imports at Malaysian ports", "awareness", ["DOE MY"], ["MY"],
     ["035"], ["basel"], "A", date(2021, 3, 1), date(2021, 6, 30), "", None, "", "completed",
     "Posters and briefings for port operators on the rules for importing plastic waste."),
    (S, "training for Senegalese customs on hazardous waste controls", "training", ["DGD SN"], ["SN"], ["011"],
     ["basel"], "A", date(2022, 5, 9), date(2022, 5, 13), "", None, "", "completed",
     "A week in Dakar on the control of hazardous waste at the port and the land borders."),
    (KE, "field guide for Kenyan officers on obsolete pesticides", "tool", ["KRA"], ["KE"], ["014"],
     ["rotterdam", "stockholm"], "A", date(2022, 1, 10), date(2022, 11, 30), "", None, "", "completed",
     "A pocket guide to recognising obsolete pesticide stocks and their labels."),
    (S, "regional workshop on the Rotterdam Convention for pesticide controls in West Africa", "workshop", ["BRS"],
     ["GH", "SN", "CI"], ["011"], ["rotterdam"], "A", date(2023, 3, 13), date(2023, 3, 15), "Demo donor B", 25000,
     "EUR", "completed", "Designated national authorities and customs meet on prior informed consent."),
    (S, "joint inspections of waste shipments at North Sea ports", "joint_operation", ["ILT", "DGDDI"],
     ["NL", "BE", "FR"], ["155"], ["basel"], "A", date(2023, 9, 4), date(2023, 9, 29), "", None, "", "completed",
     "Four weeks of joint container inspections at three ports, with a shared report."),
    (S, "training on detecting CFC-containing equipment for Korean customs", "training", ["KCS"], ["KR"], ["030"],
     ["montreal"], "D", date(2024, 4, 8), date(2024, 4, 12), "", None, "", "completed",
     "Officers use gas identifiers on used fridges and air conditioners."),
    (S, "workshop on POPs in imported consumer goods", "workshop", ["SARS"], ["ZA"], ["018"], ["stockholm"], "A",
     date(2024, 10, 14), date(2024, 10, 16), "", None, "", "completed",
     "Laboratory staff and customs discuss sampling of goods that may contain persistent organic pollutants."),
    # Cancelled.
    (S, "awareness campaign on e-waste dumping for traders in Lagos", "awareness", ["NCS"], ["NG"], ["011"],
     ["basel"], "A", date(2019, 6, 1), date(2019, 12, 31), "", None, "", "cancelled",
     "Radio spots and leaflets for importers of used electronics."),
    (FR, "study of waste flows between Europe and North Africa", "study", ["DGDDI"], [], ["015", "155"], ["basel"],
     "A", date(2020, 4, 1), date(2020, 12, 15), "", None, "", "cancelled",
     "A desk study of trade statistics and seizures of waste across the Mediterranean."),
    (S, "training on POPs pesticides for Malaysian enforcement officers", "training", ["DOE MY"], ["MY"], ["035"],
     ["stockholm"], "A", date(2022, 9, 5), date(2022, 9, 9), "", None, "", "cancelled",
     "Enforcement officers learn the Stockholm Convention's listed pesticides."),
    (PH, "workshop on e-waste routes through transshipment hubs", "workshop", ["BOC"], ["PH", "SG"], ["035"],
     ["basel"], "A", date(2024, 2, 19), date(2024, 2, 21), "", None, "", "cancelled",
     "Customs of transshipment hubs compare how e-waste is re-routed."),
    (S, "joint operation on used lead-acid batteries in West Africa", "joint_operation", ["GRA"], ["GH", "TG", "BJ"],
     ["011"], ["basel"], "A", date(2025, 4, 1), date(2025, 5, 31), "", None, "", "cancelled",
     "Coordinated checks of trucks and containers carrying used batteries."),
    # Postponed (by a year, when they were postponed).
    (S, "guidance on classifying waste tyres", "tool", ["SARS"], ["ZA"], ["018"], ["basel"], "A",
     date(2026, 2, 1), date(2026, 9, 30), "", None, "", "postponed",
     "Guidance on when used tyres are waste, with photographs of typical loads."),
    (RILO, "study of illegal refrigerant trade routes into South Asia", "study", ["RILO AP"], ["NP", "LK"], ["034"],
     ["montreal"], "D", date(2026, 6, 1), date(2026, 12, 15), "", None, "", "postponed",
     "Which routes smuggled refrigerants take into Nepal and Sri Lanka."),
    (S, "workshop on port and border inspections of waste for Sahel countries", "workshop", ["DGD SN"],
     ["ML", "NE", "BF"], ["011"], ["basel"], "A", date(2026, 4, 20), date(2026, 4, 22), "", None, "", "postponed",
     "Border officers of landlocked countries inspect waste arriving by road."),
    # Ongoing.
    (S, "online training module on European waste shipment rules", "tool", ["ILT"], [], ["150"], ["basel"], "A",
     date(2026, 1, 15), date(2027, 6, 30), "", None, "", "ongoing",
     "A self-paced module for inspectors on the rules for shipping waste within and out of Europe."),
    (S, "joint operation on exports of used batteries from East Asia", "joint_operation", ["KCS"], ["KR", "JP", "CN"],
     ["030"], ["basel"], "A", date(2026, 10, 1), date(2026, 12, 20), "Demo donor D", 70000, "USD", "ongoing",
     "Targeted checks of exports of used lithium and lead-acid batteries."),
    (A, "survey of enforcement capacity in member administrations", "study", ["WCO"], [], ["001"], ["basel"], "G",
     date(2026, 3, 2), date(2027, 3, 31), "", None, "", "ongoing",
     "A questionnaire to members on staff, laboratories and procedures for waste controls."),
    (S, "training on plastic waste codes (Basel Y48) for Malaysian officers", "training", ["DOE MY"], ["MY"],
     ["035"], ["basel"], "A", date(2026, 11, 16), date(2026, 12, 18), "", None, "", "ongoing",
     "Officers classify plastic waste under the Basel amendments of 2019."),
    (KE, "awareness campaign on e-waste for importers at Mombasa", "awareness", ["KRA"], ["KE"], ["014"], ["basel"],
     "A", date(2026, 9, 1), date(2027, 2, 26), "", None, "", "ongoing",
     "Briefings for clearing agents on importing used electronics lawfully."),
    # Funded.
    (S, "training on detecting ODS-containing equipment at Nigerian ports", "training", ["NCS"], ["NG"], ["011"],
     ["montreal"], "D", date(2027, 3, 1), date(2027, 3, 5), "Demo donor E", 30000, "USD", "funded",
     "Officers check used cooling equipment for ozone-depleting refrigerants."),
    (PH, "identification cards for hazardous waste codes", "tool", ["BOC"], ["PH"], ["035"], ["basel"], "A",
     date(2027, 1, 15), date(2027, 6, 30), "Demo donor B", 12000, "USD", "funded",
     "Cards with the Basel codes most often met at Philippine ports."),
    (S, "West African workshop on prosecuting waste crime", "workshop", ["GRA"], ["GH", "NG", "SN", "CI"], ["011"],
     ["basel"], "A", date(2027, 9, 13), date(2027, 9, 15), "Demo donor A", 35000, "USD", "funded",
     "Prosecutors and customs work through case files of illegal waste shipments."),
    (S, "joint operation on e-waste exports from Southern Africa", "joint_operation", ["SARS"], ["ZA", "MZ"], ["018"],
     ["basel"], "A", date(2027, 4, 5), date(2027, 5, 28), "Demo donor D", 60000, "USD", "funded",
     "Coordinated checks of e-waste leaving by sea and by road."),
    # Planned.
    (S, "study of ship-breaking waste flows", "study", ["KCS"], ["BD", "IN", "PK"], ["034"], ["basel"], "A",
     date(2027, 2, 1), date(2027, 11, 30), "", None, "", "planned",
     "Where the hazardous materials of ships broken up in South Asia end up."),
    (FR, "training for customs in the French Caribbean and Indian Ocean on waste shipments", "training", ["DGDDI"],
     ["GP", "MQ", "RE"], [], ["basel"], "A", date(2027, 4, 12), date(2027, 4, 16), "Demo donor B", 20000, "EUR",
     "planned", "Officers of overseas departments learn the rules for waste leaving islands for treatment."),
    (S, "workshop on illegal shipments of waste plastics to South-East Asia", "workshop", ["ILT"], ["NL", "MY", "VN"],
     ["155", "035"], ["basel"], "A", date(2027, 5, 18), date(2027, 5, 19), "", None, "", "planned",
     "Exporting and importing countries compare notes on plastic waste shipments."),
    (RILO, "awareness materials on refrigerant smuggling for Pacific ports", "awareness", ["RILO AP"],
     ["FJ", "PG", "WS"], ["009"], ["montreal"], "D", date(2027, 8, 2), date(2027, 10, 29), "Demo donor C", 15000,
     "USD", "planned", "Posters and short videos for port staff of Pacific island countries."),
    (S, "checklist for inspecting e-waste in containers", "tool", ["DOE MY"], ["MY"], ["035"], ["basel"], "A",
     date(2027, 3, 1), date(2027, 8, 31), "", None, "", "planned",
     "A one-page checklist for opening and sampling containers of used electronics."),
    # Proposed.
    (S, "training on Basel controls for Senegalese and Gambian border posts", "training", ["DGD SN"], ["SN", "GM"],
     ["011"], ["basel"], "A", date(2027, 10, 4), date(2027, 10, 8), "", None, "", "proposed",
     "Officers of both sides of the border train together on waste controls."),
    (KE, "study of used-vehicle imports and waste in East Africa", "study", ["KRA"], ["KE", "UG", "TZ"], ["014"],
     ["basel"], "A", date(2027, 7, 1), date(2027, 12, 17), "", None, "", "proposed",
     "How many imported used vehicles become waste within five years, country by country."),
    (S, "joint operation on waste shipments through Rotterdam and Antwerp", "joint_operation", ["ILT"], ["NL", "BE"],
     ["155"], ["basel"], "A", date(2027, 10, 4), date(2027, 11, 26), "Demo donor B", 50000, "EUR", "proposed",
     "Targeted checks of waste leaving the two largest ports of Europe."),
    # The second likely duplicate: two workshops on ship recycling waste in South Asia, the same weeks.
    (RILO, "workshop on hazardous waste from ship recycling in South Asia", "workshop", ["RILO AP"],
     ["BD", "IN", "PK"], ["034"], ["basel"], "A", date(2027, 9, 6), date(2027, 9, 8), "", None, "", "proposed",
     "Officers of South Asian ports learn to inspect hazardous waste from ship recycling yards, with a yard visit."),
    (A, "South Asia workshop on ship recycling waste inspections", "workshop", ["WCO"], ["BD", "IN"], ["034"],
     ["basel"], "A", date(2027, 9, 7), date(2027, 9, 9), "", None, "", "proposed",
     "South Asian port officers learn to inspect hazardous waste from ship recycling yards, with a visit to a yard."),
]  # fmt: skip

# No dated change is later than this: the demo's history is in the past of any day it is tried on.
LAST_CHANGE = date(2026, 11, 20)


def _lifecycle(proposer: str, start: date, end: date, status: str, funded: bool) -> list[tuple[date, str, dict]]:
    """The dated changes that bring an activity from its proposal to ``status``."""
    proposed = min(start - timedelta(days=160), LAST_CHANGE - timedelta(days=120))
    steps: list[tuple[date, str, dict]] = [(proposed, proposer, {})]
    if status == "proposed":
        return steps
    if status == "cancelled":
        return [*steps, (proposed + timedelta(days=45), "S", {"status": "cancelled"})]
    steps.append((proposed + timedelta(days=40), "S", {"status": "planned"}))
    if status == "postponed":
        later = {"status": "postponed", "starts_on": start + timedelta(days=364), "ends_on": end + timedelta(days=364)}
        return [*steps, (min(start - timedelta(days=20), proposed + timedelta(days=70)), "S", later)]
    if funded and status != "planned":
        steps.append((proposed + timedelta(days=90), "S", {"status": "funded", "funding": "secured"}))
    if status in ("planned", "funded"):
        return steps
    by = "S" if proposer == SECRETARIAT_EMAIL else proposer
    steps.append((start, by, {"status": "ongoing"}))
    if status == "ongoing":
        return steps
    return [*steps, (end + timedelta(days=10), by, {"status": "completed"})]


def _more() -> list[tuple[str, dict, list[tuple[date, str, dict]]]]:
    found = []
    for (proposer, title, kind, leads, countries, regions, conventions, topic, start, end, donor, amount, currency,
         status, description) in MORE:  # fmt: skip
        fields = {"title": f"Demo: {title}", "kind": kind, "leads": leads, "countries": countries,
                  "regions": regions, "conventions": conventions, "topics": [topic], "starts_on": start,
                  "ends_on": end, "description": description}  # fmt: skip
        if donor:
            fields.update(funding_source=donor, funding="sought")
        if amount is not None:
            fields.update(amount=Decimal(amount), currency=currency)
        found.append((proposer, fields, _lifecycle(proposer, start, end, status, funded=bool(donor))))
    return found


ACTIVITIES += _more()


@transaction.atomic
def seed() -> int:
    """Create the network, its members and the demo roadmap once; returns how many activities were created.
    Running it again changes nothing (each part is matched by its title, number or organisation)."""
    secretary = Person.objects.get(email=SECRETARIAT_EMAIL)
    for short_name, name, kind, country, standing in ORGANISATIONS:
        Organisation.objects.get_or_create(
            short_name=short_name, defaults={"name": name, "kind": kind, "country": country, "standing": standing}
        )
    organisations = {o.short_name: o for o in Organisation.objects.exclude(short_name="")}
    network, _created = Network.objects.get_or_create(
        short_name="ENFORCE", defaults={"name": NAME, "mandate": MANDATE, "secretariat": organisations["BRS"]}
    )
    for short_name, standing, joined, focal_points in MEMBERS:
        if network.memberships.filter(organisation=organisations[short_name]).exists():
            continue
        membership = Membership.objects.create(
            network=network,
            organisation=organisations[short_name],
            standing=standing,
            joined_on=joined,
            decision="ENFORCE meeting (demo)",
        )
        membership.focal_points.set(Person.objects.filter(email__in=focal_points))
    created = 0
    for proposer, fields, steps in ACTIVITIES:
        if network.activities.filter(title=fields["title"]).exists():
            continue
        described = f"{fields['description']} ({NOTE})" if fields.get("description") else NOTE
        values = {**fields, "description": described, "status": "proposed"}
        values["leads"] = [organisations[name] for name in fields["leads"]]
        values["partners"] = [organisations[name] for name in fields.get("partners", [])]
        draft = actions.ActivityDraft(**values)
        first_day, _first_by, first_changes = steps[0]
        draft = replace(draft, **first_changes)
        person = Person.objects.get(email=proposer)
        activity = actions.propose_activity(
            request=None, person=secretary if first_changes else person, network=network, draft=draft,
            at=_at(first_day),
        )  # fmt: skip
        for day, by, changes in steps[1:]:
            draft = replace(draft, **changes)
            actor = secretary if by == "S" else Person.objects.get(email=by)
            actions.update_activity(request=None, person=actor, activity=activity, draft=draft, at=_at(day))
        created += 1
    _seed_meetings(network, secretary, organisations)
    if created:
        # The secretariat checks the whole roadmap once, as it would after an import (audited as such).
        actions.check_roadmap(request=None, person=secretary, network=network)
    _seed_outputs(network)
    return created


# --- Demo meetings -----------------------------------------------------------------------------------

BR = "focal.brazil@demo.environet.test"
MINUTES = "Demo minutes for trying ENVIRONET; not a real ENFORCE meeting."

# number, title, first and last day, place, online, host, agenda, participants (email, state), decisions
# (text, [(follow-up, owner)]), input ((email, kind, activity title or proposal, status or body), review)
MEETINGS: list[dict] = [
    {"number": "ENFORCE-1 (demo)", "title": "Demo: first meeting of the network", "days": (date(2016, 11, 22),
     date(2016, 11, 23)), "place": "Geneva", "online": False, "host": "BRS",
     "agenda": ["Opening", "Terms of reference of the network", "Members and observers",
                "A first roadmap of activities for 2017 and 2018"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "attended"), (A, "attended")],
     "decisions": [("Demo: the terms of reference of the network are adopted.",
                    [("Circulate the terms of reference to all parties", "BRS")]),
                   ("Demo: members propose activities for the first roadmap by March 2017.",
                    [("Send proposals for 2017", "KRA"), ("Send proposals for 2017", "DGDDI")])],
     "input": [((KE, "comment", "Demo: national training on the Basel Convention for Kenyan customs officers",
                 "Demo: the training material can be shared with the other members."), True)]},
    {"number": "ENFORCE-2 (demo)", "title": "Demo: second meeting of the network", "days": (date(2018, 10, 16),
     date(2018, 10, 17)), "place": "Seoul", "online": False, "host": "KCS",
     "agenda": ["Opening", "Report of the secretariat", "Roadmap of activities: status as of 1 October 2018",
                "New members and observers", "Closing"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "registered"), (PH, "attended"),
                      (RILO, "attended"), (A, "attended")],
     "decisions": [("Demo: the roadmap with its status as of 1 October 2018 is adopted.",
                    [("Publish the roadmap", "BRS")]),
                   ("Demo: the Department of Environment Malaysia and IMPEL are welcomed to the network.", [])],
     "input": [((FR, "comment", "Demo: training on e-waste controls at the port of Tema",
                 "Demo: the French customs school can lend trainers for the next session."), True)]},
    {"number": "ENFORCE-3 (demo)", "title": "Demo: third meeting of the network (online)", "days": (
     date(2021, 6, 8), date(2021, 6, 9)), "place": "", "online": True, "host": None,
     "agenda": ["Opening", "Activities postponed or cancelled since 2020", "Roadmap for 2022 and 2023", "Closing"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "attended"), (PH, "attended"),
                      (RILO, "registered"), (BR, "attended")],
     "decisions": [("Demo: trainings move online where they can until travel resumes.",
                    [("Share a list of online training tools", "WCO")])],
     "input": [((PH, "comment", "Demo: training on e-waste and used electronics for Southern African customs",
                 "Demo: the Philippine e-waste module could be reused for this training."), True)]},
    {"number": "ENFORCE-4 (demo)", "title": "Demo: fourth meeting of the network", "days": (date(2023, 10, 24),
     date(2023, 10, 25)), "place": "Accra", "online": False, "host": "GRA",
     "agenda": ["Opening", "Results of the joint inspections at North Sea ports", "Pesticides and the Rotterdam "
                "Convention", "Roadmap of activities for 2024 and 2025", "Closing"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "attended"), (PH, "invited"),
                      (RILO, "attended"), (BR, "attended"), (A, "registered")],
     "decisions": [("Demo: members report participants trained by country and sex after each training.",
                    [("Add the numbers to the roadmap", "BRS")]),
                   ("Demo: a study of trafficking routes in South-East Asia is added to the roadmap.",
                    [("Propose the study", "RILO AP")])],
     "input": [((RILO, "comment", "Demo: joint inspections of waste shipments at North Sea ports",
                 "Demo: could the inspection checklist be translated for Asian ports?"), True)]},
    {"number": "ENFORCE-5 (demo)", "title": "Demo: fifth meeting of the network", "days": (date(2025, 6, 10),
     date(2025, 6, 11)), "place": "Geneva", "online": False, "host": "BRS",
     "agenda": ["Opening and adoption of the agenda", "Roadmap of activities: status of implementation",
                "Library of training tools", "Date of the next meeting"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "attended"), (PH, "registered"),
                      (BR, "attended")],
     "decisions": [("Demo: the roadmap with its status as of 1 June 2025 is adopted.",
                    [("Publish the roadmap", "BRS")]),
                   ("Demo: members send their training tools for the library before the next meeting.",
                    [("Send the East African training material", "KRA"), ("Send the Y48 workshop slides", "DGDDI")])],
     "input": [((KE, "comment", "Demo: regional training on the Basel Convention for East African customs",
                 "Demo: 46 officers trained; the material is ready to share."), True)]},
    {"number": "ENFORCE-6 (demo)", "title": "Demo: sixth meeting of the network (online)", "days": (
     date(2026, 5, 19), date(2026, 5, 20)), "place": "", "online": True, "host": None,
     "agenda": ["Opening", "New activity proposals", "Coordination of activities in 2027", "Closing"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "attended"), (RILO, "attended"),
                      (BR, "attended"), (PH, "invited")],
     "decisions": [("Demo: proposals for 2027 are reviewed by the secretariat before the seventh meeting.",
                    [("Review the proposals", "BRS")])],
     "input": [((BR, "proposal", {"title": "Demo: training on detecting illegal waste shipments at South American "
                                           "river ports", "kind": "training", "leads": ["IBAMA"],
                                  "countries": ["BR", "PY", "AR"], "starts_on": date(2027, 3, 15),
                                  "ends_on": date(2027, 3, 19),
                                  "description": "River port officers learn to detect waste declared as scrap."},
                 ""), True),
               ((FR, "comment", "Demo: guidance on distinguishing used equipment from waste at inspection",
                 "Demo: could this guidance cover batteries too?"), "Demo: to be discussed at the seventh meeting.")]},
    {"number": "ENFORCE-7 (demo)", "title": "Demo: seventh meeting of the network", "days": (date(2026, 11, 24),
     date(2026, 11, 25)), "place": "Nairobi", "online": True, "host": "KRA",
     "agenda": ["Opening", "Coordination flags on the 2027 roadmap", "Proposals from members and observers",
                "Any other business"],
     "participants": [(SECRETARIAT_EMAIL, "attended"), (KE, "attended"), (FR, "registered"), (PH, "attended"),
                      (RILO, "attended"), (BR, "invited")],
     "decisions": [("Demo: the two West African port trainings are to be joined up.",
                    [("Propose a joint programme", "DGDDI"), ("Report back to the network", "BRS")])],
     "input": [((RILO, "status", "Demo: joint operation on illegal shipments of mixed metal scrap", "funded"), True),
               ((RILO, "proposal", {"title": "Demo: e-learning module on inspecting mixed metal scrap",
                                    "kind": "tool", "leads": ["RILO AP"], "countries": ["KR", "PH", "VN"],
                                    "starts_on": date(2027, 5, 1), "ends_on": date(2027, 10, 31),
                                    "description": "An online module for customs officers on mixed metal scrap."},
                 ""), None)]},
]  # fmt: skip


def _seed_meetings(network: Network, secretary: Person, organisations: dict[str, Organisation]) -> None:
    """The demo meetings, once each, with agenda, participants, decisions and input (the last one pending)."""
    for spec in MEETINGS:
        if network.meetings.filter(number=spec["number"]).exists():
            continue
        first, last = spec["days"]
        meeting = meeting_actions.open_meeting(
            request=None, person=secretary, network=network,
            draft=meeting_actions.MeetingDraft(number=spec["number"], title=spec["title"], starts_on=first,
                                               ends_on=last, place=spec["place"], online=spec["online"],
                                               host=organisations.get(spec["host"] or ""), minutes=MINUTES),
        )  # fmt: skip
        for title in spec["agenda"]:
            meeting_actions.add_agenda_item(request=None, person=secretary, meeting=meeting, title=title)
        # Past meetings: their participants are recorded as they were, without sending invitations today.
        for email, state in spec["participants"]:
            Participant.objects.create(meeting=meeting, person=Person.objects.get(email=email), state=state,
                                       invited_at=_at(first))  # fmt: skip
        for text, follow_ups in spec["decisions"]:
            meeting_actions.add_decision(
                request=None, person=secretary, meeting=meeting, text=text,
                follow_ups=[meeting_actions.FollowUpDraft(text=t, owner=organisations[o]) for t, o in follow_ups],
            )  # fmt: skip
        for (email, kind, about, extra), review in spec["input"]:
            _seed_input(network, meeting, secretary, organisations, email, kind, about, extra, review)


def _seed_input(network, meeting, secretary, organisations, email, kind, about, extra, review) -> None:
    if kind == "proposal":
        values = {**about, "leads": [organisations[name] for name in about["leads"]], "status": "proposed"}
        values["description"] = f"{values['description']} ({NOTE})"
        draft = meeting_actions.InputDraft(kind=kind, proposal=actions.ActivityDraft(**values))
    else:
        activity = network.activities.get(title=about)
        draft = meeting_actions.InputDraft(kind=kind, activity_id=activity.pk, status=extra if kind == "status" else "",
                                           body=extra if kind == "comment" else "")  # fmt: skip
    given = meeting_actions.submit_input(
        request=None, person=Person.objects.get(email=email), meeting=meeting, draft=draft, on=meeting.starts_on
    )
    RoadmapInput.objects.filter(pk=given.pk).update(created_at=_at(meeting.starts_on))
    if review is None:
        return  # left for the secretariat to review in the demo
    meeting_actions.review_input(request=None, person=secretary, given=given, accept=review is True,
                                 reason="" if review is True else review, at=_at(meeting.ends_on))  # fmt: skip


# --- Demo outputs of completed activities --------------------------------------------------------------

# activity title (without "Demo: "), who records them, library items (titles without "Demo: ", from
# library.demo; those missing are left out), participants trained (country, women, men, sex not reported), lessons
OUTPUTS: list[tuple[str, str, list[str], list[tuple[str, int, int, int]], str]] = [
    ("national training on detecting illegal e-waste shipments at Mombasa port", KE,
     ["E-waste or metal scrap? Training slides"], [("KE", 9, 17, 0)],
     "Demo: a practical day at the port taught more than two days in class."),
    ("workshop on plastic waste shipments (Basel Y48) for customs and environment officers", FR,
     ["Buenas prácticas: residuos plásticos"], [("FR", 8, 11, 0), ("BE", 3, 4, 0), ("NL", 2, 5, 1)],
     "Demo: environment and customs officers should sit at the same tables."),
    ("joint customs operation on hazardous waste shipments in Asia and the Pacific", RILO,
     ["Regional trends: demo analysis"], [], "Demo: agree on what counts as a seizure before the operation starts."),
    ("interactive e-learning module for customs officers on hazardous chemicals and wastes", SECRETARIAT_EMAIL,
     ["Chemicals and waste for customs officers", "Basel Convention annexes: a reading aid"], [],
     "Demo: short lessons of ten minutes were finished far more often than long ones."),
    ("study of waste trafficking routes in South-East Asia", RILO, ["Regional trends: demo analysis"], [], ""),
    ("regional training on the Basel Convention for East African customs", KE,
     ["E-waste or metal scrap? Training slides"],
     [("KE", 11, 14, 0), ("TZ", 6, 9, 0), ("UG", 5, 8, 1), ("RW", 2, 4, 0)],
     "Demo: invite the port authority as well as customs; they hold the container data."),
    ("training on sampling and identifying refrigerant gases at the border", PH,
     ["Reconnaître les bouteilles de HCFC-22", "Refrigerant checks: figures template"],
     [("PH", 7, 12, 0), ("VN", 4, 6, 0), ("TH", 3, 5, 2)], "Demo: bring enough gas identifiers for every pair."),
    ("training on e-waste and used electronics for Southern African customs", SECRETARIAT_EMAIL, [],
     [("ZA", 10, 12, 0), ("BW", 3, 4, 0), ("NA", 2, 5, 0)], ""),
    ("regional workshop on the Rotterdam Convention for pesticide controls in West Africa", SECRETARIAT_EMAIL,
     ["Pesticide shipments: checklist"], [("GH", 4, 6, 0), ("SN", 3, 5, 0), ("CI", 2, 4, 3)],
     "Demo: designated national authorities and customs had rarely met before; keep them in touch."),
    ("national training on the Basel Convention for Kenyan customs officers", KE, [], [("KE", 0, 0, 24)],
     "Demo: the attendance sheets did not ask for sex; later trainings do."),
]  # fmt: skip


def _seed_outputs(network: Network) -> None:
    """Outputs of demo activities that have none yet (so a second run changes nothing)."""
    from library.models import Item

    for title, email, item_titles, trained, lessons in OUTPUTS:
        activity = network.activities.filter(title=f"Demo: {title}").first()
        if activity is None or activity.outputs.exists() or activity.trained.exists():
            continue
        items = Item.objects.filter(title__in=[f"Demo: {name}" for name in item_titles])
        draft = output_actions.OutputsDraft(
            items=sorted(items.values_list("pk", flat=True)),
            trained=[output_actions.TrainedRow(code, women, men, unknown) for code, women, men, unknown in trained],
            lessons=lessons,
        )
        output_actions.record_outputs(request=None, person=Person.objects.get(email=email), activity=activity,
                                      draft=draft)  # fmt: skip
