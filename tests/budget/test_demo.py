"""budget.demo.seed: the catalogue, two budget years and a realistic year of expenses."""

import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F, Sum

from budget import demo, selectors
from budget.models import BudgetYear, CatalogueItem, Expense
from pass_unit.roles import Role
from patients.demo_data import PROFILES
from patients.models import MedicalContext, Patient, Visit
from rcp.models import CaseReview
from tests.support.budget import make_option
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.users import make_user

TODAY = date(2026, 9, 15)
PARIS = ZoneInfo("Europe/Paris")


# The medical contexts of the first patients, written like the patients demo's (its profiles' texts).
CONDITIONS = [["vih"], ["vih", "hepb"], ["hepc"], ["diabete"], ["diabete", "hta"], ["grossesse"], ["gale"], ["asthme"]]


def give_conditions(patient, keys, user):
    profiles = [PROFILES[key] for key in keys]
    MedicalContext.objects.create(
        patient=patient,
        history="\n".join(p.history for p in profiles if p.history),
        chronic_conditions="\n".join(p.chronic for p in profiles if p.chronic),
        infections="\n".join(p.infections for p in profiles if p.infections),
        mental_health="\n".join(p.mental for p in profiles if p.mental),
        pregnant="grossesse" in keys,
        pregnancy_due_date=TODAY + timedelta(days=90) if "grossesse" in keys else None,
        updated_by=user,
    )


@pytest.fixture
def demo_world(db):
    """30 patients followed since early 2025, each seen every three weeks or so until TODAY.

    The first ones live with HIV, hepatitis C, diabetes, a pregnancy…; the 10th is a man.
    """
    users = {
        "infirmier": make_user("infirmier", Role.NURSE),
        "medecin": make_user("medecin", Role.PHYSICIAN),
        "coordination": make_user("coordination", Role.COORDINATOR),
    }
    rng = random.Random(1)
    patients = []
    for _ in range(30):
        patient = PatientFactory()
        opened = datetime(2025, 1, 10, 9, tzinfo=PARIS) + timedelta(days=rng.randint(0, 200))
        Patient.objects.filter(pk=patient.pk).update(created_at=opened)
        patient.refresh_from_db()
        day = opened
        while day.date() <= TODAY:
            kind = rng.choice([Visit.Kind.MEDICAL, Visit.Kind.MEDICAL, Visit.Kind.NURSING, Visit.Kind.DENTAL])
            author = users["infirmier"] if kind == Visit.Kind.NURSING else users["medecin"]
            VisitFactory(patient=patient, kind=kind, professional=author, occurred_at=day)
            day += timedelta(days=rng.randint(10, 30))
        patients.append(patient)
    for patient, keys in zip(patients, CONDITIONS, strict=False):
        give_conditions(patient, keys, users["medecin"])
    Patient.objects.filter(pk=patients[9].pk).update(sex=Patient.Sex.MALE, interpreter_needed=False)
    patients[9].refresh_from_db()
    return users, patients


def run(users, patients, seed=2026):
    demo.seed(rng=random.Random(seed), users=users, patients=patients, today=TODAY)


