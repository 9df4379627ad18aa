"""The activity report's outputs: bars for the page and the PDF, the PDF, the XLSX and the CSV.

All of them read one `ActivityReport`: the page, the PDF and the spreadsheets cannot disagree.
None of them holds a patient's name, file number or free text (the report object holds none).
"""

import csv
import io
import threading
from collections import OrderedDict

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from budget.charts import Bars, horizontal_bars
from pass_unit.reports.indicators import ActivityReport, Breakdown, is_calendar_year

PDF_TEMPLATE = "pass_unit/reports/pdf.html"
TABLES_TEMPLATE = "pass_unit/reports/_tables.html"
BARS_WIDTH, LABEL_W, VALUE_W = 560, 250, 90


def breakdown_bars(breakdown: Breakdown) -> Bars:
    """One horizontal bar per line of the breakdown (period N), drawn as the budget's category bars."""
    return horizontal_bars(
        [(row.label, row.value, row.value_display) for row in breakdown.rows],
        width=BARS_WIDTH,
        label_width=LABEL_W,
        value_width=VALUE_W,
    )


# One bar: its full label and amount as a tooltip, the label (shortened), the bar, the amount.
BAR_SVG = (
    '<g><title>{} : {}</title><text x="{}" y="{}" text-anchor="end" font-size="13" fill="#212529">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#0d6efd"/>'
    '<text x="{}" y="{}" font-size="12" fill="#495057">{}</text></g>'
)
LABEL_CHARS = 34


def bars_svg(bars: Bars, *, code: str, title: str) -> SafeString:
    """The bars as inline SVG, drawn once per chart (the page and the PDF insert it as it is: a
    template loop costs a dozen lookups per bar, ~1,500 for the report). Labels and amounts are
    escaped; coordinates are the geometry's dotted strings. Nothing when every line is zero."""
    if not bars.bars:
        return SafeString("")
    groups = format_html_join(
        "",
        BAR_SVG,
        (
            (
                bar.label,
                bar.amount,
                bars.label_x,
                bar.text_y,
                Truncator(bar.label).chars(LABEL_CHARS),
                bars.label_width,
                bar.y,
                bar.width,
                bars.bar_height,
                bar.amount_x,
                bar.text_y,
                bar.amount,
            )
            for bar in bars.bars
        ),
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="bars-{}" class="report-chart" '
        'data-testid="chart-{}"><title id="bars-{}">{}</title>{}</svg>',
        bars.width,
        bars.height,
        code,
        code,
        code,
        title,
        groups,
    )


def charts(report: ActivityReport) -> dict[str, SafeString]:
    """Each breakdown's chart (SVG), by breakdown code."""
    return {b.code: bars_svg(breakdown_bars(b), code=b.code, title=b.title) for b in report.breakdowns}


# --- The page's tables ---------------------------------------------------------------------------

# Drawn tables by (figures digest, period, lost-days threshold, language): what they are drawn from.
_drawn: OrderedDict = OrderedDict()
_drawn_lock = threading.Lock()
DRAWN_KEPT = 16  # periods × languages kept per process (~100 kB each)


def _draw_tables(report: ActivityReport) -> SafeString:
    ctx = {
        "report": report,
        "charts": charts(report),
        "period": period_label(report),
        "previous": previous_label(report),
    }
    return SafeString(render_to_string(TABLES_TEMPLATE, ctx))


def tables_html(report: ActivityReport, *, digest: str | None) -> SafeString:
    """The report's tables and charts as HTML (the body of the page).

    They depend on the figures alone (with the period, the threshold and the language of the
    labels): for stored figures, named by their `digest`, each process draws them once (~15 ms for
    a year's 160 lines and 19 charts) and inserts them as they are afterwards. A new computation
    is a new digest, hence drawn again; the page's state (current, stale) is read every time."""
    if digest is None:
        return _draw_tables(report)
    key = (digest, report.start, report.end, report.lost_days, translation.get_language())
    with _drawn_lock:
        html = _drawn.get(key)
        if html is not None:
            _drawn.move_to_end(key)
            return html
    html = _draw_tables(report)
    with _drawn_lock:
        _drawn[key] = html
        while len(_drawn) > DRAWN_KEPT:
            _drawn.popitem(last=False)
    return html


