"""Spreadsheet import: how many rows a second the real import path takes in, against a raw bulk insert of
the same rows. See bench/README.md.

    python bench/import.py --quick      # 2,000 rows
    python bench/import.py              # 20,000 rows

The rows are synthetic and valid (every record of two commodity lines, each code from the reference
tables, containers and IMO numbers with right check digits). They go, as a CSV file and as an XLSX
workbook, through the importer's entry point (seizures.import_jobs.process: open the sealed file, read it,
check every row with the record forms, file every record through seizures.actions.file_seizure in one
transaction), in files of at most 5,000 rows as officers must send them. The baseline writes the same rows
with Seizure.objects.bulk_create and CommodityLine.objects.bulk_create in one transaction, in the same
fresh SQLite database. The last line printed is JSON with the figures.
"""

import argparse
import csv
import io
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _setup import child_env, migrate, setup_django

ROOT = Path(__file__).resolve().parent.parent

LINES_PER_RECORD = 2
SPAN_DAYS = 1000  # seizures of the last three years or so
WARMUP_ROWS = 20  # imported once first, so that loading the reference tables is not counted
COUNTRIES = ("KE", "TZ", "UG", "NG", "CM", "VN", "CN", "TH", "MY", "AE", "FR", "BE", "NL", "ZA", "BR")
CONVENTIONS = ("cites", "basel", "montreal", "stockholm", "rotterdam", "timber", "fish")
TRANSPORT = ("sea", "air_cargo", "air_passenger", "road", "postal", "express")
UNITS = ("KGM", "NAR", "LTR")


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
    return buffer.getvalue()


def _typed(column: str, text: str) -> Any:
    if text and column == "date":
        return date.fromisoformat(text)
    if text and column in ("quantity", "value"):
        return int(text)
    return text


# --- The measurements -------------------------------------------------------------------------------------


def prepare(folder: Path) -> Path:
    """Migrate a fresh SQLite database in ``folder`` and set Django up on it; returns a copy of the
    migrated database, to start each measurement from."""
    env = child_env(folder)
    say("migrating a fresh SQLite database")
    migrate(env)
    template = folder / "migrated.sqlite3"
    shutil.copyfile(folder / "environet.sqlite3", template)
    setup_django(env)
    return template


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


def import_file(person, content: bytes) -> tuple[float, str, int]:
    """One file through the importer's entry point: (seconds, the state it ended in, records made)."""
    from environet import crypto
    from seizures import import_jobs
    from seizures.models import ImportJob

    job = ImportJob.objects.create(
        person=person,
        organisation=person.organisation,
        file_name="bench",
        options={"marking": "green", "audience": "network", "organisations": [], "countries": [], "share": False},
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


def measure_import(person, files: list[bytes], kind: str) -> dict[str, Any]:
    from seizures import importer

    seconds, records, states = 0.0, 0, set[str]()
    for number, content in enumerate(files, start=1):
        say(f"{kind}: file {number} of {len(files)} ({len(content):,} bytes)")
        took, state, made = import_file(person, content)
        seconds, records, states = seconds + took, records + made, states | {state}
    parsing = 0.0
    for content in files:  # reading alone, apart: how much of the import is spent opening the file
        started = time.perf_counter()
        importer.open_sheet(content)
        parsing += time.perf_counter() - started
    return {"seconds": seconds, "records": records, "states": sorted(states), "parse_seconds": parsing}


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
    from seizures.models import Seizure

    return Seizure(
        reference=reference,
        organisation=person.organisation,
        officer=person,
        occurred_on=date.fromisoformat(row["date"]),
        **{name: row.get(name, "") for name in ("country", "place", "transport_mode", "origin_country")},
        **{name: row.get(name, "") for name in ("destination_country", "declared_goods", "found_goods")},
        **{name: row.get(name, "") for name in ("concealment", "summary", "reason", "disposal")},
        detection_method="scanner",
        containers=as_list([row["containers"]] if row.get("containers") else []),
        transit_countries=as_list([row["transit_countries"]]),
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
        value=Decimal(row["value"]),
        currency=row["currency"],
    )


# --- The run ----------------------------------------------------------------------------------------------


def files_of(rows: list[dict[str, str]], make: Callable[[list[dict[str, str]]], bytes], size: int) -> list[bytes]:
    # A record's rows stay in one file: size is a multiple of LINES_PER_RECORD.
    return [make(rows[start : start + size]) for start in range(0, len(rows), size)]


def fresh_database(template: Path) -> Any:
    """The database as migrated, nothing in it but the officer: each measurement starts from the same
    state (the records a previous one made would make correlating each new record dearer)."""
    from django.conf import settings
    from django.db import connection

    from seizures import nominal

    connection.close()
    database = Path(settings.DATABASES["default"]["NAME"])
    for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, database)
    nominal.forget_index_key()  # the blind-index key of the database just replaced
    return officer()


