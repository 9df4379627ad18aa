"""Identity vigilance (RNIV, issue 9): identity status, attributes, birth-date precision, strict traits."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from pass_unit.models import AuditEvent
from patients import services
from patients.models import Patient
from tests.support.factories import PatientFactory
from tests.support.patients import edit_data, patient_data

IDENTITY_EDITORS = ["reception", "social", "nurse", "physician", "psychologist"]


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def fr(msgid: str, **values) -> str:
    """What a French-speaking user reads for `msgid` (the catalogue is merged at the end of issue 9)."""
    with translation.override("fr"):
        text = gettext(msgid)
    return text % values if values else text


def identity_post(patient, **overrides) -> dict:
    data = {"identity_status": patient.identity_status, "identity_document_type": "", "reason": ""}
    data["version"] = str(patient.version)
    data.update(overrides)
    return data


def validated(patient, user) -> Patient:
    return services.patient_identity_set(
        patient=patient, status="validated", attributes=[], document_type="passport", acting_user=user
    )


# --- birth-date precision -------------------------------------------------------------------------


def test_it_stores_the_precision_of_the_birth_date_explicitly(db):
    dated = PatientFactory(birth_date=date(1987, 3, 12), birth_year=1987)
    estimated = PatientFactory(birth_year=1987)

    assert Patient.objects.get(pk=dated.pk).birth_date_precision == "exact"
    assert Patient.objects.get(pk=estimated.pk).birth_date_precision == "year"


def test_it_registers_a_birth_known_to_the_month(login, reception):
    client = login(reception)

    response = client.post(
        reverse("patients:create"),
        patient_data(
            last_name="Popescu",
            birth_date="1990-06-01",
            estimated_birth_year="",
            birth_date_precision="month",
            birth_country="",
            nationality="",
            languages=None,
        )
        | {"confirm_new": "1"},
    )
    assert response.status_code == 302, response.context["form"].errors

    patient = Patient.objects.get(last_name="Popescu")
    assert response.status_code == 302
    assert patient.birth_date_precision == "month"
    assert "06/1990" in client.get(reverse("patients:detail", args=[patient.pk])).content.decode()


def test_it_refuses_an_exact_precision_without_a_date_and_keeps_the_input(login, reception):
    client = login(reception)

    response = client.post(
        reverse("patients:create"),
        patient_data(last_name="Popescu", estimated_birth_year="1990", birth_date_precision="exact"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date_precision"] == [
        fr("Give the date of birth, or choose “year only” or “unknown”.")
    ]
    assert response.context["form"]["last_name"].value() == "Popescu"
    assert not Patient.objects.filter(last_name="Popescu").exists()


# --- status and attributes ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", IDENTITY_EDITORS)
def test_it_lets_identity_editors_validate_an_identity_against_a_document(request, db, login, persona):
    user = request.getfixturevalue(persona)
    patient = PatientFactory()
    client = login(user)

    response = client.post(
        reverse("patients:identity", args=[patient.pk]),
        identity_post(patient, identity_status="validated", identity_document_type="residence_permit"),
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.identity_status == "validated"
    assert patient.identity_document_type == "residence_permit"
    assert patient.identity_checked_by == user
    assert patient.identity_checked_at is not None
    event = AuditEvent.objects.get(action="update", object_type="patients.patient", object_id=str(patient.pk))
    assert event.changes["identity_status"] == ["provisional", "validated"]
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'data-identity-status="validated"' in page
    assert fr("Validated identity") in page


@pytest.mark.parametrize("persona", ["coordinator", "admin_user", "outsider"])
def test_it_refuses_the_identity_page_to_other_roles_and_changes_nothing(request, db, login, persona):
    patient = PatientFactory()
    client = login(request.getfixturevalue(persona))
    url = reverse("patients:identity", args=[patient.pk])
    expected = 404 if persona == "outsider" else 403

    assert client.get(url).status_code == expected
    response = client.post(url, identity_post(patient, identity_status="validated", identity_document_type="passport"))

    assert response.status_code == expected
    assert Patient.objects.get(pk=patient.pk).identity_status == "provisional"
    assert not AuditEvent.objects.filter(action="update").exists()


def test_it_does_not_offer_the_statuses_of_the_ins_teleservice(login, reception):
    patient = PatientFactory()
    client = login(reception)

    form = client.get(reverse("patients:identity", args=[patient.pk])).context["form"]
    response = client.post(
        reverse("patients:identity", args=[patient.pk]),
        identity_post(patient, identity_status="qualified", identity_document_type="passport"),
    )

    assert [value for value, _ in form.fields["identity_status"].choices] == ["provisional", "validated"]
    assert response.status_code == 200
    assert response.context["form"].errors["identity_status"]
    assert Patient.objects.get(pk=patient.pk).identity_status == "provisional"


def test_it_refuses_qualified_to_the_service_too(reception):
    patient = PatientFactory()

    with pytest.raises(services.IdentityRefused):
        services.patient_identity_set(
            patient=patient, status="qualified", attributes=[], document_type="passport", acting_user=reception
        )


def test_it_keeps_a_qualified_status_set_by_an_integration(login, reception):
    patient = PatientFactory(
        identity_status="qualified",
        identity_document_type="passport",
        identity_checked_at=timezone.make_aware(datetime(2026, 1, 5, 10)),
    )
    client = login(reception)

    response = client.post(
        reverse("patients:identity", args=[patient.pk]),
        identity_post(patient, identity_attributes=["homonym"]),
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.identity_status, patient.identity_attributes) == ("qualified", ["homonym"])


def test_it_asks_which_document_was_checked(login, reception):
    patient = PatientFactory()
    client = login(reception)

    response = client.post(
        reverse("patients:identity", args=[patient.pk]), identity_post(patient, identity_status="validated")
    )

    assert response.status_code == 200
    assert fr("Say which identity document was checked.") in response.content.decode()
    assert Patient.objects.get(pk=patient.pk).identity_status == "provisional"


@pytest.mark.parametrize("attribute", ["fictitious", "doubtful"])
def test_it_refuses_to_validate_a_fictitious_or_doubtful_identity(login, reception, attribute):
    patient = PatientFactory()
    client = login(reception)

    response = client.post(
        reverse("patients:identity", args=[patient.pk]),
        identity_post(
            patient, identity_status="validated", identity_document_type="passport", identity_attributes=[attribute]
        ),
    )

    assert response.status_code == 200
    assert fr("A fictitious or doubtful identity cannot be validated.") in response.content.decode()
    assert Patient.objects.get(pk=patient.pk).identity_status == "provisional"


def test_it_sets_attributes_and_shows_them_beside_the_name_in_the_list(login, reception):
    patient = PatientFactory(last_name="Kovalenko")
    client = login(reception)

    client.post(
        reverse("patients:identity", args=[patient.pk]),
        identity_post(patient, identity_attributes=["homonym", "possible_duplicate"]),
    )

    assert Patient.objects.get(pk=patient.pk).identity_attributes == ["homonym", "possible_duplicate"]
    page = client.get(reverse("patients:list"), {"q": "Kovalenko"}).content.decode()
    assert fr("Provisional identity") in page
    assert fr("Homonym") in page
    assert fr("Possible duplicate") in page


def test_it_needs_a_reason_to_send_a_validated_identity_back_to_provisional(login, reception):
    patient = validated(PatientFactory(), reception)
    client = login(reception)
    url = reverse("patients:identity", args=[patient.pk])

    refused = client.post(url, identity_post(patient, identity_status="provisional"))
    accepted = client.post(url, identity_post(patient, identity_status="provisional", reason="Pièce falsifiée"))

    assert refused.status_code == 200
    assert accepted.status_code == 302
    patient.refresh_from_db()
    assert (patient.identity_status, patient.identity_document_type, patient.identity_checked_by) == (
        "provisional",
        "",
        None,
    )
    assert AuditEvent.objects.filter(object_id=str(patient.pk), detail="Pièce falsifiée").exists()


# --- strict traits of a checked identity ----------------------------------------------------------


def test_it_refuses_to_change_a_strict_trait_of_a_validated_identity_without_a_reason(login, reception):
    patient = validated(PatientFactory(last_name="Diallo", first_name="Mariama"), reception)
    client = login(reception)

    response = client.post(reverse("patients:edit", args=[patient.pk]), edit_data(patient, last_name="Dialo"))

    assert response.status_code == 200
    assert response.context["form"].errors["identity_change_reason"] == [
        fr(
            "This identity was checked against a document: give the reason for changing %(traits)s.",
            traits=fr("last name"),
        )
    ]
    assert response.context["form"]["last_name"].value() == "Dialo"
    patient.refresh_from_db()
    assert (patient.last_name, patient.identity_status) == ("Diallo", "validated")


def test_it_makes_the_identity_provisional_when_a_strict_trait_changes_with_a_reason(login, reception):
    patient = validated(PatientFactory(last_name="Diallo", first_name="Mariama", sex="F"), reception)
    client = login(reception)

    response = client.post(
        reverse("patients:edit", args=[patient.pk]),
        edit_data(patient, last_name="Dialo", identity_change_reason="Erreur de transcription"),
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.last_name, patient.identity_status, patient.identity_document_type) == ("Dialo", "provisional", "")
    event = AuditEvent.objects.filter(object_id=str(patient.pk), action="update").latest("pk")
    assert event.changes["last_name"] == ["Diallo", "Dialo"]
    assert event.changes["identity_status"] == ["validated", "provisional"]
    assert "Erreur de transcription" in event.detail


def test_it_keeps_the_identity_validated_when_the_document_is_checked_again(login, reception, social):
    patient = validated(PatientFactory(last_name="Diallo", birth_year=1990), reception)
    client = login(social)

    response = client.post(
        reverse("patients:edit", args=[patient.pk]),
        edit_data(
            patient,
            estimated_birth_year="1991",
            identity_change_reason="Année corrigée sur le passeport",
            identity_document_recheck="passport",
        ),
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.birth_year, patient.identity_status, patient.identity_checked_by) == (1991, "validated", social)


def test_it_changes_other_fields_of_a_validated_identity_freely(login, reception):
    patient = validated(PatientFactory(), reception)
    client = login(reception)

    response = client.post(reverse("patients:edit", args=[patient.pk]), edit_data(patient, phone="06 12 34 56 78"))

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.phone, patient.identity_status) == ("06 12 34 56 78", "validated")


def test_it_changes_a_provisional_identity_without_a_reason(login, reception):
    patient = PatientFactory(last_name="Diallo")
    client = login(reception)

    form = client.get(reverse("patients:edit", args=[patient.pk])).context["form"]
    response = client.post(reverse("patients:edit", args=[patient.pk]), edit_data(patient, last_name="Dialo"))

    assert "identity_change_reason" not in form.fields
    assert response.status_code == 302
    assert Patient.objects.get(pk=patient.pk).last_name == "Dialo"


def test_the_service_refuses_a_strict_change_without_a_reason(reception):
    patient = validated(PatientFactory(sex="F"), reception)
    patient.sex = "M"

    with pytest.raises(services.IdentityRefused):
        services.patient_update(patient=patient, expected_version=patient.version, acting_user=reception)

    assert Patient.objects.get(pk=patient.pk).sex == "F"


# --- the badge on every page that names the patient -------------------------------------------------


def test_the_identity_page_costs_a_fixed_number_of_queries(login, reception, django_assert_max_num_queries):
    patient = validated(PatientFactory(), reception)
    client = login(reception)

    # session, user, groups; the patient (+ referring physician), the checker's name;
    # the idle-timeout session save (savepoint, UPDATE, release).
    with django_assert_max_num_queries(3 + 2 + 3):
        response = client.get(reverse("patients:identity", args=[patient.pk]))

    assert response.status_code == 200


def test_the_rcp_pages_and_minutes_show_the_identity_status_beside_the_name(
    clock, login, social, nurse, physician, psychologist, coordinator
):
    import io

    from pypdf import PdfReader

    from tests.support import rcp as helpers

    patient = validated(PatientFactory(last_name="Kouassi", first_name="Awa"), social)
    meeting = helpers.plan(physician, members=[social, nurse, physician, psychologist])
    case = helpers.add_case(meeting, patient, physician)
    helpers.pass_time(meeting)
    helpers.take_attendance(meeting, physician)
    helpers.decide(case, physician)

    case_page = login(social).get(reverse("rcp:case-detail", args=[case.pk])).content.decode()
    agenda_page = login(social).get(reverse("rcp:detail", args=[meeting.pk])).content.decode()
    with translation.override("fr"):
        version = helpers.validate(meeting, coordinator)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(version.pdf))).pages)

    assert 'data-identity-status="validated"' in case_page
    assert 'data-identity-status="validated"' in agenda_page
    assert fr("Validated identity") in " ".join(text.split())
