"""Seizure records: what was seized, where and how, on which route, and who may read about it.

A record holds two kinds of data, kept apart:
- non-nominal facts (what, where, how much, route, concealment), shared with the record's audience;
- nominal data (the persons and companies involved, their identifiers and addresses), in
  ``NominalEntry``: encrypted at rest, and readable only by the reporting organisation and the
  organisations it grants (``NominalGrant``). Its identifiers are matched across records through keyed
  hashes only (``MatchKey``), so related records are found without nominal data crossing.

Nothing is purged: a record is closed, not deleted, and each change of status is kept with its date.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.models import Shared, StoredFile

PERSON = settings.AUTH_USER_MODEL
if TYPE_CHECKING:
    from accounts.models import Organisation, Person


class Convention(models.TextChoices):
    CITES = "cites", _("CITES: wildlife")
    BASEL = "basel", _("Basel: hazardous waste")
    MONTREAL = "montreal", _("Montreal Protocol: ozone-depleting substances and HFCs")
    STOCKHOLM = "stockholm", _("Stockholm: persistent organic pollutants")
    ROTTERDAM = "rotterdam", _("Rotterdam: hazardous chemicals and pesticides")
    TIMBER = "timber", _("Timber")
    FISH = "fish", _("Fish")
    LMO = "lmo", _("Living modified organisms")
    OTHER = "other", _("Other")


# The topic (A–G) each convention's seizures are discussed under; CITES-listed timber goes to E as well.
CONVENTION_TOPICS: dict[str, str] = {
    Convention.CITES: "B",
    Convention.BASEL: "A",
    Convention.MONTREAL: "D",
    Convention.STOCKHOLM: "A",
    Convention.ROTTERDAM: "A",
    Convention.TIMBER: "E",
    Convention.FISH: "F",
    Convention.LMO: "C",
    Convention.OTHER: "G",
}


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared")
    UPDATED = "updated", _("Updated")
    CLOSED = "closed", _("Closed")


class DetectionMethod(models.TextChoices):
    RISK_PROFILE = "risk_profile", _("Risk profiling or targeting")
    INTELLIGENCE = "intelligence", _("Intelligence or tip-off")
    SCANNER = "scanner", _("X-ray or scanner")
    DOG = "dog", _("Detector dog")
    DOCUMENTS = "documents", _("Document check")
    PHYSICAL = "physical", _("Physical examination")
    RANDOM = "random", _("Random check")
    PATROL = "patrol", _("Patrol or inspection")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class TransportMode(models.TextChoices):
    SEA = "sea", _("Sea (vessel)")
    AIR_CARGO = "air_cargo", _("Air cargo")
    AIR_PASSENGER = "air_passenger", _("Air passenger")
    ROAD = "road", _("Road (vehicle)")
    RAIL = "rail", _("Rail")
    POSTAL = "postal", _("Postal")
    EXPRESS = "express", _("Express courier")
    ON_FOOT = "on_foot", _("On foot")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class Concealment(models.TextChoices):
    NONE = "none", _("Not concealed (undeclared)")
    MISDECLARED = "misdeclared", _("Misdeclared as other goods")
    AMONG_GOODS = "among_goods", _("Hidden among other goods")
    FALSE_COMPARTMENT = "false_compartment", _("False compartment or structure")
    LUGGAGE = "luggage", _("In luggage")
    ON_BODY = "on_body", _("On the body")
    PARCEL = "parcel", _("In a parcel")
    OTHER = "other", _("Other")


class Reason(models.TextChoices):
    """Why the goods were seized (the CITES annual illegal trade report asks for it)."""

    NO_PERMIT = "no_permit", _("No permit or certificate")
    INVALID_PERMIT = "invalid_permit", _("Invalid permit or certificate")
    FALSE_PERMIT = "false_permit", _("False or falsified permit or certificate")
    OVER_PERMIT = "over_permit", _("Quantity exceeds the permit")
    NOT_DECLARED = "not_declared", _("Goods not declared")
    MISDECLARED = "misdeclared", _("Goods misdeclared")
    PROHIBITED = "prohibited", _("Import or export prohibited")
    POSSESSION = "possession", _("Illegal possession or sale in the country")
    OTHER = "other", _("Other")


class Disposal(models.TextChoices):
    """What became of the seized goods."""

    PENDING = "pending", _("Not decided yet")
    RETURNED = "returned", _("Returned to the country of origin or export")
    RELEASED = "released", _("Released to the wild")
    RESCUE_CENTRE = "rescue_centre", _("Placed in a rescue centre, zoo or garden")
    DESTROYED = "destroyed", _("Destroyed")
    STORED = "stored", _("Kept in storage (evidence or stockpile)")
    USED = "used", _("Used for education, science or training")
    TAKEN_BACK = "taken_back", _("Taken back by the State of export (Basel Article 9(2))")
    SOUND_DISPOSAL = "sound_disposal", _("Disposed of in an environmentally sound manner")
    OTHER = "other", _("Other")


class TrafficType(models.TextChoices):
    """Basel Convention, Article 9, paragraph 1: why a movement of waste is illegal traffic."""

    A = "a", _("(a) without notification to all States concerned")
    B = "b", _("(b) without the consent of a State concerned")
    C = "c", _("(c) with consent obtained by falsification, misrepresentation or fraud")
    D = "d", _("(d) not conforming in a material way with the documents")
    E = "e", _("(e) deliberate disposal (e.g. dumping) in contravention of the Convention")


class SourceReliability(models.TextChoices):
    """The 4x4 evaluation, first half: how reliable the source is."""

    A = "A", _("A: reliable")
    B = "B", _("B: mostly reliable")
    C = "C", _("C: not reliable")
    X = "X", _("X: cannot be judged")


class InformationCredibility(models.TextChoices):
    """The 4x4 evaluation, second half: how the information is known."""

    KNOWN_TRUE = "1", _("1: known to be true")
    KNOWN_TO_SOURCE = "2", _("2: known personally to the source")
    CORROBORATED = "3", _("3: not known personally, corroborated")
    CANNOT_JUDGE = "4", _("4: cannot be judged")


def as_list_field(values) -> str:
    """ ",A,B," for a list stored in a text column (see Seizure.containers)."""
    return "," + ",".join(values) + "," if values else ""


class Seizure(Shared):
    """One seizure, as filed by an officer of the reporting organisation. Only its non-nominal facts live
    here; its audience fields (from ``Shared``) say who reads them once it is shared."""

    # Four bytes, not eight: every key, link and line points at a record, and two billion records is plenty.
    id = models.AutoField(primary_key=True)
    reference = models.CharField(_("reference"), max_length=32, unique=True, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="seizures", verbose_name=_("organisation")
    )
    officer = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, related_name="seizures_filed", verbose_name=_("reporting officer")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    occurred_on = models.DateField(_("date of seizure"), db_index=True)
    country = models.CharField(_("country of seizure"), max_length=2)
    place = models.CharField(_("place"), max_length=200, blank=True)
    locode = models.CharField(_("UN/LOCODE"), max_length=5, blank=True)
    detection_method = models.CharField(
        _("detection method"), max_length=16, choices=DetectionMethod.choices, default=DetectionMethod.UNKNOWN
    )

    transport_mode = models.CharField(
        _("mode of transport"), max_length=16, choices=TransportMode.choices, default=TransportMode.UNKNOWN
    )
    vessel_imo = models.CharField(_("vessel IMO number"), max_length=7, blank=True)
    vessel_name = models.CharField(_("vessel name"), max_length=100, blank=True)
    flight_number = models.CharField(_("flight number"), max_length=8, blank=True)
    vehicle = models.CharField(_("vehicle registration"), max_length=20, blank=True)
    tracking_number = models.CharField(_("postal or courier tracking number"), max_length=40, blank=True)
    # Lists as ",MSCU1234566,TGHU7654321," so "does it hold this one" is one portable LIKE on every database.
    containers = models.CharField(_("container numbers"), max_length=600, blank=True, default="")
    air_waybill = models.CharField(_("air waybill"), max_length=12, blank=True)

    origin_country = models.CharField(_("country of origin"), max_length=2, blank=True)
    export_country = models.CharField(_("country of export"), max_length=2, blank=True)
    transit_countries = models.CharField(_("transit countries, in order"), max_length=200, blank=True, default="")
    destination_country = models.CharField(_("country of destination"), max_length=2, blank=True)

    declared_goods = models.TextField(_("goods declared"), blank=True)
    found_goods = models.TextField(_("goods found"), blank=True)
    concealment = models.CharField(_("concealment method"), max_length=20, choices=Concealment.choices, blank=True)
    concealment_details = models.TextField(_("how they were concealed"), blank=True)
    summary = models.TextField(_("what happened"), blank=True)

    # What followed: the treaty reports ask for it.
    reason = models.CharField(_("reason for seizure"), max_length=16, choices=Reason.choices, blank=True)
    legal_basis = models.CharField(_("law under which charges were brought"), max_length=300, blank=True)
    sanction = models.CharField(_("sanction or outcome"), max_length=300, blank=True)
    disposal = models.CharField(_("what became of the goods"), max_length=16, choices=Disposal.choices, blank=True)
    traffic_types = models.CharField(_("type of illegal traffic (Basel)"), max_length=20, blank=True, default="")

    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=SourceReliability.choices, default=SourceReliability.A
    )
    information_credibility = models.CharField(
        _("information"),
        max_length=1,
        choices=InformationCredibility.choices,
        default=InformationCredibility.KNOWN_TRUE,
    )

    thread = models.OneToOneField(
        "messaging.Thread", null=True, blank=True, on_delete=models.PROTECT, related_name="seizure"
    )

    class Meta:
        ordering: ClassVar = ["-occurred_on", "-pk"]
        verbose_name = _("seizure")
        verbose_name_plural = _("seizures")
        indexes: ClassVar = [
            models.Index(fields=["organisation", "status"]),
            # The list walks the records newest first and counts them, asking the access rule of each: from
            # this index alone, not from the records' rows of forty columns (SQLite, 2,000 records: the count
            # 0.45 ms → 0.25 ms).
            models.Index(
                fields=["occurred_on", "id", "organisation", "status", "audience", "officer", "audience_countries"],
                name="seizure_listed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def thread_subject(self) -> str:
        """The subject of the record's thread in the active language ("Seizure KE-2026-0001 (Kenya): 0301")."""
        return render_to_string("seizures/thread_subject.txt", {"seizure": self}).strip()[:200]

    @property
    def container_numbers(self) -> list[str]:
        return [number for number in self.containers.split(",") if number]

    @property
    def transits(self) -> list[str]:
        return [code for code in self.transit_countries.split(",") if code]

    @property
    def route(self) -> list[str]:
        """The countries of the route in order (origin, export, transit..., destination), without repeats."""
        steps = [self.origin_country, self.export_country, *self.transits, self.destination_country]
        route: list[str] = []
        for code in steps:
            if code and code not in route:
                route.append(code)
        return route

    @property
    def evaluation(self) -> str:
        return f"{self.source_reliability}{self.information_credibility}"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class StatusChange(models.Model):
    """The dated history of a record's status."""

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=8, choices=Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]


