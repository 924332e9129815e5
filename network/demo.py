"""The demo network for `make run`: ENFORCE with the demo organisations, and a roadmap of demo activities
whose history of edits runs over past dates, so "the roadmap as of" and its diff have something to show.

The network's name, its establishment by decision BC-11/8 and its mission come from the source document
(shared/seeds/enforce-basel-network.txt). Everything else is made up for the demo and says so: each
activity's title starts with "Demo:", its description says it is not a real activity, donors are "Demo donor
A/B/C", and the membership decisions are marked "(demo)". The last three activities are there for the
coordination flags: a likely duplicate and a clash over one donor. The three meetings are numbered
"ENFORCE-5 (demo)" to "ENFORCE-7 (demo)", titled "Demo: ...", with demo minutes, decisions and input (one
proposal accepted at the sixth meeting, "proposed at" it; one left for the secretariat to review).
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from accounts.models import Organisation, Person
from network import actions, meeting_actions
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

# short name, standing, joined, focal point emails
MEMBERS = [
    ("WCO", Standing.MEMBER, date(2013, 9, 1), ["admin@demo.environet.test"]),
    ("KRA", Standing.MEMBER, date(2016, 4, 1), ["focal.kenya@demo.environet.test"]),
    ("DGDDI", Standing.MEMBER, date(2016, 4, 1), ["focal.france@demo.environet.test"]),
    ("BOC", Standing.MEMBER, date(2018, 6, 1), ["focal.philippines@demo.environet.test"]),
    ("IBAMA", Standing.OBSERVER, date(2019, 11, 1), ["focal.brazil@demo.environet.test"]),
    ("RILO AP", Standing.MEMBER, date(2017, 5, 1), ["focal.rilo@demo.environet.test"]),
    ("EIA", Standing.OBSERVER, date(2018, 6, 1), []),
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


def seed() -> int:
    """Create the network, its members and the demo roadmap once; returns how many activities were created."""
    secretary = Person.objects.get(email=SECRETARIAT_EMAIL)
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
    return created


# --- Demo meetings -----------------------------------------------------------------------------------

BR = "focal.brazil@demo.environet.test"
MINUTES = "Demo minutes for trying ENVIRONET; not a real ENFORCE meeting."

# number, title, first and last day, place, online, host, agenda, participants (email, state), decisions
# (text, [(follow-up, owner)]), input ((email, kind, activity title or proposal, status or body), review)
MEETINGS: list[dict] = [
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
