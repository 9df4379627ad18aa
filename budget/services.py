"""Writes on the MIG budget. Each runs in one transaction and leaves its trace in the audit trail."""

import copy
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import money
from budget.models import BudgetYear, CatalogueItem, Expense, ExtraAllocation, OptionCostLine, PharmacyImport
from pass_unit import audit
from pass_unit.lib.text import normalize
from pass_unit.templatetags.pass_extras import money as format_money
from patients.models import Patient, Visit
from rcp.models import MAX_OPTION_COST, CaseOption, CaseReview
from rcp.services import lock_meeting_for_write


class BudgetError(Exception):
    """A write the rules refuse; the message is for the user."""


# --------------------------------------------------------------------------- years and catalogue


@transaction.atomic
def budget_year_save(*, budget_year: BudgetYear, acting_user) -> BudgetYear:
    before = BudgetYear.objects.select_for_update().filter(pk=budget_year.pk).first() if budget_year.pk else None
    budget_year.updated_by = acting_user
    budget_year.save()
    if before:
        audit.record_update(acting_user, before, budget_year)
    else:
        audit.record_create(acting_user, budget_year)
    return budget_year


@transaction.atomic
def extra_allocation_add(*, allocation: ExtraAllocation, budget_year: BudgetYear, acting_user):
    allocation.budget_year = budget_year
    allocation.created_by = acting_user
    allocation.save()
    audit.record_create(acting_user, allocation)
    return allocation


@transaction.atomic
def catalogue_item_save(*, item: CatalogueItem, acting_user) -> CatalogueItem:
    before = CatalogueItem.objects.select_for_update().filter(pk=item.pk).first() if item.pk else None
    item.save()
    if before:
        audit.record_update(acting_user, before, item)
    else:
        audit.record_create(acting_user, item)
    return item


# --------------------------------------------------------------------------- expenses


@dataclass(frozen=True)
class Line:
    """One thing to charge: a catalogue item and a quantity, or a free amount with a category."""

    quantity: Decimal = Decimal(1)
    item: CatalogueItem | None = None
    category: str = ""
    description: str = ""
    amount: Decimal | None = None


def _check_line_amount(amount: Decimal) -> None:
    if amount <= 0:
        raise BudgetError(_("A line rounds to 0,00 €: check the quantity."))
    if amount > money.MAX_LINE_AMOUNT:
        raise BudgetError(_("One line cannot exceed %(max)s.") % {"max": format_money(money.MAX_LINE_AMOUNT)})


def _check_status_date(status: str, spent_on: date) -> None:
    if status != Expense.Status.PLANNED and spent_on > timezone.localdate():
        raise BudgetError(_("Only a planned expense can be dated in the future."))


@transaction.atomic
def expense_charge(
    *,
    lines: list[Line],
    spent_on: date,
    status: str,
    acting_user,
    patient: Patient | None = None,
    visit: Visit | None = None,
    case_review: CaseReview | None = None,
    reference: str = "",
    source: str = Expense.Source.FORM,
) -> list[Expense]:
    """Charge one or several lines to the budget, for a patient (and a visit) or for the unit.

    Catalogue lines are priced from the catalogue now (the price is kept on the expense,
    so a later price change does not rewrite the past); free lines carry their own amount.
    """
    if not lines:
        raise BudgetError(_("Nothing to charge: choose at least one item or enter an amount."))
    if status not in (Expense.Status.PLANNED, Expense.Status.COMMITTED):
        raise BudgetError(_("A new expense is planned or committed."))
    if visit is not None and (patient is None or visit.patient_id != patient.pk):
        raise BudgetError(_("The visit is not one of this patient's."))
    if case_review is not None and (patient is None or case_review.patient_id != patient.pk):
        raise BudgetError(_("The RCP decision is not about this patient."))
    _check_status_date(status, spent_on)
    expenses = []
    for line in lines:
        expense = Expense(
            spent_on=spent_on,
            status=status,
            patient=patient,
            visit=visit,
            case_review=case_review,
            reference=reference,
            source=source,
            created_by=acting_user,
            quantity=line.quantity,
        )
        if line.item is not None:
            if not line.item.active:
                raise BudgetError(_("“%(item)s” is no longer in the catalogue.") % {"item": line.item.name})
            expense.catalogue_item = line.item
            expense.category = line.item.category
            expense.unit_price = line.item.unit_price
            expense.amount = money.line_amount(line.quantity, line.item.unit_price)
            expense.description = line.description
        else:
            expense.category = line.category
            expense.description = line.description
            expense.amount = line.amount
        _check_line_amount(expense.amount)
        expense.save()
        audit.record_create(acting_user, expense, patient=patient)
        expenses.append(expense)
    return expenses


