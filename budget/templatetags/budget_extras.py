from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from budget.models import Category, ExpenseStatus
from budget.money import MAX_SHOWN_PERCENT, Alert, format_percent
from pass_unit import access

register = template.Library()

ALERTS = {
    Alert.NONE: ("secondary", _("No allocation recorded")),
    Alert.OK: ("success", _("Within budget")),
    Alert.WARNING: ("warning", _("Warning threshold reached")),
    Alert.CRITICAL: ("danger", _("Critical threshold reached")),
    Alert.EXCEEDED: ("danger", _("Credit exceeded")),
}


@register.filter
def pct(value, cap=MAX_SHOWN_PERCENT):
    """Decimal("70.3") -> "70,3 %" (no-break space); None -> "—"; `|pct:100` shows "> 100 %" above 100."""
    return format_percent(value, cap=Decimal(cap))


@register.filter
def alert_color(level: str) -> str:
    return ALERTS.get(level, ALERTS[Alert.NONE])[0]


@register.filter
def alert_label(level: str) -> str:
    return ALERTS.get(level, ALERTS[Alert.NONE])[1]


# Filters rather than get_FOO_display(), which translates every choice of the field on each call
# (50 rows × 2 calls were a third of the expense list's rendering).
_CATEGORY_LABELS = dict(Category.choices)
_STATUS_LABELS = dict(ExpenseStatus.choices)
_STATUS_CSS = {
    ExpenseStatus.PAID: "text-bg-success",
    ExpenseStatus.COMMITTED: "text-bg-primary",
    ExpenseStatus.PLANNED: "text-bg-info",
}


@register.filter
def category_label(value: str) -> str:
    """ "lab" -> "Examens de laboratoire"."""
    return _CATEGORY_LABELS.get(value, value)


@register.filter
def status_badge(status: str):
    """An expense's status as a coloured badge."""
    return format_html(
        '<span class="badge {}">{}</span>',
        _STATUS_CSS.get(status, "text-bg-secondary"),
        _STATUS_LABELS.get(status, status),
    )


@register.inclusion_tag("budget/_nav.html", takes_context=True)
def budget_nav(context, current: str):
    """The budget's own tabs, each shown to the roles that may open it (no query: the role is cached)."""
    user = context["request"].user
    return {
        "current": current,
        "can_export": access.can_export_budget(user),
        "can_manage": access.can_manage_budget(user),
        "can_edit": access.can_edit_expenses(user),
    }
