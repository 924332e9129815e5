"""Seizure records through the pages: filing drafts, sharing, changing, closing, grants, files, audit.

The officer is Mohamed (member, KRA, Kenya). His colleagues are Fatou (focal point) and Olga (observer).
Oscar (focal point, French Customs) and Ada (administrator, WCO) are of other organisations.
"""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Entry
from conftest import signed_in
from messaging.models import Audience, Marking, Message, Thread
from seizures import actions
from seizures.models import Link, NominalGrant, Seizure, SeizureFile, Status
from seizures.tests.builders import (
    NEW_RECORD,
    contact_path,
    edit_form,
    file,
    filing,
    line,
    person,
    png,
    post_record,
    record_form,
    record_id,
    text_file,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def thread_of(seizure: Seizure) -> Thread:
    seizure.refresh_from_db()
    assert seizure.thread is not None
    return seizure.thread


def statuses(seizure: Seizure) -> list[str]:
    return list(seizure.history.values_list("status", flat=True))


def page_of(client, seizure: Seizure) -> str:
    response = client.get(f"/seizures/{seizure.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def shared_through_the_page(capture, officer, **fields) -> Seizure:
    with capture(execute=True):
        response = post_record(officer, share=True, **fields)
    return Seizure.objects.get(pk=record_id(response))


# --- Filing and sharing -----------------------------------------------------------------------------------


def test_it_files_a_draft_that_only_the_reporting_organisation_sees(cast):
    response = post_record(cast.member, place="Mombasa port")

    seizure = Seizure.objects.get(pk=record_id(response))
    assert (seizure.status, seizure.organisation, seizure.officer) == (Status.DRAFT, cast.home, cast.member)
    assert seizure.thread is None
    for reader in (cast.member, cast.focal_point, cast.observer):
        assert "Mombasa port" in page_of(signed_in(reader), seizure)
    for outsider in (cast.other_focal_point, cast.administrator):
        assert signed_in(outsider).get(f"/seizures/{seizure.pk}/").status_code == 404


def test_it_saves_and_shares_at_once(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member)

    assert seizure.status == Status.SHARED
    assert statuses(seizure) == [Status.DRAFT, Status.SHARED]
    assert seizure.thread is not None
    assert signed_in(cast.other_focal_point).get(f"/seizures/{seizure.pk}/").status_code == 200


def test_it_shares_a_draft_later_with_a_dated_history(cast, django_capture_on_commit_callbacks):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member)))

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(f"/seizures/{seizure.pk}/share/")

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert seizure.status == Status.SHARED
    draft, shared = seizure.history.all()
    assert (draft.status, draft.by, shared.status, shared.by) == (
        Status.DRAFT,
        cast.member,
        Status.SHARED,
        cast.focal_point,
    )
    assert draft.at is not None and shared.at >= draft.at
    text = page_of(signed_in(cast.member), seizure)
    assert f"{shared.at:%Y-%m-%d %H:%M} · Shared · Fatou Focal" in text


def test_it_does_not_share_a_record_twice(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member)

    response = signed_in(cast.member).post(f"/seizures/{seizure.pk}/share/")

    assert response.status_code == 404
    assert Thread.objects.count() == 1


@pytest.mark.parametrize(
    ("lines", "topics"),
    [
        ([line("cites", "Loxodonta africana")], {"B"}),
        ([line("basel", "A1181")], {"A"}),
        ([line("montreal", "HCFC-22")], {"D"}),
        ([line("stockholm", "aldrin")], {"A"}),
        ([line("rotterdam", "alachlor")], {"A"}),
        ([line("timber", "Dalbergia nigra")], {"E"}),
        ([line("fish", "Thunnus thynnus")], {"F"}),
        ([line("lmo", "MON 810 maize")], {"C"}),
        ([line("other", "Radioactive scrap")], {"G"}),
        ([line("cites", "Loxodonta africana"), line("montreal", "HCFC-22")], {"B", "D"}),
    ],
    ids=["cites", "basel", "montreal", "stockholm", "rotterdam", "timber", "fish", "lmo", "other", "two"],
)
def test_it_opens_the_thread_under_the_topic_of_each_convention(
    cast, django_capture_on_commit_callbacks, lines, topics
):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member, lines=lines)

    thread = thread_of(seizure)
    assert set(thread.topics.values_list("code", flat=True)) == topics
    [notice] = thread.messages.all()
    assert notice.kind == Message.Kind.SEIZURE_NOTICE
    assert seizure.reference in thread.subject and seizure.reference in notice.body