def run(args: argparse.Namespace, template: Path) -> dict[str, Any]:
    from django.utils import timezone

    from seizures import import_columns, spreadsheets

    maker = Rows(args.seed, timezone.localdate())
    size = spreadsheets.MAX_ROWS - spreadsheets.MAX_ROWS % LINES_PER_RECORD
    say("warming up (reference tables, forms)")
    import_file(fresh_database(template), as_csv(maker.make(WARMUP_ROWS), import_columns.COLUMNS))
    rows = maker.make(args.rows, start=WARMUP_ROWS)
    say(f"{len(rows):,} rows, {len(rows) // LINES_PER_RECORD:,} records, in files of at most {size:,} rows")
    csv_files = files_of(rows, lambda part: as_csv(part, import_columns.COLUMNS), size)
    xlsx_files = files_of(rows, lambda part: as_xlsx(part, import_columns.COLUMNS), size)
    measured = {
        "csv": measure_import(fresh_database(template), csv_files, "csv"),
        "xlsx": measure_import(fresh_database(template), xlsx_files, "xlsx"),
    }
    say("baseline: bulk_create of the same rows")
    raw = bulk_insert(fresh_database(template), rows, "raw")
    return {
        "rows": len(rows),
        "files": len(csv_files),
        "csv_bytes": sum(map(len, csv_files)),
        "xlsx_bytes": sum(map(len, xlsx_files)),
        "measured": measured,
        "raw_seconds": raw,
    }


def report(result: dict[str, Any]) -> dict[str, Any]:
    rows, raw = result["rows"], result["raw_seconds"]
    figures: dict[str, Any] = {
        "bench": "import",
        "rows": rows,
        "records": rows // LINES_PER_RECORD,
        "files_per_format": result["files"],
        "database": "sqlite",
        "raw_seconds": raw,
        "raw_rows_per_s": rows / raw,
    }
    for kind, measured in result["measured"].items():
        seconds = measured["seconds"]
        imported = measured["states"] == ["done"] and measured["records"] == rows // LINES_PER_RECORD
        figures[f"{kind}_imported"] = imported
        figures[f"{kind}_bytes"] = result[f"{kind}_bytes"]
        figures[f"{kind}_seconds"] = seconds
        figures[f"{kind}_parse_seconds"] = measured["parse_seconds"]
        # A refused import measures nothing: no rate for it.
        figures[f"{kind}_rows_per_s"] = rows / seconds if imported else None
        # The import's rows/s as a share of the raw insert's (0.1: ten times slower).
        figures[f"{kind}_vs_raw"] = raw / seconds if imported else None
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 rows instead of 20,000")
    parser.add_argument("--rows", type=int, help="rows to import (overrides --quick)")
    parser.add_argument("--seed", type=int, default=20261001, help="seed of the synthetic rows")
    args = parser.parse_args()
    args.rows = args.rows if args.rows is not None else (2_000 if args.quick else 20_000)
    if args.rows < LINES_PER_RECORD or args.rows % LINES_PER_RECORD:
        parser.error(f"--rows must be a positive multiple of {LINES_PER_RECORD}")
    with tempfile.TemporaryDirectory(prefix="environet-import-") as name:
        result = run(args, prepare(Path(name)))
        from django.db import connection

        connection.close()
    figures = report(result)
    print(json.dumps(figures), flush=True)
    # Figures of an import that did not go through would measure something else: say so by the exit code.
    return 0 if figures["csv_imported"] and figures["xlsx_imported"] else 1


if __name__ == "__main__":
    sys.exit(main())
