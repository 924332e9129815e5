"""Files on messages: what they are, their thumbnails, and their encrypted storage.

The type of a file is decided by reading its content (``filetype`` for the signature, Pillow for
images, the archive's table of contents for office documents), never by its name or by what the
browser said. Only a short list of types is accepted: images, PDF, office documents, plain text.

Every file and thumbnail is an AES-GCM envelope (environet.crypto) under ATTACHMENTS_DIR, named by a
random storage key and bound to it, so a file copied to another name does not open. Thumbnails are
drawn again from the decoded pixels: nothing of the original file (metadata, location, trailing
data) reaches them.
"""

import hashlib
import os
import re
import secrets
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from environet import crypto
from messaging.models import Attachment, Message, StoredFile

THUMBNAIL_SIZE = 320
# Pillow refuses images above twice this many pixels and warns above it; the warning is made an error
# below, so a small file that would decode into gigabytes (a decompression bomb) is refused.
Image.MAX_IMAGE_PIXELS = 50_000_000

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_SIGNATURE_IMAGES = {"image/jpeg", "image/png", "image/apng", "image/gif", "image/webp"}
PDF = "application/pdf"
_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/",
}
_OPENDOCUMENT = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
TEXT, CSV = "text/plain", "text/csv"

# The extensions a downloaded file may keep; any other gets the right one added, so the reader's
# computer opens it with the program for what it really is.
EXTENSIONS = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    PDF: ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    TEXT: ("txt", "log", "md"),
    CSV: ("csv",),
}


_PILLOW_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


class UnreadableImage(Exception):
    """It says it is an image, but Pillow cannot decode it safely (damaged, or a decompression bomb)."""


@dataclass(frozen=True)
class Upload:
    """A file that passed inspection, ready to be stored."""

    name: str
    content: bytes
    content_type: str
    thumbnail: bytes | None = None


# --- What a file is ------------------------------------------------------------------------------------


def human_size(size: int) -> str:
    """1.5 MB, 300 KB, 12 bytes (binary units, as the limit is set in MB of 1,048,576 bytes)."""
    if size >= 1024 * 1024:
        return _("%(number)s MB") % {"number": _number(size / (1024 * 1024))}
    if size >= 1024:
        return _("%(number)s KB") % {"number": _number(size / 1024)}
    return _("%(number)d bytes") % {"number": size}


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def too_large(size: int, *, name: str | None = None) -> str:
    """What is said of a file of ``size`` bytes over MAX_ATTACHMENT_BYTES (``name``: the file's, else "The
    file"). Its size is given only when, as people read sizes, it differs from the limit: a file one byte over
    25 MB would read "is 25 MB; the limit is 25 MB"."""
    shown, limit = human_size(size), human_size(settings.MAX_ATTACHMENT_BYTES)
    values = {"name": name, "size": shown, "limit": limit}
    if shown == limit:
        if name is None:
            return _("The file is larger than the %(limit)s limit.") % values
        return _("%(name)s is larger than the %(limit)s limit.") % values
    if name is None:
        return _("The file is %(size)s, over the %(limit)s limit.") % values
    return _("%(name)s is %(size)s, over the %(limit)s limit.") % values


def clean_name(name: str | None) -> str:
    """The last part of the name the browser sent, without control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 199 - len(extension)] + dot + extension if dot and len(extension) <= 10 else name[:200]
    return name or "attachment"


def download_name(attachment: StoredFile) -> str:
    allowed = EXTENSIONS.get(attachment.content_type, ())
    extension = attachment.name.rpartition(".")[2].lower() if "." in attachment.name else ""
    return attachment.name if extension in allowed or not allowed else f"{attachment.name}.{allowed[0]}"


def inspect(upload: UploadedFile) -> Upload:
    """Read an uploaded file and decide what it is; ValidationError, naming the file, if it is refused."""
    name = clean_name(upload.name)
    limit = settings.MAX_ATTACHMENT_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(too_large(upload.size or 0, name=name))
    content = upload.read()
    if len(content) > limit:  # a handler that did not report the size
        raise ValidationError(too_large(len(content), name=name))
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    try:
        content_type = sniff(content, name=name)
        thumbnail = make_thumbnail(content) if content_type in IMAGE_FORMATS.values() else None
    except UnreadableImage as error:
        raise ValidationError(
            _("%(name)s looks like an image but cannot be read safely (damaged, or too many pixels).") % {"name": name}
        ) from error
    if content_type is None:
        raise ValidationError(
            _(
                "%(name)s is not a kind of file ENVIRONET accepts. Accepted: photos and images (JPEG, PNG, GIF, "
                "WebP), PDF, Word, Excel and PowerPoint documents (DOCX, XLSX, PPTX), OpenDocument text and "
                "spreadsheets (ODT, ODS), and plain text or CSV."
            )
            % {"name": name}
        )
    return Upload(name=name, content=content, content_type=content_type, thumbnail=thumbnail)


def sniff(content: bytes, *, name: str = "") -> str | None:
    """The content type of an accepted kind of file, or None; UnreadableImage for an image Pillow refuses."""
    guess = filetype.guess(content)
    mime = guess.mime if guess else None
    if mime in _SIGNATURE_IMAGES:
        return _image_type(content)
    if mime == PDF:
        return PDF
    if mime in _OOXML or mime in _OPENDOCUMENT:
        return mime if _is_office_document(content, mime) else None
    if _is_text(content):
        # Text is text, whatever a signature check thought of its first bytes ("BM..." is not a bitmap).
        # Whether it is CSV cannot be read from the content; both are served as inert text.
        return CSV if name.lower().endswith(".csv") else TEXT
    return None


def _image_type(content: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content)) as image:
                return IMAGE_FORMATS.get(image.format or "")
    except _PILLOW_ERRORS as error:
        raise UnreadableImage from error


def _is_office_document(content: bytes, mime: str) -> bool:
    """A real archive of that kind, and no macros (a macro-enabled file renamed .docx is refused)."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = archive.namelist()
            if any(part.lower().endswith("vbaproject.bin") for part in names):
                return False
            if mime in _OOXML:
                return "[Content_Types].xml" in names and any(part.startswith(_OOXML[mime]) for part in names)
            return archive.read("mimetype").decode("ascii", "replace").strip() == mime
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, NotImplementedError):
        return False


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def make_thumbnail(content: bytes) -> bytes:
    """At most 320 px, drawn from the decoded pixels into a new image: PNG when transparent, else JPEG."""
    try:
        return _thumbnail(content)
    except _PILLOW_ERRORS as error:
        raise UnreadableImage from error