@pytest.mark.parametrize(
    ("marking", "audience", "chosen"),
    [
        (Marking.CLEAR, Audience.NETWORK, {}),
        (Marking.AMBER, Audience.COUNTRIES, {"countries": ["FR", "DE"]}),
        (Marking.AMBER_STRICT, Audience.ORGANISATIONS, {"organisations": "other"}),
        (Marking.RED, Audience.PEOPLE, {"people": "oscar@douane.example"}),
    ],
)
def test_it_gives_the_thread_the_audience_and_marking_of_the_record(
    cast, django_capture_on_commit_callbacks, marking, audience, chosen
):
    if chosen.get("organisations") == "other":
        chosen = {"organisations": [cast.other.pk, cast.secretariat.pk]}
    seizure = shared_through_the_page(
        django_capture_on_commit_callbacks, cast.member, marking=marking, audience=audience, **chosen
    )

    thread = thread_of(seizure)
    assert (thread.marking, thread.audience) == (seizure.marking, seizure.audience) == (marking, audience)
    assert thread.country_codes == seizure.country_codes
    assert set(thread.audience_organisations.all()) == set(seizure.audience_organisations.all())
    assert set(thread.audience_people.all()) == set(seizure.audience_people.all())
    if audience == Audience.PEOPLE:
        assert set(thread.audience_people.all()) == {cast.member, cast.other_focal_point}


def test_it_does_not_let_observers_file(cast):
    client = signed_in(cast.observer)

    assert client.get(NEW_RECORD).status_code == 404
    assert client.post(NEW_RECORD, record_form(share=True)).status_code == 404
    assert Seizure.objects.count() == 0


def test_it_refuses_a_red_record_without_named_people(cast):
    response = post_record(cast.member, marking=Marking.RED, audience=Audience.NETWORK)

    assert response.status_code == 400
    assert response.context["editor"].record.errors["audience"] == [
        "TLP:RED is for named people only: choose “Named people” and name them."
    ]
    assert Seizure.objects.count() == 0


# --- Changing and closing ------------------------------------------------------------------------------------


def test_it_marks_a_changed_shared_record_updated_and_says_so_in_its_thread(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_record(
            cast.member, f"/seizures/{seizure.pk}/edit/", **edit_form(seizure, place="Kilindini harbour")
        )

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert (seizure.status, seizure.place) == (Status.UPDATED, "Kilindini harbour")
    assert statuses(seizure) == [Status.DRAFT, Status.SHARED, Status.UPDATED]
    _notice, update = thread_of(seizure).messages.order_by("pk")
    assert update.kind == Message.Kind.SEIZURE_NOTICE
    assert f"Seizure {seizure.reference} has been updated." in update.body


def test_it_keeps_a_changed_draft_a_draft_without_a_thread(cast):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member)))

    response = post_record(cast.member, f"/seizures/{seizure.pk}/edit/", **edit_form(seizure, place="Malaba"))

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert (seizure.status, seizure.place, seizure.thread) == (Status.DRAFT, "Malaba", None)
    assert Thread.objects.count() == 0


def test_it_makes_the_thread_follow_the_audience_and_marking_of_the_record(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member)
    changed = edit_form(
        seizure, marking=Marking.AMBER, audience=Audience.ORGANISATIONS, organisations=[cast.home.pk, cast.other.pk]
    )

    with django_capture_on_commit_callbacks(execute=True):
        post_record(cast.member, f"/seizures/{seizure.pk}/edit/", **changed)

    thread = thread_of(seizure)
    assert (thread.marking, thread.audience) == (Marking.AMBER, Audience.ORGANISATIONS)
    assert set(thread.audience_organisations.all()) == {cast.home, cast.other}
    assert signed_in(cast.administrator).get(f"/messages/threads/{thread.pk}/").status_code == 404
    assert signed_in(cast.other_focal_point).get(f"/messages/threads/{thread.pk}/").status_code == 200


