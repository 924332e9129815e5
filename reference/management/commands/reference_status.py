"""`manage.py reference_status`: each reference table with its source, edition and as-of date, and which are old."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reference import tables


def is_old(table: tables.Table, today: date, days: int) -> bool:
    """Whether the table's as-of date is more than `days` days before today (a table with no date counts as old)."""
    try:
        as_of = date.fromisoformat(table.as_of)
    except ValueError:
        return True
    return as_of < today - timedelta(days=days)


class Command(BaseCommand):
    help = (
        "List the reference tables with their source, edition and as-of date, loaded releases included, and mark "
        "those whose as-of date is older than --days (365 unless given)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=365, help="Mark tables older than this many days (365).")

    def handle(self, *args, **options) -> None:
        days: int = options["days"]
        today = timezone.localdate()
        old = []
        for table in tables.manifest():
            stale = is_old(table, today, days)
            old += [table.name] if stale else []
            origin = (
                _("loaded %(when)s from %(folder)s") % {"when": table.loaded_at, "folder": tables.loaded_dir()}
                if table.loaded
                else _("shipped with ENVIRONET")
            )
            self.stdout.write(
                _("%(mark)s %(name)s: %(title)s, edition %(version)s, as of %(as_of)s (%(origin)s)")
                % {
                    "mark": "!" if stale else " ",
                    "name": table.name,
                    "title": table.display_title,
                    "version": table.version or "?",
                    "as_of": table.as_of or "?",
                    "origin": origin,
                }
            )
            self.stdout.write(f"    {table.source}")
            if table.empty_columns:
                self.stdout.write("    " + _("Left empty: %(columns)s") % {"columns": ", ".join(table.empty_columns)})
        if old:
            self.stdout.write(
                ngettext(
                    "%(count)s table is older than %(days)s days (marked !): %(names)s.",
                    "%(count)s tables are older than %(days)s days (marked !): %(names)s.",
                    len(old),
                )
                % {"count": len(old), "days": days, "names": ", ".join(old)}
            )
        else:
            self.stdout.write(_("No table is older than %(days)s days.") % {"days": days})
