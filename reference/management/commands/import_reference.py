"""Load a whole official release over a shipped reference table: `manage.py import_reference unlocode FILE...`
(UN/LOCODE, UNECE) or `manage.py import_reference cites FILE...` (Species+ and the CITES Checklist, UNEP-WCMC)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.actions import record
from reference import cites_import, importing


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("--as-of %(value)r is not a date like 2024-12-31.") % {"value": text}) from None


class Command(BaseCommand):
    help = (
        "Load an official release as the installation's table, in place of the shipped selection: unlocode, the "
        "UNECE UN/LOCODE code list (the CSV files of a release, as published); cites, the Species+ CITES listings "
        "export and/or the CITES Checklist index (CSV, as downloaded). All or nothing: a file that does not fit "
        "the official layout leaves the table as it was and names its line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table",
            choices=["unlocode", "cites"],
            help="The table to load: unlocode (UN/LOCODE, UNECE) or cites (Species+ and the CITES Checklist).",
        )
        parser.add_argument(
            "files",
            nargs="+",
            help='The release files, e.g. "2024-2 UNLOCODE CodeListPart1.csv", or "cites_listings.csv" and the '
            "Checklist's index.",
        )
        parser.add_argument(
            "--edition",
            required=True,
            help="The release as its publisher names it, e.g. 2024-2 for UN/LOCODE; for CITES, the download date.",
        )
        parser.add_argument(
            "--as-of", required=True, dest="as_of", help="The date the release is valid as of (ISO, e.g. 2024-12-31)."
        )

    def handle(self, *args, **options) -> None:
        as_of = _iso_date(options["as_of"])
        if options["table"] == "cites":
            self._cites(options, as_of)
            return
        try:
            loaded = importing.install_unlocode(options["files"], edition=options["edition"], as_of=as_of)
        except importing.ReleaseError as error:
            raise CommandError(_("%(error)s The table of places was not changed.") % {"error": error.args[0]}) from None
        record(
            "reference.imported",
            label="UN/LOCODE",
            changes={
                "table": "locodes",
                "edition": options["edition"].strip(),
                "as_of": as_of.isoformat(),
                "places": loaded.places,
            },
        )
        self.stdout.write(
            _(
                "Loaded %(places)s UN/LOCODE places (edition %(edition)s, as of %(as_of)s; references and "
                "removals left out: %(left_out)s) into %(path)s. They replace the previous table from the next "
                "look-up."
            )
            % {
                "places": loaded.places,
                "edition": options["edition"].strip(),
                "as_of": as_of.isoformat(),
                "left_out": loaded.left_out,
                "path": loaded.path,
            }
        )

    def _cites(self, options: dict, as_of: date) -> None:
        try:
            loaded = cites_import.install_cites(options["files"], edition=options["edition"], as_of=as_of)
        except importing.ReleaseError as error:
            raise CommandError(_("%(error)s The table of taxa was not changed.") % {"error": error.args[0]}) from None
        edition = options["edition"].strip()
        record(
            "reference.imported",
            label="CITES",
            changes={"table": "cites", "edition": edition, "as_of": as_of.isoformat(), "taxa": loaded.places},
        )
        self.stdout.write(
            _(
                "Loaded %(taxa)s CITES taxa (edition %(edition)s, as of %(as_of)s) into %(path)s. They replace the "
                "previous table from the next look-up."
            )
            % {"taxa": loaded.places, "edition": edition, "as_of": as_of.isoformat(), "path": loaded.path}
        )
