"""Nominal data (persons and companies involved, their numbers and addresses) never leaks.

1. Not at rest: no database file and no attachment file holds it in the clear.
2. Not to anyone outside the reporting organisation and the organisations it grants: not on any page, in
   the API, search, exports, related records, live events, emails, the audit trail, the discussion thread
   or notices. A granted organisation's people do read it, and each reading is audited.
3. Related records: the owner learns that a related record exists (and why) even when they may not read
   it; a reason that comes from nominal data is shown only to the owner or to someone who may read the
   nominal data of both records.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from accounts.models import Person
from audit.models import Entry
from conftest import signed_in
from messaging import events
from messaging.models import Audience, Event, Marking, Message, Thread
from messaging.tests.builders import choose, text_of
from seizures import actions, handles
from seizures.models import Link, MatchKey, Seizure
from seizures.tests.builders import (
    company,
    contact_path,
    file,
    line,
    person,
    png,
    post_record,
    record_id,
    text_file,
)

# --- 1. At rest ------------------------------------------------------------------------------------------------

AT_REST = ("Zebulon Quixotic-Marker", "Marker Holdings Xylophone Ltd", "ZQ9988776", "42 Quixotic-Marker Lane, Mombasa")
# Each distinctive word alone too: a normalised or partial copy would still give it away.
AT_REST_WORDS = ("Zebulon", "Quixotic", "Xylophone", "ZQ9988776", "Quixotic-Marker Lane")


def forms_of(text: str) -> set[bytes]:
    """The bytes ``text`` would take in a file: UTF-8 and UTF-16 (both byte orders), as typed, lower and upper case."""
    forms = set()
    for variant in (text, text.lower(), text.upper()):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            forms.add(variant.encode(encoding))
    return forms


def found_in(content: bytes, texts: Iterable[str]) -> list[str]:
    return [text for text in texts if any(form in content for form in forms_of(text))]


def _database_files() -> list[Path]:
    name = Path(str(connection.settings_dict["NAME"]))
    assert name.is_file(), f"the test database is not a file: {name}"
    return [path for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")) if path.exists()]


def _postgres_rows_holding(texts: Iterable[str]) -> list[str]:
    """Tables of which a row, as text (every column, bytea as hex), holds one of the texts."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            for text in texts:
                cursor.execute(
                    f"SELECT count(*) FROM {connection.ops.quote_name(table)} AS row WHERE lower(row::text) LIKE %s",
                    [f"%{text.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}: {text}")
    return found


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_nominal_data_in_the_clear_in_the_database_or_the_attachments(cast, settings, tmp_path, mailbox):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    for someone in (cast.member, cast.focal_point, cast.other_focal_point, cast.administrator):
        choose(someone, "B")
    involved = [
        {
            "kind": "person",
            "name": "Zebulon Quixotic-Marker",
            "identifiers": "Passport: ZQ9988776",
            "address": "42 Quixotic-Marker Lane, Mombasa",
            "nationality": "KE",
            "born_on": "1979-02-03",
            "notes": "Travels as Zebulon Quixotic-Marker",
        },
        {"kind": "company", "role": "exporter", "name": "Marker Holdings Xylophone Ltd"},
    ]
    documents = [png("tusks.png"), text_file("statement.txt", "Statement of Zebulon Quixotic-Marker, ZQ9988776")]
    # Through the page, shared at once; then changed through the page.
    kenyan = Seizure.objects.get(
        pk=record_id(post_record(cast.member, share=True, involved=involved, containers="CSQU3054383", files=documents))
    )
    changed = post_record(
        cast.member,
        f"/seizures/{kenyan.pk}/edit/",
        involved=involved,
        containers="CSQU3054383",
        place="Kilindini",
    )
    assert changed.status_code == 302
    # Through the action: a French record of the same company and passport, related to the Kenyan one.
    french = file(
        cast.other_focal_point,
        share=True,
        country="FR",
        containers=["CSQU3054383"],
        involved=[
            company("MARKER HOLDINGS XYLOPHONE"),
            person("QUIXOTIC-MARKER Zebulon", identifiers=["ZQ 998 8776"], address="42 Quixotic-Marker Lane, Mombasa"),
        ],
    )
    # A draft, never shared.
    file(cast.focal_point, involved=[person("Zebulon Quixotic-Marker", identifiers=["Passport: ZQ9988776"])])
    assert Link.objects.filter(low=kenyan, high=french).exists()
    # Read, granted, searched, followed, and a request for contact.
    actions.set_grants(request=None, person=cast.member, seizure=kenyan, organisations=[cast.other])
    reader = signed_in(cast.other_focal_point)
    assert "Zebulon Quixotic-Marker" in reader.get(f"/seizures/{kenyan.pk}/").content.decode()
    assert "ZQ9988776" in reader.get(f"/api/v1/seizures/{kenyan.pk}").content.decode()
    assert reader.get("/seizures/", {"q": "Zebulon"}).context["page"].paginator.count == 0
    followed = reader.post("/seizures/following/", {"name": "Watch list", "company": "Marker Holdings Xylophone"})
    assert followed.status_code == 302
    assert signed_in(cast.member).post(contact_path(cast.member, kenyan)).status_code == 302
    assert MatchKey.objects.filter(seizure=kenyan, kind=MatchKey.Kind.PERSON).exists()

    if connection.vendor == "postgresql":
        assert _postgres_rows_holding(AT_REST_WORDS) == []
    else:
        connections.close_all()
        files = _database_files()
        attachments = [path for path in Path(settings.ATTACHMENTS_DIR).rglob("*") if path.is_file()]
        assert len(attachments) == 3  # the photo, its thumbnail and the statement, encrypted
        for path in [*files, *attachments]:
            assert found_in(path.read_bytes(), AT_REST_WORDS) == [], path
    assert all(not found_in(text_of(email).encode(), AT_REST_WORDS) for email in mailbox.messages)


# --- 2. Outside the grant ------------------------------------------------------------------------------------------

SUSPECT = "Ulrich Outsider-Secret"
FIRM = "Secretive Shipping Quokka Ltd"
PASSPORT = "UQ5566778"
ADDRESS = "9 Quokka Close, Nairobi"
NOTES = "Uses the alias Uli Quokkaman"
NOMINAL = (SUSPECT, "Secretive Shipping Quokka", PASSPORT, "Quokka Close", "Quokkaman", "Ulrich", "Outsider-Secret")


def assert_no_nominal(content: str | bytes, where: object = "") -> None:
    text = content.decode() if isinstance(content, bytes) else content
    leaked = [value for value in NOMINAL if value.lower() in text.lower()]
    assert not leaked, f"{where}: {leaked}"


@dataclass
class Scene:
    kenyan: Seizure  # Mohamed's, shared with the network, naming the suspect and the firm
    french: Seizure  # Oscar's, shared with the network, same firm, same passport, same container
    outsiders: list[Person]  # may read the Kenyan record, not its nominal data


@pytest.fixture
def scene(cast, mailbox, django_capture_on_commit_callbacks, settings, tmp_path) -> Scene:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    for someone in (cast.member, cast.focal_point, cast.observer, cast.other_focal_point, cast.administrator):
        choose(someone, "B")
    for follower in (cast.other_focal_point, cast.administrator):
        actions.follow_search(
            request=None, person=follower, name="Ivory watch", convention="cites", code="Loxodonta africana",
            country="", company="", by_email=True,
        )  # fmt: skip
    capture = django_capture_on_commit_callbacks
    involved = [
        {"kind": "person", "name": SUSPECT, "identifiers": f"Passport: {PASSPORT}", "address": ADDRESS, "notes": NOTES},
        {"kind": "company", "role": "exporter", "name": FIRM},
    ]
    with capture(execute=True):
        response = post_record(cast.member, share=True, involved=involved, containers="CSQU3054383")
    kenyan = Seizure.objects.get(pk=record_id(response))
    with capture(execute=True):
        french = file(
            cast.other_focal_point,
            share=True,
            country="FR",
            containers=["CSQU3054383"],
            involved=[company("SECRETIVE SHIPPING QUOKKA"), person("Outsider-Secret U.", identifiers=[PASSPORT])],
        )
    with capture(execute=True):
        changed = post_record(
            cast.member, f"/seizures/{kenyan.pk}/edit/", involved=involved, containers="CSQU3054383", place="Mombasa"
        )
    assert changed.status_code == 302
    assert Link.objects.filter(low=kenyan, high=french).exists()
    with capture(execute=True):
        signed_in(cast.member).post(contact_path(cast.member, kenyan), {"note": "Call me"})
    assert Thread.objects.count() == 3  # two records' discussions and the request for contact
    return Scene(kenyan=kenyan, french=french, outsiders=[cast.other_focal_point, cast.administrator])


@pytest.mark.django_db
def test_it_shows_an_outsider_the_record_page_without_nominal_data(scene):
    for outsider in scene.outsiders:
        response = signed_in(outsider).get(f"/seizures/{scene.kenyan.pk}/")
        assert response.status_code == 200
        content = response.content.decode()
        assert "keeps the persons and companies involved" in content
        assert_no_nominal(content, outsider)
        assert response.context["involved"] is None


@pytest.mark.django_db
def test_it_answers_404_to_an_outsider_on_the_edit_and_grants_pages(scene):
    for outsider in scene.outsiders:
        client = signed_in(outsider)
        for path in (f"/seizures/{scene.kenyan.pk}/edit/", f"/seizures/{scene.kenyan.pk}/grants/"):
            response = client.get(path)
            assert response.status_code == 404, (outsider, path)
            assert_no_nominal(response.content, path)


@pytest.mark.django_db
def test_it_gives_an_outsider_no_nominal_data_through_the_api(scene):
    for outsider in scene.outsiders:
        response = signed_in(outsider).get(f"/api/v1/seizures/{scene.kenyan.pk}")
        assert response.status_code == 200
        assert response.json()["involved"] is None
        assert_no_nominal(response.content, outsider)


@pytest.mark.django_db
def test_it_finds_nothing_by_nominal_words_for_anyone(scene, cast):
    for reader in (cast.member, *scene.outsiders):
        client = signed_in(reader)
        for words in ("Ulrich", "Outsider-Secret", "Quokka", PASSPORT):
            page = client.get("/seizures/", {"q": words})
            assert page.status_code == 200
            assert page.context["page"].paginator.count == 0, (reader, words)
            api = client.get("/api/v1/seizures/", {"q": words})
            assert api.json()["count"] == 0, (reader, words)
        # The records are there, found by their facts.
        assert client.get("/api/v1/seizures/", {"q": scene.kenyan.reference}).json()["count"] == 1


def _content(response) -> bytes:
    """A response's bytes; an XLSX workbook's every part unzipped."""
    content = b"".join(getattr(response, "streaming_content", [response.content]))
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return b"".join(workbook.read(name) for name in workbook.namelist())
    return content


@pytest.mark.django_db
def test_it_keeps_nominal_data_out_of_the_lists_and_analytics(scene):
    for outsider in scene.outsiders:
        client = signed_in(outsider)
        for path in ("/seizures/", "/seizures/analytics/", "/seizures/following/", "/"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert_no_nominal(_content(response), path)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_it_keeps_nominal_data_out_of_exports(scene, cast, kind):
    for reader in (cast.member, *scene.outsiders):  # even the owner's export is for sharing: no nominal data
        response = signed_in(reader).get("/seizures/export/", {"format": kind})
        if response.status_code == 404:
            continue  # no export yet (its page answers 404 until it is written)
        assert response.status_code == 200, response.status_code
        content = _content(response)
        assert scene.kenyan.reference.encode() in content
        assert_no_nominal(content, (reader, kind))


@pytest.mark.django_db
def test_it_keeps_nominal_data_out_of_the_related_records_section(scene, cast):
    # Oscar's own record is related to the Kenyan one: his page shows the relation, not Kenyan names.
    client = signed_in(cast.other_focal_point)
    response = client.get(f"/seizures/{scene.french.pk}/")
    assert scene.kenyan.reference in response.content.decode()
    related = response.content.decode().split('id="related"')[1]
    assert_no_nominal(related.replace("Outsider-Secret U.", ""), "related")  # his own suspect's name aside
    api = client.get(f"/api/v1/seizures/{scene.french.pk}").json()
    assert_no_nominal(json.dumps(api["related"]), "api related")


@pytest.mark.django_db
def test_it_keeps_nominal_data_out_of_every_live_event(scene):
    events = list(Event.objects.values_list("kind", "data"))
    assert {kind for kind, _data in events} >= {"message", "notice"}
    for kind, data in events:
        assert_no_nominal(json.dumps(data, ensure_ascii=False), kind)


@pytest.mark.django_db
def test_it_keeps_nominal_data_out_of_every_email(scene, mailbox):
    assert mailbox.to(scene.outsiders[0].email)  # told of the match, the relation, the contact request
    for email in mailbox.messages:
        assert_no_nominal(text_of(email), email["To"])


@pytest.mark.django_db
def test_it_keeps_nominal_data_out_of_the_audit_trail(scene, cast):
    entries = list(Entry.objects.all())
    assert {entry.action for entry in entries} >= {"seizure.filed", "seizure.updated", "seizure.contact_asked"}
    for entry in entries:
        assert_no_nominal(json.dumps(entry.changes, ensure_ascii=False) + entry.object_label, entry.action)
    for browser in (cast.administrator, cast.focal_point, cast.other_focal_point):
        assert_no_nominal(signed_in(browser).get("/audit/").content, browser)


@pytest.mark.django_db
def test_it_keeps_nominal_data_out_of_the_discussions(scene):
    messages = list(Message.objects.select_related("thread"))
    assert len(messages) >= 4  # two notices, an update, a request for contact
    for message in messages:
        assert_no_nominal(message.thread.subject + message.body + message.body_html, message)
    for outsider in scene.outsiders:
        response = signed_in(outsider).get(f"/messages/threads/{scene.kenyan.thread_id}/")
        assert response.status_code == 200
        assert_no_nominal(response.content, outsider)


@pytest.mark.django_db
def test_it_tells_outsiders_in_notices_without_nominal_data(scene):
    for outsider in scene.outsiders:
        theirs = [event for event in events.build(Event.objects.filter(kind="notice", person=outsider)) if event]
        assert theirs, outsider  # each was told something
        for event in theirs:
            assert_no_nominal(event["text"], outsider)


@pytest.mark.django_db
def test_it_lets_a_granted_organisation_read_the_nominal_data_and_audits_it(scene, cast):
    actions.set_grants(request=None, person=cast.member, seizure=scene.kenyan, organisations=[cast.other])
    client = signed_in(cast.other_focal_point)

    page = client.get(f"/seizures/{scene.kenyan.pk}/").content.decode()
    api = client.get(f"/api/v1/seizures/{scene.kenyan.pk}").json()

    for value in (SUSPECT, FIRM, PASSPORT, ADDRESS, NOTES):
        assert value in page
    assert {entry["name"] for entry in api["involved"]} == {SUSPECT, FIRM}
    viewed = Entry.objects.filter(action="seizure.nominal_viewed", actor=cast.other_focal_point)
    assert viewed.count() == 2 and {entry.object_id for entry in viewed} == {str(scene.kenyan.pk)}
    assert_no_nominal(signed_in(cast.administrator).get(f"/seizures/{scene.kenyan.pk}/").content, "still not admin")


@pytest.mark.django_db
def test_it_stops_a_withdrawn_grant_at_once(scene, cast):
    actions.set_grants(request=None, person=cast.member, seizure=scene.kenyan, organisations=[cast.other])
    actions.set_grants(request=None, person=cast.member, seizure=scene.kenyan, organisations=[])

    assert_no_nominal(signed_in(cast.other_focal_point).get(f"/seizures/{scene.kenyan.pk}/").content)


# --- 3. Related records ---------------------------------------------------------------------------------------------

SAME: dict[str, Any] = {"containers": ["CSQU3054383"], "involved": [company("Acme Trading Ltd")]}
# Seized in France, of another species: related to the Kenyan records by the container and company only.
FRENCH: dict[str, Any] = {"country": "FR", "lines": [line("cites", "Manis gigantea")]}


def related_of(client, seizure: Seizure) -> str:
    response = client.get(f"/seizures/{seizure.pk}/")
    assert response.status_code == 200
    return response.content.decode().split('id="related"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_it_tells_the_owner_a_related_record_exists_without_its_reference_when_they_may_not_read_it(cast):
    own = file(cast.member, share=True, **SAME)
    hidden = file(
        cast.other_focal_point, share=True, **FRENCH, audience=Audience.ORGANISATIONS,
        organisations=[cast.other], **SAME,
    )  # fmt: skip

    section = related_of(signed_in(cast.observer), own)  # an observer is of the owning organisation too

    assert "A related record exists at DGDDI." in section
    assert hidden.reference not in section and f"/seizures/{hidden.pk}/" not in section
    api = signed_in(cast.member).get(f"/api/v1/seizures/{own.pk}").json()["related"]
    [item] = api
    assert {name: value for name, value in item.items() if name != "handle"} == {
        "organisation": "DGDDI", "id": None, "reference": "", "reasons": ["same company", "same container"]
    }  # fmt: skip
    assert item["handle"] == handles.handle(own.pk, hidden.pk)  # an opaque handle, not the record's id


@pytest.mark.django_db
def test_it_tells_the_owner_the_nominal_reasons(cast):
    own = file(cast.member, share=True, **SAME)
    file(cast.other_focal_point, share=True, **FRENCH, **SAME)

    section = related_of(signed_in(cast.focal_point), own)

    assert "same company, same container" in section


@pytest.mark.django_db
def test_it_shows_a_reader_of_both_records_only_the_non_nominal_reasons(cast):
    kenyan = file(cast.member, share=True, **SAME)
    french = file(cast.other_focal_point, share=True, **FRENCH, **SAME)

    section = related_of(signed_in(cast.administrator), kenyan)

    assert french.reference in section and "same container" in section
    assert "same company" not in section
    api = signed_in(cast.administrator).get(f"/api/v1/seizures/{kenyan.pk}").json()["related"]
    assert [item["reasons"] for item in api] == [["same container"]]


@pytest.mark.django_db
def test_it_shows_no_nominal_reason_to_a_non_owner_granted_on_one_record_only(cast):
    kenyan = file(cast.member, share=True, **SAME)
    file(cast.other_focal_point, share=True, **FRENCH, **SAME)
    actions.set_grants(request=None, person=cast.member, seizure=kenyan, organisations=[cast.secretariat])

    section = related_of(signed_in(cast.administrator), kenyan)

    assert "same container" in section and "same company" not in section


@pytest.mark.django_db
def test_it_shows_the_nominal_reasons_to_a_reader_of_both_records_nominal_data(cast):
    kenyan = file(cast.member, share=True, **SAME)
    french = file(cast.other_focal_point, share=True, **FRENCH, **SAME)
    actions.set_grants(request=None, person=cast.member, seizure=kenyan, organisations=[cast.secretariat])
    actions.set_grants(request=None, person=cast.other_focal_point, seizure=french, organisations=[cast.secretariat])

    section = related_of(signed_in(cast.administrator), kenyan)

    assert "same company, same container" in section


@pytest.mark.django_db
def test_it_shows_a_non_owner_no_link_to_a_record_they_may_not_read(cast):
    kenyan = file(cast.member, share=True, **SAME)
    file(
        cast.other_focal_point, share=True, **FRENCH, audience=Audience.ORGANISATIONS,
        organisations=[cast.other], **SAME,
    )  # fmt: skip

    section = related_of(signed_in(cast.administrator), kenyan)

    assert "No related record found." in section and "DGDDI" not in section


@pytest.mark.django_db
def test_it_relates_records_by_nominal_data_without_any_of_it_on_the_page(cast):
    kenyan = file(cast.member, share=True, involved=[person("Nadia Nominal-Only", identifiers=["Passport: NN8877665"])])
    french = file(
        cast.other_focal_point,
        share=True,
        country="FR",
        marking=Marking.AMBER,
        involved=[person("NOMINAL-ONLY Nadia", identifiers=["NN 887 7665"])],
    )

    section = related_of(signed_in(cast.member), kenyan)

    assert french.reference in section
    assert "same person, same identity or registration number" in section
    assert "Nadia" not in section and "NN8877665" not in section
