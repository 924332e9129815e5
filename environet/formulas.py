"""Text a spreadsheet program would run as a formula, and the escaping that stops it: one definition for every
export, and for the import that reads the platform's own CSV files back.

A cell starting with one of ``FORMULA_STARTS`` is run by Excel or LibreOffice ("=HYPERLINK(...)", "+cmd|...").
XLSX files keep such text as a string cell (quote-prefixed, as Excel does when one types '). A CSV file has
no cell types, so the export puts an apostrophe before it (``neutralised``) and the import takes exactly that
apostrophe away again (``restored``): "+254 722 000 000" goes out as "'+254 722 000 000" and comes back as it
was. Text that already starts with apostrophes and then such a character gets one more, so ``restored`` undoes
``neutralised`` for every text; any other text starting with an apostrophe ("'t Hooft") is left as it is.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Apostrophes, then the start of a formula: what the CSV export escapes with one more apostrophe.
_ESCAPED = re.compile(r"'*[=+\-@\t\r]")


def neutralised(text: str) -> str:
    """Text for a CSV cell that a spreadsheet program will not run as a formula: a leading apostrophe where
    needed."""
    return "'" + text if _ESCAPED.match(text) else text


def restored(text: str) -> str:
    """A CSV cell as it was before ``neutralised``: one leading apostrophe removed when a formula's start (after
    any further apostrophes) follows it; any other text unchanged."""
    return text[1:] if text.startswith("'") and _ESCAPED.match(text, 1) else text
