from django.conf import settings
from django.utils import timezone

from pass_unit import access
from pass_unit.roles import role_of


def unit(request):
    user = getattr(request, "user", None)
    return {
        "PASS_UNIT_NAME": settings.PASS_UNIT_NAME,
        "user_role": role_of(user),
        "today_year": timezone.localdate().year,
        "nav_accounts": access.can_manage_accounts(user),
        "nav_audit": access.can_read_audit(user),
        "nav_budget": access.can_read_budget(user),
        "nav_rcp": access.can_read_rcp(user),
        "nav_reports": access.can_read_activity_report(user),
    }
