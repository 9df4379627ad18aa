"""Demo data of the MIG budget, called by `manage.py seed_demo`.

`seed(rng=…, users=…, patients=…)` creates the price catalogue (realistic 2020s French hospital
prices), the previous year (credit fully spent) and the current one (about 70 % spent by today,
month by month with the usual seasonality: a quieter August, a busier winter), and the
expenses themselves, tied to the patients' medical, nursing and dental visits.

When the RCP demo ran first, the care its decisions led to is charged too, tied to the case
review (call this after `rcp.demo.seed`).

Every line fits its patient's own file: insulin or metformin only for a diabetic, antiretrovirals
only for a patient living with HIV, a pregnancy ultrasound only for a pregnant woman, an
interpreter only for someone who needs one (`REQUIRES`, read from the medical context).

Run twice, it changes nothing: the catalogue is matched on its codes, the years on their
number, and the expenses are created only when there are none yet (those of the RCP
decisions when none is tied to a decision yet).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from budget import money
from budget.models import BudgetYear, CatalogueItem, Category, Expense, ExtraAllocation
from patients.demo import age_on, conditions_of
from patients.models import MedicalContext, Visit
from rcp.models import CaseReview

C = Category

# code, name, category, unit, unit price (€)
CATALOGUE = [
    ("MED-PARA500", "Paracétamol 500 mg, comprimés", C.MEDICINES, "boîte de 16", "1.20"),
    ("MED-IBU400", "Ibuprofène 400 mg, comprimés", C.MEDICINES, "boîte de 30", "2.10"),
    ("MED-AMOX1G", "Amoxicilline 1 g, comprimés", C.MEDICINES, "boîte de 12", "3.45"),
    ("MED-AUGM", "Amoxicilline / acide clavulanique 1 g/125 mg", C.MEDICINES, "boîte de 16", "5.80"),
    ("MED-METF850", "Metformine 850 mg", C.MEDICINES, "boîte de 90", "6.20"),
    ("MED-INSGLAR", "Insuline glargine 100 UI/ml, stylos", C.MEDICINES, "boîte de 5 stylos", "44.50"),
    ("MED-AMLO5", "Amlodipine 5 mg", C.MEDICINES, "boîte de 30", "2.60"),
    ("MED-OMEP20", "Oméprazole 20 mg", C.MEDICINES, "boîte de 28", "2.90"),
    ("MED-SALBU", "Salbutamol 100 µg, inhalateur", C.MEDICINES, "flacon", "3.90"),
    ("MED-IVERM", "Ivermectine 3 mg (gale)", C.MEDICINES, "boîte de 4", "13.80"),
    ("MED-PERMET", "Perméthrine 5 % crème (gale)", C.MEDICINES, "tube de 30 g", "12.40"),
    ("MED-SERTR50", "Sertraline 50 mg", C.MEDICINES, "boîte de 28", "4.10"),
    ("MED-FER80", "Sulfate ferreux 80 mg", C.MEDICINES, "boîte de 30", "2.50"),
    ("MED-VITD", "Cholécalciférol 100 000 UI", C.MEDICINES, "ampoule", "2.00"),
    ("MED-TB", "Antituberculeux, quadrithérapie (1 mois)", C.MEDICINES, "boîte", "38.00"),
    ("MED-ARV", "Antirétroviraux, trithérapie (1 mois)", C.MEDICINES, "boîte de 30", "590.00"),
    ("MED-VHC", "Sofosbuvir / velpatasvir, hépatite C (4 semaines)", C.MEDICINES, "boîte de 28", "7995.00"),
    ("MED-PANS", "Pansements et compresses stériles", C.MEDICINES, "kit", "6.50"),
    ("LAB-NFS", "Numération formule sanguine", C.LAB, "examen", "7.56"),
    ("LAB-BILAN", "Bilan standard (NFS, ionogramme, créatinine, glycémie)", C.LAB, "bilan", "28.40"),
    ("LAB-SERO", "Sérologies VIH, VHB, VHC, syphilis", C.LAB, "bilan", "61.20"),
    ("LAB-HBA1C", "Hémoglobine glyquée (HbA1c)", C.LAB, "examen", "9.45"),
    ("LAB-IGRA", "Test IGRA (tuberculose latente)", C.LAB, "examen", "44.55"),
    ("LAB-CVVIH", "Charge virale VIH", C.LAB, "examen", "89.10"),
    ("LAB-BHCG", "β-hCG plasmatique", C.LAB, "examen", "12.15"),
    ("LAB-ECBU", "Examen cytobactériologique des urines", C.LAB, "examen", "17.28"),
    ("IMG-RXTHO", "Radiographie du thorax", C.IMAGING, "examen", "21.28"),
    ("IMG-ECHOABD", "Échographie abdominale", C.IMAGING, "examen", "56.70"),
    ("IMG-ECHOOBS", "Échographie obstétricale", C.IMAGING, "examen", "69.83"),
    ("IMG-TDM", "Scanner thoraco-abdominal", C.IMAGING, "examen", "175.00"),
    ("IMG-IRM", "IRM", C.IMAGING, "examen", "265.00"),
    ("IMG-PANO", "Radiographie panoramique dentaire", C.IMAGING, "examen", "21.28"),
    ("CS-SPE", "Consultation de spécialiste", C.SPECIALIST, "consultation", "50.00"),
    ("CS-CARDIO", "Consultation de cardiologie avec ECG", C.SPECIALIST, "consultation", "64.50"),
    ("CS-GYN", "Consultation de gynécologie", C.SPECIALIST, "consultation", "50.00"),
    ("CS-OPH", "Consultation d'ophtalmologie", C.SPECIALIST, "consultation", "50.00"),
    ("CS-PSY", "Consultation de psychiatrie", C.SPECIALIST, "consultation", "55.00"),
    ("DENT-SOIN", "Soin conservateur (obturation)", C.DENTAL, "acte", "46.25"),
    ("DENT-EXT", "Extraction dentaire", C.DENTAL, "acte", "33.44"),
    ("DENT-DETART", "Détartrage", C.DENTAL, "acte", "28.92"),
    ("DENT-PROT", "Prothèse amovible partielle", C.DENTAL, "appareil", "480.00"),
    ("OPT-LUN", "Lunettes (monture et verres simples)", C.OPTICAL, "équipement", "95.00"),
    ("TRA-TICKETS", "Tickets de transport (carnet de 10)", C.TRANSPORT, "carnet", "16.90"),
    ("TRA-TAXI", "Bon de taxi conventionné", C.TRANSPORT, "course", "35.00"),
    ("INT-TEL", "Interprétariat par téléphone", C.INTERPRETING, "heure", "48.00"),
    ("INT-SITE", "Interprétariat sur place", C.INTERPRETING, "heure", "65.00"),
    ("AUT-HYG", "Kit d'hygiène", C.OTHER, "kit", "8.50"),
]
INACTIVE = [("MED-DOLI1G-OLD", "Paracétamol 1 g (ancien marché)", C.MEDICINES, "boîte de 8", "1.95")]

# What a visit of each kind usually leads to: (code, weight, (min qty, max qty)).
PRESCRIPTIONS = {
    Visit.Kind.MEDICAL: [
        ("MED-PARA500", 8, (1, 3)),
        ("MED-IBU400", 4, (1, 2)),
        ("MED-AMOX1G", 5, (1, 2)),
        ("MED-AUGM", 3, (1, 2)),
        ("MED-METF850", 3, (1, 1)),
        ("MED-INSGLAR", 1, (1, 2)),
        ("MED-AMLO5", 3, (1, 1)),
        ("MED-OMEP20", 3, (1, 1)),
        ("MED-SALBU", 2, (1, 1)),
        ("MED-IVERM", 2, (1, 2)),
        ("MED-PERMET", 2, (1, 2)),
        ("MED-SERTR50", 2, (1, 1)),
        ("MED-FER80", 2, (1, 2)),
        ("MED-VITD", 2, (1, 1)),
        ("LAB-BILAN", 6, (1, 1)),
        ("LAB-SERO", 5, (1, 1)),
        ("LAB-HBA1C", 2, (1, 1)),
        ("LAB-IGRA", 2, (1, 1)),
        ("LAB-BHCG", 1, (1, 1)),
        ("LAB-ECBU", 2, (1, 1)),
        ("IMG-RXTHO", 4, (1, 1)),
        ("IMG-ECHOABD", 2, (1, 1)),
        ("IMG-ECHOOBS", 1, (1, 1)),
        ("IMG-TDM", 1, (1, 1)),
        ("IMG-IRM", 1, (1, 1)),
        ("CS-SPE", 4, (1, 1)),
        ("CS-CARDIO", 2, (1, 1)),
        ("CS-GYN", 2, (1, 1)),
        ("CS-OPH", 1, (1, 1)),
        ("CS-PSY", 1, (1, 1)),
        ("OPT-LUN", 1, (1, 1)),
        ("TRA-TICKETS", 2, (1, 2)),
        ("TRA-TAXI", 1, (1, 2)),
        ("INT-TEL", 3, (1, 1)),
        ("INT-SITE", 1, (1, 2)),
    ],
    Visit.Kind.NURSING: [
        ("MED-PANS", 6, (1, 3)),
        ("LAB-NFS", 3, (1, 1)),
        ("LAB-BILAN", 3, (1, 1)),
        ("MED-PARA500", 3, (1, 2)),
        ("AUT-HYG", 3, (1, 2)),
        ("TRA-TICKETS", 2, (1, 1)),
        ("INT-TEL", 1, (1, 1)),
    ],
    Visit.Kind.DENTAL: [
        ("DENT-SOIN", 5, (1, 2)),
        ("DENT-EXT", 4, (1, 2)),
        ("DENT-DETART", 3, (1, 1)),
        ("IMG-PANO", 3, (1, 1)),
        ("DENT-PROT", 1, (1, 1)),
    ],
}
# What a line needs from the patient's file: a condition of their medical context (a profile key of
# patients.demo_data.PROFILES), "mental" (psychotrauma or anxiety), "woman" (15 to 50 years old) or
# "interpreter". Lines not listed fit anyone.
REQUIRES = {
    "MED-METF850": "diabete",
    "MED-INSGLAR": "diabete",
    "LAB-HBA1C": "diabete",
    "MED-AMLO5": "hta",
    "CS-CARDIO": "hta",
    "MED-SALBU": "asthme",
    "MED-IVERM": "gale",
    "MED-PERMET": "gale",
    "MED-TB": "tuberculose",
    "MED-ARV": "vih",
    "LAB-CVVIH": "vih",
    "MED-VHC": "hepc",
    "MED-SERTR50": "mental",
    "CS-PSY": "mental",
    "LAB-BHCG": "woman",
    "CS-GYN": "woman",
    "IMG-ECHOOBS": "grossesse",
    "DENT-PROT": "dentaire",
    "INT-TEL": "interpreter",
    "INT-SITE": "interpreter",
}
# What an RCP decision leads to, by the patient's condition (the first that matches).
RCP_CHARGES = [
    ("diabete", ("LAB-HBA1C", "CS-SPE")),
    ("grossesse", ("IMG-ECHOOBS", "LAB-BILAN")),
    ("hepb", ("IMG-ECHOABD", "CS-SPE")),
    ("hepc", ("IMG-ECHOABD", "CS-SPE")),
    ("vih", ("LAB-CVVIH", "CS-SPE")),
    ("tuberculose", ("IMG-RXTHO", "TRA-TICKETS")),
    ("hta", ("CS-CARDIO", "LAB-BILAN")),
    ("dentaire", ("IMG-PANO", "DENT-EXT")),
    ("mental", ("CS-PSY", "TRA-TICKETS")),
    ("", ("LAB-SERO", "IMG-RXTHO")),
]
# A month's share of a year's spending: quieter in August and at Christmas.
SEASON = [Decimal(w) for w in ("1.05", "1.0", "1.1", "1.0", "0.95", "1.0", "0.85", "0.6", "1.0", "1.1", "1.1", "0.8")]
CANCEL_REASONS = ["Saisie en double.", "Examen annulé : patient absent au rendez-vous.", "Erreur de quantité."]
CURRENT_YEAR_SHARE = Decimal("0.70")  # of the credit, committed by today
PREVIOUS_YEAR_SHARE = Decimal("0.99")


@dataclass
class _Visit:
    pk: int
    patient_id: int
    day: date
    kind: str
    professional_id: int


def seed(*, rng: random.Random, users: dict, patients: list, today: date | None = None) -> None:
    """Create the demo catalogue, budget years and expenses (see the module's docstring)."""
    today = today or timezone.localdate()
    items = _catalogue()
    coordinator = users.get("coordination")
    _years(today, coordinator)
    nurse, physician = users.get("infirmier"), users.get("medecin")
    tags = _tags(patients, today)
    if not Expense.objects.filter(case_review__isnull=False).exists():
        Expense.objects.bulk_create(_rcp_expenses(rng, items, tags, patients, physician or nurse or coordinator, today))
    if Expense.objects.filter(case_review__isnull=True).exists():
        return
    visits = [
        _Visit(v["pk"], v["patient_id"], timezone.localdate(v["occurred_at"]), v["kind"], v["professional_id"])
        for v in Visit.objects.not_cancelled()
        .filter(patient__in=[p.pk for p in patients], kind__in=list(PRESCRIPTIONS))
        .values("pk", "patient_id", "occurred_at", "kind", "professional_id")
    ]
    by_month = defaultdict(list)
    for visit in visits:
        by_month[(visit.day.year, visit.day.month)].append(visit)
    expenses = []
    for year, share in ((today.year - 1, PREVIOUS_YEAR_SHARE), (today.year, CURRENT_YEAR_SHARE)):
        budget_year = BudgetYear.objects.get(year=year)
        available = budget_year.allocation + sum((e.amount for e in budget_year.extra_allocations.all()), Decimal(0))
        expenses += _year_expenses(
            rng,
            year=year,
            target=(available * share).quantize(money.CENT),
            today=today,
            items=items,
            by_month=by_month,
            patients=patients,
            tags=tags,
            author=nurse or physician or coordinator,
            physician=physician or nurse or coordinator,
        )
    Expense.objects.bulk_create(expenses, batch_size=1000)


def _tags(patients: list, today: date) -> dict[int, set[str]]:
    """What each patient's file says that expenses depend on (see `REQUIRES`)."""
    contexts = {c.patient_id: c for c in MedicalContext.objects.filter(patient__in=[p.pk for p in patients])}
    tags = {}
    for patient in patients:
        found = conditions_of(contexts.get(patient.pk))
        if found & {"psychotrauma", "anxiete"}:
            found.add("mental")
        if patient.sex == "F" and 15 <= age_on(patient, today) <= 50:
            found.add("woman")
        if patient.interpreter_needed:
            found.add("interpreter")
        tags[patient.pk] = found
    return tags


def _fits(code: str, tags: set[str]) -> bool:
    needs = REQUIRES.get(code)
    return needs is None or needs in tags


def _catalogue() -> dict[str, CatalogueItem]:
    items = {}
    for entries, active in ((CATALOGUE, True), (INACTIVE, False)):
        for code, name, category, unit, price in entries:
            item, _ = CatalogueItem.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "category": category,
                    "unit": unit,
                    "unit_price": Decimal(price),
                    "active": active,
                },
            )
            items[code] = item
    return items