def _thumbnail(content: bytes) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(BytesIO(content)) as source:
            source.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))  # JPEG decodes at a smaller scale
            image = ImageOps.exif_transpose(source)  # a photo taken sideways stays upright
            image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    # A new image from the pixels alone: no EXIF, GPS position, ICC profile or comments come along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = BytesIO()
    if transparent:
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def thumbnail_type(thumbnail: bytes) -> str:
    return "image/png" if thumbnail.startswith(b"\x89PNG") else "image/jpeg"


# --- Storage ----------------------------------------------------------------------------------------


def _path(storage_key: str, *, thumbnail: bool = False) -> Path:
    return Path(settings.ATTACHMENTS_DIR) / storage_key[:2] / (storage_key + (".thumbnail" if thumbnail else ""))


def _context(storage_key: str, *, thumbnail: bool = False) -> str:
    return f"attachment:{storage_key}" + (":thumbnail" if thumbnail else "")


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all: a reader sees the old file or the new one, never half of either."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextmanager
def removed_on_failure() -> Iterator[list[Path]]:
    """Collect the files written while saving a message; if saving fails (the transaction rolls back),
    remove them, so nothing is left half-saved. Use it outside the transaction, so a failed commit counts."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def write(*, upload: Upload, written: list[Path]) -> dict[str, object]:
    """Encrypt and write the file (and its thumbnail); ``written`` collects the paths. Returns the fields
    of the StoredFile that records it (its owner adds the rest)."""
    key = secrets.token_hex(16)
    for thumbnail, data in ((False, upload.content), (True, upload.thumbnail)):
        if data is None:
            continue
        path = _path(key, thumbnail=thumbnail)
        written.append(path)
        _write(path, crypto.seal(data, context=_context(key, thumbnail=thumbnail)))
    return {
        "name": upload.name,
        "content_type": upload.content_type,
        "size": len(upload.content),
        "sha256": hashlib.sha256(upload.content).hexdigest(),
        "storage_key": key,
        "has_thumbnail": upload.thumbnail is not None,
    }


def write_thumbnail(*, stored: StoredFile, thumbnail: bytes, written: list[Path]) -> None:
    """Add a thumbnail drawn after the file was stored (a PDF's first page, by a library task); ``written``
    collects the path. The caller sets ``has_thumbnail`` in the transaction that records it."""
    path = _path(stored.storage_key, thumbnail=True)
    written.append(path)
    _write(path, crypto.seal(thumbnail, context=_context(stored.storage_key, thumbnail=True)))


def store(*, message: Message, upload: Upload, written: list[Path]) -> Attachment:
    """Write the file encrypted and record it as an attachment of ``message``."""
    return Attachment.objects.create(message=message, **write(upload=upload, written=written))


def content_of(attachment: StoredFile, *, thumbnail: bool = False) -> bytes:
    """The decrypted file (or thumbnail). Access must have been checked by the caller."""
    key = attachment.storage_key
    return crypto.open_sealed(_path(key, thumbnail=thumbnail).read_bytes(), context=_context(key, thumbnail=thumbnail))


def stored_files(attachment: StoredFile) -> dict[str, Path]:
    """The attachment's files on disk: "file", and "thumbnail" for images."""
    files = {"file": _path(attachment.storage_key)}
    if attachment.has_thumbnail:
        files["thumbnail"] = _path(attachment.storage_key, thumbnail=True)
    return files


def rewrap_file(path: Path) -> bool:
    """Put the file's data key under the current master key; False if it already was. The encrypted body
    is not touched, and the file is replaced in one step, so downloads go on meanwhile."""
    envelope = path.read_bytes()
    if not crypto.needs_rewrap(envelope):
        return False
    _write(path, crypto.rewrap(envelope))
    return True
