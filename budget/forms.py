import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from budget import money
from budget.models import BudgetYear, CatalogueItem, Category, Expense, ExtraAllocation
from budget.services import Line
from pass_unit.forms import AmountField, Form, ModelForm, PercentField, QuantityField
from pass_unit.lib.uploads import validate_upload

CODE = re.compile(r"[A-Z0-9][A-Z0-9._/-]{0,29}")


def _not_far_future(value, *, days: int = 366):
    if value and value > timezone.localdate() + timedelta(days=days):
        raise forms.ValidationError(_("The date is too far in the future."))
    return value


def _not_ancient(value):
    if value and value.year < 2000:
        raise forms.ValidationError(_("The date must be after 2000."))
    return value


# --------------------------------------------------------------------------- years and catalogue


class BudgetYearForm(ModelForm):
    allocation = AmountField(
        label=_("MIG allocation (€)"),
        maximum=money.MAX_ALLOCATION,
        allow_zero=True,
        help_text=_("The credit notified by the regional health agency. Extra credit is added separately."),
    )
    warning_pct = PercentField(label=_("Warning threshold (%)"), initial=Decimal(80))
    critical_pct = PercentField(label=_("Critical threshold (%)"), initial=Decimal(95))

    class Meta:
        model = BudgetYear
        fields = ["year", "allocation", "warning_pct", "critical_pct", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year between 2000 and 2100."))
        return year

    def clean(self):
        cleaned = super().clean()
        warning, critical = cleaned.get("warning_pct"), cleaned.get("critical_pct")
        if warning is not None and critical is not None and warning >= critical:
            self.add_error("critical_pct", _("The critical threshold must be above the warning threshold."))
        return cleaned


class ExtraAllocationForm(ModelForm):
    amount = AmountField(label=_("Amount (€)"), maximum=money.MAX_ALLOCATION)

    class Meta:
        model = ExtraAllocation
        fields = ["label", "amount", "granted_on"]

    def clean_granted_on(self):
        return _not_ancient(_not_far_future(self.cleaned_data["granted_on"], days=31))


class CatalogueItemForm(ModelForm):
    unit_price = AmountField(label=_("Unit price (€)"), maximum=money.MAX_LINE_AMOUNT)

    class Meta:
        model = CatalogueItem
        fields = ["code", "name", "category", "unit", "unit_price", "active"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE.fullmatch(code):
            raise forms.ValidationError(
                _("A code has up to 30 letters (A-Z), digits and the signs . _ / - (for example MED-PARA500).")
            )
        if CatalogueItem.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another item already has this code."))
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the item a name."))
        return name


# --------------------------------------------------------------------------- expenses

NEW_STATUSES = [
    (Expense.Status.COMMITTED, _("Done: dispensed or carried out (committed)")),
    (Expense.Status.PLANNED, _("To come: prescribed or scheduled (planned)")),
]


class _ChargeCommon(Form):
    spent_on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    status = forms.ChoiceField(
        label=_("Status"), choices=NEW_STATUSES, initial=Expense.Status.COMMITTED, widget=forms.RadioSelect
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False, help_text=_("Optional."))

    def clean_spent_on(self):
        return _not_ancient(_not_far_future(self.cleaned_data["spent_on"]))

    def clean(self):
        cleaned = super().clean()
        spent_on, status = cleaned.get("spent_on"), cleaned.get("status")
        if spent_on and status and status != Expense.Status.PLANNED and spent_on > timezone.localdate():
            self.add_error("spent_on", _("Only a planned expense can be dated in the future."))
        return cleaned


class ExpenseForm(_ChargeCommon):
    """A free amount for the unit (an invoice, a transport voucher…), not tied to a patient."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    amount = AmountField(label=_("Amount (€)"), maximum=money.MAX_LINE_AMOUNT)

    field_order = ["spent_on", "category", "description", "amount", "status", "reference"]

    def lines(self) -> list[Line]:
        data = self.cleaned_data
        return [Line(category=data["category"], description=data["description"].strip(), amount=data["amount"])]


class DispenseForm(_ChargeCommon):
    """What a patient received or will receive: catalogue items with a quantity, and/or a free amount.

    One quantity field per active catalogue item, named qty_<pk>.
    """

    visit = forms.ModelChoiceField(label=_("Visit"), queryset=None, required=False, empty_label=_("No visit"))
    case_review = forms.ModelChoiceField(label=_("RCP decision"), queryset=None, required=False, empty_label=_("None"))
    free_category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    free_description = forms.CharField(label=_("Description"), max_length=200, required=False)
    free_amount = AmountField(label=_("Amount (€)"), maximum=money.MAX_LINE_AMOUNT, required=False)

    def __init__(self, *args, items, visits, case_reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["visit"].queryset = visits
        self.fields["case_review"].queryset = case_reviews
        self.fields["case_review"].label_from_instance = lambda case: (
            f"{timezone.localtime(case.meeting.scheduled_at):%d/%m/%Y} — {case.decision[:80]}"
        )
        self.fields["visit"].label_from_instance = lambda v: (
            f"{timezone.localtime(v.occurred_at):%d/%m/%Y %H:%M} — {v.get_kind_display()}"
        )
        for item in self.items:
            self.fields[f"qty_{item.pk}"] = QuantityField(label=item.name, maximum=money.MAX_QUANTITY, required=False)

    def item_rows(self):
        """(item, bound quantity field) for the template's table."""
        return [(item, self[f"qty_{item.pk}"]) for item in self.items]

    def clean(self):
        cleaned = super().clean()
        free = [cleaned.get("free_category"), (cleaned.get("free_description") or "").strip()]
        has_free_amount = cleaned.get("free_amount") is not None
        if any(free) or has_free_amount or self.errors.get("free_amount"):
            if not free[0]:
                self.add_error("free_category", _("Choose the category of this amount."))
            if not free[1]:
                self.add_error("free_description", _("Say what this amount pays for."))
            if not has_free_amount and "free_amount" not in self.errors:
                self.add_error("free_amount", _("Enter the amount."))
        has_item = any(cleaned.get(f"qty_{item.pk}") for item in self.items)
        if not has_item and not (any(free) or has_free_amount) and not self.errors:
            raise forms.ValidationError(_("Nothing to charge: give a quantity to at least one item, or an amount."))
        return cleaned

    def lines(self) -> list[Line]:
        data = self.cleaned_data
        lines = [Line(item=item, quantity=data[f"qty_{item.pk}"]) for item in self.items if data.get(f"qty_{item.pk}")]
        if data.get("free_amount") is not None:
            lines.append(
                Line(
                    category=data["free_category"],
                    description=data["free_description"].strip(),
                    amount=data["free_amount"],
                )
            )
        return lines


class ExpenseStatusForm(Form):
    status = forms.ChoiceField(choices=[], widget=forms.HiddenInput)
    paid_on = forms.DateField(label=_("Paid on"), required=False)

    def __init__(self, *args, expense, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s.value, s.label) for s in expense.next_statuses if s != Expense.Status.CANCELLED
        ]

    def clean_paid_on(self):
        value = self.cleaned_data["paid_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return _not_ancient(value)


class ExpenseCancelForm(Form):
    reason = forms.CharField(label=_("Reason for the cancellation"), max_length=300)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the expense is cancelled."))
        return reason


class ExpenseFilterForm(Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All months")), *MONTHS.items()],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Expense.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    patient = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)
    pharmacy_import = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)


# --------------------------------------------------------------------------- exports and imports


class ExportForm(Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))
    pseudonymised = forms.BooleanField(
        label=_("Pseudonymised (no names, no file numbers)"),
        required=False,
        help_text=_("Each patient is replaced by a stable code: the rows of one patient can still be grouped."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days > 3 * 366:
                self.add_error("end", _("At most three years per export."))
        for name in ("start", "end"):
            if cleaned.get(name) and cleaned[name].year < 2000:
                self.add_error(name, _("The date must be after 2000."))
        return cleaned


class PharmacyImportForm(Form):
    file = forms.FileField(
        label=_("CSV file from the pharmacy"),
        help_text=_("Columns: date, file number, item (code or name), quantity, amount; separated by ; or ,."),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[("utf-8", "UTF-8"), ("cp1252", "Windows-1252 (Excel)")],
        initial="utf-8",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, allowed={"csv"})
        return upload


class OptionCostLineForm(Form):
    """A catalogue item and a quantity, to price an option discussed in RCP."""

    prefix = "cost"
    catalogue_item = forms.ModelChoiceField(label=_("Catalogue item"), queryset=CatalogueItem.objects.none())
    quantity = QuantityField(label=_("Quantity"), maximum=money.MAX_QUANTITY, initial=Decimal(1))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["catalogue_item"]
        field.queryset = CatalogueItem.objects.active().in_display_order()
        field.label_from_instance = lambda item: f"{item.name} ({item.code}) — {money.format_money(item.unit_price)}"