def test_it_seeds_the_catalogue_years_and_expenses_fast(demo_world):
    users, patients = demo_world
    started = time.perf_counter()
    run(users, patients)
    elapsed = time.perf_counter() - started

    assert elapsed < 5, elapsed
    assert CatalogueItem.objects.filter(active=True).count() >= 40
    assert CatalogueItem.objects.filter(active=False).exists()
    assert set(BudgetYear.objects.values_list("year", flat=True)) == {2025, 2026}

    current = selectors.year_summary(2026, today=TODAY)
    # About 70 % of the credit committed by today; the previous year fully spent.
    assert Decimal(67) <= current.consumed_pct <= Decimal(74), current.consumed_pct
    previous = selectors.year_summary(2025, today=TODAY)
    assert Decimal(97) <= previous.consumed_pct <= Decimal(102), previous.consumed_pct
    # Every month so far has spending, a quiet August; nothing committed after today.
    months = {row.month: row.committed for row in selectors.by_month(2026)}
    assert all(months[m] > 0 for m in range(1, 10))
    assert months[8] < months[6] and months[8] < months[7]
    assert not any(months[m] for m in range(10, 13))
    assert not Expense.objects.filter(status__in=Expense.COMMITTED, spent_on__gt=TODAY).exists()
    assert not Expense.objects.filter(paid_on__gt=TODAY).exists()
    # Tied to patients and their visits, charged by the visit's professional.
    tied = Expense.objects.filter(visit__isnull=False)
    assert tied.count() > 500
    assert not tied.exclude(patient=F("visit__patient")).exists()
    assert not tied.exclude(created_by=F("visit__professional")).exists()
    assert Expense.objects.filter(patient__isnull=True).exists()  # the unit's own invoices
    # What is to come is planned; a few mistakes were cancelled, with their reason.
    assert Expense.objects.filter(status=Expense.Status.PLANNED, spent_on__gt=TODAY).exists()
    assert Expense.objects.filter(status=Expense.Status.CANCELLED).exclude(cancel_reason="").exists()
    # The long, expensive treatments lead the costliest patients.
    assert selectors.costliest_patients(2026, limit=1)[0].committed > Decimal("20000")


def test_it_changes_nothing_when_run_again(demo_world):
    users, patients = demo_world
    run(users, patients)

    def state():
        return Expense.objects.count(), Expense.objects.aggregate(t=Sum("amount"))["t"], CatalogueItem.objects.count()

    before = state()
    run(users, patients, seed=7)
    assert state() == before


def test_it_gives_the_same_expenses_from_the_same_seed(demo_world):
    users, patients = demo_world
    run(users, patients)
    first = list(Expense.objects.order_by("pk").values_list("spent_on", "amount", "patient_id", "catalogue_item_id"))
    Expense.objects.all().delete()
    run(users, patients)
    again = list(Expense.objects.order_by("pk").values_list("spent_on", "amount", "patient_id", "catalogue_item_id"))
    assert first == again


def test_it_charges_what_rcp_decisions_led_to_even_when_the_rcp_demo_comes_second(demo_world):
    users, patients = demo_world
    run(users, patients)
    before = Expense.objects.count()
    case = make_option(patients[0], users["medecin"]).case_review
    CaseReview.objects.filter(pk=case.pk).update(decision="Scanner puis avis spécialisé.")

    run(users, patients)
    run(users, patients)

    linked = Expense.objects.filter(case_review=case)
    assert linked.count() == 2
    assert set(linked.values_list("patient", flat=True)) == {patients[0].pk}
    assert Expense.objects.count() == before + 2


def test_it_charges_each_patient_only_what_fits_their_own_file(demo_world):
    users, patients = demo_world
    run(users, patients)

    def charged(*codes):
        return set(Expense.objects.filter(catalogue_item__code__in=codes).values_list("patient", flat=True))

    diabetics = {patients[3].pk, patients[4].pk}
    assert charged("MED-INSGLAR", "MED-METF850", "LAB-HBA1C") <= diabetics
    assert charged("MED-METF850")  # the diabetics do get their treatment
    assert charged("MED-ARV", "LAB-CVVIH") <= {patients[0].pk, patients[1].pk}
    assert charged("MED-ARV") == {patients[0].pk, patients[1].pk}
    assert charged("MED-VHC") == {patients[2].pk}
    assert charged("IMG-ECHOOBS") <= {patients[5].pk}
    assert charged("MED-IVERM", "MED-PERMET") <= {patients[6].pk}
    assert charged("MED-SALBU") <= {patients[7].pk}
    assert charged("MED-AMLO5") <= {patients[4].pk}
    men = set(Patient.objects.filter(sex=Patient.Sex.MALE).values_list("pk", flat=True))
    assert men and not charged("LAB-BHCG", "CS-GYN", "IMG-ECHOOBS") & men
    no_interpreter = set(Patient.objects.filter(interpreter_needed=False).values_list("pk", flat=True))
    assert not charged("INT-TEL", "INT-SITE") & no_interpreter
