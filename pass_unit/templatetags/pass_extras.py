from django import template

from pass_unit.lib.decimal import format_money

register = template.Library()


@register.filter
def money(value):
    """1234.5 -> "1 234,50 €" (non-breaking spaces): see pass_unit.lib.decimal.format_money."""
    return format_money(value)


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
