"""Loading a whole official release over a shipped reference table: for now UN/LOCODE (UNECE).

UNECE publishes the UN/LOCODE code list as CSV files ("2024-2 UNLOCODE CodeListPart1.csv" to Part3), encoded in
ISO 8859-1 (Windows-1252), with no header row and these columns: Ch, Country, Location, Name, NameWoDiacritics,
Subdivision, Function, Status, Date, IATA, Coordinates, Remarks (tables.LOCODE_COLUMNS). A row with no location and
a name starting with "." heads a country (",\"AD\",,\".ANDORRA\",,,,,,,,"). The Ch column marks changes (UN/LOCODE
Manual): "+" added, "#" name changed, "|" entry changed, "!" a US place sharing an IATA code: all kept; "=" a
reference from another name to an entry (no place of its own) and "X" an entry the release removes: left out.

Every row is checked against the official layout before anything is written; the first one that does not fit
stops the loading with its file and line, and the previous table stays in place. The release is written to
tables.loaded_dir() (a new file, then the manifest that names it, each replaced in one step), so a reader sees
either the old table or the new one whole.
"""

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from reference import tables

UNLOCODE_SOURCE = "UN/LOCODE, UNECE"
UNLOCODE_LICENCE = "Codes from UN/LOCODE, UNECE"

# Ch values of the official files: kept, and left out (see the module's docstring).
KEPT_CHANGES = frozenset({"", "+", "#", "|", "!"})
LEFT_OUT_CHANGES = frozenset({"=", "X"})

_PATTERNS = {
    "Country": re.compile(r"[A-Z]{2}"),
    "Location": re.compile(r"[A-Z2-9]{3}"),
    "Function": re.compile(r"[0-7-]{7}[B-]"),
    "Status": re.compile(r"[A-Z]{2}"),
    "Date": re.compile(r"[0-9]{2}(0[1-9]|1[0-2])"),
    "IATA": re.compile(r"[A-Z0-9]{3}"),
    "Coordinates": re.compile(r"[0-9]{4}[NS] [0-9]{5}[EW]"),
}


class ReleaseError(ValueError):
    """A file that is not an official release: the message names the file and line."""


@dataclass(frozen=True)
class Loaded:
    places: int
    left_out: int
    path: Path


def read_unlocode(paths: Sequence[Path | str]) -> tuple[list[dict[str, str]], int]:
    """The places of the official files, in file order, and how many rows were left out ("=" and "X" rows).

    ReleaseError names the first file and line that do not fit the official layout."""
    places: list[dict[str, str]] = []
    left_out = 0
    for path in map(Path, paths):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ReleaseError(
                _("%(file)s: cannot be read (%(error)s).") % {"file": path.name, "error": error}
            ) from None
        reader = csv.reader(io.StringIO(decode(raw), newline=""))
        try:
            for cells in reader:
                row = _row(cells, path.name, reader.line_num)
                if row is None:
                    continue
                if row["Ch"] in LEFT_OUT_CHANGES:
                    left_out += 1
                else:
                    places.append(row)
        except csv.Error as error:
            raise ReleaseError(
                _("%(file)s, line %(line)s: not CSV as UNECE writes it (%(error)s).")
                % {"file": path.name, "line": reader.line_num, "error": error}
            ) from None
    if not places:
        raise ReleaseError(_("No place in %(files)s: nothing was loaded.") % {"files": ", ".join(map(str, paths))})
    return places, left_out


def install_unlocode(paths: Sequence[Path | str], *, edition: str, as_of: date) -> Loaded:
    """Read the official files and make them the installation's UN/LOCODE table, all or nothing."""
    edition = edition.strip()
    if not edition:
        raise ReleaseError(_("Give the edition of the release, as UNECE names it (e.g. 2024-2)."))
    places, left_out = read_unlocode(paths)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(tables.LOCODE_COLUMNS)
    writer.writerows([row[column] for column in tables.LOCODE_COLUMNS] for row in places)
    path = install_table(
        "locodes",
        buffer.getvalue(),
        edition=edition,
        described={
            "title": "Ports, airports and border crossings",
            "version": edition,
            "source": UNLOCODE_SOURCE,
            "as_of": as_of.isoformat(),
            "licence": UNLOCODE_LICENCE,
            "files": [Path(path).name for path in paths],
        },
    )
    return Loaded(places=len(places), left_out=left_out, path=path)