def period_label(report: ActivityReport) -> str:
    return period_label_of(report.start, report.end)


def period_label_of(start, end) -> str:
    if is_calendar_year(start, end):
        return str(start.year)
    return _("%(start)s to %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}


def previous_label(report: ActivityReport) -> str:
    if report.is_calendar_year:
        return str(report.previous_start.year)
    return _("%(start)s to %(end)s") % {
        "start": f"{report.previous_start:%d/%m/%Y}",
        "end": f"{report.previous_end:%d/%m/%Y}",
    }


def file_stem(report: ActivityReport) -> str:
    if report.is_calendar_year:
        return f"rapport-activite-pass-{report.start.year}"
    return f"rapport-activite-pass-{report.start:%Y%m%d}-{report.end:%Y%m%d}"


# --- PDF ----------------------------------------------------------------------------------------


def render_pdf(report: ActivityReport) -> bytes:
    from weasyprint import HTML  # heavy import, for this view only

    from rcp.pdf import _no_fetching

    ctx = {
        "report": report,
        "charts": charts(report),
        "unit_name": settings.PASS_UNIT_NAME,
        "period": period_label(report),
        "previous": previous_label(report),
        "edited_at": timezone.now(),
    }
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        ctx["period"], ctx["previous"] = period_label(report), previous_label(report)
        html = render_to_string(PDF_TEMPLATE, ctx)
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf()


# --- Spreadsheets -------------------------------------------------------------------------------


def _plain(value):
    """Numbers as numbers (Decimal → float for openpyxl); "—" stays None."""
    if value is None:
        return None
    return float(value) if not isinstance(value, int) else value


def indicator_rows(report: ActivityReport) -> list[list]:
    return [[i.code, i.label, i.definition, _plain(i.value), _plain(i.previous)] for i in report.indicators]


def breakdown_rows(breakdown: Breakdown) -> list[list]:
    rows = [[r.key, r.label, _plain(r.value), _plain(r.previous)] for r in breakdown.rows]
    rows.append(["total", _("Total"), _plain(breakdown.total), _plain(breakdown.previous_total)])
    return rows


def to_xlsx(report: ActivityReport) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Indicateurs"
        n, p = period_label(report), previous_label(report)
        sheet.append([_("Code"), _("Indicator"), _("Definition"), n, p])
        for row in indicator_rows(report):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 45
        sheet.column_dimensions["C"].width = 80
        for breakdown in report.breakdowns:
            ws = workbook.create_sheet(breakdown.code[:31])
            ws.append([breakdown.title])
            ws.append([breakdown.definition])
            ws.append([_("Code"), _("Line"), n, p])
            for cell in ws[3]:
                cell.font = Font(bold=True)
            for row in breakdown_rows(breakdown):
                ws.append(row)
            ws.column_dimensions["A"].width = 20
            ws.column_dimensions["B"].width = 45
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()


def to_csv(report: ActivityReport) -> bytes:
    """One file: the indicators, then every breakdown line (code "breakdown.line"), as French
    spreadsheets read it (UTF-8 with BOM, ";", decimal comma)."""

    def number(value) -> str:
        if value is None:
            return ""
        return str(value).replace(".", ",")

    with translation.override(settings.LANGUAGE_CODE):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([_("Code"), _("Indicator"), _("Definition"), period_label(report), previous_label(report)])
        for i in report.indicators:
            writer.writerow([i.code, i.label, i.definition, number(i.value), number(i.previous)])
        for b in report.breakdowns:
            for r in b.rows:
                writer.writerow(
                    [f"{b.code}.{r.key}", f"{b.title} — {r.label}", b.definition, number(r.value), number(r.previous)]
                )
            writer.writerow(
                [
                    f"{b.code}.total",
                    f"{b.title} — {_('Total')}",
                    b.definition,
                    number(b.total),
                    number(b.previous_total),
                ]
            )
    return ("\ufeff" + out.getvalue()).encode()
