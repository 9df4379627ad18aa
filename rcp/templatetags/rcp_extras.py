import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# Characters that could end a CSS string or the <style> element: written as CSS escapes.
_CSS_UNSAFE = re.compile(r"[\\\"'<>&\n\r\f\x00-\x1f]")


@register.filter
def css_string(value) -> str:
    """Text for inside a double-quoted CSS string (page headers and footers of the PDF)."""
    return mark_safe(_CSS_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", str(value)))


@register.filter
def person(user) -> str:
    """A team member's full name, or their username; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.username
