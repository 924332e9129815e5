"""Load a whole official release over a shipped reference table: `manage.py import_reference unlocode FILE...`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.actions import record
from reference import importing


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("--as-of %(value)r is not a date like 2024-12-31.") % {"value": text}) from None


class Command(BaseCommand):
    help = (
        "Load the official UNECE UN/LOCODE code list (the CSV files of a release, as published) as the "
        "installation's table of places, in place of the shipped selection. All or nothing: a file that does not "
        "fit the official layout leaves the table as it was and names its line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("table", choices=["unlocode"], help="The table to load: unlocode (UN/LOCODE, UNECE).")
        parser.add_argument("files", nargs="+", help='The release files, e.g. "2024-2 UNLOCODE CodeListPart1.csv".')
        parser.add_argument("--edition", required=True, help="The release as UNECE names it, e.g. 2024-2.")
        parser.add_argument(
            "--as-of", required=True, dest="as_of", help="The date the release is valid as of (ISO, e.g. 2024-12-31)."
        )

    def handle(self, *args, **options) -> None:
        as_of = _iso_date(options["as_of"])
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
