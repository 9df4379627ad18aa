"""What the budget adds to other apps' pages, through pass_unit.panels (registered in apps.py)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import selectors
from pass_unit import access


def patient_costs_panel(request, patient):
    """ "Coût des soins" on the patient file: totals per year and category. One query."""
    user = request.user
    if not access.can_read_budget(user):
        return None
    ctx = {
        "patient": patient,
        "years": selectors.patient_costs(patient.pk),
        "can_charge": access.can_charge_expenses(user),
    }
    return render_to_string("budget/_patient_costs.html", ctx, request=request)


def dispense_action(request, patient):
    """The "Dispenser / prescrire" button of the patient file. No query."""
    if not access.can_charge_expenses(request.user):
        return None
    return [(_("Dispense / prescribe"), reverse("budget:dispense", args=[patient.pk]), "btn-outline-success")]


def dispense_visit_actions(request, visits):
    """ "Dispenser / prescrire" on each visit of the file, so the charge is tied to it. No query."""
    if not access.can_charge_expenses(request.user):
        return None
    label = _("Dispense / prescribe")
    return {
        visit.pk: [(label, f"{reverse('budget:dispense', args=[visit.patient_id])}?visit={visit.pk}", "link-success")]
        for visit in visits
        if not visit.is_cancelled
    }


def dashboard_panel(request, _obj):
    """The year's consumption and alert level on the home dashboard. Two queries: the year with
    its extras, the sums of its month totals (kept by the database: no expense is read)."""
    if not access.can_read_budget(request.user):
        return None
    summary = selectors.year_summary(timezone.localdate().year)
    # No form, nothing from the request: rendered without the context processors.
    return render_to_string("budget/_dashboard_panel.html", {"summary": summary})


def rcp_case_costing_panel(request, case):
    """On an RCP case page: each option's cost against what remains of the credit. Three queries."""
    user = request.user
    if not access.can_read_option_costing(user):
        return None
    rows, summary = selectors.case_option_costs(case)
    if not rows:
        return None
    ctx = {
        "rows": rows,
        "summary": summary,
        "can_price": access.can_price_option(user) and not case.meeting.is_locked,
    }
    return render_to_string("budget/_rcp_case_costing.html", ctx, request=request)
