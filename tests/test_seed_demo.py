"""`manage.py seed_demo`: demo accounts and realistic, deterministic demo patients."""

import re
import time
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from budget.models import Expense
from pass_unit.roles import Role, role_of
from patients.demo import ACCOUNTS, DEMO_PASSWORD, build_demo
from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from rcp.models import CaseReview

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FIXED_NOW = datetime(2026, 3, 18, 15, 30, tzinfo=PARIS)
KIND_ROLES = {
    Visit.Kind.RECEPTION: {Role.RECEPTION, Role.SOCIAL_WORKER, Role.NURSE},
    Visit.Kind.SOCIAL: {Role.SOCIAL_WORKER},
    Visit.Kind.MEDICAL: {Role.PHYSICIAN},
    Visit.Kind.NURSING: {Role.NURSE},
    Visit.Kind.PSYCHOLOGICAL: {Role.PSYCHOLOGIST},
}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def record_counts() -> dict:
    models = [User, Patient, Visit, SocialAssessment, CoverageRight, MedicalContext, Orientation]
    return {model.__name__: model.objects.count() for model in models}


def test_it_creates_one_account_per_role_with_the_demo_password(debug):
    seed("--patients", "0")
    request = RequestFactory().post("/accounts/login/")
    expected = {
        "accueil": Role.RECEPTION,
        "social": Role.SOCIAL_WORKER,
        "infirmier": Role.NURSE,
        "infirmier2": Role.NURSE,
        "medecin": Role.PHYSICIAN,
        "medecin2": Role.PHYSICIAN,
        "psy": Role.PSYCHOLOGIST,
        "coordination": Role.COORDINATOR,
        "admin": Role.ADMIN,
    }
    assert {a.username for a in ACCOUNTS} == set(expected)
    for username, role in expected.items():
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert role_of(user) == role
        assert user.first_name and user.last_name
        assert user.is_staff == user.is_superuser == (username == "admin")
    assert authenticate(request, username="medecin", password="wrong-password") is None


def test_it_updates_existing_accounts_instead_of_duplicating_them(debug):
    User.objects.create_user("medecin", password="an-older-password-123", first_name="Old")
    seed("--patients", "0")
    seed("--patients", "0")
    assert User.objects.filter(username="medecin").count() == 1
    user = User.objects.get(username="medecin")
    assert user.check_password(DEMO_PASSWORD)
    assert user.first_name != "Old"
    assert role_of(user) == Role.PHYSICIAN


