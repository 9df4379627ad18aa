"""Shared state for the patient intake tests: a registered patient.

Form data and assertions are in tests/support/patients.py (re-exported here for older imports).
"""

import pytest

from patients import services
from patients.models import Patient
from tests.support.patients import an_hour_ago, assert_refused, edit_data, local_input, patient_data

__all__ = ["an_hour_ago", "assert_refused", "edit_data", "local_input", "patient_data"]


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock):
    """Intake tests run on the test clock: "today" does not depend on when they run."""


@pytest.fixture
def registered(social):
    """A patient registered through the real service (file number, audit row)."""
    patient = Patient(last_name="Nguyễn", first_name="Éloïse", sex="F", birth_year=1990, languages=["vi"])
    return services.patient_register(patient=patient, acting_user=social)
