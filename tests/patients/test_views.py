"""The intake pages on their happy path, output escaping, and lost updates."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from tests.support.factories import CoverageRightFactory, MedicalContextFactory, PatientFactory, VisitFactory
from tests.support.patients import an_hour_ago, edit_data, patient_data


def today(n: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def detail_url(patient) -> str:
    return reverse("patients:detail", args=[patient.pk])


# --- registration and identity ------------------------------------------------------------


def test_it_registers_a_patient_with_an_estimated_birth_year(login, reception):
    data = patient_data(aliases_text="Chidi O.\nOkafor Chidi; Chidi O.", estimated_birth_year="1975")

    response = login(reception).post(reverse("patients:create"), data)

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(patient)
    assert patient.file_number == f"PASS-{timezone.localdate().year}-00001"
    assert patient.birth_year == 1975
    assert patient.birth_date is None
    assert patient.aliases == ["Chidi O.", "Okafor Chidi"]
    assert patient.created_by == patient.updated_by == reception
    assert patient.version == 1


def test_it_registers_a_patient_with_an_exact_birth_date(login, nurse):
    login(nurse).post(reverse("patients:create"), patient_data(birth_date="1975-08-30", estimated_birth_year=""))

    patient = Patient.objects.get()
    assert patient.birth_year == 1975
    assert str(patient.birth_date) == "1975-08-30"


def test_it_shows_the_new_file(login, reception):
    client = login(reception)

    response = client.post(reverse("patients:create"), patient_data(), follow=True)

    patient = Patient.objects.get()
    assert response.status_code == 200
    assert 'data-testid="patient-name"' in response.content.decode()
    assert patient.file_number in response.content.decode()
    assert "OKAFOR Chidi" in response.content.decode()


def test_it_updates_the_identity_and_its_version(login, nurse, registered):
    response = login(nurse).post(
        reverse("patients:edit", args=[registered.pk]), edit_data(registered, phone="06 12 34 56 78")
    )

    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.phone == "06 12 34 56 78"
    assert registered.version == 2
    assert registered.updated_by == nurse


def test_it_prefills_the_identity_form(login, nurse, registered):
    response = login(nurse).get(reverse("patients:edit", args=[registered.pk]))

    form = response.context["form"]
    assert form["last_name"].value() == "Nguyễn"
    assert form["estimated_birth_year"].value() == 1990
    assert form["version"].value() == 1


def test_it_turns_an_estimated_year_into_a_birth_date(login, nurse, registered):
    data = edit_data(registered, birth_date="1991-02-03", estimated_birth_year="")

    login(nurse).post(reverse("patients:edit", args=[registered.pk]), data)

    registered.refresh_from_db()
    assert registered.birth_year == 1991
    assert not registered.birth_is_estimated


def test_it_answers_404_for_a_file_that_does_not_exist(login, physician):
    assert login(physician).get(reverse("patients:detail", args=[999999])).status_code == 404


# --- the patient file ----------------------------------------------------------------------


def test_it_records_a_visit_by_the_logged_in_professional(login, social, registered):
    data = {
        "occurred_at": an_hour_ago(),
        "kind": "social",
        "reason": "Ouverture des droits",
        "interpreting": "phone",
        "interpreter_language": "vietnamien",
        "notes": "Entretien long",
    }

    response = login(social).post(reverse("patients:visit-create", args=[registered.pk]), data)

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.patient, visit.professional, visit.kind) == (registered, social, "social")
    assert visit.interpreter_language == "vietnamien"


def test_it_offers_each_role_only_its_own_kinds_of_visit(login, psychologist, registered):
    response = login(psychologist).get(reverse("patients:visit-create", args=[registered.pk]))

    assert [value for value, _label in response.context["form"].fields["kind"].choices] == ["psychological"]


def test_it_cancels_a_visit_with_a_reason(login, reception, social, registered):
    visit = VisitFactory(patient=registered, professional=social)
    client = login(reception)

    response = client.post(
        reverse("patients:visit-cancel", args=[registered.pk, visit.pk]), {"reason": "Saisie en double"}
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.is_cancelled
    assert visit.cancel_reason == "Saisie en double"
    assert "Saisie en double" in client.get(detail_url(registered)).content.decode()


def test_it_cannot_cancel_a_visit_twice(login, reception, social, registered):
    visit = VisitFactory(patient=registered, professional=social, cancelled_at=timezone.now(), cancel_reason="Erreur")

    url = reverse("patients:visit-cancel", args=[registered.pk, visit.pk])

    assert login(reception).post(url, {"reason": "Encore"}).status_code == 404


def test_it_cannot_cancel_a_visit_through_another_patient(login, reception, social, registered):
    visit = VisitFactory(patient=registered, professional=social)
    other = PatientFactory()

    url = reverse("patients:visit-cancel", args=[other.pk, visit.pk])

    assert login(reception).post(url, {"reason": "Erreur"}).status_code == 404
    assert not Visit.objects.get().is_cancelled


def test_it_records_a_social_assessment(login, social, registered):
    data = {
        "assessed_on": today(),
        "housing": "shelter_115",
        "household": "single_parent",
        "children": "2",
        "resources": "minimum_benefits",
        "monthly_income": "412.30",  # a number input sends a dot whatever the locale
        "employment": "none",
        "administrative_status": "asylum_seeker",
        "needs": "Domiciliation",
        "notes": "",
    }

    response = login(social).post(reverse("patients:assessment-create", args=[registered.pk]), data)

    assert response.status_code == 302
    assessment = SocialAssessment.objects.get()
    assert str(assessment.monthly_income) == "412.30"
    assert assessment.author == social


def test_it_records_and_advances_a_coverage_right(login, social, registered):
    client = login(social)
    client.post(
        reverse("patients:right-create", args=[registered.pk]),
        {"regime": "ame", "status": "building", "organisation": "CPAM 93"},
    )
    right = CoverageRight.objects.get()
    url = reverse("patients:right-edit", args=[registered.pk, right.pk])

    form = client.get(url, {"next": "filed"}).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(url, data)

    assert response.status_code == 302
    right.refresh_from_db()
    assert right.status == CoverageRight.Status.FILED
    assert right.filed_on == timezone.localdate()


def test_it_ignores_a_next_step_that_does_not_follow(login, social, registered):
    right = CoverageRightFactory(patient=registered, created_by=social, status="building")

    response = login(social).get(reverse("patients:right-edit", args=[registered.pk, right.pk]), {"next": "granted"})

    assert response.context["form"]["status"].value() == "building"


def test_it_warns_of_rights_to_renew(login, social, registered):
    CoverageRightFactory(
        patient=registered,
        created_by=social,
        status="granted",
        filed_on=timezone.localdate() - timedelta(days=400),
        start_date=timezone.localdate() - timedelta(days=355),
        end_date=timezone.localdate() + timedelta(days=10),
    )

    response = login(social).get(detail_url(registered))

    assert 'data-testid="expiry-warning"' in response.content.decode()


def test_it_creates_then_updates_the_medical_context(login, physician, registered):
    client = login(physician)
    url = reverse("patients:medical-edit", args=[registered.pk])

    client.post(url, {"chronic_conditions": "Tuberculose pulmonaire", "version": "0"})
    client.post(url, {"chronic_conditions": "Tuberculose pulmonaire", "allergies": "Pénicilline", "version": "1"})

    context = MedicalContext.objects.get()
    assert context.allergies == "Pénicilline"
    assert context.version == 2
    assert context.updated_by == physician
    assert "Pénicilline" in client.get(detail_url(registered)).content.decode()


def test_it_records_an_orientation(login, nurse, registered):
    data = {"oriented_on": today(), "destination": "cmp", "detail": "CMP Saint-Denis", "outcome": "pending"}

    response = login(nurse).post(reverse("patients:orientation-create", args=[registered.pk]), data)

    assert response.status_code == 302
    assert Orientation.objects.get().author == nurse


def test_it_closes_then_reopens_a_follow_up(login, social, registered):
    client = login(social)
    url = reverse("patients:exit", args=[registered.pk])

    client.post(url, {"status": "common_law", "exit_date": today(-1), "reason": "Droits ouverts, médecin traitant"})
    registered.refresh_from_db()
    assert (registered.status, registered.exit_date) == ("common_law", timezone.localdate() - timedelta(days=1))

    client.post(url, {"status": "active", "exit_date": today(), "reason": "Revenu aux urgences"})
    registered.refresh_from_db()
    assert (registered.status, registered.exit_date) == ("active", None)
    assert registered.version == 3


def test_it_flags_a_minor(login, reception):
    minor = PatientFactory(birth_year=timezone.localdate().year - 16)

    adult = PatientFactory(birth_year=timezone.localdate().year - 18)
    client = login(reception)

    with translation.override("fr"):
        flag = f"<strong>{translation.gettext('minor')}</strong>"
    assert flag in client.get(detail_url(minor)).content.decode()
    assert flag not in client.get(detail_url(adult)).content.decode()


# --- output escaping -----------------------------------------------------------------------


@pytest.fixture
def scripted(db):
    """Markup that got in around the forms (import, admin, older version): it must print as text."""
    return PatientFactory(
        last_name="<script>x</script>",
        first_name="<script>x</script>",
        aliases=["<script>x</script>"],
        languages_text="<script>x</script>",  # typed before the language list
    )


@pytest.mark.parametrize("page", ["list", "detail", "edit", "visit-create"])
def test_it_escapes_names_on_every_page(login, reception, scripted, page):
    args = [] if page == "list" else [scripted.pk]

    html = login(reception).get(reverse(f"patients:{page}", args=args)).content.decode()

    assert "<script>x" not in html.lower()
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_it_escapes_a_name_shown_as_a_possible_duplicate(login, reception, scripted):
    html = (
        login(reception)
        .post(
            reverse("patients:create"),
            patient_data(last_name="Script", first_name="X", estimated_birth_year="1990"),
        )
        .content.decode()
    )

    assert 'data-testid="duplicates"' in html
    assert "<script>x" not in html.lower()


# --- lost updates --------------------------------------------------------------------------


def test_it_refuses_to_overwrite_an_identity_changed_meanwhile(login, nurse, reception):
    patient = PatientFactory(phone="", languages=[])
    url = reverse("patients:edit", args=[patient.pk])
    # Both open the form on version 1.
    assert login(nurse).get(url).context["form"]["version"].value() == 1
    assert login(reception).get(url).context["form"]["version"].value() == 1
    patient.refresh_from_db()

    first = login(nurse).post(url, edit_data(patient, phone="06 11 11 11 11", version="1"))
    second = login(reception).post(url, edit_data(patient, phone="07 22 22 22 22", languages=["ar"], version="1"))

    assert first.status_code == 302
    assert second.status_code == 200
    form = second.context["form"]
    assert form.non_field_errors()
    assert form["phone"].value() == "07 22 22 22 22"
    assert form["languages"].value() == ["ar"]
    assert "07 22 22 22 22" in second.content.decode()
    patient.refresh_from_db()
    assert (patient.phone, patient.languages, patient.version) == ("06 11 11 11 11", [], 2)


def test_it_saves_the_second_edit_once_the_current_file_was_seen(login, nurse, reception, registered):
    url = reverse("patients:edit", args=[registered.pk])
    login(nurse).post(url, edit_data(registered, phone="06 11 11 11 11", version="1"))
    refused = login(reception).post(url, edit_data(registered, languages=["ar"], version="1"))
    form = refused.context["form"]

    # The page now carries the version the user has seen: saving again goes through.
    assert form["version"].value() == 2
    response = login(reception).post(url, {**form.data, "phone": "06 11 11 11 11"})

    assert response.status_code == 302
    registered.refresh_from_db()
    assert (registered.phone, registered.languages, registered.version) == ("06 11 11 11 11", ["ar"], 3)


@pytest.mark.parametrize("exists", [True, False], ids=["existing-context", "first-context"])
def test_it_refuses_to_overwrite_a_medical_context_changed_meanwhile(login, nurse, physician, registered, exists):
    if exists:
        MedicalContextFactory(patient=registered, chronic_conditions="Diabète", version=1)
    url = reverse("patients:medical-edit", args=[registered.pk])
    version = login(nurse).get(url).context["form"]["version"].value()
    assert login(physician).get(url).context["form"]["version"].value() == version

    first = login(nurse).post(url, {"chronic_conditions": "Diabète, HTA", "version": version})
    second = login(physician).post(url, {"chronic_conditions": "Diabète", "allergies": "Iode", "version": version})

    assert first.status_code == 302
    assert second.status_code == 200
    form = second.context["form"]
    assert form.non_field_errors()
    assert form["allergies"].value() == "Iode"
    context = MedicalContext.objects.get()
    assert (context.chronic_conditions, context.allergies, context.version) == ("Diabète, HTA", "", version + 1)


def test_it_cannot_change_a_right_through_another_patient(login, social, registered):
    right = CoverageRightFactory(patient=registered, created_by=social, status="building")
    other = PatientFactory()

    url = reverse("patients:right-edit", args=[other.pk, right.pk])

    assert login(social).post(url, {"regime": "ame", "status": "filed", "filed_on": today()}).status_code == 404
    right.refresh_from_db()
    assert right.status == "building"
