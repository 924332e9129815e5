"""Attachments (issue 3): type from the content, size limit, safe thumbnails, encryption at rest, access
re-checked and audited on every download, nothing half-saved, and key rotation without downtime."""

import hashlib
import io
import os
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from PIL import Image

from accounts import totp
from audit.models import Entry
from conftest import signed_in
from environet import crypto
from messaging import actions, attachments
from messaging.models import Attachment, Audience, Message, Thread
from topics.models import Topic

NEW_THREAD = "/messages/new/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def stored_paths(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def png(size=(640, 480), color=(200, 30, 30), text: dict[str, str] | None = None, mode="RGB") -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_exif(size=(1200, 900)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x0131] = "ConcealmentCam 2.0"  # Software
    exif[0x0112] = 6  # Orientation: taken sideways
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"SecretComment")
    return out.getvalue()


def office(kind: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if kind == "odt":
            archive.writestr(
                zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
            )
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "<Relationships/>")
            archive.writestr("word/document.xml", "<w:document/>")
            if macros:
                archive.writestr("word/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def zipped(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def thread_form(**extra) -> dict:
    return {
        "subject": "Ivory in timber",
        "topics": [Topic.objects.get(code="B").pk],
        "kind": Message.Kind.INFORMATION,
        "marking": "green",
        "audience": Audience.NETWORK,
        "body": "Photos of the concealment attached.",
        **extra,
    }


def post_thread(person, *files: SimpleUploadedFile, **fields):
    return signed_in(person).post(NEW_THREAD, thread_form(attachments=list(files), **fields))


def posted(person, *files: SimpleUploadedFile, **fields) -> Thread:
    response = post_thread(person, *files, **fields)
    assert response.status_code == 302, response.context["form"].errors
    return Thread.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def only_attachment(thread: Thread) -> Attachment:
    [attachment] = Attachment.objects.filter(message__thread=thread)
    return attachment


def download(person, attachment: Attachment, *, thumbnail: bool = False):
    suffix = "thumbnail/" if thumbnail else ""
    return signed_in(person).get(f"/messages/attachments/{attachment.pk}/{suffix}")


# --- Upload and download ----------------------------------------------------------------------------------


def test_it_stores_a_file_and_gives_it_back(cast):
    thread = posted(cast.member, upload("report.pdf", PDF_BYTES, "application/pdf"))

    attachment = only_attachment(thread)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "report.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert not attachment.has_thumbnail
    response = download(cast.other_focal_point, attachment)
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_it_takes_files_with_a_reply_too(cast):
    thread = posted(cast.member)
    response = signed_in(cast.focal_point).post(
        f"/messages/threads/{thread.pk}/reply/",
        {
            "kind": "information",
            "body": "The manifest.",
            "attachments": [upload("manifest.csv", b"box,weight\n1,20\n")],
        },
    )

    assert response.status_code == 302
    attachment = only_attachment(thread)
    assert (attachment.message.author, attachment.content_type) == (cast.focal_point, "text/csv")
    text = download(cast.member, attachment)
    assert (text.content, text["Content-Type"]) == (b"box,weight\n1,20\n", "text/csv; charset=utf-8")


def test_it_shows_the_files_under_the_message(cast):
    thread = posted(cast.member, upload("scan.png", png()), upload("report.pdf", PDF_BYTES))
    image, document = Attachment.objects.filter(message__thread=thread).order_by("pk")

    content = signed_in(cast.focal_point).get(f"/messages/threads/{thread.pk}/").content.decode()

    assert f'href="/messages/attachments/{document.pk}/"' in content
    assert "report.pdf" in content
    assert f'src="/messages/attachments/{image.pk}/thumbnail/"' in content
    assert f'src="/messages/attachments/{document.pk}/thumbnail/"' not in content
    assert 'enctype="multipart/form-data"' in content  # the reply form


# --- What a file is: decided from its content ---------------------------------------------------------------


def test_it_decides_the_type_from_the_content_not_the_name(cast):
    thread = posted(cast.member, upload("report.pdf", png(), "application/pdf"))

    attachment = only_attachment(thread)
    assert attachment.content_type == "image/png"
    assert attachment.has_thumbnail
    response = download(cast.focal_point, attachment)
    assert response["Content-Type"] == "image/png"
    # Saved under a name that opens it as what it is.
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf.png"'


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.jpg", jpeg_with_exif(), "image/jpeg"),
        ("anim.gif", b"", "image/gif"),
        ("pic.webp", b"", "image/webp"),
        ("notes.docx", office("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("notes.odt", office("odt"), "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Ivoire déclaré comme bois\n".encode(), "text/plain"),
        ("BMW.txt", b"BMW parts declared, ivory found\n", "text/plain"),  # "BM" is also a bitmap signature
    ],
)
def test_it_accepts_the_listed_kinds(cast, name, content, expected):
    if not content:
        out = io.BytesIO()
        Image.new("RGB", (40, 30), (1, 2, 3)).save(out, format=expected.split("/")[1].upper())
        content = out.getvalue()

    thread = posted(cast.member, upload(name, content))

    assert only_attachment(thread).content_type == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200),
        ("data.bin", bytes(range(256)) * 8),
        ("photo.jpg", random.Random(7).randbytes(4096)),
        ("archive.zip", zipped({"ivory.txt": "forty tusks"})),
        ("notes.docx", office("docx", macros=True)),  # macros inside
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ],
)
def test_it_refuses_other_kinds_naming_the_file_and_keeping_the_draft(cast, attachments_dir, name, content):
    response = post_thread(cast.member, upload(name, content), subject="Draft subject kept", body="Draft body kept")

    assert response.status_code == 400
    text = response.content.decode()
    assert name in text
    assert "Draft subject kept" in text
    assert "Draft body kept" in text
    assert not Thread.objects.exists()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_paths(attachments_dir) == []


