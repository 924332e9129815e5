from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from environet.compiled import Kept, attached
from environet.fragments import once_per_page
from reference import tables

register = template.Library()

# A page of the seizure list renders 25 rows, and the template engine (what was seized in words, the country's
# name, the labels) made that a third of the page, for records that rarely change. A row is kept, rendered,
# under everything it is rendered from: the language, the edition of the reference tables its labels come
# from, and every value ``_record_row.html`` shows of the record and its lines. A record changed, a line added,
# an organisation renamed, new tables loaded: the key differs, and the row is rendered anew. About twenty
# pages of rows, a few hundred bytes each.
_ROWS: Kept[SafeString] = Kept(512)


def _row_of(seizure, shown_in: tuple) -> tuple:
    """Every value ``_record_row.html`` shows, and what it is shown in (``_shown_in``)."""
    lines = tuple(
        (line.convention, line.code, line.specimen_type, line.description, line.quantity, line.approximate, line.unit)
        for line in attached(seizure, "lines")
    )
    return (
        *(*shown_in, seizure.pk, seizure.reference, seizure.occurred_on),
        *(seizure.place, seizure.country, str(seizure.organisation), seizure.status, seizure.marking, lines),
    )


def _shown_in() -> tuple:
    """The language and the tables' edition (a look at the file system) a page's rows are shown in."""
    return translation.get_language(), tables.stamp()


@register.simple_tag(takes_context=True)
def listed_row(context: template.Context, seizure) -> SafeString:
    """A row of the seizure list (seizures.search.as_listed reads what it shows)."""
    return _ROWS.statement(
        ("listed record", _row_of(seizure, once_per_page(context, "rows shown in", _shown_in))),
        lambda: render_to_string("seizures/_record_row.html", {"seizure": seizure}),  # escaped by the template
    )


# A record page's facts and commodities are the same for every reader of the record, and were a third of the
# page's rendering. They are kept, rendered, under every column of the record and of its lines (whatever the
# page comes to show of them), what the view works out from them (the country's name, the route, what each
# code is), the language, the time zone and the edition of the reference tables.
_FACTS: Kept[SafeString] = Kept(256)


def _facts_of(seizure, lines: list, country_name: str, route: list) -> tuple:
    """Every value ``_record_facts.html`` shows, and what it is shown in."""

    def columns(row) -> tuple:
        return tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)

    return (
        *(translation.get_language(), timezone.get_current_timezone_name(), tables.stamp(), columns(seizure)),
        tuple((columns(line), None if about is None else str(about)) for line, about in lines),
        *(str(country_name), tuple(str(country) for country in route)),
    )


@register.simple_tag
def record_facts(seizure, lines: list, country_name: str, route: list) -> SafeString:
    """The facts and commodities of a record page (``selectors.record_page`` gives ``lines``, ``country_name``
    and ``route``)."""
    return _FACTS.statement(
        ("record facts", _facts_of(seizure, lines, country_name, route)),
        lambda: render_to_string(
            "seizures/_record_facts.html",
            {"seizure": seizure, "lines": lines, "country_name": country_name, "route": route},
        ),  # escaped by the template
    )


# A record page lists its related records, each with a form to ask the other organisation for contact: ten of
# them were a third of the page's rendering. A row is kept, rendered, under everything it shows (the language,
# whether the reader may open the other record, its reference and organisation, the reasons in words, the
# handle the form sends, whether there is a form); the form's CSRF token, the reader's own, is put in as the
# row is shown.
_RELATED: Kept[SafeString] = Kept(512)
TOKEN_KEPT_OUT = "csrf-token-kept-out"  # stands for the reader's token in a row kept


@register.simple_tag(takes_context=True)
def related_row(context, item, seizure, can_manage: bool) -> SafeString:
    """A related record on ``seizure``'s page (``selectors.RelatedRecord``), with the form to ask for contact
    when the reader may manage the record and the other record is another organisation's."""
    from seizures.forms import ContactForm

    with_form = bool(can_manage) and item.other.organisation_id != seizure.organisation_id
    other = item.other
    key = (translation.get_language(), item.visible, other.pk, other.reference, str(other.organisation))
    row = _RELATED.statement(
        ("related row", *key, tuple(item.reasons), item.handle, with_form),
        lambda: render_to_string(
            "seizures/_related_row.html",
            {"item": item, "with_form": with_form, "contact_form": ContactForm(), "csrf_token": TOKEN_KEPT_OUT},
        ),  # escaped by the template
    )
    if not with_form:
        return row
    # Only the template's own attribute has this text between quotes: a value shown is escaped.
    token = escape(str(context.get("csrf_token", "")))
    return mark_safe(row.replace(f'value="{TOKEN_KEPT_OUT}"', f'value="{token}"'))  # noqa: S308 - escaped


@register.filter
def reasons(bits: int) -> str:
    """The reasons of a link ("same container, same company"), in the active language."""
    from seizures.notify import reasons_text

    return reasons_text(bits)


@register.filter
def country(code: str) -> str:
    """A country's name in the active language (including "not known" and "high seas")."""
    from seizures.forms import country_label

    return country_label(code) if code else ""
