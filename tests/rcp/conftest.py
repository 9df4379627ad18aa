"""Shared state for the RCP tests: patients with a file, a meeting held today with two cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from patients import services as patient_services
from patients.models import CoverageRight, MedicalContext, SocialAssessment
from tests.support import rcp as helpers
from tests.support.rcp import register


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock):
    """RCP tests run on the test clock: "today" does not depend on when they run."""


@pytest.fixture
def patient(social, physician):
    """A patient with a social assessment, a right being built and a medical context."""
    patient = register(social, "Nguyễn", "Éloïse", year=1991)
    patient_services.assessment_add(
        assessment=SocialAssessment(
            housing=SocialAssessment.Housing.SHELTER_115,
            administrative_status=SocialAssessment.AdministrativeStatus.UNDOCUMENTED,
            needs="Domiciliation, AME",
        ),
        patient=patient,
        acting_user=social,
    )
    patient_services.right_add(
        right=CoverageRight(regime=CoverageRight.Regime.AME, status=CoverageRight.Status.BUILDING),
        patient=patient,
        acting_user=social,
    )
    patient_services.medical_context_save(
        context=MedicalContext(patient=patient, chronic_conditions="Tuberculose pulmonaire", allergies="Pénicilline"),
        expected_version=0,
        acting_user=physician,
    )
    return patient


@pytest.fixture
def other_patient(social):
    return register(social, "Benali", "Mohammed", year=1978)


@pytest.fixture
def team(social, nurse, physician, psychologist):
    return [social, nurse, physician, psychologist]


@pytest.fixture
def planned(clock, physician, team):
    """A meeting in a week, chaired by the physician, the whole team invited (on the test clock)."""
    return helpers.plan(physician, members=team)


@pytest.fixture
def held(planned, physician, patient, other_patient, social, nurse):
    """Today's meeting (begun earlier today, whatever the hour), attendance taken, two cases decided,
    one action each."""
    first = helpers.add_case(planned, patient, physician, social="Hébergée au 115", medical="Tuberculose")
    second = helpers.add_case(planned, other_patient, social, question="Hébergement ?")
    helpers.pass_time(planned)
    helpers.take_attendance(planned, physician)
    helpers.decide(first, physician, follow_up_by=nurse, next_review_on=timezone.localdate() + timedelta(days=30))
    helpers.decide(second, physician, decision="Orientation vers un CHRS")
    helpers.add_option(first, physician)
    helpers.add_action(first, physician, assignee=nurse)
    helpers.add_action(second, physician, assignee=social, description="Demande SIAO")
    planned.refresh_from_db()
    return planned