def _years(today: date, coordinator) -> None:
    previous, created = BudgetYear.objects.get_or_create(
        year=today.year - 1,
        defaults={
            "allocation": Decimal("172000.00"),
            "notes": "Notification ARS du 14 mars.",
            "updated_by": coordinator,
        },
    )
    if created and coordinator:
        ExtraAllocation.objects.create(
            budget_year=previous,
            amount=Decimal("8000.00"),
            granted_on=date(today.year - 1, 10, 2),
            label="Crédit complémentaire (2e circulaire)",
            created_by=coordinator,
        )
    current, created = BudgetYear.objects.get_or_create(
        year=today.year,
        defaults={
            "allocation": Decimal("175000.00"),
            "notes": "Notification ARS du 12 mars ; dialogue de gestion en octobre.",
            "updated_by": coordinator,
        },
    )
    if created and coordinator and today >= date(today.year, 6, 1):
        ExtraAllocation.objects.create(
            budget_year=current,
            amount=Decimal("10000.00"),
            granted_on=date(today.year, 5, 20),
            label="Crédit non reconductible : interprétariat",
            created_by=coordinator,
        )


def _month_targets(year: int, target: Decimal, today: date) -> dict[int, Decimal]:
    """The year's target spread over its months up to today, the month in progress pro rata."""
    weights = {}
    for month in range(1, 13):
        first = date(year, month, 1)
        if first > today:
            break
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        lived = Decimal(min((today - first).days + 1, (last - first).days + 1)) / Decimal((last - first).days + 1)
        weights[month] = SEASON[month - 1] * lived
    total = sum(weights.values(), Decimal(0))
    return {month: (target * weight / total).quantize(money.CENT) for month, weight in weights.items()}