class CommodityLine(models.Model):
    """One commodity of a seizure, with its convention and the matching codes (see reference.tables)."""

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    convention = models.CharField(_("convention"), max_length=12, choices=Convention.choices)
    # The taxon, Basel code, substance, POP, chemical, timber or fish species, LMO, or a description.
    code = models.CharField(_("species, code or substance"), max_length=200)
    specimen_type = models.CharField(_("specimen type"), max_length=3, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    cas_number = models.CharField(_("CAS number"), max_length=12, blank=True)
    vessel_imo = models.CharField(_("fishing vessel IMO number"), max_length=7, blank=True)
    vessel_name = models.CharField(_("fishing vessel name"), max_length=100, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=6, blank=True)
    hs_edition = models.CharField(max_length=8, default="HS2022")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, null=True, blank=True)
    # The quantity is an estimate ("approx. 300"): shown as "about 300 kg", exported and imported back as such.
    approximate = models.BooleanField(_("approximate"), default=False, db_default=False)
    unit = models.CharField(_("unit"), max_length=3, blank=True)
    value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    # The version of the reference table the code was checked against when it was entered.
    reference_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        indexes: ClassVar = [models.Index(fields=["convention", "code"])]


class NominalEntry(models.Model):
    """A person or company involved in a seizure. Everything that names them is in ``sealed``: an AES-GCM
    envelope of a JSON object (see seizures/nominal.py), bound to this row. Only the kind and role are
    in the clear."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Role(models.TextChoices):
        SUSPECT = "suspect", _("Suspect")
        OWNER = "owner", _("Owner of the goods")
        EXPORTER = "exporter", _("Exporter or consignor")
        IMPORTER = "importer", _("Importer or consignee")
        CARRIER = "carrier", _("Carrier")
        AGENT = "agent", _("Broker or agent")
        OTHER = "other", _("Other")

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="nominal_entries")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("person or company"), max_length=8, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SUSPECT)
    # Random, so the envelope is bound to this entry even before the row has an id.
    seal_id = models.CharField(max_length=32, unique=True, editable=False)
    sealed = models.BinaryField(editable=False)

    class Meta:
        ordering: ClassVar = ["position", "pk"]
        verbose_name = _("person or company involved")
        verbose_name_plural = _("persons and companies involved")


class NominalGrant(models.Model):
    """The reporting organisation lets another organisation read a record's nominal data."""

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="grants")
    organisation: "models.ForeignKey[Organisation]" = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    granted_by: "models.ForeignKey[Person]" = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["seizure", "organisation"], name="one_grant_per_organisation")
        ]