def test_it_lets_a_colleague_change_a_record_shared_outside_their_organisation(
    cast, django_capture_on_commit_callbacks
):
    # The record is for French Customs only: its thread is not for Fatou, but the record is her organisation's.
    seizure = shared_through_the_page(
        django_capture_on_commit_callbacks,
        cast.member,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.other.pk],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_record(
            cast.focal_point, f"/seizures/{seizure.pk}/edit/", **edit_form(seizure, organisations=[cast.other.pk])
        )

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert seizure.status == Status.UPDATED
    assert statuses(seizure) == [Status.DRAFT, Status.SHARED, Status.UPDATED]
    # She may not write in a discussion she may not read: the record changes, its thread stays as it was.
    assert thread_of(seizure).messages.count() == 1


def test_it_lets_a_colleague_close_a_record_shared_outside_their_organisation(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(
        django_capture_on_commit_callbacks, cast.member, audience=Audience.COUNTRIES, countries=["FR"]
    )

    response = signed_in(cast.focal_point).post(f"/seizures/{seizure.pk}/close/", {"note": "Case settled"})

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert seizure.status == Status.CLOSED


def test_it_lets_only_the_reporting_organisation_change_a_record(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member, place="Mombasa")
    changed = edit_form(seizure, place="Changed by someone else")

    for outsider in (cast.other_focal_point, cast.administrator, cast.observer):
        client = signed_in(outsider)
        assert client.get(f"/seizures/{seizure.pk}/edit/").status_code == 404, outsider
        assert client.post(f"/seizures/{seizure.pk}/edit/", record_form(**changed)).status_code == 404, outsider
        assert client.post(f"/seizures/{seizure.pk}/close/").status_code == 404, outsider
        assert client.get(f"/seizures/{seizure.pk}/grants/").status_code == 404, outsider
    seizure.refresh_from_db()
    assert (seizure.place, seizure.status) == ("Mombasa", Status.SHARED)
    assert signed_in(cast.focal_point).get(f"/seizures/{seizure.pk}/edit/").status_code == 200


def test_it_closes_a_record_and_allows_no_change_after(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member, place="Mombasa")
    client = signed_in(cast.member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/seizures/{seizure.pk}/close/", {"note": "Goods destroyed"})

    assert response.status_code == 302
    seizure.refresh_from_db()
    assert seizure.status == Status.CLOSED
    assert statuses(seizure) == [Status.DRAFT, Status.SHARED, Status.CLOSED]
    assert seizure.history.order_by("pk").reverse()[0].note == "Goods destroyed"
    assert f"Seizure {seizure.reference} is closed." in thread_of(seizure).messages.order_by("-pk")[0].body
    assert client.get(f"/seizures/{seizure.pk}/edit/").status_code == 404
    changed = record_form(**edit_form(seizure, place="Changed after closing"))
    assert client.post(f"/seizures/{seizure.pk}/edit/", changed).status_code == 404
    assert client.post(f"/seizures/{seizure.pk}/close/").status_code == 404
    seizure.refresh_from_db()
    assert seizure.place == "Mombasa"
    assert f'href="/seizures/{seizure.pk}/edit/"' not in page_of(client, seizure)


def test_it_does_not_close_a_draft(cast):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member)))

    assert signed_in(cast.member).post(f"/seizures/{seizure.pk}/close/").status_code == 404
    seizure.refresh_from_db()
    assert seizure.status == Status.DRAFT


# --- Grants ------------------------------------------------------------------------------------------------


def test_it_lets_the_owner_choose_who_else_reads_the_persons_involved(cast, django_capture_on_commit_callbacks):
    seizure = file(cast.member, share=True, involved=[person("Grace Granted-Name")])
    client = signed_in(cast.focal_point)
    form = client.get(f"/seizures/{seizure.pk}/grants/")
    assert form.status_code == 200
    offered = {str(organisation) for organisation in form.context["form"].fields["organisations"].queryset}
    assert offered == {str(cast.other), str(cast.secretariat)}  # not the reporting organisation itself
    assert "Grace Granted-Name" not in page_of(signed_in(cast.other_focal_point), seizure)

    response = client.post(f"/seizures/{seizure.pk}/grants/", {"organisations": [cast.other.pk]})

    assert response.status_code == 302
    assert list(NominalGrant.objects.values_list("organisation", "granted_by")) == [
        (cast.other.pk, cast.focal_point.pk)
    ]
    assert "Grace Granted-Name" in page_of(signed_in(cast.other_focal_point), seizure)
    assert "Grace Granted-Name" not in page_of(signed_in(cast.administrator), seizure)