def test_it_says_why_a_file_is_refused(cast):
    response = post_thread(cast.member, upload("tool.exe", b"MZ" + b"\x00" * 300))

    [problem] = response.context["form"].errors["attachments"]
    assert problem.startswith("tool.exe is not a kind of file ENVIRONET accepts.")


def test_it_refuses_a_decompression_bomb(cast):
    # A few hundred bytes that claim 100,000 × 100,000 pixels.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )

    response = post_thread(cast.member, upload("bomb.png", bomb))

    assert response.status_code == 400
    [problem] = response.context["form"].errors["attachments"]
    assert problem.startswith("bomb.png looks like an image but cannot be read safely")
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_over_the_limit_and_keeps_the_draft(cast, settings, attachments_dir):
    settings.MAX_ATTACHMENT_BYTES = 1024 * 1024
    big = b"ivory " * (1024 * 1024 // 4)  # 1.5 MB of text

    response = post_thread(
        cast.member, upload("big.txt", big), upload("small.pdf", PDF_BYTES), subject="Kept subject", body="Kept body"
    )

    assert response.status_code == 400
    assert response.context["form"].errors["attachments"] == ["big.txt is 1.5 MB, over the 1 MB limit."]
    form = response.context["form"]
    assert (form["subject"].value(), form["body"].value(), form["audience"].value()) == (
        "Kept subject",
        "Kept body",
        Audience.NETWORK,
    )
    assert not Thread.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_paths(attachments_dir) == []


def test_it_says_the_size_as_people_read_it():
    assert attachments.human_size(int(31.2 * 1024 * 1024)) == "31.2 MB"
    assert attachments.human_size(25 * 1024 * 1024) == "25 MB"
    assert attachments.human_size(2048) == "2 KB"
    assert attachments.human_size(12) == "12 bytes"


def test_it_keeps_only_the_limit_of_an_oversize_upload(settings):
    from environet.uploads import BoundedSealedUploadHandler

    settings.MAX_ATTACHMENT_BYTES = 10
    handler = BoundedSealedUploadHandler()
    handler.new_file("attachments", "big.txt", "text/plain", 30)
    for start in (0, 8, 16, 24):
        handler.receive_data_chunk(b"x" * 8, start)
    received = handler.file_complete(32)

    assert received.size == 32
    assert received.read() == b""  # nothing kept: it will be refused with its real size


def test_it_cleans_the_file_name():
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.clean_name("C:\\Users\\ana\\photo.jpg") == "photo.jpg"
    assert attachments.clean_name("evil\u202egpj.exe") == "evilgpj.exe"
    assert attachments.clean_name("") == "attachment"
    long = attachments.clean_name("a" * 300 + ".pdf")
    assert len(long) == 200
    assert long.endswith(".pdf")


# --- Thumbnails ---------------------------------------------------------------------------------------


def test_it_makes_a_small_thumbnail_without_the_metadata(cast):
    original = jpeg_with_exif(size=(1200, 900))
    thread = posted(cast.member, upload("concealment.jpg", original))
    attachment = only_attachment(thread)

    response = download(cast.focal_point, attachment, thumbnail=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    thumbnail = Image.open(io.BytesIO(response.content))
    # At most 320 px, and turned upright as the orientation said (taken sideways: 900 wide, 1200 high).
    assert thumbnail.size == (240, 320)
    assert not thumbnail.getexif()
    assert "exif" not in thumbnail.info
    assert "comment" not in thumbnail.info
    for secret in (b"SecretCameraMaker", b"ConcealmentCam", b"SecretComment"):
        assert secret in original
        assert secret not in response.content
    # The original itself is given back untouched.
    assert download(cast.focal_point, attachment).content == original


def test_it_keeps_transparency_as_png_and_drops_text_chunks(cast):
    original = png(size=(800, 800), color=(0, 0, 0, 0), mode="RGBA", text={"Comment": "GPS 4.04S 39.66E"})
    attachment = only_attachment(posted(cast.member, upload("seal.png", original)))

    response = download(cast.focal_point, attachment, thumbnail=True)

    assert response["Content-Type"] == "image/png"
    thumbnail = Image.open(io.BytesIO(response.content))
    assert (thumbnail.size, thumbnail.mode) == ((320, 320), "RGBA")
    assert b"GPS 4.04S" not in response.content
    assert not getattr(thumbnail, "text", {})


def test_documents_have_no_thumbnail(cast):
    attachment = only_attachment(posted(cast.member, upload("report.pdf", PDF_BYTES)))

    assert download(cast.focal_point, attachment, thumbnail=True).status_code == 404


# --- Access and audit -----------------------------------------------------------------------------------


def test_an_outsider_gets_404_as_for_a_missing_file(cast):
    thread = posted(
        cast.member, upload("scan.png", png()), audience=Audience.ORGANISATIONS, organisations=[cast.home.pk]
    )
    attachment = only_attachment(thread)

    assert download(cast.focal_point, attachment).status_code == 200
    for person in (cast.other_focal_point, cast.administrator):
        assert download(person, attachment).status_code == 404
        assert download(person, attachment, thumbnail=True).status_code == 404
    missing = signed_in(cast.other_focal_point).get(f"/messages/attachments/{attachment.pk + 1000}/")
    assert missing.status_code == 404
    assert not Entry.objects.filter(action="attachment.downloaded", actor=cast.other_focal_point).exists()


def test_anonymous_and_suspended_people_get_nothing(cast):
    attachment = only_attachment(posted(cast.member, upload("report.pdf", PDF_BYTES)))
    url = f"/messages/attachments/{attachment.pk}/"

    anonymous = signed_in(None).get(url)
    assert anonymous.status_code == 302
    assert PDF_BYTES not in anonymous.content
    assert signed_in(cast.suspended).get(url).status_code == 302


def test_files_of_retracted_and_hidden_messages_are_not_given(cast):
    retracted = only_attachment(posted(cast.member, upload("a.pdf", PDF_BYTES)))
    hidden = only_attachment(posted(cast.member, upload("b.pdf", PDF_BYTES)))
    actions.retract(request=None, person=cast.member, message=retracted.message)
    actions.hide(request=None, moderator=cast.administrator, message=hidden.message, reason="Personal data")

    for attachment in (retracted, hidden):
        assert download(cast.focal_point, attachment).status_code == 404
        assert download(cast.member, attachment).status_code == 404
    content = signed_in(cast.focal_point).get(f"/messages/threads/{hidden.message.thread_id}/").content.decode()
    assert "b.pdf" not in content


def test_every_download_is_audited(cast):
    attachment = only_attachment(posted(cast.member, upload("scan.png", png())))

    download(cast.focal_point, attachment)
    download(cast.focal_point, attachment, thumbnail=True)

    added = Entry.objects.get(action="attachment.added")
    assert (added.actor, added.object_id) == (cast.member, str(attachment.pk))
    assert added.changes["content_type"] == "image/png"
    downloads = list(Entry.objects.filter(action="attachment.downloaded").order_by("seq"))
    assert [(entry.actor, entry.object_type, entry.object_id) for entry in downloads] == [
        (cast.focal_point, "messaging.attachment", str(attachment.pk))
    ] * 2
    assert [entry.changes["part"] for entry in downloads] == ["file", "thumbnail"]


# --- Nothing half-saved ----------------------------------------------------------------------------------


def test_a_failure_after_the_files_were_written_leaves_nothing(cast, attachments_dir, monkeypatch):
    from messaging import search

    def fail(message):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(search, "index", fail)

    with pytest.raises(RuntimeError):
        post_thread(cast.member, upload("scan.png", png()), upload("report.pdf", PDF_BYTES))

    assert not Thread.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_paths(attachments_dir) == []


# --- Encryption at rest --------------------------------------------------------------------------------------


# Committed for real (so it is in the database files), and left as the other transactional tests expect it.
@pytest.mark.django_db(transaction=True)
def test_the_content_of_a_file_is_never_stored_in_the_clear(cast, attachments_dir):
    marker = "MARKER-7d1c-concealed-in-the-attachment"
    body_marker = "BODYMARKER-5e2a-in-the-message"
    thread = posted(
        cast.member,
        upload("notes.txt", f"Consignee: {marker}\n".encode()),
        upload("scan.png", png(text={"Comment": marker})),
        body=body_marker,
    )
    assert Attachment.objects.filter(message__thread=thread).count() == 2

    files = stored_paths(attachments_dir)
    assert len(files) == 3  # two files and a thumbnail
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(crypto.MAGIC)
        assert marker.encode() not in raw
        assert marker.encode("utf-16-le") not in raw
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        raw = b"".join(
            part.read_bytes()
            for part in (database, Path(f"{database}-wal"), Path(f"{database}-journal"))
            if part.exists()
        )
        assert body_marker.encode() in raw  # the check can see what was written: message text is there
        assert marker.encode() not in raw
    # And the person in the audience still gets the text back.
    notes = Attachment.objects.get(message__thread=thread, name="notes.txt")
    assert marker.encode() in download(cast.focal_point, notes).content


def test_a_file_moved_to_another_name_does_not_open(cast, attachments_dir):
    first = only_attachment(posted(cast.member, upload("a.txt", b"first file\n")))
    second = only_attachment(posted(cast.member, upload("b.txt", b"second file\n")))
    first_path, second_path = (attachments.stored_files(item)["file"] for item in (first, second))
    second_path.write_bytes(first_path.read_bytes())

    with pytest.raises(crypto.DecryptionError):
        attachments.content_of(second)


# --- Key rotation --------------------------------------------------------------------------------------------


def test_rotate_keys_rewraps_everything_and_files_stay_readable(cast, settings, capsys):
    old = list(settings.ENCRYPTION_KEYS)
    image = png()
    attachment = only_attachment(posted(cast.member, upload("scan.png", image)))
    thumbnail = attachments.content_of(attachment, thumbnail=True)
    enrolled = list(type(cast.member).objects.filter(totp_secret__isnull=False))
    new = os.urandom(32)

    # Step 1: the new key first, the old one as fallback: everything still opens.
    settings.ENCRYPTION_KEYS = [new, *old]
    assert download(cast.focal_point, attachment).content == image
    with pytest.raises(CommandError, match="not under the current key"):
        call_command("rotate_keys", "--check")

    # Step 2: rewrap.
    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "Attachment files: 1 rewrapped, 0 already under the current key." in out
    assert "Thumbnails: 1 rewrapped, 0 already under the current key." in out
    assert f"Second-factor secrets: {len(enrolled)} rewrapped, 0 already under the current key." in out
    for path in attachments.stored_files(attachment).values():
        assert not crypto.needs_rewrap(path.read_bytes())
    call_command("rotate_keys", "--check")  # nothing left
    assert Entry.objects.filter(action="encryption.rewrapped").exists()

    # Step 3: the old key removed: files, thumbnails and second factors work with the new key alone.
    settings.ENCRYPTION_KEYS = [new]
    assert download(cast.focal_point, attachment).content == image
    assert attachments.content_of(attachment, thumbnail=True) == thumbnail
    for person in enrolled:
        person.refresh_from_db()
        assert totp._secret_of(person) == person_secret(cast, person)
    # Running it again changes nothing.
    call_command("rotate_keys")
    assert "Attachment files: 0 rewrapped, 1 already under the current key." in capsys.readouterr().out

    # And with the old key only, nothing opens any more: the data keys really moved.
    settings.ENCRYPTION_KEYS = old
    with pytest.raises(crypto.DecryptionError):
        attachments.content_of(attachment)


def person_secret(cast, person) -> str:
    by_pk = {someone.pk: someone for someone in cast.by_role.values() if someone is not None}
    return by_pk[person.pk].test_secret


def test_the_old_key_keeps_working_as_a_fallback_before_rotation(cast, settings):
    old = list(settings.ENCRYPTION_KEYS)
    attachment = only_attachment(posted(cast.member, upload("report.pdf", PDF_BYTES)))

    settings.ENCRYPTION_KEYS = [os.urandom(32), *old]
    assert download(cast.focal_point, attachment).content == PDF_BYTES
    later = only_attachment(posted(cast.member, upload("later.pdf", PDF_BYTES)))
    assert not crypto.needs_rewrap(attachments.stored_files(later)["file"].read_bytes())
    assert crypto.needs_rewrap(attachments.stored_files(attachment)["file"].read_bytes())


def test_a_file_just_over_the_limit_is_not_said_to_be_at_the_limit(settings):
    settings.MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
    just_over = settings.MAX_ATTACHMENT_BYTES + 1

    assert attachments.too_large(just_over, name="big.pdf") == "big.pdf is larger than the 25 MB limit."
    assert attachments.too_large(just_over) == "The file is larger than the 25 MB limit."
    assert attachments.too_large(int(31.2 * 1024 * 1024), name="big.pdf") == "big.pdf is 31.2 MB, over the 25 MB limit."
    with translation.override("fr"):
        assert attachments.too_large(just_over, name="big.pdf") == "big.pdf dépasse la limite de 25\u00a0Mo."
