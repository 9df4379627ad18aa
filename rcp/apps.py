from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RcpConfig(AppConfig):
    name = "rcp"
    verbose_name = _("Concertation meetings (RCP)")

    def ready(self):
        from pass_unit import panels
        from rcp import panels as rcp_panels

        panels.register(panels.PATIENT_FILE, rcp_panels.patient_reviews, order=50)
        panels.register(panels.PATIENT_ACTIONS, rcp_panels.present_in_rcp, order=50)
        panels.register(panels.DASHBOARD, rcp_panels.my_actions, order=50)