@transaction.atomic
def expense_set_status(*, expense: Expense, status: str, acting_user, paid_on: date | None = None) -> Expense:
    """Move an expense along planned → committed → paid (cancelling has its own service)."""
    before = Expense.objects.select_for_update().get(pk=expense.pk)
    if status == Expense.Status.CANCELLED or status not in before.NEXT_STATUSES[Expense.Status(before.status)]:
        message = _("This expense cannot go from “%(old)s” to that status.")
        raise BudgetError(message % {"old": before.get_status_display()})
    after = copy.copy(before)
    after.status = status
    if status == Expense.Status.PAID:
        after.paid_on = paid_on or timezone.localdate()
    _check_status_date(status, after.spent_on)
    after.save(update_fields=["status", "paid_on", "updated_at"])
    audit.record_update(acting_user, before, after, patient=after.patient)
    return after


@transaction.atomic
def expense_cancel(*, expense: Expense, reason: str, acting_user) -> Expense:
    """Cancel an expense: it stays in the list, struck through, with who, when and why."""
    before = Expense.objects.select_for_update().get(pk=expense.pk)
    if before.status == Expense.Status.CANCELLED:
        raise BudgetError(_("This expense is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise BudgetError(_("Say why the expense is cancelled."))
    after = copy.copy(before)
    after.status = Expense.Status.CANCELLED
    after.cancel_reason = reason
    after.cancelled_at = timezone.now()
    after.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    audit.record_update(acting_user, before, after, patient=after.patient)
    return after


# --------------------------------------------------------------------------- pharmacy import

# Accepted header names (normalised) for each column of the pharmacy's CSV.
IMPORT_COLUMNS = {
    "date": {"date", "date dispensation", "date de dispensation"},
    "file_number": {"file number", "dossier", "numero dossier", "n dossier", "no dossier", "dossier pass"},
    "item": {"item", "article", "code", "code article", "produit"},
    "quantity": {"quantity", "quantite", "qte"},
    "amount": {"amount", "montant", "montant ttc", "total"},
}
IMPORT_MAX_ROWS = 5000
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y")


@dataclass
class ImportReport:
    file_name: str = ""
    rows: int = 0
    total: Decimal = Decimal("0.00")
    errors: list = field(default_factory=list)  # (line number, reason, raw values)
    file_error: str = ""
    pharmacy_import: PharmacyImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


class ImportRejected(Exception):
    def __init__(self, report: ImportReport):
        super().__init__("import rejected")
        self.report = report


def _read_rows(content: bytes, encoding: str) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        raise BudgetError(
            _("The file is not encoded in %(encoding)s: export it again, or choose the other encoding.")
            % {"encoding": "UTF-8" if encoding == "utf-8" else "Windows-1252"}
        ) from None
    # The header names the columns and holds no separator of its own: its most frequent
    # candidate is the delimiter (";" from French spreadsheets, "," or tab otherwise).
    header = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=header.count)
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    except csv.Error as error:
        raise BudgetError(_("The file is not a readable CSV file (%(error)s).") % {"error": error}) from None


def _columns(header: list[str]) -> dict[str, int]:
    found, unknown = {}, []
    for index, name in enumerate(header):
        key = normalize(name)
        column = next((col for col, names in IMPORT_COLUMNS.items() if key in names), None)
        if column is None or column in found:
            unknown.append(name)
        else:
            found[column] = index
    missing = [col for col in IMPORT_COLUMNS if col not in found]
    if missing:
        raise BudgetError(
            _("Wrong columns: expected date, file number, item, quantity, amount; missing %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    return found


def _parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _amount_reason(what: str, code: str) -> str:
    reasons = {
        "invalid": _("%(what)s is not a number"),
        "places": _("%(what)s has more than two decimals"),
        "negative": _("%(what)s is negative"),
        "zero": _("%(what)s is zero"),
        "too_large": _("%(what)s is too large"),
    }
    return reasons[code] % {"what": what}


def pharmacy_import_check(*, content: bytes, file_name: str, encoding: str = "utf-8"):
    """Read and check every line of a pharmacy CSV; nothing is written.

    Returns (report, expenses to create). The report lists each rejected line with its reason.
    """
    report = ImportReport(file_name=file_name)
    try:
        rows = _read_rows(content, encoding)
        if not rows:
            raise BudgetError(_("The file has no lines."))
        columns = _columns(rows[0])
    except BudgetError as error:
        report.file_error = str(error)
        return report, []
    body = rows[1:]
    if not body:
        report.file_error = _("The file has a header but no lines.")
        return report, []
    if len(body) > IMPORT_MAX_ROWS:
        report.file_error = _("Too many lines (%(n)d; at most %(max)d per file).") % {
            "n": len(body),
            "max": IMPORT_MAX_ROWS,
        }
        return report, []
    cells = [{col: (row[i].strip() if i < len(row) else "") for col, i in columns.items()} for row in body]
    # Two queries whatever the size of the file: the patients and the items it names.
    patients = {
        p.file_number.upper(): p
        for p in Patient.objects.filter(file_number__in={c["file_number"].upper() for c in cells}).only(
            "pk", "file_number"
        )
    }
    items_by_code, items_by_name = {}, {}
    for item in CatalogueItem.objects.all():
        items_by_code[item.code.upper()] = item
        items_by_name[normalize(item.name)] = item
    today = timezone.localdate()
    expenses = []
    for line_number, row in enumerate(cells, start=2):
        reasons = []
        spent_on = _parse_date(row["date"])
        if spent_on is None:
            reasons.append(_("the date is not a date (DD/MM/YYYY)"))
        elif spent_on > today:
            reasons.append(_("the date is in the future"))
        elif spent_on.year < today.year - 5:
            reasons.append(_("the date is more than five years old"))
        patient = patients.get(row["file_number"].upper())
        if patient is None:
            reasons.append(_("unknown file number “%(value)s”") % {"value": row["file_number"][:30]})
        item = items_by_code.get(row["item"].upper()) or items_by_name.get(normalize(row["item"]))
        if item is None:
            reasons.append(_("unknown item “%(value)s”") % {"value": row["item"][:60]})
        try:
            quantity = money.parse_decimal(row["quantity"], maximum=money.MAX_QUANTITY)
        except money.AmountError as error:
            reasons.append(_amount_reason(_("the quantity"), error.code))
        try:
            amount = money.parse_decimal(row["amount"], maximum=money.MAX_LINE_AMOUNT)
        except money.AmountError as error:
            reasons.append(_amount_reason(_("the amount"), error.code))
        if reasons:
            report.errors.append((line_number, "; ".join(reasons), [row[col] for col in IMPORT_COLUMNS]))
            continue
        # The pharmacy's amount is what the PASS pays; the catalogue price may differ (no unit price kept).
        expenses.append(
            Expense(
                spent_on=spent_on,
                category=item.category,
                catalogue_item=item,
                quantity=quantity,
                amount=amount,
                status=Expense.Status.COMMITTED,
                patient=patient,
                source=Expense.Source.IMPORT,
            )
        )
        report.rows += 1
        report.total += amount
    return report, expenses


@transaction.atomic
def pharmacy_import(*, content: bytes, file_name: str, acting_user, encoding: str = "utf-8"):
    """Import a pharmacy CSV whole, or nothing: one bad line and no line is imported.

    Raises ImportRejected (with the report) when the file or a line is refused.
    """
    report, expenses = pharmacy_import_check(content=content, file_name=file_name, encoding=encoding)
    sha256 = hashlib.sha256(content).hexdigest()
    previous = PharmacyImport.objects.filter(sha256=sha256).first()
    if previous is not None and report.ok:
        report.file_error = _("This file was already imported on %(date)s.") % {
            "date": timezone.localtime(previous.imported_at).strftime("%d/%m/%Y %H:%M")
        }
    if not report.ok:
        raise ImportRejected(report)
    batch = PharmacyImport.objects.create(
        file_name=file_name[:200], sha256=sha256, rows=report.rows, total=report.total, imported_by=acting_user
    )
    audit.record_create(acting_user, batch)
    for expense in expenses:
        expense.pharmacy_import = batch
        expense.created_by = acting_user
    Expense.objects.bulk_create(expenses)
    for expense in expenses:
        audit.record_create(acting_user, expense, patient=expense.patient)
    report.pharmacy_import = batch
    return report


# --------------------------------------------------------------------------- RCP options


def _sync_option_cost(option: CaseOption, *, acting_user) -> None:
    """Copy the total of the option's cost lines into the option's estimated cost (audited)."""
    total = OptionCostLine.objects.filter(option=option, withdrawn_at__isnull=True).aggregate(t=Sum("amount"))["t"]
    if total is not None and total > MAX_OPTION_COST:  # also a check constraint on CaseOption
        raise BudgetError(
            _("An option cannot cost more than %(max)s: check the quantities.") % {"max": format_money(MAX_OPTION_COST)}
        )
    before = CaseOption.objects.get(pk=option.pk)
    if before.estimated_cost == total:
        return
    after = copy.copy(before)
    after.estimated_cost = total
    after.save(update_fields=["estimated_cost"])
    option.estimated_cost = total
    audit.record_update(acting_user, before, after, patient=option.case_review.patient)


@transaction.atomic
def option_cost_line_add(*, option: CaseOption, item: CatalogueItem, quantity: Decimal, acting_user) -> OptionCostLine:
    """Price an option discussed in RCP with a catalogue item, at today's catalogue price.

    Raises rcp.services.MeetingLocked once the meeting's minutes are validated (frozen)."""
    lock_meeting_for_write(option.case_review.meeting)
    if not item.active:
        raise BudgetError(_("“%(item)s” is no longer in the catalogue.") % {"item": item.name})
    amount = money.line_amount(quantity, item.unit_price)
    _check_line_amount(amount)
    line = OptionCostLine.objects.create(
        option=option,
        catalogue_item=item,
        quantity=quantity,
        unit_price=item.unit_price,
        amount=amount,
        created_by=acting_user,
    )
    audit.record_create(acting_user, line, patient=option.case_review.patient)
    _sync_option_cost(option, acting_user=acting_user)
    return line


@transaction.atomic
def option_cost_line_withdraw(*, line: OptionCostLine, acting_user) -> OptionCostLine:
    """Take a line out of the option's cost; it stays on record."""
    option = line.option
    lock_meeting_for_write(option.case_review.meeting)
    before = OptionCostLine.objects.select_for_update().get(pk=line.pk)
    if before.withdrawn_at is not None:
        return before
    after = copy.copy(before)
    after.withdrawn_at = timezone.now()
    after.save(update_fields=["withdrawn_at"])
    audit.record_update(acting_user, before, after, patient=option.case_review.patient)
    _sync_option_cost(option, acting_user=acting_user)
    return after


@transaction.atomic
def option_expenses_plan(*, option: CaseOption, acting_user) -> list[Expense]:
    """The RCP retained this option: its priced lines become planned expenses of the patient,
    tied to the RCP decision, at today's catalogue prices."""
    if not option.retained:
        raise BudgetError(_("Only an option the RCP retained can be planned."))
    lines = list(
        OptionCostLine.objects.filter(option=option, withdrawn_at__isnull=True).select_related("catalogue_item")
    )
    if not lines:
        raise BudgetError(_("Price the option from the catalogue first."))
    case_review = option.case_review
    return expense_charge(
        lines=[Line(item=line.catalogue_item, quantity=line.quantity) for line in lines],
        patient=case_review.patient,
        case_review=case_review,
        spent_on=timezone.localdate(),
        status=Expense.Status.PLANNED,
        reference=f"RCP {timezone.localtime(case_review.meeting.scheduled_at):%d/%m/%Y}",
        source=Expense.Source.DISPENSING,
        acting_user=acting_user,
    )
