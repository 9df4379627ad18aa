from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from budget import charts, exports, forms, selectors, services
from budget.models import BudgetYear, CatalogueItem, Category, Expense, OptionCostLine, PharmacyImport
from pass_unit import access, audit
from pass_unit.templatetags.pass_extras import money as format_money
from patients.models import Patient, Visit
from rcp import selectors as rcp_selectors
from rcp.models import CaseReview
from rcp.services import MeetingLocked

EXPENSE_PAGE_SIZE = 50
# What a row of the expense list shows (see expense_list).
LIST_EXPENSE_FIELDS = (
    "spent_on",
    "category",
    "catalogue_item",
    "description",
    "quantity",
    "amount",
    "status",
    "patient",
)
LIST_PATIENT_FIELDS = ("last_name", "first_name", "usage_name", "identity_status", "identity_attributes")
CATALOGUE_PAGE_SIZE = 100
# Visits offered on the dispensing form: the recent ones (a pharmacy line comes days later at most).
DISPENSE_VISIT_DAYS = 180


def _check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


# /budget/  and  /budget/<year>/
@require_safe
def dashboard(request, year: int | None = None):
    access.require(access.can_read_budget(request.user))
    today = timezone.localdate()
    year = _check_year(year or today.year)
    overview = selectors.year_overview(year, today=today)
    summary = overview.summary
    years = sorted(set(overview.years) | {today.year, year}, reverse=True)
    user = request.user
    ctx = {
        "summary": summary,
        "categories": overview.categories,
        "months": overview.months,
        "burn_up": charts.burn_up(summary, overview.months),
        "bars": charts.category_bars(overview.categories),
        "years": years,
        "extras": overview.extras if summary.budget_year else [],
        "can_manage": access.can_manage_budget(user),
        "can_edit": access.can_edit_expenses(user),
        "can_see_costliest": access.can_read_costliest_patients(user),
        "can_export": access.can_export_budget(user),
    }
    return render(request, "budget/dashboard.html", ctx)


# /budget/years/new/
def year_create(request):
    access.require(access.can_manage_budget(request.user))
    initial = {"year": timezone.localdate().year}
    form = forms.BudgetYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        budget_year = services.budget_year_save(budget_year=form.save(commit=False), acting_user=request.user)
        messages.success(request, _("Budget year %(year)s recorded.") % {"year": budget_year.year})
        return redirect("budget:year", year=budget_year.year)
    return render(request, "budget/form.html", {"form": form, "title": _("New budget year")})


# /budget/<year>/edit/
def year_edit(request, year: int):
    access.require(access.can_manage_budget(request.user))
    budget_year = get_object_or_404(BudgetYear, year=_check_year(year))
    form = forms.BudgetYearForm(request.POST or None, instance=budget_year)
    if request.method == "POST" and form.is_valid():
        services.budget_year_save(budget_year=form.save(commit=False), acting_user=request.user)
        messages.success(request, _("Budget year %(year)s updated.") % {"year": year})
        return redirect("budget:year", year=year)
    title = _("Budget year %(year)s") % {"year": year}
    return render(request, "budget/form.html", {"form": form, "title": title, "back": budget_year.year})


# /budget/<year>/allocations/new/
def allocation_create(request, year: int):
    access.require(access.can_manage_budget(request.user))
    budget_year = get_object_or_404(BudgetYear, year=_check_year(year))
    form = forms.ExtraAllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.extra_allocation_add(
            allocation=form.save(commit=False), budget_year=budget_year, acting_user=request.user
        )
        messages.success(request, _("Extra allocation recorded."))
        return redirect("budget:year", year=year)
    title = _("Extra allocation for %(year)s") % {"year": year}
    return render(request, "budget/form.html", {"form": form, "title": title, "back": year})


# /budget/<year>/patients/
@require_safe
def costliest_patients(request, year: int):
    access.require(access.can_read_costliest_patients(request.user))
    year = _check_year(year)
    summary = selectors.year_summary(year)
    rows = selectors.costliest_patients(year, total=summary.committed)
    used = [c for c in Category if any(row.by_category[c.value] for row in rows)]
    ctx = {
        "summary": summary,
        "rows": [(row, [row.by_category[c.value] for c in used]) for row in rows],
        "categories": used,
    }
    return render(request, "budget/costliest_patients.html", ctx)


