"""Handling markings on files made from seizure records (exports, treaty reports)."""

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from messaging.models import Marking

# From the least to the most restrictive (the order the choices are declared in).
STRICTNESS = tuple(Marking)


def strictest(markings: Iterable[str], *, default: Marking = Marking.GREEN) -> Marking:
    """The most restrictive of the markings; ``default`` when there is none."""
    ranks = [STRICTNESS.index(Marking(marking)) for marking in markings if marking in Marking.values]
    return STRICTNESS[max(ranks)] if ranks else default


def label_workbook(workbook: Workbook, *, title: str, marking: Marking, description: str) -> None:
    """The marking in the workbook's properties, where file managers and mail filters look for it."""
    properties = workbook.properties
    properties.title = title
    properties.subject = properties.keywords = properties.category = marking.label
    properties.description = description
    properties.creator = properties.lastModifiedBy = "ENVIRONET"  # not the person: their name is not the file's
    workbook.custom_doc_props.append(StringProperty(name="TLP", value=marking.label))