def test_it_refuses_an_organisation_that_does_not_exist_on_the_grants_page(cast):
    seizure = file(cast.member, share=True)

    response = signed_in(cast.member).post(f"/seizures/{seizure.pk}/grants/", {"organisations": [987654]})

    assert response.status_code == 400
    assert "organisations" in response.context["form"].errors
    assert NominalGrant.objects.count() == 0


# --- The audit trail: every write has its entry --------------------------------------------------------------


def entry(action: str) -> Entry:
    [found] = Entry.objects.filter(action=action)
    return found


def test_it_audits_filing(cast):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member, involved=[{"name": "Audit Person"}])))

    filed = entry("seizure.filed")
    # A reference, not a copy: the trail names the record when shown, to those who may read it (audit/labels.py).
    assert (filed.actor, filed.object_type, filed.object_id) == (cast.member, "seizures.seizure", str(seizure.pk))
    assert filed.object_label == ""
    assert filed.subject_organisation == cast.home
    assert filed.changes == {"lines": 1, "involved": 1, "files": 0}


def test_it_audits_sharing(cast, django_capture_on_commit_callbacks):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member)))

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(cast.member).post(f"/seizures/{seizure.pk}/share/")

    shared = entry("seizure.shared")
    seizure.refresh_from_db()
    assert (shared.actor, shared.object_id, shared.changes) == (
        cast.member,
        str(seizure.pk),
        {"thread": seizure.thread_id},
    )


def test_it_audits_a_change_naming_the_facts_that_changed(cast):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member, place="Mombasa")))

    post_record(cast.focal_point, f"/seizures/{seizure.pk}/edit/", **edit_form(seizure, place="Malaba"))

    updated = entry("seizure.updated")
    assert (updated.actor, updated.object_id) == (cast.focal_point, str(seizure.pk))
    assert updated.changes == {"facts": ["place"], "lines": 1, "involved": 0}


def test_it_audits_closing(cast, django_capture_on_commit_callbacks):
    seizure = shared_through_the_page(django_capture_on_commit_callbacks, cast.member)

    signed_in(cast.member).post(f"/seizures/{seizure.pk}/close/")

    closed = entry("seizure.closed")
    assert (closed.actor, closed.object_id) == (cast.member, str(seizure.pk))


def test_it_audits_grants_with_what_was_granted_and_withdrawn(cast):
    seizure = file(cast.member, share=True)
    client = signed_in(cast.member)

    client.post(f"/seizures/{seizure.pk}/grants/", {"organisations": [cast.other.pk]})
    client.post(f"/seizures/{seizure.pk}/grants/", {"organisations": [cast.secretariat.pk]})
    client.post(f"/seizures/{seizure.pk}/grants/", {"organisations": [cast.secretariat.pk]})  # no change

    changes = [found.changes for found in Entry.objects.filter(action="seizure.nominal_grants").order_by("seq")]
    assert changes == [
        {"granted": [cast.other.pk], "withdrawn": []},
        {"granted": [cast.secretariat.pk], "withdrawn": [cast.other.pk]},
    ]


def test_it_audits_each_reading_of_nominal_data(cast):
    seizure = file(cast.member, share=True, involved=[person("Read Person")])
    actions.set_grants(request=None, person=cast.member, seizure=seizure, organisations=[cast.other])

    signed_in(cast.other_focal_point).get(f"/seizures/{seizure.pk}/")
    signed_in(cast.administrator).get(f"/seizures/{seizure.pk}/")  # sees no nominal data: not audited as read

    viewed = entry("seizure.nominal_viewed")
    assert (viewed.actor, viewed.object_id, viewed.subject_organisation) == (
        cast.other_focal_point,
        str(seizure.pk),
        cast.home,
    )


def test_it_audits_reading_the_nominal_data_on_the_edit_page(cast):
    seizure = file(cast.member, share=True, involved=[person("Edit Page Person")])

    response = signed_in(cast.focal_point).get(f"/seizures/{seizure.pk}/edit/")

    assert "Edit Page Person" in response.content.decode()
    viewed = entry("seizure.nominal_viewed")
    assert (viewed.actor, viewed.object_id) == (cast.focal_point, str(seizure.pk))


