"""Loading the CITES lists as UNEP-WCMC publishes them for the CITES Secretariat, over the shipped selection of taxa.

Two official downloads are read, one or both in one load, recognised by their header rows:

- the Species+ "CITES listings" export (speciesplus.net, Download, CITES listings, CSV), whose columns the
  Species+ application writes as: Id, Kingdom, Phylum, Class, Order, Family, Genus, Species, Subspecies,
  Scientific Name, Author, Rank, Listing, Party, Listed under, Full note, # Full note (then the distribution
  columns). It gives every taxon's appendix and the taxon its listing is made under ("Listed under":
  Python regius is listed under "Pythonidae spp.").
- the CITES Checklist index (checklist.cites.org, Download, Index, CSV): FullName, AuthorYear, RankName,
  CurrentListing, the ranks above (Kingdom ... Genus), SynonymsWithAuthors (or Synonyms), EnglishNames,
  SpanishNames, FrenchNames, among others. It gives the synonyms (Manis javanicus is Manis javanica) and the
  common names in English, French and Spanish. A cell with several values holds them quoted and separated by
  commas ("Sunda Pangolin", "Malayan Pangolin"), as the Checklist writes them.

Rows of both files are joined by name; each column is filled only from a file that has it, and left empty
otherwise (the manifest says which columns are empty). Every row is checked before anything is written; the
first that does not fit stops the loading with its file and line, and the previous table stays in place.
"""

import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from reference import tables
from reference.importing import Loaded, ReleaseError, decode, install_table

SOURCE = "Species+ and the CITES Checklist (UNEP-WCMC for the CITES Secretariat)"
LICENCE = "CITES Checklist and Species+, UNEP-WCMC; terms of use of speciesplus.net"

COLUMNS = tables.LOADED_CITES_COLUMNS
# Columns neither download has a value for: left empty, and said so in the manifest.
NEVER_FILLED = ("split", "annotation", "group")

# The ranks Species+ names; a listing made at one of the higher ones covers the species below ("Pythonidae spp.").
RANKS = frozenset(
    {"KINGDOM", "PHYLUM", "CLASS", "ORDER", "FAMILY", "SUBFAMILY", "GENUS", "SPECIES", "SUBSPECIES", "VARIETY"}
)
RANKS_WITH_SPP = frozenset({"ORDER", "FAMILY", "SUBFAMILY", "GENUS"})  # as the Checklist writes "Python spp."
_LISTING = re.compile(r"(?:I|II|III|NC)(?:/(?:I|II|III|NC))*")

# Each layout: its name, the columns that identify it (compared without case, spaces or punctuation), and where
# each of our columns comes from.
_SPECIES_PLUS = {
    "name": "scientificname",
    "rank": "rank",
    "listing": "listing",
    "listed_under": "listedunder",
    "higher": {"kingdom": "kingdom", "phylum": "phylum", "class": "class", "order": "order", "family": "family"},
}
_CHECKLIST = {
    "name": "fullname",
    "rank": "rankname",
    "listing": "currentlisting",
    "synonyms": ("synonymswithauthors", "synonyms"),
    "names": {"common_name": "englishnames", "common_name_fr": "frenchnames", "common_name_es": "spanishnames"},
    "higher": {"kingdom": "kingdom", "phylum": "phylum", "class": "class", "order": "order", "family": "family"},
}
# Words of an author's name that are written in lower case ("de Wit"), where a synonym's name ends.
_AUTHOR_PARTICLES = frozenset({"de", "der", "den", "van", "von", "da", "du", "di", "la", "le", "ex", "et", "in"})
_RANK_MARKERS = frozenset({"ssp.", "subsp.", "var.", "f.", "spp."})


def read_cites(paths: Sequence[Path | str]) -> tuple[list[dict[str, str]], set[str]]:
    """The taxa of the official files, joined by name, and the columns some file gave values to.

    ReleaseError names the first file and line that do not fit one of the two official layouts."""
    taxa: dict[str, dict[str, str]] = {}
    filled: set[str] = set()
    for path in map(Path, paths):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ReleaseError(
                _("%(file)s: cannot be read (%(error)s).") % {"file": path.name, "error": error}
            ) from None
        reader = csv.reader(io.StringIO(decode(raw), newline=""))
        try:
            header = next(reader, [])
            layout, positions = _layout_of(header, path.name)
            found = 0
            for cells in reader:
                row = _taxon(cells, positions, layout, path.name, reader.line_num)
                if row is None:
                    continue
                found += 1
                filled |= {column for column, value in row.items() if value}
                kept = taxa.setdefault(tables.taxon_key(row["taxon"]), {})
                for column, value in row.items():
                    if value and not kept.get(column):
                        kept[column] = value
        except csv.Error as error:
            raise ReleaseError(
                _("%(file)s, line %(line)s: not CSV as Species+ and the Checklist write it (%(error)s).")
                % {"file": path.name, "line": reader.line_num, "error": error}
            ) from None
        if not found:
            raise ReleaseError(_("No taxon in %(file)s: nothing was loaded.") % {"file": path.name})
    return list(taxa.values()), filled


