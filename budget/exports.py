"""Expense exports for the hospital's finance department: CSV and XLSX, named or pseudonymised.

- CSV as French spreadsheets read it: UTF-8 with a BOM, ";" between columns, decimal comma,
  dates DD/MM/YYYY.
- XLSX with real numbers and dates (formats `#,##0.00 "€"` and `DD/MM/YYYY`: Excel shows them
  with the reader's separators), and a second sheet with the totals per category.
- Pseudonymised: no name, no file number, no free text; each patient becomes a stable code
  (an HMAC of its id keyed by the SECRET_KEY), so one patient's lines can still be grouped.
- Text cells that a spreadsheet would run as a formula (=, +, -, @) are defused.
"""

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from budget.models import Category, Expense
from budget.selectors import category_totals, filtered_total
from patients.models import Patient

EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def pseudonym(patient_id: int | None) -> str:
    if patient_id is None:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"patient:{patient_id}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10].upper()


def safe_text(value: str) -> str:
    """A leading quote keeps a spreadsheet from running "=HYPERLINK(…)" typed into a free-text field."""
    return "'" + value if value and value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # text, date, money, quantity


def columns(*, pseudonymised: bool) -> list[Column]:
    cols = [
        Column("date", _("Date"), "date"),
        Column("status", _("Status")),
        Column("category", _("Category")),
        Column("item", _("Item or description")),
        Column("code", _("Code")),
        Column("quantity", _("Quantity"), "quantity"),
        Column("unit_price", _("Unit price"), "money"),
        Column("amount", _("Amount"), "money"),
    ]
    if pseudonymised:
        cols.append(Column("patient_code", _("Patient code")))
    else:
        cols += [
            Column("file_number", _("File number")),
            Column("patient", _("Patient")),
            Column("reference", _("Reference")),
            Column("charged_by", _("Charged by")),
        ]
    cols += [Column("source", _("Source")), Column("paid_on", _("Paid on"), "date"), Column("id", _("Line"))]
    return cols


def expense_queryset(start: date, end: date):
    """What the period cost: committed and paid lines (planned ones are not spent yet, cancelled never)."""
    return Expense.objects.filter(spent_on__gte=start, spent_on__lte=end, status__in=Expense.COMMITTED).order_by(
        "spent_on", "pk"
    )


# The columns `rows()` reads: plain values, not model instances (a year is some 27,000 lines at
# 100,000 patients; building an expense, a patient, an item and a user for each took 4/5 of the time).
_FIELDS = (
    "pk",
    "spent_on",
    "status",
    "category",
    "catalogue_item_id",
    "catalogue_item__name",
    "catalogue_item__code",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "source",
    "paid_on",
    "patient_id",
    "patient__file_number",
    "patient__last_name",
    "patient__usage_name",
    "patient__first_name",
    "reference",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
)


def _display_name(line: dict) -> str:
    """Patient.display_name from the values of a line."""
    return Patient(
        last_name=line["patient__last_name"],
        usage_name=line["patient__usage_name"],
        first_name=line["patient__first_name"],
    ).display_name


def rows(queryset, *, pseudonymised: bool, show_items: bool):
    """One dict per expense, keyed like `columns()`; values are Decimal, date or str.

    `show_items`: whether the item may appear next to the patient's identity (medical roles);
    without it a named export gives the category only. A pseudonymised export always has it.
    """
    # Labels translated once per export: get_FOO_display() per row costs more than the rest together.
    categories = {value: str(label) for value, label in Category.choices}
    statuses = {value: str(label) for value, label in Expense.Status.choices}
    sources = {value: str(label) for value, label in Expense.Source.choices}
    names: dict[int, str] = {}  # patient id -> name or pseudonym, computed once per patient
    for line in queryset.values(*_FIELDS).iterator(chunk_size=2000):
        patient_id = line["patient_id"]
        item_visible = pseudonymised or show_items or patient_id is None
        category = categories[line["category"]]
        if line["catalogue_item_id"] and item_visible:
            item, code = line["catalogue_item__name"], line["catalogue_item__code"]
        elif item_visible and not pseudonymised:
            item, code = line["description"], ""
        else:
            item, code = category, ""  # free text may name someone: not in a pseudonymised file
        row = {
            "date": line["spent_on"],
            "status": statuses[line["status"]],
            "category": category,
            "item": safe_text(item),
            "code": safe_text(code),
            "quantity": line["quantity"],
            "unit_price": line["unit_price"] if item_visible else None,
            "amount": line["amount"],
            "source": sources[line["source"]],
            "paid_on": line["paid_on"],
            "id": str(line["pk"]),
        }
        if patient_id is not None and patient_id not in names:
            names[patient_id] = pseudonym(patient_id) if pseudonymised else safe_text(_display_name(line))
        if pseudonymised:
            row["patient_code"] = names.get(patient_id, "")
        else:
            full_name = f"{line['created_by__first_name']} {line['created_by__last_name']}".strip()
            row |= {
                "file_number": line["patient__file_number"] or "",
                "patient": names.get(patient_id, ""),
                "reference": safe_text(line["reference"]),
                "charged_by": safe_text(full_name or line["created_by__username"]),
            }
        yield row


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    if kind == "money":
        return f"{value:.2f}".replace(".", ",")
    if kind == "quantity":
        return f"{value.normalize():f}".replace(".", ",")
    return str(value)


def to_csv(queryset, *, pseudonymised: bool, show_items: bool) -> tuple[bytes, int]:
    cols = columns(pseudonymised=pseudonymised)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.title for c in cols])
    count = 0
    for row in rows(queryset, pseudonymised=pseudonymised, show_items=show_items):
        writer.writerow([_csv_value(row[c.key], c.kind) for c in cols])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def to_xlsx(queryset, *, pseudonymised: bool, show_items: bool, start: date, end: date) -> tuple[bytes, int]:
    cols = columns(pseudonymised=pseudonymised)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Expenses")[:31])
    sheet.freeze_panes = "A2"
    for index, col in enumerate(cols):
        width = {"date": 12, "money": 14, "quantity": 10}.get(col.kind, 40 if col.key in ("item", "patient") else 18)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)

    def header(titles):
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        return cells

    def cell(ws, value, kind):
        # Only formatted cells need a cell object; plain values are several times faster to write.
        if value is None or kind not in ("money", "date"):
            return value
        result = WriteOnlyCell(ws, value=value)
        result.number_format = EURO_FORMAT if kind == "money" else DATE_FORMAT
        return result

    sheet.append(header(c.title for c in cols))
    count = 0
    for row in rows(queryset, pseudonymised=pseudonymised, show_items=show_items):
        sheet.append([cell(sheet, row[c.key], c.kind) for c in cols])
        count += 1

    # Totals per category, summed by PostgreSQL: the finance department checks the lines against them.
    summary = book.create_sheet(_("By category")[:31])
    summary.column_dimensions["A"].width = 32
    summary.column_dimensions["B"].width = 16
    summary.append(header([_("Period"), f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"]))
    summary.append(header([_("Category"), _("Amount")]))
    totals = category_totals(queryset.order_by())
    for category in Category:
        if category.value in totals:
            amount = totals[category.value]
            summary.append([WriteOnlyCell(summary, value=str(category.label)), cell(summary, amount, "money")])
    grand_total = filtered_total(queryset.order_by())["committed"]
    summary.append([WriteOnlyCell(summary, value=_("Total")), cell(summary, grand_total, "money")])

    output = io.BytesIO()
    book.save(output)
    return output.getvalue(), count
