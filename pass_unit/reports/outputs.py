"""The activity report's outputs: bars for the page and the PDF, the PDF, the XLSX and the CSV.

All of them read one `ActivityReport`: the page, the PDF and the spreadsheets cannot disagree.
None of them holds a patient's name, file number or free text (the report object holds none).
"""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from budget.charts import Bars, horizontal_bars
from pass_unit.reports.indicators import ActivityReport, Breakdown, is_calendar_year

PDF_TEMPLATE = "pass_unit/reports/pdf.html"
BARS_WIDTH, LABEL_W, VALUE_W = 560, 250, 90


@dataclass(frozen=True)
class Chart:
    breakdown: Breakdown
    bars: Bars


def breakdown_bars(breakdown: Breakdown) -> Bars:
    """One horizontal bar per line of the breakdown (period N), drawn as the budget's category bars."""
    return horizontal_bars(
        [(row.label, row.value, row.value_display) for row in breakdown.rows],
        width=BARS_WIDTH,
        label_width=LABEL_W,
        value_width=VALUE_W,
    )


def charts(report: ActivityReport) -> dict[str, Bars]:
    return {b.code: breakdown_bars(b) for b in report.breakdowns}


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
