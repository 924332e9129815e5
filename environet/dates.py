"""The years a date typed into ENVIRONET may fall in, and the bounds each form sets from today: one rule for
every app (seizures, the library, assistance, the network's activities, meetings and filters), so that a
mistyped year is refused where it is typed, with the same words, never stored.

A browser's date field takes any year from 1 to 9999, and a slip of the finger (0202, 20277, 9999) gives one.
Such a year is never meant: every list ordered by date put it first or last for good, and it broke what is built
from the date afterwards (a chart's axis ends on the next 1 January, and year 10000 does not exist; "as of" a day
means up to the next day's start, past the last day Python knows).

- ``EARLIEST``: 1950. No record of environmental enforcement we hold is older (the seizure form refused
  earlier dates first): no seizure, no library item, no link checked; an older year is a typing mistake.
- ``LATEST``: 2100. A roadmap plans years ahead, not a century: 2100 is beyond any plan, and far enough from
  the last day Python knows that a year or a day added to it is still a date. A fixed year rather than
  "the start plus N years" so that every date, with or without its partner, is judged the same way.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)


def within(day: date) -> bool:
    """Whether ``day`` falls in the years ENVIRONET takes (1950 to 2100)."""
    return EARLIEST <= day <= LATEST


def too_early(day: date) -> bool:
    """Before ``EARLIEST``: a year mistyped."""
    return day < EARLIEST


def year_problem(day: date | None) -> str | None:
    """What is wrong with the year of ``day`` (None when it is within the years taken, or no date)."""
    if day is None or within(day):
        return None
    return _("%(date)s is outside the years %(first)d to %(last)d: check the year.") % {
        "date": day.isoformat(),
        "first": EARLIEST.year,
        "last": LATEST.year,
    }


def validate_year(day: date | None) -> None:
    """A form field's validator: refuses a date outside the years taken, saying which years they are."""
    problem = year_problem(day)
    if problem:
        raise ValidationError(problem, code="year")


def today() -> date:
    return timezone.localdate()


def years_from_today(years: int) -> date:
    """The same day ``years`` years from today (28 February for a 29 February that year lacks)."""
    now = today()
    try:
        return now.replace(year=now.year + years)
    except ValueError:
        return now.replace(year=now.year + years, day=28)