class SeizureFile(StoredFile):
    """A photo or document of a seizure, stored encrypted like message attachments."""

    seizure = models.ForeignKey(Seizure, on_delete=models.PROTECT, related_name="files")
    added_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")

    class Meta(StoredFile.Meta):
        pass


class MatchKey(models.Model):
    """One value of a record that related records may share, as a keyed hash (see seizures/correlation.py).

    For nominal values the hash is all there is; ``label`` holds only non-nominal values (a container
    number, a species and route) so the record page can say which one is shared."""

    class Kind(models.IntegerChoices):
        COMPANY = 1, _("same company")
        PERSON = 2, _("same person")
        IDENTIFIER = 3, _("same identity or registration number")
        ADDRESS = 4, _("same address")
        CONTAINER = 5, _("same container")
        VESSEL = 6, _("same vessel")
        FLIGHT = 7, _("same flight")
        AIR_WAYBILL = 8, _("same air waybill")
        COMMODITY_ROUTE = 9, _("same species or substance on an overlapping route")

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="match_keys")
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    digest = models.BinaryField(max_length=16)
    occurred_on = models.DateField()
    nominal_entry = models.ForeignKey(NominalEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=120, blank=True)
    # Held by more than SEIZURE_COMMON_LIMIT other records when the record was last saved: it links nothing.
    is_common = models.BooleanField(default=False)

    class Meta:
        # Holders of a value by its hash, and of a windowed value by hash and date, on one index.
        indexes: ClassVar = [models.Index(fields=["digest", "occurred_on"], name="seizures_matchkey_held")]


