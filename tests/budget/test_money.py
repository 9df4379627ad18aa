"""The budget's arithmetic, to the cent: French amounts, percentages, projection, thresholds."""

from datetime import date
from decimal import Decimal

import pytest

from budget import money
from budget.money import Alert, AmountError, parse_decimal

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", D("12.50")),
        ("12.5", D("12.50")),
        ("1 234,56", D("1234.56")),
        ("1\u00a0234,56", D("1234.56")),  # no-break space, as Django prints French numbers
        ("1\u202f234,56", D("1234.56")),  # narrow no-break space, as browsers print them
        ("1234.56", D("1234.56")),
        ("1.234,56", D("1234.56")),
        ("1,234.56", D("1234.56")),
        ("  7 ", D("7.00")),
        ("12 €", D("12.00")),
        ("0,01", D("0.01")),
        ("12,500", D("12.50")),  # a trailing zero is not a third decimal
        ("100000", D("100000.00")),
        ("+3", D("3.00")),
    ],
)
def test_it_reads_amounts_the_french_way(text, expected):
    value = parse_decimal(text, maximum=money.MAX_LINE_AMOUNT)
    assert value == expected
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abc", "invalid"),
        ("", "invalid"),
        ("12,5,3", "invalid"),
        ("1e3", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("0x10", "invalid"),
        ("١٢٣", "invalid"),  # Arabic-Indic digits: Decimal() would take them, we do not
        ("²", "invalid"),
        ("12\x00", "invalid"),
        ("-5", "negative"),
        ("-0,01", "negative"),
        ("0", "zero"),
        ("0,00", "zero"),
        ("1,234", "places"),  # French reading: 1.234, three decimals
        ("12.345", "places"),
        ("100000,01", "too_large"),
        ("9" * 5000, "too_large"),
    ],
)
def test_it_refuses_what_is_not_a_usable_amount(text, code):
    with pytest.raises(AmountError) as error:
        parse_decimal(text, maximum=money.MAX_LINE_AMOUNT)
    assert error.value.code == code


def test_it_has_no_maximum_unless_asked_but_still_bounds_digits():
    assert parse_decimal("250000") == D("250000.00")
    with pytest.raises(AmountError, match="too_large"):
        parse_decimal("9" * 40)


def test_it_accepts_zero_when_allowed_and_other_precisions():
    assert parse_decimal("0", allow_zero=True) == D("0.00")
    assert parse_decimal("87,5", places=1) == D("87.5")
    with pytest.raises(AmountError, match="places"):
        parse_decimal("87,55", places=1)


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        (D("2"), D("1.20"), D("2.40")),
        (D("1.5"), D("6.50"), D("9.75")),
        (D("0.5"), D("0.05"), D("0.03")),  # 0.025 rounds half up, like PostgreSQL's round()
        (D("3"), D("0.33"), D("0.99")),
        (D("1.25"), D("7995.00"), D("9993.75")),
        (D("0.01"), D("0.01"), D("0.00")),
    ],
)
def test_a_line_costs_quantity_times_price_to_the_cent(quantity, price, amount):
    assert money.line_amount(quantity, price) == amount


def test_percentages_have_one_decimal_rounded_half_up():
    assert money.percent(D("129785.44"), D("185000.00")) == D("70.2")
    assert money.percent(D("1"), D("3")) == D("33.3")
    assert money.percent(D("2"), D("3")) == D("66.7")
    assert money.percent(D("0.5"), D("1000")) == D("0.1")  # 0.05 % rounds up
    assert money.percent(D("250"), D("200")) == D("125.0")
    assert money.percent(D("10"), D("0")) is None


def test_elapsed_days_count_today_and_leap_years():
    assert money.elapsed_days(2026, date(2026, 1, 1)) == 1
    assert money.elapsed_days(2026, date(2026, 7, 2)) == 183
    assert money.elapsed_days(2026, date(2025, 12, 31)) == 0
    assert money.elapsed_days(2026, date(2027, 1, 1)) == 365
    assert money.elapsed_days(2024, date(2025, 3, 1)) == 366
    assert money.days_in_year(2024) == 366
    assert money.days_in_year(2100) == 365


def test_the_projection_extends_the_rate_so_far_to_31_december():
    # 182 days lived in 2026 (1 January to 1 July), 91 000 € committed: 500 €/day × 365.
    assert money.projection(D("91000.00"), 2026, date(2026, 7, 1)) == D("182500.00")
    # Rounded to the cent, half up: 100 € over 3 days -> 100 × 365 / 3 = 12 166.666…
    assert money.projection(D("100.00"), 2026, date(2026, 1, 3)) == D("12166.67")
    # A leap year counts 366 days.
    assert money.projection(D("366.00"), 2024, date(2024, 1, 1)) == D("133956.00")
    # A finished year is its own projection; a year not started has none.
    assert money.projection(D("175432.10"), 2025, date(2026, 3, 1)) == D("175432.10")
    assert money.projection(D("0.00"), 2027, date(2026, 3, 1)) is None


def test_the_run_out_date_is_when_the_rate_reaches_the_credit():
    # 500 €/day from 1 January: 180 000 € are reached on day 360, 26 December.
    assert money.run_out_date(D("91000.00"), D("180000.00"), 2026, date(2026, 7, 1)) == date(2026, 12, 26)
    # Not within the year: no date.
    assert money.run_out_date(D("91000.00"), D("185000.00"), 2026, date(2026, 7, 1)) is None
    # Exactly on 31 December still counts.
    assert money.run_out_date(D("500.00"), D("182500.00"), 2026, date(2026, 1, 1)) == date(2026, 12, 31)
    # Already used up: today.
    assert money.run_out_date(D("190000.00"), D("185000.00"), 2026, date(2026, 11, 2)) == date(2026, 11, 2)
    assert money.run_out_date(D("0.00"), D("185000.00"), 2026, date(2026, 11, 2)) is None
    assert money.run_out_date(D("10.00"), D("0.00"), 2026, date(2026, 11, 2)) is None


@pytest.mark.parametrize(
    ("committed", "level"),
    [
        ("0.00", Alert.OK),
        ("79999.99", Alert.OK),  # 79.99999 %: shown as 80,0 % but not there yet
        ("80000.00", Alert.WARNING),  # reaching a threshold counts
        ("94999.99", Alert.WARNING),
        ("95000.00", Alert.CRITICAL),
        ("100000.00", Alert.CRITICAL),
        ("100000.01", Alert.EXCEEDED),  # one cent over the credit
    ],
)
def test_the_alert_level_follows_the_year_thresholds(committed, level):
    assert money.alert_level(D(committed), D("100000.00"), D("80.0"), D("95.0")) == level


def test_no_credit_no_alert_and_thresholds_are_per_year():
    assert money.alert_level(D("10.00"), D("0"), D("80.0"), D("95.0")) == Alert.NONE
    assert money.alert_level(D("72.00"), D("100.00"), D("70.0"), D("90.0")) == Alert.WARNING
    assert money.alert_level(D("72.00"), D("100.00"), D("75.5"), D("90.0")) == Alert.OK
