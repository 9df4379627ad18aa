"""MIG budget of the hospital-scale demo (`manage.py seed_demo --patients 100000`, issue 11).

About half of the bulk patients' medical, nursing and dental visits lead to one line (a medicine,
an exam, a specialist…, `budget.demo.PRESCRIPTIONS`, only what fits the patient's file:
`budget.demo.REQUIRES`), charged that day by the professional of the visit; a third of the RCP
decisions lead to an exam or a specialist's opinion, tied to the case review. Older lines are
paid 20 to 45 days later, recent ones committed, 1 % cancelled with a reason.

Each year of the history gets its budget year: the credit is what was spent over 98 % of it
(the years before the small demo's), and the small demo's two years (written by `budget.demo`)
get the bulk's spending added to their credit in the same proportions as theirs (99 % spent last
year, 70 % this year), so their dashboards keep telling the same story at any scale.

Visits are read back with a server-side cursor and the lines written with COPY
(`patients.demo_scale.Copier`): 300,000 lines take a few seconds.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_UP, Decimal

from django.db import connection
from django.utils import timezone

from budget import money
from budget.demo import CANCEL_REASONS, CURRENT_YEAR_SHARE, PRESCRIPTIONS, PREVIOUS_YEAR_SHARE, RCP_CHARGES, REQUIRES
from budget.models import BudgetYear, CatalogueItem, Expense
from patients.demo_scale import Copier, ScaleWorld
from patients.models import Visit

CHARGED_SHARE = 0.55  # of the medical, nursing and dental visits
RCP_CHARGED_SHARE = 0.35  # of the RCP decisions
OLD_YEARS_SHARE = Decimal("0.98")


def seed(*, world: ScaleWorld, seed: int, users: dict) -> dict[str, int]:
    if not world.patients:
        return {"expenses": 0, "budget years": 0}
    rng = random.Random(f"pass-unit-scale-budget:{seed}")
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    now = timezone.now()
    items = {item.code: item for item in CatalogueItem.objects.filter(active=True)}
    tags = {}
    for p in world.patients:
        own = set(p.conditions)
        if own & {"psychotrauma", "anxiete"}:
            own.add("mental")
        if p.sex == "F":
            own.add("woman")
        if p.interpreter:
            own.add("interpreter")
        tags[p.pk] = frozenset(own)
    choices_cache = {}

    def choices(kind: str, own: frozenset):
        key = (kind, own)
        if key not in choices_cache:
            fitting = [
                (code, weight, quantities)
                for code, weight, quantities in PRESCRIPTIONS[kind]
                if code in items and (REQUIRES.get(code) is None or REQUIRES[code] in own)
            ]
            choices_cache[key] = (fitting, [weight for _, weight, _ in fitting])
        return choices_cache[key]

    spent = defaultdict(Decimal)

    def line(copy, code, quantity, day, **fields):
        item = items[code]
        quantity = Decimal(quantity)
        amount = money.line_amount(quantity, item.unit_price)
        at = min(now, datetime.combine(day, time(10), tzinfo=tz))
        values = {
            "spent_on": day,
            "category": item.category,
            "catalogue_item_id": item.pk,
            "quantity": quantity,
            "unit_price": item.unit_price,
            "amount": amount,
            "source": Expense.Source.DISPENSING,
            "created_at": at,
            "updated_at": at,
            **fields,
        }
        draw = rng.random()
        paid_on = day + timedelta(days=rng.randint(20, 45))
        if day > today:
            values["status"] = Expense.Status.PLANNED
        elif draw < 0.01:
            values.update(
                status=Expense.Status.CANCELLED,
                cancel_reason=rng.choice(CANCEL_REASONS),
                cancelled_at=at + timedelta(days=rng.randint(0, 5)),
            )
        elif paid_on < today:
            values.update(status=Expense.Status.PAID, paid_on=paid_on)
        else:
            values["status"] = Expense.Status.COMMITTED
        if values["status"] in Expense.COMMITTED:
            spent[day.year] += amount
        copy.row(values)

    first_pk = min(p.pk for p in world.patients)
    last_pk = max(p.pk for p in world.patients)
    visits = (
        Visit.objects.not_cancelled()
        .filter(patient_id__gte=first_pk, patient_id__lte=last_pk, kind__in=list(PRESCRIPTIONS))
        .order_by()
        .values_list("pk", "patient_id", "occurred_at", "kind", "professional_id")
    )
    # Read the visits first (a server-side cursor and a COPY cannot share the connection).
    picked = []
    for pk, patient_id, occurred_at, kind, professional_id in visits.iterator(chunk_size=20000):
        if rng.random() < CHARGED_SHARE:
            picked.append((pk, patient_id, timezone.localtime(occurred_at, tz).date(), kind, professional_id))
    with Copier(Expense) as copy:
        for pk, patient_id, day, kind, professional_id in picked:
            fitting, weights = choices(kind, tags[patient_id])
            if not fitting:
                continue
            code, _weight, (low, high) = rng.choices(fitting, weights=weights)[0]
            line(
                copy,
                code,
                rng.randint(low, high),
                day,
                patient_id=patient_id,
                visit_id=pk,
                created_by_id=professional_id,
            )
        physician = users["medecin"].pk
        for case_id, patient_id, meeting_day in world.cases:
            if rng.random() >= RCP_CHARGED_SHARE:
                continue
            own = tags.get(patient_id, frozenset())
            codes = next(codes for condition, codes in RCP_CHARGES if not condition or condition in own)
            day = meeting_day + timedelta(days=rng.randint(2, 15))
            for code in codes:
                if code in items:
                    line(
                        copy,
                        code,
                        1,
                        day,
                        patient_id=patient_id,
                        case_review_id=case_id,
                        created_by_id=physician,
                        reference=f"RCP {meeting_day:%d/%m/%Y}",
                    )
    expenses = copy.count
    years = _budget_years(spent, today=today, coordinator=users.get("coordination"))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Expense._meta.db_table}")
    return {"expenses": expenses, "budget years": years}


def _budget_years(spent: dict[int, Decimal], *, today: date, coordinator) -> int:
    """A credit for each year of the history; the small demo's two years grow with the bulk."""
    shares = {today.year: CURRENT_YEAR_SHARE, today.year - 1: PREVIOUS_YEAR_SHARE}
    written = 0
    for year in sorted(spent):
        amount = spent[year]
        existing = BudgetYear.objects.filter(year=year).first()
        if existing is not None:
            if year in shares:
                existing.allocation += (amount / shares[year]).quantize(money.CENT)
                existing.save(update_fields=["allocation"])
            continue
        allocation = (amount / OLD_YEARS_SHARE / 1000).quantize(Decimal(1), rounding=ROUND_UP) * 1000
        BudgetYear.objects.create(
            year=year,
            allocation=max(allocation, Decimal(1000)),
            notes=f"Notification ARS ({year}).",
            updated_by=coordinator,
        )
        written += 1
    return written