def test_it_audits_a_followed_search(cast):
    signed_in(cast.member).post(
        "/seizures/following/", {"name": "Ivory", "convention": "cites", "code": "", "country": "KE", "by_email": "on"}
    )

    followed = entry("settings.search_followed")
    assert followed.actor == cast.member
    assert (followed.changes["convention"], followed.changes["country"]) == ("cites", "KE")


def test_it_audits_a_search_no_longer_followed(cast):
    followed = actions.follow_search(
        request=None, person=cast.member, name="Ivory", convention="cites", code="", country="", company="",
        by_email=False,
    )  # fmt: skip

    signed_in(cast.member).post(f"/seizures/following/{followed.pk}/stop/")

    assert entry("settings.search_unfollowed").changes == {"search": followed.pk}


def test_it_audits_a_request_for_contact(cast, django_capture_on_commit_callbacks):
    own = file(cast.member, share=True, containers=["CSQU3054383"])
    file(cast.other_focal_point, share=True, containers=["CSQU3054383"], country="FR")
    link = Link.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(cast.member).post(contact_path(cast.member, own), {"note": ""})

    asked = entry("seizure.contact_asked")
    assert (asked.actor, asked.object_id, asked.changes) == (cast.member, str(own.pk), {"related": link.other(own.pk)})


# --- Photos and documents ---------------------------------------------------------------------------------------


def content_of(response) -> bytes:
    return b"".join(getattr(response, "streaming_content", [response.content]))


def test_it_keeps_photos_and_documents_uploaded_with_the_form(cast, attachments_dir):
    response = post_record(cast.member, files=[png("tusks.png"), text_file("statement.txt", "Forty tusks seen.")])

    seizure = Seizure.objects.get(pk=record_id(response))
    photo, document = seizure.files.order_by("pk")
    assert (photo.name, photo.content_type, photo.has_thumbnail) == ("tusks.png", "image/png", True)
    assert (document.name, document.content_type) == ("statement.txt", "text/plain")
    stored = [path.read_bytes() for path in attachments_dir.rglob("*") if path.is_file()]
    assert len(stored) == 3  # two files and a thumbnail, each encrypted
    assert not any(b"Forty tusks seen." in content for content in stored)
    text = page_of(signed_in(cast.focal_point), seizure)
    assert f'href="/seizures/files/{document.pk}/"' in text and "statement.txt" in text
    assert entry("seizure.filed").changes["files"] == 2


def test_it_refuses_a_file_whose_content_is_not_allowed(cast):
    program = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + bytes(200), content_type="application/pdf")

    response = post_record(cast.member, files=[program])

    assert response.status_code == 400
    assert response.context["editor"].record.errors["attachments"]
    assert (Seizure.objects.count(), SeizureFile.objects.count()) == (0, 0)


def test_it_lets_a_reader_download_a_file_and_audits_it(cast):
    seizure = file(cast.member, share=True, files=[upload(text_file("statement.txt", "Forty tusks seen."))])
    stored = seizure.files.get()

    response = signed_in(cast.other_focal_point).get(f"/seizures/files/{stored.pk}/")

    assert response.status_code == 200
    assert content_of(response) == b"Forty tusks seen."
    assert response["X-Content-Type-Options"] == "nosniff"
    downloaded = entry("seizure.file_downloaded")
    assert (downloaded.actor, downloaded.object_id, downloaded.subject_organisation) == (
        cast.other_focal_point,
        str(stored.pk),
        cast.home,
    )
    assert downloaded.changes == {"seizure": seizure.pk, "part": "file"}