# /budget/catalogue/
@require_safe
def catalogue_list(request):
    access.require(access.can_read_budget(request.user))
    can_manage = access.can_manage_budget(request.user)
    query = request.GET.get("q", "")[:100]
    category = request.GET.get("category", "")
    items = CatalogueItem.objects.search(query)
    if category in Category.values:
        items = items.filter(category=category)
    if not (can_manage and request.GET.get("inactive") == "1"):
        items = items.active()
    page = Paginator(items.in_display_order(), CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    ctx = {
        "page": page,
        "query": query,
        "category": category,
        "categories": Category.choices,
        "show_inactive": request.GET.get("inactive") == "1",
        "query_string": query_string.urlencode(),
        "can_manage": can_manage,
    }
    return render(request, "budget/catalogue.html", ctx)


def _catalogue_form(request, item: CatalogueItem, title: str):
    access.require(access.can_manage_budget(request.user))
    form = forms.CatalogueItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        item = services.catalogue_item_save(item=form.save(commit=False), acting_user=request.user)
        messages.success(request, _("“%(name)s” saved in the catalogue.") % {"name": item.name})
        return redirect("budget:catalogue")
    return render(request, "budget/form.html", {"form": form, "title": title, "back_url": reverse("budget:catalogue")})


# /budget/catalogue/new/
def catalogue_item_create(request):
    return _catalogue_form(request, CatalogueItem(), _("New catalogue item"))


# /budget/catalogue/<pk>/
def catalogue_item_edit(request, pk: int):
    access.require(access.can_manage_budget(request.user))
    item = get_object_or_404(CatalogueItem, pk=pk)
    return _catalogue_form(request, item, _("Catalogue item %(code)s") % {"code": item.code})


# /budget/expenses/
@require_safe
def expense_list(request):
    access.require(access.can_read_budget(request.user))
    user = request.user
    form = forms.ExpenseFilterForm(request.GET or None)
    # The valid filters apply; an invalid one is left out and said on the form, with what was
    # typed (it used to drop every filter silently).
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    # The patient's name and identity status, the item's name: what a row shows, and no more
    # (a patient row is wide: its search keys, address, notes…).
    expenses = Expense.objects.select_related("patient", "catalogue_item").only(
        *LIST_EXPENSE_FIELDS, *(f"patient__{name}" for name in LIST_PATIENT_FIELDS), "catalogue_item__name"
    )
    patient = None
    if filters.get("patient"):
        patient = Patient.objects.filter(pk=filters["patient"]).first()
        expenses = expenses.filter(patient_id=filters["patient"])
        if patient is not None:
            # A patient's expenses are part of their file: reading them is logged like the file.
            audit.record_view(user, patient, medical=access.can_read_expense_items(user))
    if filters.get("pharmacy_import"):
        expenses = expenses.filter(pharmacy_import_id=filters["pharmacy_import"])
    year = filters.get("year") or (None if patient or filters.get("pharmacy_import") else timezone.localdate().year)
    if year:
        expenses = expenses.in_year(year)
        if filters.get("month"):
            # A range rather than __month: it uses the index on spent_on.
            first = date(year, filters["month"], 1)
            following = date(year + first.month // 12, first.month % 12 + 1, 1)
            expenses = expenses.filter(spent_on__gte=first, spent_on__lt=following)
    if filters.get("status"):
        expenses = expenses.filter(status=filters["status"])
    if filters.get("category"):
        expenses = expenses.filter(category=filters["category"])
    totals = selectors.filtered_total(expenses.order_by())
    paginator = Paginator(expenses.order_by("-spent_on", "-pk"), EXPENSE_PAGE_SIZE)
    paginator.count = totals["count"]  # already counted with the totals: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "totals": totals,
        "year": year,
        "patient": patient,
        "query_string": query_string.urlencode(),
        "show_items": access.can_read_expense_items(user),
        "can_edit": access.can_edit_expenses(user),
    }
    return render(request, "budget/expense_list.html", ctx)


# /budget/expenses/new/
def expense_create(request):
    access.require(access.can_edit_expenses(request.user))
    form = forms.ExpenseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            (expense,) = services.expense_charge(
                lines=form.lines(),
                spent_on=form.cleaned_data["spent_on"],
                status=form.cleaned_data["status"],
                reference=form.cleaned_data["reference"],
                acting_user=request.user,
            )
        except services.BudgetError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Expense of %(amount)s recorded.") % {"amount": format_money(expense.amount)})
            return redirect("budget:expense-detail", pk=expense.pk)
    ctx = {"form": form, "title": _("New expense for the unit"), "back_url": reverse("budget:expenses")}
    return render(request, "budget/form.html", ctx)


# /budget/expenses/<pk>/
def expense_detail(request, pk: int):
    expense = access.get_expense_for_user(request, pk)
    user = request.user
    # Committing and paying follow who writes that kind of expense (a patient's care or the unit's).
    can_edit = access.can_write_expense(user, expense)
    form = forms.ExpenseStatusForm(request.POST or None, expense=expense)
    if request.method == "POST":
        access.require(can_edit)
        if form.is_valid():
            try:
                services.expense_set_status(
                    expense=expense,
                    status=form.cleaned_data["status"],
                    paid_on=form.cleaned_data["paid_on"],
                    acting_user=user,
                )
            except services.BudgetError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Expense updated."))
                return redirect("budget:expense-detail", pk=expense.pk)
    elif expense.patient is not None:
        audit.record_view(user, expense.patient, medical=access.can_read_expense_items(user))
    ctx = {
        "expense": expense,
        "form": form,
        "show_item": access.can_read_expense_items(user) or expense.patient_id is None,
        "can_edit": can_edit,
        "next_statuses": [s for s in expense.next_statuses if s != Expense.Status.CANCELLED],
        "today": timezone.localdate(),
    }
    return render(request, "budget/expense_detail.html", ctx)


# /budget/expenses/<pk>/cancel/
def expense_cancel(request, pk: int):
    expense = access.get_expense_for_user(request, pk, edit=True)
    if expense.is_cancelled:
        messages.info(request, _("This expense is already cancelled."))
        return redirect("budget:expense-detail", pk=expense.pk)
    form = forms.ExpenseCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.expense_cancel(expense=expense, reason=form.cleaned_data["reason"], acting_user=request.user)
        messages.success(request, _("Expense cancelled."))
        return redirect("budget:expense-detail", pk=expense.pk)
    ctx = {
        "form": form,
        "title": _("Cancel the expense %(expense)s") % {"expense": expense},
        "back_url": reverse("budget:expense-detail", args=[expense.pk]),
        "danger": True,
    }
    return render(request, "budget/form.html", ctx)


# /budget/patients/<pk>/dispense/
def dispense(request, pk: int):
    patient = access.get_patient_for_user(request, pk)
    access.require(access.can_charge_expenses(request.user))
    today = timezone.localdate()
    since = timezone.now() - timedelta(days=DISPENSE_VISIT_DAYS)
    visit_pk = request.GET.get("visit", "")
    visit_pk = int(visit_pk) if visit_pk.isdigit() and len(visit_pk) < 19 else None
    # The recent visits, and the one asked for from the file however old (never a cancelled one).
    offered = Q(occurred_at__gte=since) if visit_pk is None else Q(occurred_at__gte=since) | Q(pk=visit_pk)
    visits = Visit.objects.not_cancelled().filter(offered, patient=patient).order_by("-occurred_at")
    initial = {"spent_on": today, "status": Expense.Status.COMMITTED}
    if request.method != "POST":  # a posted form carries its own choice
        if visit_pk is not None:
            visit = visits.filter(pk=visit_pk).first()
        else:
            # Opened from the file right after recording a visit: the user's own visit of the day.
            visit = visits.filter(professional=request.user).on_day(today).first()
        if visit is not None:
            initial |= {"visit": visit.pk, "spent_on": timezone.localdate(visit.occurred_at)}
    items = CatalogueItem.objects.active().in_display_order()
    # The patient's RCP decisions, for care decided in concertation (shown to RCP readers only).
    case_reviews = (
        rcp_selectors.decided_cases(patient) if access.can_read_rcp(request.user) else CaseReview.objects.none()
    )
    form = forms.DispenseForm(
        request.POST or None, initial=initial, items=items, visits=visits, case_reviews=case_reviews
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expenses = services.expense_charge(
                lines=form.lines(),
                patient=patient,
                visit=data["visit"],
                case_review=data["case_review"],
                spent_on=data["spent_on"],
                status=data["status"],
                reference=data["reference"],
                source=Expense.Source.DISPENSING,
                acting_user=request.user,
            )
        except services.BudgetError as error:
            form.add_error(None, str(error))
        else:
            total = sum(e.amount for e in expenses)
            message = ngettext(
                "%(count)d line charged to the budget, %(total)s in all.",
                "%(count)d lines charged to the budget, %(total)s in all.",
                len(expenses),
            )
            messages.success(request, message % {"count": len(expenses), "total": format_money(total)})
            return redirect("patients:detail", pk=patient.pk)
    query = request.GET.get("q", "")[:100]
    ctx = {
        "patient": patient,
        "form": form,
        "summary": selectors.year_summary(today.year),
        "query": query,
        "has_case_reviews": case_reviews.exists(),
        # The options discussed in the patient's recent RCPs, to price them from the catalogue.
        "rcp_cases": rcp_selectors.cases_with_options(patient) if access.can_price_option(request.user) else [],
        # Without JavaScript the search is done here; rows that do not match are hidden, not left out.
        "shown": set(items.search(query).values_list("pk", flat=True)) if query else None,
    }
    return render(request, "budget/dispense.html", ctx)


# /budget/export/
@require_safe
def export(request):
    access.require(access.can_export_budget(request.user))
    today = timezone.localdate()
    form = forms.ExportForm(request.GET or None, initial={"start": date(today.year, 1, 1), "end": today})
    ctx = {"form": form, "can_export_named": access.can_export_budget_named(request.user)}
    return render(request, "budget/export.html", ctx)


def _export(request, kind: str):
    access.require(access.can_export_budget(request.user))
    today = timezone.localdate()
    params = request.GET.copy()
    params.setdefault("start", date(today.year, 1, 1).isoformat())
    params.setdefault("end", today.isoformat())
    form = forms.ExportForm(params)
    can_named = access.can_export_budget_named(request.user)
    if not form.is_valid():
        return render(request, "budget/export.html", {"form": form, "can_export_named": can_named})
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    # Roles that may not export names get the pseudonymised file, whatever they ask.
    pseudonymised = form.cleaned_data["pseudonymised"] or not can_named
    show_items = access.can_read_expense_items(request.user)
    queryset = exports.expense_queryset(start, end)
    if kind == "csv":
        content, count = exports.to_csv(queryset, pseudonymised=pseudonymised, show_items=show_items)
        content_type = "text/csv; charset=utf-8"
    else:
        content, count = exports.to_xlsx(
            queryset, pseudonymised=pseudonymised, show_items=show_items, start=start, end=end
        )
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(
        request.user,
        "export",
        detail=f"budget expenses {start:%d/%m/%Y}–{end:%d/%m/%Y} {kind.upper()}"
        f"{' pseudonymised' if pseudonymised else ' named'}, {count} lines",
    )
    suffix = "-pseudo" if pseudonymised else ""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="depenses-pass-{start:%Y%m%d}-{end:%Y%m%d}{suffix}.{kind}"'
    return response


# /budget/export/expenses.csv
@require_safe
def export_csv(request):
    return _export(request, "csv")


# /budget/export/expenses.xlsx
@require_safe
def export_xlsx(request):
    return _export(request, "xlsx")


# /budget/imports/new/
def pharmacy_import(request):
    access.require(access.can_manage_budget(request.user))
    form = forms.PharmacyImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.pharmacy_import(
                content=upload.read(),
                file_name=upload.name,
                encoding=form.cleaned_data["encoding"],
                acting_user=request.user,
            )
        except services.ImportRejected as rejected:
            report = rejected.report
        else:
            message = ngettext(
                "%(rows)d line imported, %(total)s in all.", "%(rows)d lines imported, %(total)s in all.", report.rows
            )
            messages.success(request, message % {"rows": report.rows, "total": format_money(report.total)})
            return redirect("budget:import-detail", pk=report.pharmacy_import.pk)
    imports = list(PharmacyImport.objects.select_related("imported_by")[:10])
    return render(request, "budget/import.html", {"form": form, "report": report, "imports": imports})


# /budget/imports/<pk>/
@require_safe
def import_detail(request, pk: int):
    access.require(access.can_manage_budget(request.user))
    batch = get_object_or_404(PharmacyImport.objects.select_related("imported_by"), pk=pk)
    totals = selectors.category_totals(batch.expenses.all())
    rows = [(c.label, totals[c.value]) for c in Category if c.value in totals]
    ctx = {"batch": batch, "rows": rows, "total": selectors.filtered_total(batch.expenses.all())}
    return render(request, "budget/import_detail.html", ctx)


# /budget/rcp-option/<pk>/
def _rcp_option_page(request, option, *, form=None, action_error: str = ""):
    """The costing page; `form` / `action_error` carry what a POST to one of its actions was refused for."""
    case = option.case_review
    user = request.user
    rows, summary = selectors.case_option_costs(case)
    case_expenses = list(
        Expense.objects.filter(case_review=case)
        .exclude(status=Expense.Status.CANCELLED)
        .select_related("catalogue_item")
        .order_by("spent_on", "pk")
    )
    ctx = {
        "option": option,
        "case": case,
        "rows": rows,
        "lines": list(OptionCostLine.objects.filter(option=option).select_related("catalogue_item", "created_by")),
        "summary": summary,
        "form": form if form is not None else forms.OptionCostLineForm(),
        "case_expenses": case_expenses,
        "action_error": action_error,
        "show_items": access.can_read_expense_items(user),
        "can_price": access.can_price_option(user) and not case.meeting.is_locked,
        "locked": case.meeting.is_locked,
    }
    return render(request, "budget/rcp_option.html", ctx)


@require_safe
def rcp_option(request, pk: int):
    """Price an option discussed in RCP from the catalogue; every option of the case against what remains."""
    return _rcp_option_page(request, access.get_rcp_option_for_user(request, pk))


# Refusals of the costing's actions: the budget's rules, and the RCP's frozen minutes (rcp.services).
COSTING_REFUSALS = (services.BudgetError, MeetingLocked)


# /budget/rcp-option/<pk>/lines/
@require_POST
def rcp_option_line_add(request, pk: int):
    option = access.get_rcp_option_for_user(request, pk, edit=True)
    form = forms.OptionCostLineForm(request.POST)
    if form.is_valid():
        item, quantity = form.cleaned_data["catalogue_item"], form.cleaned_data["quantity"]
        try:
            services.option_cost_line_add(option=option, item=item, quantity=quantity, acting_user=request.user)
        except COSTING_REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Cost line added."))
            return redirect("budget:rcp-option", pk=option.pk)
    return _rcp_option_page(request, option, form=form)


# /budget/rcp-option/<pk>/lines/<line_pk>/withdraw/
@require_POST
def rcp_option_line_withdraw(request, pk: int, line_pk: int):
    option = access.get_rcp_option_for_user(request, pk, edit=True)
    line = get_object_or_404(OptionCostLine, pk=line_pk, option=option)
    try:
        services.option_cost_line_withdraw(line=line, acting_user=request.user)
    except COSTING_REFUSALS as error:
        return _rcp_option_page(request, option, action_error=str(error))
    messages.success(request, _("Cost line withdrawn."))
    return redirect("budget:rcp-option", pk=option.pk)


# /budget/rcp-option/<pk>/plan/
@require_POST
def rcp_option_plan(request, pk: int):
    """The retained option becomes planned expenses of the patient."""
    option = access.get_rcp_option_for_user(request, pk, edit=True)
    try:
        expenses = services.option_expenses_plan(option=option, acting_user=request.user)
    except COSTING_REFUSALS as error:
        return _rcp_option_page(request, option, action_error=str(error))
    message = ngettext(
        "%(count)d planned expense recorded for the patient.",
        "%(count)d planned expenses recorded for the patient.",
        len(expenses),
    )
    messages.success(request, message % {"count": len(expenses)})
    return redirect("budget:rcp-option", pk=option.pk)
