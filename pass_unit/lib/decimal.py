"""Numbers people type, and money shown the French way: pure functions on `Decimal`, never float.

Every decimal field of the app (social assessment income, RCP option cost, the whole MIG budget)
reads what was typed with `parse_decimal`, and every amount on a page, in a PDF or in a message
goes through `format_money`. They live here, not in `budget`, because `patients` must not import
`budget` (see DESIGN.md); `budget.money` re-exports them with the budget's own bounds.

Why not `<input type="number">`: in Chromium with a French keyboard, "12,5" typed into a number
box reaches the server as "125" (a tenfold error, silently), and it accepts "1e9".
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

CENT = Decimal("0.01")
# More integer digits than this is a number nobody means (and more than a Decimal context holds).
MAX_DIGITS = 20

# Spaces people and spreadsheets put between thousands: space, no-break space, narrow no-break space.
_GROUP_SPACE = "[ \u00a0\u202f]"
_INTEGER = rf"(?:[0-9]{{1,3}}(?:{_GROUP_SPACE}[0-9]{{3}})+|[0-9]+)"
_FORMS = [
    # "12", "12,5", "12.50", "1 234,56", ",5"
    re.compile(rf"(?P<int>{_INTEGER})?(?:[.,](?P<frac>[0-9]+))?"),
    # "1.234,56": dots group the thousands, the comma is the decimal separator
    re.compile(r"(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+),(?P<frac>[0-9]+)"),
    # "1,234.56": the English way
    re.compile(r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+)\.(?P<frac>[0-9]+)"),
]
_SIGNS = {"-": True, "\u2212": True, "+": False}  # U+2212 is the typographic minus
_CURRENCY = re.compile(r"(?:€|eur|euros?)$", re.IGNORECASE)
_EDGE_SPACES = " \t\u00a0\u202f"


class AmountError(ValueError):
    """The text is not a usable number; `code` says why (for the message shown to the user).

    Codes: "invalid", "places", "negative", "zero", "too_large".
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _read(text: str) -> Decimal:
    raw = text.strip(_EDGE_SPACES)
    raw = _CURRENCY.sub("", raw).rstrip(_EDGE_SPACES)
    negative = False
    if raw[:1] in _SIGNS:
        negative = _SIGNS[raw[0]]
        raw = raw[1:]
    for form in _FORMS:
        match = form.fullmatch(raw)
        if match and (match["int"] or match["frac"]):
            break
    else:
        raise AmountError("invalid")
    digits = re.sub(r"[^0-9]", "", match["int"] or "0")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise AmountError("too_large")
    value = Decimal(f"{digits}.{match['frac'] or '0'}")
    if negative and value:
        raise AmountError("negative")
    return value


def parse_decimal(text, *, places: int = 2, maximum: Decimal | None = None, allow_zero: bool = False) -> Decimal:
    """Read an amount or quantity typed the French way (or the English way), exactly.

    "12,5" -> 12.50; "1 234,56" -> 1234.56 (any kind of space between thousands); "1234.56",
    "1.234,56" and "1,234.56" -> 1234.56; "12 €" -> 12.00. Refused: exponents ("1e9"), "inf",
    "nan", other scripts' digits, loose spaces ("12 5"), an ambiguous "1.234.567".
    Returns the value with exactly `places` decimals; raises AmountError with code "invalid",
    "places" (more decimals than `places`, trailing zeros aside), "negative", "zero" (unless
    `allow_zero`) or "too_large" (above `maximum`).
    """
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise AmountError("invalid")
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    elif isinstance(text, str):
        value = _read(text)
    else:  # floats included: they are not exact
        raise AmountError("invalid")
    if value < 0:
        raise AmountError("negative")
    if value == 0 and not allow_zero:
        raise AmountError("zero")
    if maximum is not None and value > maximum:
        raise AmountError("too_large")
    try:
        rounded = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than a Decimal context holds
        raise AmountError("too_large") from None
    if rounded != value:
        raise AmountError("places")
    return rounded


def format_number(value, places: int | None = None) -> str:
    """Decimal("1234.5") -> "1 234,5" in French (no-break space), as typed back into a form.

    With `places=None`, trailing zeros are dropped: a quantity of 2.00 shows as "2".
    """
    value = Decimal(value)
    if places is None:
        value = value.normalize()
        places = max(0, -value.as_tuple().exponent)
    else:  # number_format truncates: round half up first
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(value, places, use_l10n=True, force_grouping=True)


def format_money(value) -> str:
    """1234.5 -> "1 234,50 €" (no-break spaces, half-up to the cent); None or "" -> ""."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0€"
