"""Money arithmetic of the MIG budget: parsing French amounts, percentages, projection, alerts.

Pure functions on `Decimal`, never float: the dashboard, the forms and the pharmacy import
all go through them, and the tests check them to the cent.
"""

import calendar
import re
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)

# One expense line above this is a typing error (an extra zero), not a PASS expense.
MAX_LINE_AMOUNT = Decimal("100000.00")
MAX_QUANTITY = Decimal("10000")
# A yearly MIG credit: ~170 k€ on average, the largest PASS a few M€.
MAX_ALLOCATION = Decimal("50000000.00")

# Spaces people and spreadsheets put in numbers: space, no-break space, narrow no-break space.
_SPACES = re.compile(r"[ \u00a0\u202f\t]")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")


class AmountError(ValueError):
    """The text is not a usable number; `code` says why (for the message shown to the user)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_decimal(text, *, places: int = 2, maximum: Decimal | None = None, allow_zero: bool = False) -> Decimal:
    """Read an amount or quantity typed the French way (or the English way).

    "12,5" -> 12.5; "1 234,56" -> 1234.56; "1234.56" -> 1234.56; "1.234,56" -> 1234.56; "12 €" -> 12.
    When both separators appear, the last one is the decimal separator. Raises AmountError with
    code "invalid", "places", "negative", "zero" or "too_large".
    """
    if isinstance(text, Decimal):
        value = text
    else:
        raw = _SPACES.sub("", str(text or "")).removesuffix("€").removesuffix("EUR")
        negative = raw.startswith("-")
        raw = raw.lstrip("+-")
        if "," in raw and "." in raw:
            decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
            raw = raw.replace("." if decimal_sep == "," else ",", "").replace(",", ".")
        else:
            raw = raw.replace(",", ".")
        if not _PLAIN.fullmatch(raw):
            raise AmountError("invalid")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise AmountError("invalid") from None
        if negative and value:
            raise AmountError("negative")
    if not value.is_finite():
        raise AmountError("invalid")
    if value < 0:
        raise AmountError("negative")
    if value == 0 and not allow_zero:
        raise AmountError("zero")
    if maximum is not None and value > maximum:
        raise AmountError("too_large")
    step = Decimal(1).scaleb(-places)
    try:
        rounded = value.quantize(step)
    except InvalidOperation:  # more digits than a Decimal context holds
        raise AmountError("too_large") from None
    if rounded != value:
        raise AmountError("places")
    return rounded


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price, rounded to the cent (half up, like PostgreSQL's round())."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when there is no whole."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def elapsed_days(year: int, today: date) -> int:
    """Days of `year` already lived on `today` (today included): 0 before, the whole year after."""
    if today.year < year:
        return 0
    if today.year > year:
        return days_in_year(year)
    return (today - date(year, 1, 1)).days + 1


def projection(committed: Decimal, year: int, today: date) -> Decimal | None:
    """Spending at 31 December if the year goes on at its rate so far (committed / day × days).

    A finished year is its own projection; a year not started has none.
    """
    elapsed = elapsed_days(year, today)
    if elapsed == 0:
        return None
    total_days = days_in_year(year)
    if elapsed == total_days:
        return committed
    return (committed * total_days / elapsed).quantize(CENT, rounding=ROUND_HALF_UP)


def run_out_date(committed: Decimal, available: Decimal, year: int, today: date) -> date | None:
    """The day the credit is used up at the current rate, when that happens within the year."""
    elapsed = elapsed_days(year, today)
    if elapsed == 0 or not committed or not available:
        return None
    if committed >= available:
        return today if today.year == year else date(year, 12, 31)
    # The n-th day of the year on which the cumulated spending reaches `available`.
    day_number = int((available * elapsed / committed).to_integral_value(rounding=ROUND_CEILING))
    if day_number > days_in_year(year):
        return None
    return date(year, 1, 1) + timedelta(days=day_number - 1)


class Alert:
    NONE = "none"  # no allocation recorded: nothing to compare with
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    EXCEEDED = "exceeded"


def alert_level(committed: Decimal, available: Decimal, warning_pct: Decimal, critical_pct: Decimal) -> str:
    """Where the spending stands against the year's thresholds (reaching a threshold counts).

    Compared exactly, not on the rounded percentage shown: 79.96 % is not yet 80 %, and one
    cent over the credit is over it.
    """
    if not available:
        return Alert.NONE
    if committed > available:
        return Alert.EXCEEDED
    if committed * HUNDRED >= critical_pct * available:
        return Alert.CRITICAL
    if committed * HUNDRED >= warning_pct * available:
        return Alert.WARNING
    return Alert.OK