def _line(rng, items, code, quantity, **fields) -> Expense:
    item = items[code]
    quantity = Decimal(quantity)
    return Expense(
        catalogue_item=item,
        category=item.category,
        quantity=quantity,
        unit_price=item.unit_price,
        amount=money.line_amount(quantity, item.unit_price),
        **fields,
    )


def _status(rng, day: date, today: date) -> dict:
    """Older lines are paid (20 to 45 days later), recent ones committed, a few cancelled."""
    if rng.random() < 0.01:
        return {
            "status": Expense.Status.CANCELLED,
            "cancel_reason": rng.choice(CANCEL_REASONS),
            "cancelled_at": timezone.make_aware(datetime.combine(day, time(10))) + timedelta(days=rng.randint(0, 5)),
        }
    paid_on = day + timedelta(days=rng.randint(20, 45))
    if paid_on < today:
        return {"status": Expense.Status.PAID, "paid_on": paid_on}
    return {"status": Expense.Status.COMMITTED}


def _year_expenses(rng, *, year, target, today, items, by_month, patients, tags, author, physician) -> list[Expense]:
    expenses = []
    patients_by_pk = {p.pk: p for p in patients}
    long_term = [p for p in patients if timezone.localdate(p.created_at) <= date(year, 3, 1)]
    # Up to two patients living with HIV on antiretrovirals all year, one hepatitis C cure (three
    # boxes): the costliest files.
    hiv = [p for p in long_term if "vih" in tags[p.pk]][:2]
    hcv = [p for p in long_term if "hepc" in tags[p.pk]][:1]
    prescriptions = {}  # (patient pk, visit kind) -> what may be charged to them

    def choices(patient_id, kind):
        key = (patient_id, kind)
        if key not in prescriptions:
            own = tags.get(patient_id, set())
            prescriptions[key] = [c for c in PRESCRIPTIONS[kind] if _fits(c[0], own)]
        return prescriptions[key]

    for month, month_target in _month_targets(year, target, today).items():
        first = date(year, month, 1)
        last = min((first + timedelta(days=32)).replace(day=1) - timedelta(days=1), today)
        spent = Decimal(0)

        def add(expense, day, **extra):
            nonlocal spent
            expense.spent_on = day
            for name, value in {**_status(rng, day, today), **extra}.items():
                setattr(expense, name, value)
            expenses.append(expense)
            if expense.status != Expense.Status.CANCELLED:
                spent += expense.amount

        dispensed = {"created_by": physician, "source": Expense.Source.DISPENSING}
        for patient in hiv:
            day = first + timedelta(days=rng.randint(0, (last - first).days))
            add(_line(rng, items, "MED-ARV", 1, patient=patient, **dispensed), day)
        if hcv and month in (4, 5, 6):
            day = first + timedelta(days=min(9, (last - first).days))
            add(_line(rng, items, "MED-VHC", 1, patient=hcv[0], **dispensed), day)
        # The interpreting service's monthly invoice, for the unit as a whole.
        add(
            Expense(
                category=C.INTERPRETING,
                description=f"Facture mensuelle du service d'interprétariat — {first:%m/%Y}",
                amount=Decimal(rng.randint(380, 900)) + Decimal(rng.choice(["0.00", "0.50", "0.80"])),
                reference=f"ISM-{year}-{month:02d}",
                created_by=author,
            ),
            last,
        )
        visits = by_month.get((year, month), [])
        rng.shuffle(visits)
        followed = [p for p in patients if timezone.localdate(p.created_at) <= last] or [None]
        attempts = 0
        while spent < month_target and attempts < 5000:
            attempts += 1
            if visits:
                visit = visits[attempts % len(visits)]
                kind, patient_id, day = visit.kind, visit.patient_id, visit.day
                # Medical, nursing and dental visits are the physicians' and nurses' own: they charge them.
                visit_pk, created_by_id = visit.pk, visit.professional_id
            else:
                # No visit recorded that month (the demo's patients arrived later): the unit's own care.
                patient = rng.choice(followed)
                kind, patient_id, visit_pk = Visit.Kind.MEDICAL, patient.pk if patient else None, None
                day = first + timedelta(days=rng.randint(0, (last - first).days))
                created_by_id = author.pk
            code, _, (low, high) = _weighted(rng, choices(patient_id, kind))
            expense = _line(
                rng,
                items,
                code,
                rng.randint(low, high),
                patient=patients_by_pk.get(patient_id) if patient_id else None,
                visit_id=visit_pk,
                created_by_id=created_by_id,
                source=Expense.Source.DISPENSING if patient_id else Expense.Source.FORM,
            )
            add(expense, day)
    # What is scheduled in the weeks to come: planned expenses.
    if year == today.year:
        for code in ("IMG-IRM", "DENT-PROT", "CS-CARDIO", "IMG-TDM"):
            fitting = [p for p in patients if _fits(code, tags[p.pk])]
            patient = rng.choice(fitting) if fitting else None
            day = today + timedelta(days=rng.randint(3, 40))
            if patient and day.year == year:
                expenses.append(
                    _line(
                        rng,
                        items,
                        code,
                        1,
                        patient=patient,
                        created_by=physician,
                        source=Expense.Source.DISPENSING,
                        spent_on=day,
                        status=Expense.Status.PLANNED,
                    )
                )
    return expenses