class ValueCount(models.Model):
    """How many records hold each value without a time window (by digest): a value held by too many stops
    linking."""

    digest = models.BinaryField(max_length=16, unique=True)
    count = models.PositiveIntegerField(default=0)


class Link(models.Model):
    """Two related records, stored once (``low`` has the smaller id), with why they are related as a set
    of MatchKey kinds (bit ``1 << kind``). Kept small, the pair itself as its key: a busy network holds many
    more links than records."""

    pk = models.CompositePrimaryKey("low", "high")
    # The pair's key starts with ``low``: no index of its own.
    low = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="+", db_index=False)
    high = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="+")
    reasons = models.PositiveSmallIntegerField(default=0)
    # Its two owners have been told of it (seizures.notify): within one organisation as soon as it is found,
    # across organisations once both records are shared. Each link is announced once, to both at once.
    announced = models.BooleanField(default=False, db_default=False)

    def kinds(self) -> list[MatchKey.Kind]:
        return [kind for kind in MatchKey.Kind if self.reasons & (1 << kind.value)]

    def other(self, seizure_id: int) -> int:
        """The id of the record related to ``seizure_id`` by this link."""
        return self.high_id if self.low_id == seizure_id else self.low_id


class FollowedSearch(models.Model):
    """Criteria a person follows: they are told of each new shared record that matches and that they may
    read. A company is followed by its keyed hash; its name is kept encrypted for its owner to read."""

    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="followed_searches")
    name = models.CharField(_("name"), max_length=100)
    convention = models.CharField(_("convention"), max_length=12, choices=Convention.choices, blank=True)
    code = models.CharField(_("species, code or substance"), max_length=200, blank=True)
    country = models.CharField(_("country on the route"), max_length=2, blank=True)
    company_digest = models.BinaryField(max_length=16, null=True, blank=True)
    company_sealed = models.BinaryField(null=True, blank=True, editable=False)
    by_email = models.BooleanField(_("also by email"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name", "pk"]


class WithheldMatch(models.Model):
    """A followed search on a company matched a shared record whose nominal data its follower may not read.

    The follower is told nothing (it would tell them whom the record names); the record's officer is told
    that someone in the follower's organisation follows a company it names, and decides: grant that
    organisation the nominal data (the follower is then told as any follower), or offer to get in touch.
    Who follows, and what they follow, is never shown to the officer."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the officer")
        TOLD = "told", _("The follower was told")
        CONTACTED = "contacted", _("Contact offered")

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="+")
    # A search no longer followed takes its withheld matches with it: there is nothing left to decide.
    followed = models.ForeignKey(FollowedSearch, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    thread = models.ForeignKey("messaging.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["seizure", "followed"], name="seizures_withheld_once_per_search")
        ]


STALLED_AFTER = timedelta(hours=2)


class ImportJob(models.Model):
    """A spreadsheet being imported in the task queue: its rows, its progress, and its report."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving the records")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Not imported: some rows have problems")
        CHOOSING = "choosing", _("Checked: some rows have problems, the others may be imported")
        MAPPING = "mapping", _("Waiting for you to say what some columns hold")
        FAILED = "failed", _("Not imported: an error stopped it")
        EXPIRED = "expired", _("Expired: not finished in time, nothing was imported")

    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    # The uploaded file, encrypted, until the import is over.
    sealed = models.BinaryField(null=True, editable=False)
    options = models.JSONField(default=dict)  # the audience and marking the records get
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "date", "message": "...", "words": {...}}]: "words" is the message as parts
    # (seizures/problem_words.py), said in the reader's language when shown; "message" its text when checked
    # (what rows stored before the parts show).
    problems = models.JSONField(default=list)
    created = models.JSONField(default=list)  # ids of the records made
    # Records whose rows all pass, when others do not: the officer chooses to import them or nothing.
    passing = models.PositiveIntegerField(default=0)
    # The rows of refused records with a "problem" column, encrypted (XLSX), for the importer to fix and resend.
    refused_rows = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # When it last stopped to wait for its officer (CHOOSING or MAPPING): it expires IMPORT_WAIT_DAYS later.
    waiting_since = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    @property
    def percent(self) -> int:
        return round(100 * self.checked_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_over(self) -> bool:
        return self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED, self.State.EXPIRED)

    @property
    def is_waiting_for_officer(self) -> bool:
        return self.state in WAITING_FOR_OFFICER

    @property
    def is_running(self) -> bool:
        """In the task queue (not over, and not waiting for the officer's choice or mapping)."""
        return not self.is_over and not self.is_waiting_for_officer

    @property
    def expires_at(self) -> datetime | None:
        """When a job waiting for its officer expires (None for any other job)."""
        if not self.is_waiting_for_officer:
            return None
        return (self.waiting_since or self.created_at) + timedelta(days=settings.IMPORT_WAIT_DAYS)

    @property
    def is_stalled(self) -> bool:
        """Still running two hours after it was sent (the largest import takes minutes): the task queue's worker
        stopped, or is not running. Nothing was saved (records are saved in one transaction, at the end)."""
        return self.is_running and timezone.now() - self.created_at > STALLED_AFTER


# The states in which a job holds its file until its officer answers on the job's page; it expires unanswered.
WAITING_FOR_OFFICER = (ImportJob.State.CHOOSING, ImportJob.State.MAPPING)


class ColumnMapping(models.Model):
    """A column header an organisation's import confirmed once, and the column it stands for ("" when the
    officer left it out): the next file from anyone of that organisation with that header is read the same way
    without asking. Only that organisation's imports use it (seizures.access.column_mappings_of)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    header = models.CharField(max_length=200)  # as compared: seizures.import_columns.header_key
    column = models.CharField(max_length=40, blank=True)  # an import column; "": left out
    confirmed_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "header"], name="one_mapping_per_header"),
        ]


class IndexKey(models.Model):
    """The key of the blind index (seizures/nominal.py): random, made once, sealed under the master key."""

    sealed = models.BinaryField(editable=False)
