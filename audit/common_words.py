"""How the trail says the keys that mean the same on any entry: counts, formats, dates, and references to the
objects an entry's changes name by id (said by their name for the viewer today, see audit.labels)."""

from django.utils.translation import gettext_lazy

from audit import labels

W = labels.Words
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "pdf": "PDF", "json": "JSON"}
PARTS = {"file": gettext_lazy("The file"), "thumbnail": gettext_lazy("Its thumbnail")}


def register() -> None:
    labels.register_changes(
        labels.ANY,
        {
            # References: the id of an object, said by its name through the viewer's access.
            "network": W(gettext_lazy("network"), refers_to="network.network"),
            "activity": W(gettext_lazy("activity"), refers_to="network.activity"),
            "activities": W(gettext_lazy("activities"), refers_to="network.activity", listed=True),
            "meeting": W(gettext_lazy("meeting"), refers_to="network.meeting"),
            "membership": W(gettext_lazy("member"), refers_to="network.membership"),
            "participant": W(gettext_lazy("participant"), refers_to="network.participant"),
            "input": W(gettext_lazy("input"), refers_to="network.roadmapinput"),
            "thread": W(gettext_lazy("thread"), refers_to="messaging.thread"),
            "message": W(gettext_lazy("message"), refers_to="messaging.message"),
            "item": W(gettext_lazy("library item"), refers_to="library.item"),
            "seizure": W(gettext_lazy("seizure record"), refers_to="seizures.seizure"),
            "related": W(gettext_lazy("related record"), refers_to="seizures.seizure"),
            "withheld": W(gettext_lazy("withheld match"), refers_to="seizures.withheldmatch"),
            "search": W(gettext_lazy("followed search"), refers_to="seizures.followedsearch"),
            "organisation": W(gettext_lazy("organisation"), refers_to="accounts.organisation"),
            "secretariat": W(gettext_lazy("secretariat"), refers_to="accounts.organisation"),
            "granted": W(gettext_lazy("granted to"), refers_to="accounts.organisation", listed=True),
            "withdrawn": W(gettext_lazy("withdrawn from"), refers_to="accounts.organisation", listed=True),
            "expert": W(gettext_lazy("expert"), refers_to="accounts.person"),
            "person": W(gettext_lazy("person"), refers_to="accounts.person"),
            "focal_points": W(gettext_lazy("focal points"), refers_to="accounts.person"),
            "added": W(gettext_lazy("added"), refers_to="accounts.person", listed=True),
            "removed": W(gettext_lazy("removed"), refers_to="accounts.person", listed=True),
            # Counts and numbers.
            "records": W(gettext_lazy("records")),
            "lines": W(gettext_lazy("commodity lines")),
            "involved": W(gettext_lazy("persons involved")),
            "rows": W(gettext_lazy("rows")),
            "files": W(gettext_lazy("files")),
            "items": W(gettext_lazy("items")),
            "size": W(gettext_lazy("size in bytes")),
            "problems": W(gettext_lazy("problems")),
            "passing": W(gettext_lazy("rows without problems")),
            "refused": W(gettext_lazy("rows refused")),
            "refused_problems": W(gettext_lazy("problems in rows refused")),
            "unrecognised": W(gettext_lazy("columns not recognised")),
            "left_out": W(gettext_lazy("columns left out")),
            "raised": W(gettext_lazy("flags raised")),
            "members": W(gettext_lazy("members")),
            "links": W(gettext_lazy("links")),
            "failed": W(gettext_lazy("failures")),
            "decision": W(gettext_lazy("decision number")),
            "follow_ups": W(gettext_lazy("follow-ups")),
            "position": W(gettext_lazy("position")),
            "edition": W(gettext_lazy("edition")),
            "stars": W(gettext_lazy("stars")),
            "limit": W(gettext_lazy("limit per hour")),
            "seconds": W(gettext_lazy("seconds")),
            "year": W(gettext_lazy("year")),
            "places": W(gettext_lazy("places")),
            "taxa": W(gettext_lazy("taxa")),
            "references": W(gettext_lazy("references")),
            # Facts.
            "content_type": W(gettext_lazy("type of file")),
            "format": W(gettext_lazy("format"), values=FORMATS),
            "as_of": W(gettext_lazy("as of")),
            "expires_on": W(gettext_lazy("expires on")),
            "deadline": W(gettext_lazy("deadline")),
            "address": W(gettext_lazy("address")),
            "reason": W(gettext_lazy("reason")),
            "part": W(gettext_lazy("part"), values=PARTS),
            "shared": W(gettext_lazy("shared")),
            "share": W(gettext_lazy("shared")),
            "link": W(gettext_lazy("a link")),
            "service": W(gettext_lazy("service token")),
        },
    )
