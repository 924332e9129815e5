"""A Party's treaty reports, written from its stored seizure records as Excel workbooks.

- The CITES annual illegal trade report: a header block, one row per CITES commodity line, a sheet of
  narrative questions with notes on how the report was made, and a hidden sheet of the lists the cells offer.
- The Basel Convention report: the form for reporting confirmed cases of illegal traffic (one sheet per case,
  one block per waste), and Table 9 of the national report (cases closed in the reporting year).

Pure: given the records (their organisation and commodity lines loaded), it returns the workbook's bytes and
reads nothing but the reference tables. Which records go in, and who may ask, is decided by the caller
(seizures/views/reports.py).

Every label written into a sheet is in English, whatever the language of the person who generates the report:
the reports are submitted in English. Nominal data (names, identifiers, addresses and nationalities of persons
and companies) never goes in: nothing here reads it, and the cells that would hold it stay empty with a note.
"""

from seizures.reports.basel import TABLE9_HEADER_ROW, basel_report
from seizures.reports.cites import CITES_HEADER_ROW, cites_report
from seizures.reports.common import XLSX, About, strictest_marking

__all__ = [
    "CITES_HEADER_ROW",
    "TABLE9_HEADER_ROW",
    "XLSX",
    "About",
    "basel_report",
    "cites_report",
    "strictest_marking",
]
