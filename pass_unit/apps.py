from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassUnitConfig(AppConfig):
    name = "pass_unit"
    verbose_name = _("PASS unit")

    def ready(self):
        from pass_unit import signals  # noqa: F401 - connects the login audit receivers
