"""Geometry of the budget charts, drawn as inline SVG by the templates.

Server-side SVG needs no chart library, no CDN and no script (the CSP allows none inline):
this module turns Decimal sums into coordinates, the templates draw them. Coordinates are
strings with a dot ("12.5"), never localised: French number formatting would break the SVG.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from budget import money
from budget.selectors import CategoryRow, MonthRow, YearSummary

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 16, 34
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _f(value: float) -> str:
    return f"{value:.1f}"


def short_amount(value: Decimal) -> str:
    """150000 -> "150 k€", 1250000 -> "1,25 M€" (localised), for axis labels."""
    if value >= 1_000_000:
        return _("%(n)s M€") % {"n": number_format(value / 1_000_000, 2)}
    if value >= 1_000:
        return _("%(n)s k€") % {"n": number_format((value / 1_000).normalize(), 1 if value % 1000 else 0)}
    return f"{number_format(value, 0)} €"


def nice_step(maximum: Decimal, ticks: int = 5) -> Decimal:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about `ticks` grid lines up to `maximum`."""
    if maximum <= 0:
        return Decimal(1)
    raw = maximum / ticks
    magnitude = Decimal(10) ** (raw.adjusted())
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        step = magnitude * factor
        if step >= raw:
            return step
    return magnitude * 10


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class BurnUp:
    width: int
    height: int
    left: int
    right: str
    top: int
    bottom: str
    y_ticks: list
    x_ticks: list  # month names, mid-month
    month_lines: list  # x of each month's first day
    label_x: int
    x_label_y: int
    committed_points: str
    paid_points: str
    allocation_y: str | None
    warning_y: str | None
    critical_y: str | None
    projection_line: tuple | None  # (x1, y1, x2, y2)
    today_x: str | None
    description: str


def burn_up(summary: YearSummary, months: list[MonthRow]) -> BurnUp:
    """Cumulated spending through the year against the credit, with the projection to 31 December."""
    year, today = summary.year, summary.as_of
    total_days = money.days_in_year(year)
    elapsed = money.elapsed_days(year, today)
    projection = summary.projection or Decimal(0)
    top_value = max(summary.available, projection, summary.committed, Decimal(1))
    step = nice_step(top_value)
    y_max = step * (int(top_value / step) + 1)

    def x(day: int) -> float:
        return LEFT + PLOT_W * day / total_days

    def y(value: Decimal) -> float:
        return TOP + PLOT_H * float(1 - value / y_max)

    committed, paid = [(x(0), y(Decimal(0)))], [(x(0), y(Decimal(0)))]
    jan_1 = date(year, 1, 1)
    for row in months:
        start = (date(year, row.month, 1) - jan_1).days  # days before the month
        end = (date(year, row.month, calendar.monthrange(year, row.month)[1]) - jan_1).days + 1
        if elapsed <= start:
            break  # the months to come are not drawn
        day = min(end, elapsed)  # the month in progress stops at today
        committed.append((x(day), y(row.cumulative_committed)))
        paid.append((x(day), y(row.cumulative_paid)))

    def points(pairs):
        return " ".join(f"{_f(px)},{_f(py)}" for px, py in pairs)

    def level(pct: Decimal) -> str | None:
        return _f(y(summary.available * pct / 100)) if summary.available else None

    projection_line = None
    if summary.projection is not None and 0 < elapsed < total_days:
        projection_line = (
            _f(x(elapsed)),
            _f(y(summary.committed)),
            _f(x(total_days)),
            _f(y(summary.projection)),
        )
    y_ticks, value = [], Decimal(0)
    while value <= y_max:
        y_ticks.append(Tick(_f(y(value)), short_amount(value)))
        value += step
    month_starts = [(date(year, m, 1) - jan_1).days for m in range(1, 13)] + [total_days]
    x_ticks = [
        Tick(_f(x((month_starts[m - 1] + month_starts[m]) / 2)), date_format(date(year, m, 1), "M"))
        for m in range(1, 13)
    ]
    description = _(
        "Cumulated spending %(committed)s of %(available)s available; projection at 31 December: %(projection)s."
    ) % {
        "committed": short_amount(summary.committed),
        "available": short_amount(summary.available),
        "projection": short_amount(projection) if summary.projection is not None else "—",
    }
    return BurnUp(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=_f(LEFT + PLOT_W),
        top=TOP,
        bottom=_f(TOP + PLOT_H),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        month_lines=[_f(x(day)) for day in month_starts[1:-1]],
        label_x=LEFT - 6,
        x_label_y=HEIGHT - 12,
        committed_points=points(committed),
        paid_points=points(paid),
        allocation_y=_f(y(summary.available)) if summary.available else None,
        warning_y=level(summary.warning_pct),
        critical_y=level(summary.critical_pct),
        projection_line=projection_line,
        today_x=_f(x(elapsed)) if 0 < elapsed < total_days else None,
        description=description,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal
    y: str
    text_y: str
    width: str
    amount_x: str


@dataclass(frozen=True)
class Bars:
    width: int
    height: int
    label_width: int
    label_x: int
    bar_height: int
    bars: list


# Drawn narrower than the burn-up: it sits in a narrower column, and its labels must stay legible.
BARS_WIDTH, BAR_ROW, BAR_HEIGHT, LABEL_W, AMOUNT_W = 520, 28, 18, 210, 100


def horizontal_bars(items, *, width: int = BARS_WIDTH, label_width: int = LABEL_W, value_width: int = AMOUNT_W) -> Bars:
    """One horizontal bar per (label, value, shown value), proportional to the value; zero values are left out.

    Shared by the budget's categories and the activity report's breakdowns.
    """
    items = [item for item in items if item[1]]
    largest = max((value for _label, value, _shown in items), default=0)
    span = width - label_width - value_width
    bars = []
    for index, (label, value, shown) in enumerate(items):
        bar_width = max(span * float(value) / float(largest), 1.0)
        bars.append(
            Bar(
                label=label,
                amount=shown,
                y=_f(index * BAR_ROW + 5),
                text_y=_f(index * BAR_ROW + 5 + BAR_HEIGHT * 0.72),
                width=_f(bar_width),
                amount_x=_f(label_width + bar_width + 6),
            )
        )
    return Bars(
        width=width,
        height=max(len(bars) * BAR_ROW + 10, 40),
        label_width=label_width,
        label_x=label_width - 8,
        bar_height=BAR_HEIGHT,
        bars=bars,
    )


def category_bars(rows: list[CategoryRow]) -> Bars:
    """One horizontal bar per category, proportional to what it cost."""
    return horizontal_bars([(row.label, row.committed, row.committed) for row in rows])
