"""The library: training material, identification guides, manuals and other publications, shared with an
audience and a marking like threads and seizure records (``messaging.models.Shared``).

An item has editions; each edition has its files (stored encrypted, ``messaging.attachments``) or, for an
item that is a link to an outside resource, none. A new edition keeps the earlier ones readable. Nothing is
purged. Text is extracted from the files of the current edition in a task after upload (library.extraction)
and indexed for search (library.search); the item says how far that has got.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.models import Shared, StoredFile

PERSON = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    TRAINING = "training", _("Training material")
    GUIDE = "guide", _("Identification guide")
    MANUAL = "manual", _("Manual")
    ALERT = "alert", _("Alert")
    LEGAL = "legal", _("Legal text")
    BEST_PRACTICE = "best_practice", _("Best practice")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class Extraction(models.TextChoices):
    """How far finding the text of the current edition's files has got."""

    NONE = "none", _("No files to read")
    WAITING = "waiting", _("Waiting")
    EXTRACTING = "extracting", _("Reading the files")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Item(Shared):
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    summary = models.TextField(_("summary"), max_length=5000)
    topics = models.ManyToManyField("topics.Topic", related_name="library_items", verbose_name=_("topics"))
    # Codes as ",cites,basel," and ",en,fr," so "does it have this one" is one portable LIKE on every database.
    conventions = models.CharField(_("conventions"), max_length=200, blank=True, default="")
    languages = models.CharField(_("languages"), max_length=200, default="")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    publisher = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="library_items")
    authors = models.CharField(_("authors"), max_length=300, blank=True)
    published_on = models.DateField(_("date"))
    licence = models.CharField(_("licence or reuse terms"), max_length=300, blank=True)
    # An item may instead be a link to a resource elsewhere, whose file may not be copied here.
    external_url = models.URLField(_("address of the outside resource"), max_length=500, blank=True)
    external_title = models.CharField(_("title of the outside resource"), max_length=300, blank=True)
    external_checked_on = models.DateField(_("link last checked on"), null=True, blank=True)
    extraction = models.CharField(max_length=12, choices=Extraction.choices, default=Extraction.NONE)
    # A code (library.extraction.FAILURES), shown in the reader's language; never text from a file.
    extraction_failure = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When its publishing organisation last corrected its description or audience without a new edition.
    corrected_at = models.DateTimeField(_("last corrected"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def convention_codes(self) -> list[str]:
        return [code for code in self.conventions.split(",") if code]

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_link(self) -> bool:
        return bool(self.external_url)


class Edition(models.Model):
    """One edition (or version) of an item. The highest number is the current one."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveIntegerField()
    version = models.CharField(_("edition or version"), max_length=100, blank=True)
    changes = models.TextField(_("what changed"), max_length=5000, blank=True)
    published_on = models.DateField(_("date"))
    added_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-number"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["item", "number"], name="one_edition_number")]

    def __str__(self) -> str:
        return f"{self.item}: {self.number}"


class LibraryFile(StoredFile):
    """A file of an edition; for a PDF, its thumbnail is the first page (drawn by the extraction task)."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="files")
    text = models.TextField(blank=True)  # what extraction found, for the search index

    class Meta(StoredFile.Meta):
        pass


class Download(models.Model):
    """Who downloaded which file when: counted for the publishing organisation, and told of new editions."""

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey(LibraryFile, on_delete=models.PROTECT, related_name="downloads")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="downloads")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["item", "person"])]


class ReferenceLink(models.Model):
    """An item is about a reference entry (reference.tables): a CITES taxon at any rank, a Basel code, a
    substance, a POP, a chemical, a timber or fish species. ``code`` is the entry's code as the table spells
    it; ``key`` is the table's comparison form, by which seizure lines find their items."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="references")
    table = models.CharField(max_length=16)
    code = models.CharField(max_length=200)
    key = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar = ["table", "code"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["item", "table", "key"], name="one_link_per_entry")]
        indexes: ClassVar = [models.Index(fields=["table", "key"])]


class Collection(models.Model):
    """A curated, ordered list of items ("Starter kit for new officers"), made by an organisation's members.

    It holds only references: whoever opens it sees the entries whose items they may read (library.access)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_collection_name_per_organisation")
        ]

    def __str__(self) -> str:
        return self.name


class CollectionEntry(models.Model):
    """An item in a collection, at a position (lowest first)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    added_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["collection", "item"], name="one_entry_per_item")]


class Rating(models.Model):
    """How useful a reader found an item, 1 to 5: one per person, changeable."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="ratings")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField(_("usefulness"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["item", "person"], name="one_rating_per_person"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_from_1_to_5"),
        ]


class CommentThread(models.Model):
    """The conversation about an item (messaging), opened by its first comment, for the item's audience."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="comment_thread")
    thread = models.OneToOneField("messaging.Thread", on_delete=models.PROTECT, related_name="+")