def test_it_refuses_to_run_when_debug_is_false(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is False"):
        seed("--patients", "2")
    assert not User.objects.exists()
    assert not Patient.objects.exists()


def test_it_runs_without_debug_when_forced(settings):
    settings.DEBUG = False
    seed("--patients", "2", "--force")
    assert Patient.objects.count() == 2


def test_it_creates_the_number_of_patients_asked(debug):
    output = seed("--patients", "5")
    assert Patient.objects.count() == 5
    assert "5 patients" in output
    assert all(re.fullmatch(r"PASS-\d{4}-\d{5}", n) for n in Patient.objects.values_list("file_number", flat=True))


def test_it_does_not_duplicate_anything_on_a_second_run(debug):
    seed("--patients", "8")
    before = record_counts()
    output = seed("--patients", "8")
    assert "Demo data already present" in output
    assert record_counts() == before


def test_it_builds_a_realistic_default_demo(debug):
    started = time.monotonic()
    seed()
    # About 10 s on a developer's laptop (`make run`); the bound leaves room for a busy test machine.
    assert time.monotonic() - started < 60
    patients = Patient.objects.all()
    assert patients.count() == 60
    assert patients.filter(birth_date__isnull=True).exists()
    assert patients.filter(birth_date__isnull=False).exists()
    assert patients.exclude(aliases=[]).count() >= 10
    assert patients.filter(interpreter_needed=True).exists()
    assert patients.exclude(domiciliation_organisation="").exists()
    assert set(patients.values_list("status", flat=True)) >= {
        Patient.Status.ACTIVE,
        Patient.Status.COMMON_LAW,
        Patient.Status.LOST,
    }
    exited = patients.exclude(status=Patient.Status.ACTIVE)
    assert not exited.filter(exit_date__isnull=True).exists()
    assert not exited.filter(exit_reason="").exists()
    assert Visit.objects.count() >= 3 * 60
    assert set(Visit.objects.values_list("kind", flat=True)) >= set(KIND_ROLES)
    assert SocialAssessment.objects.values("patient").distinct().count() >= 40
    assert MedicalContext.objects.count() >= 30
    assert MedicalContext.objects.filter(pregnant=True).exists()
    assert MedicalContext.objects.filter(infections__icontains="hépatite B").exists()
    assert Orientation.objects.exists()


def test_it_covers_every_coverage_right_status(debug):
    seed()
    statuses = set(CoverageRight.objects.values_list("status", flat=True))
    assert statuses == set(CoverageRight.Status.values)
    regimes = set(CoverageRight.objects.values_list("regime", flat=True))
    assert regimes >= {CoverageRight.Regime.AME, CoverageRight.Regime.PUMA, CoverageRight.Regime.CSS}
    assert CoverageRight.Regime.URGENT_CARE in regimes


def test_it_shows_renewal_alerts(debug):
    seed()
    today = timezone.localdate()
    granted_ame = CoverageRight.objects.filter(
        regime=CoverageRight.Regime.AME,
        status=CoverageRight.Status.GRANTED,
        patient__status=Patient.Status.ACTIVE,
    )
    soon = [r for r in granted_ame if r.expiry_state(today) == "soon"]
    assert soon
    assert all(today <= r.end_date <= today + timedelta(days=60) for r in soon)
    eloise = Patient.objects.get(last_name="Nguyễn", first_name="Éloïse")
    assert any(r.expiry_state(today) == "soon" for r in eloise.rights.all())


def test_it_keeps_dates_in_the_past_and_visits_with_the_right_professional(debug):
    seed()
    now = timezone.now()
    assert not Visit.objects.filter(occurred_at__gt=now).exists()
    today = timezone.localdate()
    assert not SocialAssessment.objects.filter(assessed_on__gt=today).exists()
    assert not CoverageRight.objects.filter(filed_on__gt=today).exists()
    assert not CoverageRight.objects.filter(decision_on__gt=today).exists()
    assert not Orientation.objects.filter(oriented_on__gt=today).exists()
    for visit in Visit.objects.select_related("professional").prefetch_related("professional__groups"):
        assert role_of(visit.professional) in KIND_ROLES[visit.kind], (visit.kind, visit.professional)
    for patient in Patient.objects.select_related("referring_physician"):
        first_visit = patient.visits.order_by("occurred_at").first()
        assert first_visit.occurred_at == patient.created_at
        assert first_visit.kind == Visit.Kind.RECEPTION
        if patient.referring_physician:
            assert role_of(patient.referring_physician) == Role.PHYSICIAN
    assert Patient.objects.filter(referring_physician__isnull=False).count() >= 30


def test_it_finds_the_anchor_patients_by_search(debug):
    seed()
    eloise = Patient.objects.search("Eloise Nguyen")
    assert [(p.last_name, p.first_name) for p in eloise] == [("Nguyễn", "Éloïse")]
    assert eloise[0].birth_date is not None
    benali = Patient.objects.search("Mohamed Benali")
    assert ("Benali", "Mohammed") in [(p.last_name, p.first_name) for p in benali]


def test_it_builds_the_same_data_from_the_same_seed():
    first = build_demo(60, now=FIXED_NOW)
    again = build_demo(60, now=FIXED_NOW)
    assert first == again
    assert build_demo(5, now=FIXED_NOW) == first[:5]
    other_seed = build_demo(60, now=FIXED_NOW, seed=7)
    assert [p.identity for p in other_seed] != [p.identity for p in first]
    assert (first[0].identity["first_name"], first[0].identity["last_name"]) == ("Éloïse", "Nguyễn")
    assert (first[1].identity["first_name"], first[1].identity["last_name"]) == ("Mohammed", "Benali")


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 0, 40, tzinfo=PARIS),  # Monday, before opening hours
        datetime(2026, 11, 28, 11, 0, tzinfo=PARIS),  # Saturday
        datetime(2027, 1, 3, 23, 30, tzinfo=PARIS),  # Sunday, just after new year
        datetime(2028, 3, 1, 9, 0, tzinfo=PARIS),  # the day after a 29 February
    ],
)
def test_it_keeps_every_plan_consistent_whatever_the_day(now):
    today = now.date()
    for plan in build_demo(300, now=now):
        visits = plan.visits
        assert all(v.at <= now for v in visits)
        assert min(visits, key=lambda v: v.at).kind == Visit.Kind.RECEPTION
        assert all(v.at.astimezone(PARIS).weekday() < 5 for v in visits)
        identity = plan.identity
        if identity["birth_date"]:
            assert identity["birth_date"].year == identity["birth_year"]
        if identity["arrival_in_france"]:
            assert identity["birth_year"] <= identity["arrival_in_france"].year
            assert identity["arrival_in_france"] <= today
        for right in plan.rights:
            assert right.created_on <= today
            assert right.filed_on is None or right.filed_on <= today
            assert right.decision_on is None or (right.filed_on or right.decision_on) <= right.decision_on <= today
            assert right.end_date is None or right.start_date is None or right.start_date <= right.end_date
            # What the coverage form asks for each status.
            if right.status in (CoverageRight.Status.FILED, CoverageRight.Status.GRANTED, CoverageRight.Status.REFUSED):
                assert right.filed_on or right.regime == CoverageRight.Regime.NONE
            if right.status in (CoverageRight.Status.GRANTED, CoverageRight.Status.REFUSED):
                assert right.decision_on
            if right.status == CoverageRight.Status.GRANTED:
                assert right.start_date
        assert all(a.assessed_on <= today for a in plan.assessments)
        assert all(o.oriented_on <= today for o in plan.orientations)
        if plan.exit:
            status, exit_date, reason = plan.exit
            assert plan.last_activity.astimezone(PARIS).date() <= exit_date <= today
            assert status != Patient.Status.ACTIVE and reason
        if plan.medical and plan.medical["pregnant"]:
            assert identity["sex"] == "F" and plan.medical["pregnancy_due_date"] > today
            # About 14 weeks pregnant at the first consultation, never more than 40 weeks.
            age = today.year - identity["birth_year"]
            assert 15 <= age <= 50
            first_medical = min(v.at for v in visits if v.kind == Visit.Kind.MEDICAL).astimezone(PARIS).date()
            assert plan.medical["pregnancy_due_date"] - first_medical <= timedelta(weeks=26)
        # Visit texts fit the patient.
        statuses = {a.values["administrative_status"] for a in plan.assessments}
        for visit in visits:
            if "OFPRA" in visit.notes:
                assert statuses == {SocialAssessment.AdministrativeStatus.ASYLUM_SEEKER}, visit.notes
            if "interprète" in visit.notes or "qui traduit" in visit.notes:
                assert identity["interpreter_needed"], visit.notes
            if "Passeport présenté" in visit.notes:
                assert identity["birth_date"], visit.notes
            if "élection de domicile" in visit.notes or "Attestation de domiciliation" in visit.notes:
                assert bool(identity["domiciliation_organisation"]) == ("Attestation" in visit.notes), visit.notes
            if identity["sex"] == "F":
                assert not re.search(r"\b(Orienté|Adressé|Accompagné|Hébergé|Revu) ", visit.notes), visit.notes


