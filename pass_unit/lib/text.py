"""Text helpers: search normalisation and input hygiene."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Letters that NFKD does not decompose into a base letter + accent.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th"})
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(value: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for search.

    "Éloïse  Nguyễn-Lê" -> "eloise nguyen le".
    """
    value = unicodedata.normalize("NFKD", value or "").casefold().translate(_SPECIAL)
    value = "".join(c for c in value if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", value).strip()


_TAG = re.compile(r"<\s*[a-zA-Z!/?]")


def reject_markup(value: str) -> None:
    """Refuse HTML or script in free text: it has no place in a patient file."""
    if isinstance(value, str) and (_TAG.search(value) or "javascript:" in value.lower()):
        raise ValidationError(_("HTML tags and scripts are not allowed in this field."), code="markup")
