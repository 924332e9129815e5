"""Formats that differ from Django's for our languages (settings.FORMAT_MODULE_PATH).

A date field is an ``<input type="date">``, whose value browsers take only as ISO (2026-12-07) whatever the
page's language; Django writes a date into a field in the first of the language's input formats, which for
French and Spanish is 07/12/2026: the browser then showed the field empty, and a form sent back as it was
lost its date. ISO first in every language; the language's own formats are still read.
"""