def test_it_gives_the_same_demo_on_two_fresh_runs(debug):
    class Rollback(Exception):
        pass

    def fresh_run():
        try:
            with transaction.atomic():
                seed("--patients", "20")
                rows = list(
                    Patient.objects.order_by("file_number").values_list(
                        "file_number", "last_name", "first_name", "birth_year", "birth_date", "aliases"
                    )
                )
                # The meetings and the budget too: same patients, same questions, same expenses.
                rows += list(
                    CaseReview.objects.order_by("meeting__scheduled_at", "position").values_list(
                        "patient__file_number", "question", "social_summary", "decision"
                    )
                )
                rows += list(
                    Expense.objects.order_by(
                        "spent_on", "amount", "catalogue_item__code", "patient__file_number"
                    ).values_list("spent_on", "amount", "catalogue_item__code", "patient__file_number")
                )
                raise Rollback
        except Rollback:
            return rows

    first = fresh_run()
    assert not Patient.objects.exists()
    assert len([row for row in first if isinstance(row[0], str) and row[0].startswith("PASS-")]) >= 20
    assert fresh_run() == first


def test_it_ships_no_test_double_in_the_application_code():
    """`unittest.mock` belongs to the tests: a demo or a service that patches the clock lies about time."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {"tests", ".venv", "node_modules", "bench"} or relative.parts[0].startswith("."):
            continue
        if re.search(
            r"^\s*(from unittest import mock|import unittest\.mock|from unittest\.mock import)",
            path.read_text(),
            re.MULTILINE,
        ):
            offenders.append(str(relative))
    assert offenders == []