def install_cites(paths: Sequence[Path | str], *, edition: str, as_of: date) -> Loaded:
    """Read the official files and make them the installation's table of CITES taxa, all or nothing."""
    edition = edition.strip()
    if not edition:
        raise ReleaseError(_("Give the edition of the lists, for example the date they were downloaded."))
    taxa, filled = read_cites(paths)
    source = f"{SOURCE}, {edition}"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    for row in sorted(taxa, key=lambda row: row["taxon"]):
        writer.writerow({**row, "source": source, "as_of": as_of.isoformat()})
    path = install_table(
        "cites",
        buffer.getvalue(),
        edition=edition,
        check_key="taxon",
        described={
            "title": "CITES-listed species",
            "version": edition,
            "source": SOURCE,
            "as_of": as_of.isoformat(),
            "licence": LICENCE,
            "files": [Path(path).name for path in paths],
            "empty_columns": [column for column in COLUMNS[:-2] if column not in filled],
        },
    )
    return Loaded(places=len(taxa), left_out=0, path=path)


def _plain(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _layout_of(header: list[str], file: str) -> tuple[dict, dict[str, int]]:
    positions = {_plain(cell): number for number, cell in reversed(list(enumerate(header)))}
    for layout in (_SPECIES_PLUS, _CHECKLIST):
        if all(layout[key] in positions for key in ("name", "rank", "listing")):
            return layout, positions
    raise ReleaseError(
        _(
            "%(file)s: the first row is not the header of the Species+ CITES listings export (Scientific Name, Rank, "
            "Listing, Listed under...) nor of the CITES Checklist index (FullName, RankName, CurrentListing...)."
        )
        % {"file": file}
    )


def _taxon(cells: list[str], positions: dict[str, int], layout: dict, file: str, line: int) -> dict[str, str] | None:
    def cell(column: str) -> str:
        number = positions.get(column)
        return cells[number].strip() if number is not None and number < len(cells) else ""

    if not any(value.strip() for value in cells):
        return None
    where = {"file": file, "line": line}
    name, rank, listing = cell(layout["name"]), cell(layout["rank"]).upper(), cell(layout["listing"])
    if not name:
        raise ReleaseError(_("%(file)s, line %(line)s: a row without a scientific name.") % where)
    if rank not in RANKS:
        raise ReleaseError(
            _("%(file)s, line %(line)s: %(value)r is not a rank Species+ uses (SPECIES, GENUS, FAMILY...).")
            % {**where, "value": rank}
        )
    if listing and not _LISTING.fullmatch(listing):
        raise ReleaseError(
            _("%(file)s, line %(line)s: listing %(value)r is not written as the Appendices are (I, II, III, I/II, NC).")
            % {**where, "value": listing}
        )
    taxon = f"{name} spp." if rank in RANKS_WITH_SPP and not name.endswith("spp.") else name
    row = {
        "taxon": taxon,
        "rank": rank.lower(),
        # "NC": not in the Appendices (a species excluded from its family's listing); kept, with no appendix.
        "appendix": "/".join(part for part in listing.split("/") if part != "NC"),
        "genus": cell("genus") or (name.split()[0] if rank in {"SPECIES", "SUBSPECIES", "VARIETY", "GENUS"} else ""),
        **{ours: cell(theirs) for ours, theirs in layout["higher"].items()},
    }
    if "listed_under" in layout:
        row["listed_under"] = cell(layout["listed_under"])
    for column in layout.get("synonyms", ()):
        if column in positions:
            row["synonyms"] = "|".join(filter(None, (_synonym_name(value) for value in _values(cell(column)))))
            break
    for ours, theirs in layout.get("names", {}).items():
        row[ours] = ", ".join(_values(cell(theirs)))
    return row


def _values(text: str) -> list[str]:
    """The values of a cell that holds several ('"Sunda Pangolin", "Malayan Pangolin"'), as the Checklist writes."""
    if not text:
        return []
    return [value.strip() for value in next(csv.reader([text], skipinitialspace=True)) if value.strip()]


def _synonym_name(text: str) -> str:
    """The name of a synonym without its author ("Manis javanicus Desmarest, 1822" -> "Manis javanicus")."""
    words = text.split()
    if not words:
        return ""
    kept = [words[0]]
    for word in words[1:]:
        lowered = word.lower()
        author = word[0].isupper() or not word[0].isalpha() or lowered in _AUTHOR_PARTICLES
        if author and lowered not in _RANK_MARKERS:
            break
        kept.append(word)
    return " ".join(kept)
