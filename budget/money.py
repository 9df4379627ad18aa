"""Money arithmetic of the MIG budget: French amounts, percentages, projection, alerts, bounds.

Pure functions on `Decimal`, never float: the dashboard, the forms and the pharmacy import
all go through them, and the tests check them to the cent. Reading and formatting amounts is
shared with `patients` and `rcp`, which may not import `budget`: it is implemented once in
`pass_unit.lib.decimal` and re-exported here.
"""

import calendar
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from pass_unit.lib.decimal import CENT as CENT
from pass_unit.lib.decimal import AmountError as AmountError
from pass_unit.lib.decimal import format_money as format_money
from pass_unit.lib.decimal import format_number as format_number
from pass_unit.lib.decimal import parse_decimal as parse_decimal

TENTH = Decimal("0.1")
HUNDRED = Decimal(100)

# One expense line above this is a typing error (an extra zero), not a PASS expense.
MAX_LINE_AMOUNT = Decimal("100000.00")
MAX_QUANTITY = Decimal("10000")
# A yearly MIG credit: ~170 k€ on average, the largest PASS a few M€.
MAX_ALLOCATION = Decimal("50000000.00")
# Percentages shown beyond this are capped ("> 999 %"): a share that large is an outlier to
# check, and printing "1875513,5 %" helps nobody.
MAX_SHOWN_PERCENT = Decimal(999)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price, rounded to the cent (half up, like PostgreSQL's round())."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when there is no whole."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def format_percent(value, *, cap: Decimal = MAX_SHOWN_PERCENT) -> str:
    """Decimal("70.3") -> "70,3 %" (no-break space); None -> "—"; above `cap` -> "> 100 %".

    The share an RCP option takes of what remains is capped at 100: "> 100 %" says "more than
    what is left", where "1875513,5 %" said nothing.
    """
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if value > cap:
        return f">\u00a0{format_number(cap, 0)}\u00a0%"
    return f"{format_number(value.quantize(TENTH, rounding=ROUND_HALF_UP), 1)}\u00a0%"


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
