from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value):
    """1234.5 -> "1 234,50 €" (non-breaking spaces)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def role_label(value):
    """ "physician" -> "Médecin" (the role's translated label)."""
    from pass_unit.roles import Role

    try:
        return Role(value).label
    except ValueError:
        return value or ""
