"""A small hand-built data set for the activity report of 2025, with known answers."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from budget.models import BudgetYear, Category, Expense
from patients.models import CoverageRight, Orientation, Patient, SocialAssessment, Visit
from tests.support.factories import CoverageRightFactory, PatientFactory, SocialAssessmentFactory, VisitFactory

PARIS = ZoneInfo("Europe/Paris")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


@pytest.fixture
def dataset(social, physician, nurse):
    """Five patients seen in 2025 (file active 5), one only in 2024, one only in 2026.

    - alice: seen 2024 and 2025 (not new in 2025); AME granted 10/03/2025 (first visit 15/11/2024).
    - bob: first visit 31/12/2025 23:30 Paris (counts in 2025), a cancelled visit in June 2025.
    - chloe: born 10/06/2007, under 18 on 01/01/2025, turns 18 in 2025 (18–24 band at the end).
    - dan: minor (born 2012), no assessment, no rights recorded (coverage not stated).
    - emma: PUMa filed 2025, granted 15/01/2026 (after the period): no coverage at the end of 2025.
    - fred: seen only in 2024; gina: seen only in 2026; hugo: only a cancelled visit in 2025.
    """
    p = {}
    p["alice"] = PatientFactory(
        last_name="Zoubir",
        first_name="Alice",
        sex="F",
        birth_year=1980,
        birth_country="SN",
        nationality="SN",
        languages=["wo", "fr"],
        interpreter_needed=True,
    )
    p["bob"] = PatientFactory(
        last_name="Quennec",
        first_name="Bob",
        sex="M",
        birth_year=1995,
        birth_country="DZ",
        nationality="DZ",
        languages=["ar"],
    )
    p["chloe"] = PatientFactory(
        last_name="Vargas",
        first_name="Chloé",
        sex="F",
        birth_date=date(2007, 6, 10),
        birth_year=2007,
        birth_country="",
        birth_country_text="Atlantide",  # typed before the list, not recognised by the migration
        nationality="",
        languages=[],
    )
    p["dan"] = PatientFactory(
        last_name="Ollivier",
        first_name="Dan",
        sex="U",
        birth_year=2012,
        birth_country="",
        nationality="FR",
        languages=["fr"],
    )
    p["emma"] = PatientFactory(
        last_name="Kowalski",
        first_name="Emma",
        sex="F",
        birth_year=1960,
        birth_country="PL",
        nationality="PL",
        languages=["pl"],
    )
    p["fred"] = PatientFactory(last_name="Fredonnet", first_name="Fred", sex="M", birth_year=1970)
    p["gina"] = PatientFactory(last_name="Ginestet", first_name="Gina", sex="F", birth_year=1990)
    p["hugo"] = PatientFactory(last_name="Hugonnot", first_name="Hugo", sex="M", birth_year=1990)

    def visit(who, when, kind=Visit.Kind.MEDICAL, prof=physician, **kw):
        return VisitFactory(patient=p[who], occurred_at=when, kind=kind, professional=prof, **kw)

    visit("alice", at(2024, 11, 15))
    visit("alice", at(2025, 2, 3), Visit.Kind.SOCIAL, social, interpreting=Visit.Interpreting.ON_SITE)
    visit("alice", at(2025, 5, 5))
    visit("alice", at(2025, 9, 1), Visit.Kind.NURSING, nurse, interpreting=Visit.Interpreting.PHONE)
    visit("bob", at(2025, 6, 1), cancelled_at=at(2025, 6, 1, 11), cancel_reason="Erreur")
    visit("bob", at(2025, 12, 31, 23, 30))
    visit("chloe", at(2025, 3, 1))
    visit("chloe", at(2025, 3, 8), Visit.Kind.PSYCHOLOGICAL, physician)
    visit("dan", at(2025, 4, 1), Visit.Kind.SOCIAL, social)
    visit("emma", at(2025, 10, 1), Visit.Kind.SOCIAL, social)
    visit("fred", at(2024, 3, 1))
    visit("gina", at(2026, 1, 1, 0, 30))
    visit("hugo", at(2025, 7, 1), cancelled_at=at(2025, 7, 1, 11), cancel_reason="Erreur")

    CoverageRightFactory(
        patient=p["alice"],
        regime=CoverageRight.Regime.AME,
        status=CoverageRight.Status.GRANTED,
        filed_on=date(2025, 1, 10),
        decision_on=date(2025, 3, 10),
        start_date=date(2025, 1, 10),
        end_date=date(2026, 1, 9),
        created_by=social,
    )
    CoverageRightFactory(
        patient=p["bob"],
        regime=CoverageRight.Regime.PUMA,
        status=CoverageRight.Status.GRANTED,
        start_date=date(2020, 1, 1),
        created_by=social,
    )
    CoverageRightFactory(
        patient=p["emma"],
        regime=CoverageRight.Regime.PUMA,
        status=CoverageRight.Status.GRANTED,
        filed_on=date(2025, 10, 5),
        decision_on=date(2026, 1, 15),
        start_date=date(2025, 10, 5),
        created_by=social,
    )
    CoverageRightFactory(
        patient=p["chloe"],
        regime=CoverageRight.Regime.CSS,
        status=CoverageRight.Status.REFUSED,
        filed_on=date(2025, 3, 2),
        decision_on=date(2025, 4, 2),
        created_by=social,
    )

    SocialAssessmentFactory(
        patient=p["alice"], author=social, assessed_on=date(2024, 11, 15), housing=SocialAssessment.Housing.STREET
    )
    SocialAssessmentFactory(
        patient=p["alice"],
        author=social,
        assessed_on=date(2025, 2, 3),
        housing=SocialAssessment.Housing.SHELTER_115,
        resources=SocialAssessment.Resources.NONE,
    )
    SocialAssessmentFactory(
        patient=p["emma"],
        author=social,
        assessed_on=date(2025, 10, 1),
        housing=SocialAssessment.Housing.FAMILY_FRIENDS,
        resources=SocialAssessment.Resources.PENSION,
    )
    SocialAssessmentFactory(
        patient=p["bob"],
        author=social,
        assessed_on=date(2025, 12, 31),
        housing=SocialAssessment.Housing.STREET,
        resources=SocialAssessment.Resources.NONE,
    )

    # chloe back to ordinary care with a GP in 2025; fred lost in 2025.
    Orientation.objects.create(
        patient=p["chloe"], destination=Orientation.Destination.GP, outcome=Orientation.Outcome.DONE, author=social
    )
    Patient.objects.filter(pk=p["chloe"].pk).update(status=Patient.Status.COMMON_LAW, exit_date=date(2025, 9, 1))
    Patient.objects.filter(pk=p["fred"].pk).update(status=Patient.Status.LOST, exit_date=date(2025, 2, 1))

    BudgetYear.objects.create(year=2025, allocation=Decimal("1000.00"))
    for who, amount, category in (
        ("alice", "100.00", Category.LAB),
        ("alice", "50.00", Category.INTERPRETING),
        ("bob", "30.00", Category.MEDICINES),
    ):
        Expense.objects.create(
            patient=p[who],
            amount=Decimal(amount),
            category=category,
            description="x",
            spent_on=date(2025, 6, 1),
            status=Expense.Status.COMMITTED,
            created_by=nurse,
        )
    Expense.objects.create(
        amount=Decimal("999.00"),
        category=Category.LAB,
        description="annulée",
        spent_on=date(2025, 6, 1),
        status=Expense.Status.PLANNED,
        created_by=nurse,
    )
    return p
