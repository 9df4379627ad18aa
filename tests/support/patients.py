"""Intake tests: form data as a user posts it, and the "refused, typing kept" assertion."""

from datetime import timedelta

from django.utils import timezone
from django.utils.html import escape

from patients.models import Patient


def patient_data(**overrides) -> dict:
    """A valid POST of the registration / identity form."""
    data = {
        "last_name": "Okafor",
        "first_name": "Chidi",
        "usage_name": "",
        "aliases_text": "",
        "sex": "M",
        "birth_date": "",
        "estimated_birth_year": "1975",
        "birth_country": "NG",
        "nationality": "NG",
        "arrival_in_france": "",
        "languages": ["en", "ig"],
        "interpreter_language": "",
        "phone": "",
        "domiciliation_organisation": "",
        "domiciliation_address": "",
        "ipp": "",
        "referred_by": "emergency",
        "referral_detail": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(patient: Patient, **overrides) -> dict:
    """The identity form as a user would post it back after changing `overrides`."""
    data = patient_data(
        last_name=patient.last_name,
        first_name=patient.first_name,
        usage_name=patient.usage_name,
        aliases_text="\n".join(patient.aliases),
        sex=patient.sex,
        birth_date=patient.birth_date.isoformat() if patient.birth_date else "",
        estimated_birth_year="" if patient.birth_date else str(patient.birth_year),
        birth_country=str(patient.birth_country),
        nationality=str(patient.nationality),
        languages=patient.languages,
        phone=patient.phone,
        referred_by=patient.referred_by,
        version=str(patient.version),
    )
    data.update(overrides)
    return data


def local_input(moment) -> str:
    """A datetime as the browser's datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def an_hour_ago() -> str:
    return local_input(timezone.now() - timedelta(hours=1))


def assert_refused(response, field: str | None, kept: dict) -> None:
    """The form came back (200) with an error on `field` and the user's input still in it."""
    assert response.status_code == 200, response.get("Location")
    form = response.context["form"]
    if field is None:
        assert form.non_field_errors()
    else:
        assert form.errors.get(field), form.errors
    html = response.content.decode()
    for name, value in kept.items():
        value = str(value)  # a lazy value (tests/patients/test_forms.py `days`) as it was posted
        assert form[name].value() == value, name
        if "\x00" not in value:
            # Shown again in the page, escaped: the user corrects rather than retypes.
            assert escape(value) in html, name
