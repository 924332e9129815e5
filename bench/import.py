"""Spreadsheet import: how many rows a second the real import path takes in, against a raw bulk insert of
the same rows. See bench/README.md.

    python bench/import.py --quick      # 2,000 rows
    python bench/import.py              # 20,000 rows
    python bench/import.py --quick --database-url postgres://postgres@127.0.0.1:5432/postgres

Two layouts, each as a CSV file and as an XLSX workbook:
- the template: our own column names, codes, ISO dates; the rows are synthetic and valid (records of two
  commodity lines of every convention, each code from the reference tables, containers and IMO numbers with
  right check digits);
- a national report as officers keep it, not our template: a CITES annual illegal trade report with its title
  rows (the Party, the year) above the header, the report's own column names (some of them read through the
  organisation's remembered mapping), country names instead of codes, day-first dates, "kg" and "pcs", the
  Party and the convention given once on the upload form, a TOTAL row and who prepared it below.
Each file goes through the importer's entry point (seizures.import_jobs.process: open the sealed file, read
it, check every row with the record forms, file every record through seizures.actions in one transaction), in
files of at most 5,000 rows as officers must send them. The baseline writes the same rows with
Seizure.objects.bulk_create and CommodityLine.objects.bulk_create in one transaction, in the same fresh
database. The last line printed is JSON with the figures; the aim (issue 11) is an import at least 0.25x as
many rows a second as the raw insert.
"""

import argparse
import csv
import io
import json
import random
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _setup import Database, child_env, migrate, setup_django

ROOT = Path(__file__).resolve().parent.parent

LINES_PER_RECORD = 2
SPAN_DAYS = 1000  # seizures of the last three years or so
WARMUP_ROWS = 20  # imported once first, so that loading the reference tables is not counted
COUNTRIES = ("KE", "TZ", "UG", "NG", "CM", "VN", "CN", "TH", "MY", "AE", "FR", "BE", "NL", "ZA", "BR")
CONVENTIONS = ("cites", "basel", "montreal", "stockholm", "rotterdam", "timber", "fish")
TRANSPORT = ("sea", "air_cargo", "air_passenger", "road", "postal", "express")
UNITS = ("KGM", "NAR", "LTR")
AIM_VS_RAW = 0.25  # issue 11: an import takes in at least a quarter as many rows a second as a raw bulk insert


def say(text: str) -> None:
    print(f"[import {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- Synthetic rows ---------------------------------------------------------------------------------------


class Rows:
    """Valid spreadsheet rows, drawn from a seeded generator: the same rows every run."""

    def __init__(self, seed: int, today: date) -> None:
        from reference import identifiers, tables

        self.rng = random.Random(seed)
        self.today = today
        self.identifiers = identifiers
        earliest = (today - timedelta(days=SPAN_DAYS)).isoformat()
        self.codes = {name: self._codes(tables, name, earliest) for name in CONVENTIONS}
        self.specimens = [entry.code for entry in tables.table("specimens").entries]

    @staticmethod
    def _codes(tables, name: str, earliest: str) -> list[str]:
        # A Basel code is checked as it was on the date of seizure: only codes in force all along.
        return sorted(
            {
                entry.code
                for entry in tables.table(name).entries
                if not entry.row.get("valid_to") and entry.row.get("valid_from", "") <= earliest
            }
        )

    def make(self, count: int, start: int = 0) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        for index in range(start, start + count):
            number, position = divmod(index, LINES_PER_RECORD)
            rows.append({**(self._record(number) if position == 0 else {"record": str(number)}), **self._line()})
        return rows

    def _record(self, number: int) -> dict[str, str]:
        rng = self.rng
        route = rng.sample(COUNTRIES, 3)
        mode = rng.choice(TRANSPORT)
        row = {
            "record": str(number),
            "date": (self.today - timedelta(days=rng.randrange(1, SPAN_DAYS))).isoformat(),
            "country": route[-1],
            "place": f"Port {rng.randrange(100)}",
            "detection_method": rng.choice(("scanner", "dog", "risk_profile", "Intelligence or tip-off")),
            "transport_mode": mode,
            "origin_country": route[0],
            "transit_countries": route[1],
            "destination_country": route[-1],
            "declared_goods": "Household goods",
            "found_goods": "Goods under treaty control",
            "concealment": "among_goods",
            "summary": "Found behind the declared goods at the second examination.",
            "reason": "not_declared",
            "disposal": "stored",
        }
        if mode == "sea":
            owner = "BNCU"
            serial = f"{number % 1_000_000:06d}"  # one container per record: no link between them
            row["containers"] = owner + serial + str(self.identifiers.check_digit_container(owner + serial))
        return row

    def _line(self) -> dict[str, str]:
        rng = self.rng
        convention = rng.choice(CONVENTIONS)
        line = {
            "convention": convention,
            "code": rng.choice(self.codes[convention]),
            "quantity": str(rng.randrange(1, 5000)),
            "unit": rng.choice(UNITS),
            "value": str(rng.randrange(100, 100_000)),
            "currency": "USD",
        }
        if convention == "cites":
            line["specimen_type"] = rng.choice(self.specimens)
        return line


def as_csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return text.getvalue().encode()


INLINE_STRING = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>'
)
CELL_REFERENCE = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')


