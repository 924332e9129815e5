"""The roadmap as of a date, and the repository, as print-ready PDF documents in the network's layout: the
network's name as title, the "status as of" date, then one section per status (in the lifecycle's order)
with one block per activity giving its main fields. Every word is in the reader's language (gettext for
ours, CLDR through babel for dates, amounts, countries and regions).

The text is set in DejaVu Sans, kept with the static files (static/environet/vendor/dejavu/, Bitstream
Vera licence), so that "Côte d’Ivoire", "Dirección General" or "Agence française" print as written: the
PDF core fonts only know Latin-1.
"""

from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from django.conf import settings
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from network import selectors
from network.export import OutputsById, Sections, trained_by_country
from network.models import Network
from network.output_selectors import Outputs
from seizures.templatetags.quantities import money

FONT_DIR = Path(settings.BASE_DIR) / "static" / "environet" / "vendor" / "dejavu"
FONT = "DejaVu"
LABEL_WIDTH = 48  # millimetres
LINE = 5


@cache
def _font_files() -> tuple[Path, Path]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        raise FileNotFoundError(f"the PDF font is missing from {FONT_DIR}")
    return regular, bold


def _locale() -> Locale:
    try:
        return Locale.parse(to_locale(get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def day_shown(day: date | str | None) -> str:
    """A date as the reader writes it ("1 October 2020", "1 octobre 2020"); "" when none."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return format_date(day, format="long", locale=_locale())


class _Document(FPDF):
    def __init__(self, heading: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.heading = heading
        regular, bold = _font_files()
        self.add_font(FONT, "", str(regular))
        self.add_font(FONT, "B", str(bold))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.alias_nb_pages()

    def header(self) -> None:
        if self.page_no() > 1:  # the first page has the title itself
            self.set_font(FONT, "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, self.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3)
            self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": self.str_alias_nb_pages}
        self.cell(0, 5, page, align="C")
        self.set_text_color(0, 0, 0)


def _document(
    network: Network, heading: str, as_of: str, note: str, sections: Sections, outputs: OutputsById | None = None
) -> bytes:
    document = _Document(f"{network.name} – {heading}")
    document.set_title(f"{network.name} – {heading}")
    document.set_author(network.secretariat.name)
    document.set_creator("ENVIRONET")
    document.set_lang(get_language() or "en")
    document.add_page()
    document.set_font(FONT, "B", 16)
    document.multi_cell(0, 8, network.name, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_font(FONT, "B", 12)
    document.multi_cell(0, 7, heading, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_font(FONT, "", 11)
    document.multi_cell(0, 6, as_of, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if note:
        document.set_font(FONT, "", 9)
        document.multi_cell(0, LINE, note, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(4)
    if not sections:
        document.set_font(FONT, "", 11)
        document.multi_cell(0, 6, _("No activity."), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for label, entries in sections:
        _section(document, label, entries, outputs or {})
    return bytes(document.output())


def _section(document: _Document, label: str, entries: list[selectors.Entry], outputs: OutputsById) -> None:
    if document.get_y() > document.h - 50:
        document.add_page()
    document.set_font(FONT, "B", 13)
    document.set_fill_color(225, 233, 240)
    heading = _("%(status)s (%(count)d)") % {"status": label, "count": len(entries)}
    document.multi_cell(0, 8, heading, fill=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(2)
    for entry in entries:
        _block(document, entry, outputs.get(entry.id))


def _output_rows(outputs: Outputs | None) -> list[tuple[str, str]]:
    if not outputs:
        return []
    trained = ""
    if outputs.trained:
        trained = _("%(total)d (%(women)d women, %(men)d men, %(unknown)d not reported): %(countries)s") % {
            "total": outputs.total,
            "women": outputs.women,
            "men": outputs.men,
            "unknown": outputs.not_reported,
            "countries": trained_by_country(outputs),
        }
    return [
        (_("Outputs in the library"), "; ".join(item.title for item in outputs.items)),
        (_("Participants trained"), trained),
        (_("Lessons learned"), outputs.lessons.text if outputs.lessons else ""),
    ]


def _block(document: _Document, entry: selectors.Entry, outputs: Outputs | None = None) -> None:
    if document.get_y() > document.h - 45:
        document.add_page()
    fields, state = entry.fields, entry.state
    document.set_font(FONT, "B", 11)
    document.multi_cell(0, 6, f"{entry.id}. {fields['title']}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    start, end = day_shown(state.get("starts_on")), day_shown(state.get("ends_on"))
    funding = [
        fields["funding_source"],
        money(state.get("amount"), state.get("currency") or ""),
        fields["funding"],
    ]
    rows = [
        (_("Type"), fields["kind"]),
        (_("Lead organisations"), fields["leads"]),
        (_("Partners"), fields["partners"]),
        (_("Target countries"), fields["countries"]),
        (_("Target regions"), fields["regions"]),
        (_("Period"), f"{start or '?'} – {end or '?'}" if start or end else ""),
        (_("Funding"), "; ".join(part for part in funding if part)),
        (_("Status"), fields["status"]),
        (_("Contact person"), fields["contact"]),
        *_output_rows(outputs),
    ]
    for label, value in rows:
        if not value:
            continue
        document.set_font(FONT, "B", 9)
        lines = document.multi_cell(LABEL_WIDTH, LINE, label, align="L", dry_run=True, output="LINES")
        label_height = LINE * (len(lines) if isinstance(lines, list) else 1)
        if document.get_y() + label_height > document.page_break_trigger:
            document.add_page()
        top, page = document.get_y(), document.page
        document.multi_cell(LABEL_WIDTH, LINE, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        document.set_font(FONT, "", 9)
        document.set_xy(document.l_margin + LABEL_WIDTH, top)
        document.multi_cell(0, LINE, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if document.page == page and document.get_y() < top + label_height:
            document.set_y(top + label_height)
    document.ln(1)
    document.set_draw_color(200, 200, 200)
    document.line(document.l_margin, document.get_y(), document.w - document.r_margin, document.get_y())
    document.ln(3)


def roadmap_pdf(network: Network, day: date) -> bytes:
    return _document(
        network,
        _("Roadmap of activities"),
        _("Status as of %(date)s") % {"date": day_shown(day)},
        "",
        selectors.roadmap(network, day),
    )


def repository_pdf(network: Network, sections: Sections, day: date, filters: str, outputs: OutputsById) -> bytes:
    return _document(
        network,
        _("Repository of activities"),
        _("As of %(date)s") % {"date": day_shown(day)},
        filters,
        sections,
        outputs,
    )
