"""The MIG budget: the yearly credit, the price catalogue and what each care costs.

Money is `Decimal` with two places; PostgreSQL refuses a zero or negative amount, quantity or
price, and one above the bounds of `budget.money` (check constraints), so no bug or raw SQL can
store one. Expenses are never deleted:
they are cancelled with a reason.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.lookups import Unaccent
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budget.money import MAX_ALLOCATION, MAX_LINE_AMOUNT, MAX_QUANTITY
from pass_unit.lib.text import normalize
from pass_unit.templatetags.pass_extras import money
from patients.models import Patient, Visit
from rcp.models import CaseOption, CaseReview

MONEY = {"max_digits": 12, "decimal_places": 2}


class Category(models.TextChoices):
    """What the PASS pays for. Shared by the catalogue and the expenses, hence not nested."""

    MEDICINES = "medicines", _("Medicines")
    LAB = "lab", _("Lab tests")
    IMAGING = "imaging", _("Imaging")
    SPECIALIST = "specialist", _("Specialist consultations")
    DENTAL = "dental", _("Dental care")
    OPTICAL = "optical", _("Optical care")
    TRANSPORT = "transport", _("Transport")
    INTERPRETING = "interpreting", _("Interpreting")
    OTHER = "other", _("Other")


class BudgetYear(models.Model):
    """The MIG credit of one calendar year, and the alert thresholds the coordinator chose."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    allocation = models.DecimalField(_("MIG allocation"), **MONEY)
    warning_pct = models.DecimalField(_("warning threshold (%)"), max_digits=4, decimal_places=1, default=Decimal(80))
    critical_pct = models.DecimalField(_("critical threshold (%)"), max_digits=4, decimal_places=1, default=Decimal(95))
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="budget_year_plausible"),
            models.CheckConstraint(condition=Q(allocation__gte=0), name="budget_year_allocation_not_negative"),
            models.CheckConstraint(
                condition=Q(allocation__lte=MAX_ALLOCATION), name="budget_year_allocation_plausible"
            ),
            models.CheckConstraint(
                condition=Q(warning_pct__gt=0) & Q(warning_pct__lt=F("critical_pct")) & Q(critical_pct__lte=100),
                name="budget_year_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return str(self.year)


class ExtraAllocation(models.Model):
    """Credit added during the year (a second ARS circular, a one-off grant…)."""

    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="extra_allocations", verbose_name=_("year")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    granted_on = models.DateField(_("granted on"), default=timezone.localdate)
    label = models.CharField(_("origin"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("extra allocation")
        verbose_name_plural = _("extra allocations")
        ordering = ["granted_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="extra_allocation_amount_positive"),
            models.CheckConstraint(condition=Q(amount__lte=MAX_ALLOCATION), name="extra_allocation_amount_plausible"),
        ]

    def __str__(self):
        return f"{self.budget_year.year} — {self.label} ({money(self.amount)})"


class CatalogueItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def in_display_order(self):
        """Categories in their usual order (medicines first), names alphabetically in French.

        The database sorts by code point (no ICU): "Échographie" would come after "Radiographie".
        """
        category_rank = Case(*(When(category=c.value, then=Value(i)) for i, c in enumerate(Category)))
        return self.order_by(category_rank, Lower(Unaccent(F("name"))), "pk")

    def search(self, query: str):
        """Accent- and case-insensitive match of every word on the code and the name."""
        qs = self
        for word in normalize(query).split()[:8]:
            qs = qs.filter(search_text__contains=word)
        return qs


class CatalogueItem(models.Model):
    """A priced item, so that staff enter quantities, not sums."""

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("The pharmacy's or the hospital's reference; the pharmacy import matches on it."),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    unit = models.CharField(_("unit"), max_length=50, blank=True, help_text=_("For example: box of 30, exam, hour."))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive items cannot be charged any more."))
    # Normalised code and name, for the search.
    search_text = models.CharField(max_length=240, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CatalogueItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="catalogue_item_price_positive"),
            models.CheckConstraint(condition=Q(unit_price__lte=MAX_LINE_AMOUNT), name="catalogue_item_price_plausible"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="catalogue_item_category_valid"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_text = normalize(f"{self.code} {self.name}")[:240]
        super().save(*args, **kwargs)


class PharmacyImport(models.Model):
    """One CSV file from the hospital pharmacy's dispensing system, imported whole."""

    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    rows = models.PositiveIntegerField(_("lines"))
    total = models.DecimalField(_("total"), **MONEY)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )

    class Meta:
        verbose_name = _("pharmacy import")
        verbose_name_plural = _("pharmacy imports")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y})"


class ExpenseQuerySet(models.QuerySet):
    def in_year(self, year: int):
        # A range rather than __year: it uses the index on spent_on.
        return self.filter(spent_on__gte=date(year, 1, 1), spent_on__lt=date(year + 1, 1, 1))

    def committed(self):
        """Money spent or promised: committed and paid (not planned, not cancelled)."""
        return self.filter(status__in=Expense.COMMITTED)


class ExpenseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    COMMITTED = "committed", _("Committed")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Expense(models.Model):
    # Module level so that Meta's check constraint can name the values.
    Status = ExpenseStatus

    class Source(models.TextChoices):
        FORM = "form", _("Entered by hand")
        DISPENSING = "dispensing", _("Dispensed or prescribed")
        IMPORT = "import", _("Pharmacy import")

    COMMITTED = [Status.COMMITTED, Status.PAID]
    # status -> the statuses it may move to (cancelling needs a reason, see services).
    NEXT_STATUSES = {
        Status.PLANNED: [Status.COMMITTED, Status.CANCELLED],
        Status.COMMITTED: [Status.PAID, Status.CANCELLED],
        Status.PAID: [Status.CANCELLED],
        Status.CANCELLED: [],
    }

    spent_on = models.DateField(_("date"), default=timezone.localdate)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    catalogue_item = models.ForeignKey(
        CatalogueItem,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("catalogue item"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, default=Decimal(1))
    # The catalogue price when the expense was charged; empty for a free amount.
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.COMMITTED)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("patient")
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("visit")
    )
    case_review = models.ForeignKey(
        CaseReview,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("RCP decision"),
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("Invoice, order number…"))
    source = models.CharField(_("source"), max_length=20, choices=Source, default=Source.FORM, editable=False)
    pharmacy_import = models.ForeignKey(
        PharmacyImport, on_delete=models.PROTECT, related_name="expenses", null=True, blank=True, editable=False
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("charged by")
    )

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        indexes = [
            # Sums over filtered lines (the expense list's totals, the costliest patients) read only
            # these columns: an index-only scan of the year instead of every heap page it touches
            # (2,500 pages for a year at 100,000 patients); whole-year sums read ExpenseMonthTotal.
            # Its key (spent_on, id) also serves the list's order "-spent_on, -pk" without a sort.
            models.Index(
                fields=["spent_on", "id"],
                include=["status", "category", "amount", "patient"],
                name="expense_spent_on_totals",
            ),
            models.Index(fields=["patient", "spent_on"], name="expense_patient_spent_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="expense_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__lte=MAX_LINE_AMOUNT), name="expense_amount_plausible"),
            models.CheckConstraint(condition=Q(quantity__lte=MAX_QUANTITY), name="expense_quantity_plausible"),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gt=0), name="expense_unit_price_positive"
            ),
            # A catalogue line costs quantity × price to the cent: the parts add up to the total.
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(amount=Round(F("quantity") * F("unit_price"), 2)),
                name="expense_amount_is_quantity_times_price",
            ),
            models.CheckConstraint(condition=Q(status__in=ExpenseStatus.values), name="expense_status_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="expense_category_valid"),
            models.CheckConstraint(
                condition=Q(catalogue_item__isnull=False) | ~Q(description=""),
                name="expense_has_item_or_description",
            ),
            models.CheckConstraint(
                condition=Q(visit__isnull=True) | Q(patient__isnull=False), name="expense_visit_has_patient"
            ),
            models.CheckConstraint(
                condition=Q(case_review__isnull=True) | Q(patient__isnull=False),
                name="expense_case_review_has_patient",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="expense_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="expense_paid_has_date"
            ),
        ]

    def __str__(self):
        # No item name here: it ends up in the audit trail, read by non-medical roles.
        return f"#{self.pk or '—'} {self.get_category_display()} {money(self.amount)} ({self.spent_on:%d/%m/%Y})"

    @property
    def label(self) -> str:
        return self.catalogue_item.name if self.catalogue_item_id else self.description

    @property
    def next_statuses(self) -> list:
        return [self.Status(s) for s in self.NEXT_STATUSES[self.Status(self.status)]]

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class ExpenseMonthTotalQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(month__gte=date(year, 1, 1), month__lt=date(year + 1, 1, 1))