def install_table(table: str, text: str, *, edition: str, described: dict, check_key: str = "") -> Path:
    """Make ``text`` (a CSV file) the installation's table ``table``: written beside the loaded releases, then
    named in their manifest with ``described`` and when it was loaded, the previous file removed, the caches
    cleared. With ``check_key``, the file is first read as tables.load will read it (its key column), and a
    file it would refuse raises ReleaseError before anything is replaced."""
    folder = tables.loaded_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    name = f"{table}-{re.sub(r'[^A-Za-z0-9.-]+', '_', edition)}-{now:%Y%m%dT%H%M%S%f}.csv"
    if check_key:
        checking = folder / f".{name}.check"
        try:
            _write_replacing(checking, text)
            tables.read_csv(checking, check_key)
        except ValueError as error:
            raise ReleaseError(str(error)) from None
        finally:
            checking.unlink(missing_ok=True)
    _write_replacing(folder / name, text)
    manifest = _loaded_manifest(folder)
    previous = manifest.get(table, {}).get("file", "")
    manifest[table] = {"file": name, **described, "loaded_at": now.isoformat(timespec="seconds")}
    _write_replacing(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    if previous and previous != name:
        (folder / previous).unlink(missing_ok=True)
    tables.clear_caches()
    return folder / name


def decode(raw: bytes) -> str:
    # UNECE publishes the lists in ISO 8859-1 (Windows-1252); a file someone saved again as UTF-8 reads too.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _row(cells: list[str], file: str, line: int) -> dict[str, str] | None:
    """One row of an official file as a dict of the official columns; None for a blank line or a country heading."""
    values = [cell.strip() for cell in cells]
    if not any(values):
        return None
    if len(values) != len(tables.LOCODE_COLUMNS):
        raise ReleaseError(
            _("%(file)s, line %(line)s: %(count)s columns, where the official layout has %(expected)s.")
            % {"file": file, "line": line, "count": len(values), "expected": len(tables.LOCODE_COLUMNS)}
        )
    row = dict(zip(tables.LOCODE_COLUMNS, values, strict=True))
    where = {"file": file, "line": line}
    if row["Ch"] not in KEPT_CHANGES | LEFT_OUT_CHANGES:
        raise ReleaseError(
            _("%(file)s, line %(line)s: %(value)r is not a change mark of UN/LOCODE.") % {**where, "value": row["Ch"]}
        )
    _check(row, "Country", where)
    if row["Ch"] == "=":
        return row  # a reference from another name ("Gothenburg = Göteborg"): left out, no place of its own
    if not row["Location"]:
        if row["Name"].startswith("."):
            return None  # a country heading
        raise ReleaseError(_("%(file)s, line %(line)s: a place without a location code.") % where)
    if not row["Name"]:
        raise ReleaseError(_("%(file)s, line %(line)s: a place without a name.") % where)
    for column in ("Location", "Function", "Status", "Date", "IATA", "Coordinates"):
        _check(row, column, where)
    return row


def _check(row: dict[str, str], column: str, where: dict[str, object]) -> None:
    value = row[column]
    if (value or column in ("Country", "Location")) and not _PATTERNS[column].fullmatch(value):
        raise ReleaseError(
            _("%(file)s, line %(line)s: %(column)s %(value)r does not fit the official layout.")
            % {**where, "column": column, "value": value}
        )


def _loaded_manifest(folder: Path) -> dict[str, dict]:
    path = folder / "manifest.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_replacing(path: Path, text: str) -> None:
    """Write the file beside its place, then put it there in one step: a reader sees the old file or the new one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
