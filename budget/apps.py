from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = _("MIG budget")

    def ready(self):
        # The patient file and the dashboard show budget data without `patients` importing `budget`.
        from budget import panels as budget_panels
        from pass_unit import panels

        panels.register(panels.PATIENT_FILE, budget_panels.patient_costs_panel, order=60)
        panels.register(panels.PATIENT_ACTIONS, budget_panels.dispense_action, order=60)
        panels.register(panels.VISIT_ACTIONS, budget_panels.dispense_visit_actions, order=60)
        panels.register(panels.DASHBOARD, budget_panels.dashboard_panel, order=60)
        panels.register(panels.RCP_CASE, budget_panels.rcp_case_costing_panel, order=60)