class ExpenseMonthTotal(models.Model):
    """The expenses of one month summed by category and status: what the dashboards read
    instead of summing a year of expenses (27,000 lines a year at 100,000 patients).

    Kept by PostgreSQL, never written by the application: statement-level triggers on
    `budget_expense` (migration budget/0005) add each INSERT, UPDATE, DELETE (and TRUNCATE)
    to it in the same statement, whoever wrote the lines (services, the pharmacy import's
    bulk_create, the seed's COPY, raw SQL); a guard trigger refuses any other write. A group
    without lines has no row.
    """

    month = models.DateField()  # the first day of the month
    category = models.CharField(max_length=20, choices=Category)
    status = models.CharField(max_length=20, choices=ExpenseStatus)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    lines = models.IntegerField()

    objects = ExpenseMonthTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense month total")
        verbose_name_plural = _("expense month totals")
        # No CHECK on the sums: PostgreSQL checks the row an upsert proposes (a negative delta)
        # before turning it into an update.
        constraints = [
            models.UniqueConstraint(fields=["month", "category", "status"], name="expense_month_total_unique"),
        ]

    def __str__(self):
        return f"{self.month:%m/%Y} {self.category} {self.status}: {self.lines}"


class OptionCostLine(models.Model):
    """One catalogue item in the costing of an option discussed in RCP: an estimate, not an expense.

    Owned by the budget (rcp must not import budget): the RCP option knows nothing of it; the
    budget copies the lines' total into the option's estimated cost.
    """

    option = models.ForeignKey(CaseOption, on_delete=models.CASCADE, related_name="+", verbose_name=_("option"))
    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("catalogue item")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2)
    # The catalogue price when the option was priced.
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    # A line priced by mistake is withdrawn, not deleted: it no longer counts, and stays on record.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("option cost line")
        verbose_name_plural = _("option cost lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="option_cost_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity__lte=MAX_QUANTITY), name="option_cost_quantity_plausible"),
            models.CheckConstraint(condition=Q(amount__lte=MAX_LINE_AMOUNT), name="option_cost_amount_plausible"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="option_cost_unit_price_positive"),
            models.CheckConstraint(
                condition=Q(amount=Round(F("quantity") * F("unit_price"), 2)),
                name="option_cost_amount_is_quantity_times_price",
            ),
        ]

    def __str__(self):
        return f"#{self.pk or '—'} {money(self.amount)}"