def test_it_lets_a_reader_see_a_photos_thumbnail_and_audits_it(cast):
    seizure = file(cast.member, share=True, files=[upload(png())])
    stored = seizure.files.get()

    response = signed_in(cast.administrator).get(f"/seizures/files/{stored.pk}/thumbnail/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert entry("seizure.file_downloaded").changes == {"seizure": seizure.pk, "part": "thumbnail"}


def _without_csrf_tokens(content: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", content)


def test_it_answers_a_forbidden_file_exactly_like_a_missing_one(cast):
    draft = file(cast.member, files=[upload(png())])
    stored = draft.files.get()
    client = signed_in(cast.other_focal_point)

    for suffix in ("", "thumbnail/"):
        forbidden = client.get(f"/seizures/files/{stored.pk}/{suffix}")
        missing = client.get(f"/seizures/files/{stored.pk + 1000}/{suffix}")
        assert forbidden.status_code == missing.status_code == 404
        assert _without_csrf_tokens(forbidden.content) == _without_csrf_tokens(missing.content)
    assert not Entry.objects.filter(action="seizure.file_downloaded").exists()


def test_it_checks_access_again_on_each_download(cast):
    seizure = file(cast.member, share=True, files=[upload(text_file())])
    stored = seizure.files.get()
    client = signed_in(cast.other_focal_point)
    assert client.get(f"/seizures/files/{stored.pk}/").status_code == 200

    actions.update_seizure(
        request=None,
        person=cast.member,
        seizure=seizure,
        filing=filing(audience=Audience.ORGANISATIONS, organisations=[cast.secretariat]),
    )

    assert client.get(f"/seizures/files/{stored.pk}/").status_code == 404
    assert signed_in(cast.administrator).get(f"/seizures/files/{stored.pk}/").status_code == 200


def test_it_keeps_the_named_people_when_a_colleague_saves_a_change(cast):
    # Fatou fixes a typo in Mohamed's record for named people: she does not join its audience by doing so.
    seizure = file(cast.member, audience=Audience.PEOPLE, people=[cast.administrator], marking=Marking.RED)
    actions.update_seizure(
        request=None,
        person=cast.focal_point,
        seizure=seizure,
        filing=filing(audience=Audience.PEOPLE, people=[cast.administrator], marking=Marking.RED, place="Mombasa"),
    )
    assert set(seizure.audience_people.all()) == {cast.member, cast.administrator}


def test_it_keeps_a_quantity_of_zero_apart_from_an_unknown_one(cast):
    seizure = file(
        cast.member, lines=[line("cites", "Loxodonta africana", quantity=0, unit="KGM"), line("basel", "Y46")]
    )
    known, unknown = seizure.lines.all()
    assert known.quantity == 0 and unknown.quantity is None


def test_it_shows_what_the_reference_tables_say_of_each_code(cast):
    seizure = file(
        cast.member,
        lines=[line("cites", "Manis gigantea"), line("montreal", "HCFC-22"), line("cites", "Loxodonta africana")],
        origin_country="BW",
    )
    page = signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode()
    assert "CITES Appendix I<" in page  # pangolins
    assert "Annex C, group I: Chlorodifluoromethane" in page
    assert "CITES Appendix II<" in page  # the elephants of Botswana are in Appendix II


# --- What the record page shows ------------------------------------------------------------------------------


def test_it_leaves_out_the_facts_a_draft_does_not_give_yet(cast):
    # As the demo's draft at Nairobi: no evaluation, no detection method, but a flight.
    draft = file(cast.member, transport_mode="air_passenger", flight_number="KQ310")
    page = signed_in(cast.member).get(f"/seizures/{draft.pk}/").content.decode()
    header = page[page.index('<p class="thread-facts">') : page.index('<p class="actions">')]
    assert "Evaluation" not in header and "· ·" not in " ".join(header.split())
    assert "How it was detected" not in page
    assert "<dd>Air passenger · flight KQ310" in " ".join(page.split())


def test_it_shows_the_evaluation_and_detection_method_when_given(cast):
    record = file(cast.member, source_reliability="B", information_credibility="2", detection_method="dog")
    page = signed_in(cast.member).get(f"/seizures/{record.pk}/").content.decode()
    assert "· Evaluation B2\n" in page
    assert "<dt>How it was detected</dt><dd>Detector dog</dd>" in page


def test_it_starts_the_mode_of_transport_with_no_separator_when_only_a_detail_is_known(cast):
    record = file(cast.member, transport_mode="", flight_number="KQ310")
    page = signed_in(cast.member).get(f"/seizures/{record.pk}/").content.decode()
    facts = " ".join(page[page.index("<dt>Mode of transport</dt>") : page.index("</dd>", page.index("KQ310"))].split())
    assert facts == "<dt>Mode of transport</dt><dd> flight KQ310"
    bare = file(cast.member, transport_mode="")
    assert "Mode of transport" not in signed_in(cast.member).get(f"/seizures/{bare.pk}/").content.decode()