def _rcp_expenses(rng, items, tags, patients, author, today: date) -> list[Expense]:
    """What the RCP decisions led to: a specialist's opinion, an exam, an interpreter…"""
    expenses = []
    decided = (
        CaseReview.objects.filter(patient__in=[p.pk for p in patients])
        .exclude(decision="")
        .select_related("meeting")
        .order_by("pk")
    )
    for case in decided:
        day = timezone.localdate(case.meeting.scheduled_at) + timedelta(days=rng.randint(2, 15))
        planned = day > today
        own = tags.get(case.patient_id, set())
        codes = next(codes for condition, codes in RCP_CHARGES if not condition or condition in own)
        if "interpreter" in own:
            codes = (*codes, "INT-SITE")
        for code in codes:
            expense = _line(
                rng,
                items,
                code,
                1,
                patient_id=case.patient_id,
                case_review=case,
                created_by=author,
                source=Expense.Source.DISPENSING,
                spent_on=day,
                reference=f"RCP {timezone.localtime(case.meeting.scheduled_at):%d/%m/%Y}",
            )
            if planned:
                expense.status = Expense.Status.PLANNED
            else:
                for name, value in _status(rng, day, today).items():
                    setattr(expense, name, value)
            expenses.append(expense)
    return expenses


def _weighted(rng, choices):
    return rng.choices(choices, weights=[weight for _, weight, _ in choices])[0]
