"""Bad input on every intake form, posted through its page.

Each refusal must come back as the same page (200) with the error on the field, the
user's typing kept for correction, and nothing written: no row, no change, no audit line.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy

from pass_unit.models import AuditEvent
from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from tests.support.factories import CoverageRightFactory, VisitFactory
from tests.support.patients import an_hour_ago, assert_refused, edit_data, local_input, patient_data

SCRIPT = "<script>alert(1)</script>"
HUGE = "A" * 10_000
NUL = "Chi\x00di"


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def _in_days_input(n: int) -> str:
    return local_input(timezone.now() + timedelta(days=n))


# Lazy: the parameters below are built when the module is collected, but the date is read
# when the form is posted, on the test clock (a run across midnight still posts "tomorrow").
days = lazy(_days, str)
in_days_input = lazy(_in_days_input, str)
an_hour_ago = lazy(an_hour_ago, str)


def snapshot() -> tuple:
    """Everything a refused form could have written."""
    return (
        Patient.objects.count(),
        list(Patient.objects.order_by("pk").values_list("version", "status", "last_name", "phone")),
        Visit.objects.count(),
        Visit.objects.filter(cancelled_at__isnull=False).count(),
        SocialAssessment.objects.count(),
        list(CoverageRight.objects.order_by("pk").values_list("status", "end_date")),
        MedicalContext.objects.count(),
        Orientation.objects.count(),
        AuditEvent.objects.count(),
    )


def post(client, url: str, data: dict):
    data = {name: str(value) if isinstance(value, Promise) else value for name, value in data.items()}
    before = snapshot()
    response = client.post(url, data)
    assert snapshot() == before, "a refused form wrote something"
    return response


# --- registration: /patients/new/ ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "kept"),
    [
        pytest.param(
            {"birth_date": days(1), "estimated_birth_year": ""}, "birth_date", ["birth_date"], id="born-tomorrow"
        ),
        pytest.param(
            {"birth_date": "1899-12-31", "estimated_birth_year": ""}, "birth_date", ["birth_date"], id="born-1899"
        ),
        pytest.param(
            {"birth_date": "31/02/1990", "estimated_birth_year": ""}, "birth_date", ["birth_date"], id="no-such-day"
        ),
        pytest.param({"birth_date": "", "estimated_birth_year": ""}, "estimated_birth_year", [], id="no-birth-at-all"),
        pytest.param(
            {"estimated_birth_year": "1850"}, "estimated_birth_year", ["estimated_birth_year"], id="year-1850"
        ),
        pytest.param(
            {"estimated_birth_year": "2999"}, "estimated_birth_year", ["estimated_birth_year"], id="year-2999"
        ),
        pytest.param(
            {"birth_date": "1980-05-01", "estimated_birth_year": "1975"},
            "estimated_birth_year",
            ["birth_date", "estimated_birth_year"],
            id="year-contradicts-date",
        ),
        pytest.param({"last_name": "   "}, "last_name", [], id="blank-last-name"),
        pytest.param({"last_name": "\t\n"}, "last_name", [], id="whitespace-last-name"),
        pytest.param({"last_name": HUGE}, "last_name", ["last_name"], id="huge-last-name"),
        pytest.param({"referral_detail": HUGE}, "referral_detail", ["referral_detail"], id="huge-referral"),
        pytest.param({"first_name": SCRIPT}, "first_name", ["first_name"], id="script-first-name"),
        pytest.param({"last_name": "<b>Okafor</b>"}, "last_name", ["last_name"], id="bold-last-name"),
        pytest.param({"aliases_text": "Chidi, <img src=x onerror=alert(1)>"}, "aliases_text", [], id="markup-alias"),
        pytest.param({"referral_detail": "javascript:alert(1)"}, "referral_detail", [], id="javascript-url"),
        pytest.param({"first_name": NUL}, "first_name", ["first_name"], id="null-byte"),
        pytest.param({"aliases_text": ",".join(f"Alias{n}" for n in range(11))}, "aliases_text", [], id="11-aliases"),
        pytest.param({"aliases_text": "B" * 101}, "aliases_text", [], id="huge-alias"),
        pytest.param({"arrival_in_france": days(3)}, "arrival_in_france", ["arrival_in_france"], id="arrives-later"),
        pytest.param({"arrival_in_france": "1960-01-01"}, "arrival_in_france", [], id="arrived-before-birth"),
        pytest.param(
            {"interpreter_needed": "on", "languages": None, "interpreter_language": ""},
            "interpreter_language",
            [],
            id="interpreter-without-language",
        ),
        pytest.param({"sex": "Z"}, "sex", [], id="unknown-sex"),
    ],
)
def test_it_refuses_bad_registrations(login, reception, overrides, field, kept):
    data = patient_data(**overrides)

    response = post(login(reception), reverse("patients:create"), data)

    # The bad value and the rest of the typing come back.
    assert_refused(response, field, {name: data[name] for name in [*kept, "nationality"]})


def test_it_escapes_refused_markup_when_showing_it_again(login, reception):
    response = post(login(reception), reverse("patients:create"), patient_data(first_name=SCRIPT))

    html = response.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- identity: /patients/<pk>/edit/ --------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"birth_date": days(1), "estimated_birth_year": ""}, "birth_date", id="born-tomorrow"),
        pytest.param({"birth_date": "", "estimated_birth_year": ""}, "estimated_birth_year", id="no-birth-at-all"),
        pytest.param({"last_name": "  "}, "last_name", id="blank-last-name"),
        pytest.param({"phone": SCRIPT}, "phone", id="script-phone"),
        pytest.param({"domiciliation_address": HUGE}, "domiciliation_address", id="huge-address"),
        pytest.param({"languages": NUL}, "languages", id="null-byte"),
    ],
)
def test_it_refuses_bad_identity_changes(login, nurse, registered, overrides, field):
    data = edit_data(registered, phone="06 12 34 56 78") | overrides

    response = post(login(nurse), reverse("patients:edit", args=[registered.pk]), data)

    assert_refused(response, field, {name: data[name] for name in ["phone", "nationality"]})


# --- the other forms of the patient file ---------------------------------------------------


def visit_data(**overrides):
    return {
        "occurred_at": an_hour_ago(),
        "kind": "social",
        "reason": "Première venue",
        "interpreting": "none",
        "interpreter_language": "",
        "notes": "",
        **overrides,
    }


def assessment_data(**overrides):
    return {
        "assessed_on": days(0),
        "housing": "street",
        "household": "alone",
        "children": "0",
        "resources": "salary",
        "monthly_income": "",
        "employment": "undeclared",
        "administrative_status": "undocumented",
        "needs": "Domiciliation",
        "notes": "",
        **overrides,
    }


def right_data(**overrides):
    return {
        "regime": "ame",
        "status": "to_assess",
        "organisation": "CPAM de Seine-Saint-Denis",
        "filed_on": "",
        "decision_on": "",
        "start_date": "",
        "end_date": "",
        "notes": "",
        **overrides,
    }


def medical_data(**overrides):
    return {
        "history": "",
        "chronic_conditions": "Diabète de type 2",
        "infections": "",
        "mental_health": "",
        "allergies": "",
        "treatments": "",
        "pregnancy_due_date": "",
        "version": "0",
        **overrides,
    }


def orientation_data(**overrides):
    return {"oriented_on": days(0), "destination": "gp", "detail": "Dr Martin", "outcome": "pending", "notes": ""} | (
        overrides
    )


def exit_data(**overrides):
    return {"status": "lost", "exit_date": days(0), "reason": "Plus de nouvelles depuis trois mois"} | overrides


GRANTED = {"status": "granted", "filed_on": days(-60), "decision_on": days(-30), "start_date": days(-30)}

FILE_FORM_CASES = [
    # (url name, persona, data, field with the error, fields whose typing must come back)
    pytest.param(
        "visit-create",
        "social",
        visit_data(occurred_at=in_days_input(1)),
        "occurred_at",
        ["occurred_at", "reason"],
        id="visit-tomorrow",
    ),
    pytest.param(
        "visit-create",
        "social",
        visit_data(occurred_at="2026-13-45T25:00"),
        "occurred_at",
        ["occurred_at", "reason"],
        id="visit-no-such-date",
    ),
    pytest.param("visit-create", "social", visit_data(notes=HUGE), "notes", ["notes", "reason"], id="visit-huge-notes"),
    pytest.param("visit-create", "social", visit_data(reason=SCRIPT), "reason", ["reason"], id="visit-script"),
    pytest.param("visit-create", "social", visit_data(notes=NUL), "notes", ["notes", "reason"], id="visit-null-byte"),
    pytest.param("visit-create", "social", visit_data(kind="medical"), "kind", ["reason"], id="visit-kind-not-mine"),
    pytest.param(
        "visit-create",
        "social",
        visit_data(interpreting="phone"),
        "interpreter_language",
        ["reason"],
        id="visit-interpreter-no-language",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(monthly_income="-50"),
        "monthly_income",
        ["monthly_income", "needs"],
        id="assessment-negative-income",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(monthly_income="NaN"),
        "monthly_income",
        ["monthly_income", "needs"],
        id="assessment-income-nan",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(monthly_income="1e15"),
        "monthly_income",
        ["monthly_income", "needs"],
        id="assessment-income-huge",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(resources="none", monthly_income="300"),
        "monthly_income",
        ["monthly_income", "needs"],
        id="assessment-income-without-resources",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(assessed_on=days(2)),
        "assessed_on",
        ["assessed_on", "needs"],
        id="assessment-in-future",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(children="31"),
        "children",
        ["children", "needs"],
        id="assessment-31-children",
    ),
    pytest.param(
        "assessment-create",
        "social",
        assessment_data(children="-1"),
        "children",
        ["children", "needs"],
        id="assessment-negative-children",
    ),
    pytest.param(
        "assessment-create", "social", assessment_data(notes=SCRIPT), "notes", ["notes"], id="assessment-script"
    ),
    pytest.param("assessment-create", "social", assessment_data(notes=HUGE), "notes", ["notes"], id="assessment-huge"),
    pytest.param(
        "right-create",
        "social",
        right_data(**GRANTED, end_date=days(-40)),
        "end_date",
        ["end_date", "start_date", "organisation"],
        id="right-ends-before-start",
    ),
    pytest.param(
        "right-create",
        "social",
        right_data(status="refused", filed_on=days(-10), decision_on=days(-20)),
        "decision_on",
        ["decision_on", "filed_on", "organisation"],
        id="right-decision-before-filing",
    ),
    pytest.param(
        "right-create",
        "social",
        right_data(status="filed", filed_on=days(5)),
        "filed_on",
        ["filed_on", "organisation"],
        id="right-filed-in-future",
    ),
    pytest.param(
        "right-create",
        "social",
        right_data(status="granted"),
        "decision_on",
        ["organisation"],
        id="right-granted-without-dates",
    ),
    pytest.param("right-create", "social", right_data(notes=HUGE), "notes", ["notes", "organisation"], id="right-huge"),
    pytest.param(
        "right-create", "social", right_data(organisation=SCRIPT), "organisation", ["organisation"], id="right-script"
    ),
    pytest.param(
        "medical-edit",
        "physician",
        medical_data(history=HUGE),
        "history",
        ["history", "chronic_conditions"],
        id="medical-huge",
    ),
    pytest.param(
        "medical-edit",
        "physician",
        medical_data(allergies=SCRIPT),
        "allergies",
        ["allergies", "chronic_conditions"],
        id="medical-script",
    ),
    pytest.param(
        "medical-edit",
        "nurse",
        medical_data(treatments=NUL),
        "treatments",
        ["treatments", "chronic_conditions"],
        id="medical-null-byte",
    ),
    pytest.param(
        "medical-edit",
        "physician",
        medical_data(pregnancy_due_date=days(90)),
        "pregnancy_due_date",
        ["pregnancy_due_date", "chronic_conditions"],
        id="medical-due-date-without-pregnancy",
    ),
    pytest.param(
        "orientation-create",
        "nurse",
        orientation_data(oriented_on=days(1)),
        "oriented_on",
        ["oriented_on", "detail"],
        id="orientation-in-future",
    ),
    pytest.param(
        "orientation-create", "nurse", orientation_data(detail=SCRIPT), "detail", ["detail"], id="orientation-script"
    ),
    pytest.param(
        "exit", "social", exit_data(exit_date=days(1)), "exit_date", ["exit_date", "reason"], id="exit-in-future"
    ),
    pytest.param("exit", "social", exit_data(reason=""), "reason", ["exit_date"], id="exit-without-reason"),
    pytest.param("exit", "physician", exit_data(reason=HUGE), "reason", ["reason", "exit_date"], id="exit-huge"),
    pytest.param("exit", "physician", exit_data(status="active"), "status", ["reason"], id="exit-to-same-status"),
]


@pytest.mark.parametrize(("url_name", "persona", "data", "field", "kept"), FILE_FORM_CASES)
def test_it_refuses_bad_input_on_the_patient_file(request, login, registered, url_name, persona, data, field, kept):
    client = login(request.getfixturevalue(persona))

    response = post(client, reverse(f"patients:{url_name}", args=[registered.pk]), data)

    assert_refused(response, field, {name: data[name] for name in kept})


def test_it_refuses_bad_input_when_changing_a_right(login, social, registered):
    right = CoverageRightFactory(patient=registered, created_by=social, status="filed", filed_on=days(-10))
    data = right_data(status="granted", filed_on=days(-10), decision_on=days(-20), start_date=days(-20))

    response = post(login(social), reverse("patients:right-edit", args=[registered.pk, right.pk]), data)

    assert_refused(response, "decision_on", {"decision_on": data["decision_on"], "organisation": data["organisation"]})


@pytest.mark.parametrize(
    ("reason", "kept"),
    [pytest.param("", False, id="empty"), pytest.param(SCRIPT, True, id="script"), pytest.param(NUL, True, id="nul")],
)
def test_it_refuses_a_bad_cancellation_reason(login, reception, social, registered, reason, kept):
    visit = VisitFactory(patient=registered, professional=social)

    response = post(
        login(reception), reverse("patients:visit-cancel", args=[registered.pk, visit.pk]), {"reason": reason}
    )

    assert_refused(response, "reason", {"reason": reason} if kept else {})