def as_excel_saves(content: bytes) -> bytes:
    """The workbook as Excel saves it: its text in a table of shared strings, each cell pointing into it, and
    the sheet's extent (<dimension>) at its top. openpyxl writes each text in its cell ("inline") and no extent,
    which Excel never does: openpyxl then reads the texts several times slower, and reads the whole sheet twice
    (once to find its extent). An officer's workbook is measured, not openpyxl's own."""
    strings: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = INLINE_STRING.sub(shared, parts[sheet])
    from openpyxl.utils import column_index_from_string, get_column_letter

    cells = CELL_REFERENCE.findall(parts[sheet])
    last_column = get_column_letter(max(column_index_from_string(column.decode()) for column, _row in cells))
    extent = b'<dimension ref="A1:%s%d"/>' % (last_column.encode(), max(int(row) for _column, row in cells))
    parts[sheet] = parts[sheet].replace(b"<sheetViews>", extent + b"<sheetViews>", 1)
    items = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % text for text in strings)
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
        % (len(strings), len(strings), items)
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml" Id="rIdShared"/></Relationships>',
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return buffer.getvalue()


def as_xlsx(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(columns)
    for row in rows:
        # Numbers and dates as a workbook holds them when typed into Excel.
        sheet.append([_typed(column, row.get(column, "")) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return as_excel_saves(buffer.getvalue())


def _typed(column: str, text: str) -> Any:
    if not text:
        return None  # a blank cell, which a workbook does not hold at all
    if column == "date":
        return date.fromisoformat(text)
    if column in ("quantity", "value"):
        return int(text)
    return text


# --- A national report, as officers keep it ---------------------------------------------------------------

PARTY = "KE"
# The CITES annual illegal trade report's own column names. Four of them ENVIRONET does not know: the
# organisation mapped them once (REMEMBERED), as the import's mapping step remembers.
REPORT_HEADER = (
    *("Seizure reference", "Date of seizure", "Place of seizure", "Mode of transport", "Detection method"),
    *("Country of origin", "Country of destination", "Nom scientifique (latin)", "Specimen", "Qty seized"),
    *("Unit", "Detecting agency"),
)
REMEMBERED = {"Seizure reference": "record", "Nom scientifique (latin)": "code", "Qty seized": "quantity"}
REMEMBERED_LEFT_OUT = ("Detecting agency",)
REPORT_UNITS = {"kg": "KGM", "pcs": "H87"}
AGENCIES = ("KWS", "Customs", "Police", "KFS")


class ReportRows:
    """Rows of a CITES annual illegal trade report, each also as the codes a raw insert stores: the same rows
    every run. Each record is two rows (two species or specimens of one seizure), its own columns written on
    both, as such reports are filled."""

    def __init__(self, seed: int, today: date) -> None:
        from django.utils import translation

        from accounts import places
        from reference import tables
        from seizures.models import DetectionMethod, TransportMode

        self.rng = random.Random(seed)
        self.today = today
        self.species = [entry.code for entry in tables.table("cites").entries]
        # A specimen type as written in the report: "tusks" for "TUS – tusks".
        self.specimens = [(entry.code, entry.label.split(" – ", 1)[-1]) for entry in tables.table("specimens").entries]
        with translation.override("en"):
            self.countries = {code: places.country_name(code) for code in COUNTRIES}
            self.modes = [(value, str(label)) for value, label in TransportMode.choices if value in TRANSPORT]
            self.methods = [(value, str(label)) for value, label in DetectionMethod.choices if value != "unknown"]

    def make(self, count: int, start: int = 0) -> tuple[list[list[str]], list[dict[str, str]]]:
        """(the report's data rows, the same rows as a raw insert takes them)."""
        cells: list[list[str]] = []
        raw: list[dict[str, str]] = []
        for number in range(start // LINES_PER_RECORD, (start + count) // LINES_PER_RECORD):
            rng = self.rng
            day = self.today - timedelta(days=rng.randrange(1, SPAN_DAYS))
            origin, destination = rng.sample([code for code in COUNTRIES if code != PARTY], 2)
            mode, mode_label = rng.choice(self.modes)
            method, method_label = rng.choice(self.methods)
            place = f"Port {rng.randrange(100)}"
            record = [f"KE-{number:06d}", day.strftime("%d/%m/%Y"), place, mode_label, method_label]
            record += [self.countries[origin], self.countries[destination]]
            for position in range(LINES_PER_RECORD):
                code = rng.choice(self.species)
                specimen, specimen_text = rng.choice(self.specimens)
                quantity, unit = str(rng.randrange(1, 500)), rng.choice(tuple(REPORT_UNITS))
                cells.append([*record, code, specimen_text, quantity, unit, rng.choice(AGENCIES)])
                line = {"convention": "cites", "code": code, "specimen_type": specimen, "quantity": quantity}
                line["unit"] = REPORT_UNITS[unit]
                facts = {
                    **{"record": str(number), "date": day.isoformat(), "country": PARTY, "place": place},
                    **{"transport_mode": mode, "detection_method": method},
                    **{"origin_country": origin, "destination_country": destination},
                }
                raw.append({**(facts if position == 0 else {"record": str(number)}), **line})
        return cells, raw


def report_cells(rows: list[list[str]]) -> list[list[Any]]:
    """The whole sheet: title rows, the header, the rows, a TOTAL row and who prepared it."""
    quantity = REPORT_HEADER.index("Qty seized")
    total = sum(int(row[quantity]) for row in rows)
    return [
        ["CITES ANNUAL ILLEGAL TRADE REPORT"],
        ["Party:", "Kenya"],
        ["Year of report:", str(date.today().year - 1)],
        [],
        list(REPORT_HEADER),
        *rows,
        ["TOTAL", *[""] * (quantity - 1), str(total)],
        ["Prepared by: Wildlife desk"],
    ]


def cells_csv(cells: list[list[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(cells)
    return text.getvalue().encode()


def cells_xlsx(cells: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    quantity = REPORT_HEADER.index("Qty seized")
    for row in cells:
        # Quantities as numbers, as typed into Excel; the dates as the report writes them (day first, text).
        sheet.append(
            [int(cell) if index == quantity and str(cell).isdigit() else cell for index, cell in enumerate(row)]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return as_excel_saves(buffer.getvalue())


def remember_mapping(person) -> None:
    """The organisation's mapping of the report's columns ENVIRONET does not know, as confirmed once."""
    from seizures.import_columns import header_key
    from seizures.models import ColumnMapping

    chosen = {**REMEMBERED, **dict.fromkeys(REMEMBERED_LEFT_OUT, "")}
    for header, column in chosen.items():
        ColumnMapping.objects.create(
            organisation=person.organisation, header=header_key(header), column=column, confirmed_by=person
        )


# --- The measurements -------------------------------------------------------------------------------------


class Fresh:
    """The database as migrated, to start each measurement from: a copy of the SQLite file, or on PostgreSQL a
    database made from the migrated one as a template."""

    def __init__(self, folder: Path, database: Database) -> None:
        self.database = database
        env = child_env(folder, database.url)
        say(f"migrating a fresh {database.kind} database")
        migrate(env)
        self.template = folder / "migrated.sqlite3"
        if database.kind == "sqlite":
            shutil.copyfile(folder / "environet.sqlite3", self.template)
        else:
            database._admin(f'CREATE DATABASE "{database.name}_migrated" TEMPLATE "{database.name}"')
        setup_django(env)

    def reset(self) -> None:
        from django.conf import settings
        from django.db import connection

        connection.close()
        if self.database.kind == "sqlite":
            path = Path(settings.DATABASES["default"]["NAME"])
            for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(self.template, path)
        else:
            name = self.database.name
            self.database._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.database._admin(f'CREATE DATABASE "{name}" TEMPLATE "{name}_migrated"')

    def drop(self) -> None:
        if self.database.kind != "sqlite":
            self.database._admin(f'DROP DATABASE IF EXISTS "{self.database.name}_migrated" WITH (FORCE)')


def officer() -> Any:
    from accounts.models import Organisation, Person

    organisation = Organisation.objects.create(name="Bench Customs", short_name="BC", kind="customs", country="KE")
    return Person.objects.create_user(
        email="officer@bench.example",
        full_name="Bench Officer",
        organisation=organisation,
        state=Person.State.ACTIVE,
        password=None,
    )


def import_file(person, content: bytes, report: dict[str, str] | None = None) -> tuple[float, str, int]:
    """One file through the importer's entry point: (seconds, the state it ended in, records made). ``report``:
    the values given once for the whole file on the upload form (the Party, the convention)."""
    from environet import crypto
    from seizures import import_jobs
    from seizures.models import ImportJob

    options = {"marking": "green", "audience": "network", "organisations": [], "countries": [], "share": False}
    job = ImportJob.objects.create(
        person=person,
        organisation=person.organisation,
        file_name="bench",
        options={**options, "report": report or {}},
    )
    job.sealed = crypto.seal(content, context=f"import:{job.pk}")
    job.save(update_fields=["sealed"])
    started = time.perf_counter()
    import_jobs.process(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.problems:
        say(f"the import was refused: {job.problems[:3]}")
    return seconds, job.state, len(job.created)


def measure_import(person, files: list[bytes], kind: str, report: dict[str, str] | None = None) -> dict[str, Any]:
    from seizures import importer

    seconds, records, states = 0.0, 0, set[str]()
    for number, content in enumerate(files, start=1):
        say(f"{kind}: file {number} of {len(files)} ({len(content):,} bytes)")
        took, state, made = import_file(person, content, report)
        seconds, records, states = seconds + took, records + made, states | {state}
    parsing = 0.0
    for content in files:  # reading alone, apart: how much of the import is spent opening the file
        started = time.perf_counter()
        importer.open_sheet(content)
        parsing += time.perf_counter() - started
    return {
        "seconds": seconds,
        "records": records,
        "states": sorted(states),
        "parse_seconds": parsing,
        "bytes": sum(map(len, files)),
    }


def bulk_insert(person, rows: list[dict[str, str]], run: str) -> float:
    """The same rows written straight to the two tables, in one transaction: (seconds)."""
    from django.db import transaction

    from seizures.models import CommodityLine, Seizure, as_list_field

    started = time.perf_counter()
    with transaction.atomic():
        records: list[Seizure] = []
        lines: list[tuple[int, int, dict[str, str]]] = []
        position = 0
        for row in rows:
            if row.get("date"):  # a record's first row
                records.append(_seizure(person, row, f"{run}-{len(records)}", as_list_field))
                position = 0
            lines.append((len(records) - 1, position, row))
            position += 1
        Seizure.objects.bulk_create(records, batch_size=500)
        CommodityLine.objects.bulk_create(
            [_line(records[index], position, row) for index, position, row in lines], batch_size=500
        )
    return time.perf_counter() - started


def _seizure(person, row: dict[str, str], reference: str, as_list: Callable) -> Any:
    from seizures.models import DetectionMethod, Seizure

    # A stored value as it is; the template's rows sometimes give a label, which the import reads.
    method = row.get("detection_method", "")
    return Seizure(
        reference=reference,
        organisation=person.organisation,
        officer=person,
        occurred_on=date.fromisoformat(row["date"]),
        **{name: row.get(name, "") for name in ("country", "place", "transport_mode", "origin_country")},
        **{name: row.get(name, "") for name in ("destination_country", "declared_goods", "found_goods")},
        **{name: row.get(name, "") for name in ("concealment", "summary", "reason", "disposal")},
        detection_method=method if method in DetectionMethod.values else "scanner",
        containers=as_list([row["containers"]] if row.get("containers") else []),
        transit_countries=as_list([row["transit_countries"]] if row.get("transit_countries") else []),
        marking="green",
    )


def _line(seizure, position: int, row: dict[str, str]) -> Any:
    from seizures.models import CommodityLine

    return CommodityLine(
        seizure=seizure,
        position=position,
        convention=row["convention"],
        code=row["code"],
        specimen_type=row.get("specimen_type", ""),
        quantity=Decimal(row["quantity"]),
        unit=row["unit"],
        value=Decimal(row["value"]) if row.get("value") else None,
        currency=row.get("currency", ""),
    )


# --- The run ----------------------------------------------------------------------------------------------


def files_of(rows: list[Any], make: Callable[[list[Any]], bytes], size: int) -> list[bytes]:
    # A record's rows stay in one file: size is a multiple of LINES_PER_RECORD.
    return [make(rows[start : start + size]) for start in range(0, len(rows), size)]


def fresh(state: Fresh) -> Any:
    """The database as migrated, nothing in it but the officer: each measurement starts from the same state
    (the records a previous one made would make correlating each new record dearer)."""
    from seizures import nominal

    state.reset()
    nominal.forget_index_key()  # the blind-index key of the database just replaced
    return officer()


def run(args: argparse.Namespace, state: Fresh) -> dict[str, Any]:
    from django.utils import timezone

    from seizures import import_columns, spreadsheets

    today = timezone.localdate()
    maker, reports = Rows(args.seed, today), ReportRows(args.seed + 1, today)
    size = spreadsheets.MAX_ROWS - spreadsheets.MAX_ROWS % LINES_PER_RECORD
    say("warming up (reference tables, forms)")
    person = fresh(state)
    import_file(person, as_csv(maker.make(WARMUP_ROWS), import_columns.COLUMNS))
    remember_mapping(person)
    party = {"country": PARTY, "convention": "cites"}
    import_file(person, cells_csv(report_cells(reports.make(WARMUP_ROWS)[0])), party)
    rows = maker.make(args.rows, start=WARMUP_ROWS)
    report_rows, report_raw = reports.make(args.rows, start=WARMUP_ROWS)
    say(f"{len(rows):,} rows, {len(rows) // LINES_PER_RECORD:,} records, in files of at most {size:,} rows")
    template = {
        "csv": files_of(rows, lambda part: as_csv(part, import_columns.COLUMNS), size),
        "xlsx": files_of(rows, lambda part: as_xlsx(part, import_columns.COLUMNS), size),
    }
    report = {
        "csv": files_of(report_rows, lambda part: cells_csv(report_cells(part)), size),
        "xlsx": files_of(report_rows, lambda part: cells_xlsx(report_cells(part)), size),
    }
    measured: dict[str, Any] = {}
    for kind, files in template.items():
        measured[kind] = measure_import(fresh(state), files, kind)
    for kind, files in report.items():
        person = fresh(state)
        remember_mapping(person)
        measured[f"report_{kind}"] = measure_import(person, files, f"report {kind}", party)
    say("baselines: bulk_create of the same rows")
    return {
        "rows": len(rows),
        "files": len(template["csv"]),
        "measured": measured,
        "raw_seconds": bulk_insert(fresh(state), rows, "raw"),
        "report_raw_seconds": bulk_insert(fresh(state), report_raw, "raw"),
    }


def report(result: dict[str, Any], database: str) -> dict[str, Any]:
    rows = result["rows"]
    figures: dict[str, Any] = {
        "bench": "import",
        "rows": rows,
        "records": rows // LINES_PER_RECORD,
        "files_per_format": result["files"],
        "database": database,
        "raw_seconds": result["raw_seconds"],
        "raw_rows_per_s": rows / result["raw_seconds"],
        "report_raw_seconds": result["report_raw_seconds"],
        "report_raw_rows_per_s": rows / result["report_raw_seconds"],
    }
    aims: dict[str, bool] = {}
    for kind, measured in result["measured"].items():
        raw = result["report_raw_seconds"] if kind.startswith("report_") else result["raw_seconds"]
        seconds = measured["seconds"]
        imported = measured["states"] == ["done"] and measured["records"] == rows // LINES_PER_RECORD
        figures[f"{kind}_imported"] = imported
        figures[f"{kind}_bytes"] = measured["bytes"]
        figures[f"{kind}_seconds"] = seconds
        figures[f"{kind}_parse_seconds"] = measured["parse_seconds"]
        # A refused import measures nothing: no rate for it.
        figures[f"{kind}_rows_per_s"] = rows / seconds if imported else None
        # The import's rows/s as a share of the raw insert's (0.1: ten times slower).
        figures[f"{kind}_vs_raw"] = raw / seconds if imported else None
        aims[f"{kind}_at_least_{AIM_VS_RAW}x_raw".replace(".", "_")] = imported and raw / seconds >= AIM_VS_RAW
    figures["aims_met"] = aims
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 rows instead of 20,000")
    parser.add_argument("--rows", type=int, help="rows to import (overrides --quick)")
    parser.add_argument("--seed", type=int, default=20261001, help="seed of the synthetic rows")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is missed")
    args = parser.parse_args()
    args.rows = args.rows if args.rows is not None else (2_000 if args.quick else 20_000)
    if args.rows < LINES_PER_RECORD or args.rows % LINES_PER_RECORD:
        parser.error(f"--rows must be a positive multiple of {LINES_PER_RECORD}")
    database = Database(args.database_url, "import")
    with tempfile.TemporaryDirectory(prefix="environet-import-") as name:
        database.create()
        state = None
        try:
            state = Fresh(Path(name), database)
            result = run(args, state)
            from django.db import connection

            connection.close()
        finally:
            if state is not None:
                state.drop()
            database.drop()
    figures = report(result, database.kind)
    print(json.dumps(figures), flush=True)
    # Figures of an import that did not go through would measure something else: say so by the exit code.
    if not all(figures[f"{kind}_imported"] for kind in result["measured"]):
        return 1
    return 1 if args.strict and not all(figures["aims_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
