"""The audit trail: every read of a patient file and every change is recorded, searchable, masked, append-only."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pass_unit import audit
from pass_unit.models import AuditEvent
from pass_unit.roles import Role
from patients import services
from patients.models import CoverageRight, MedicalContext, Orientation, Patient, SocialAssessment, Visit
from tests.support.factories import CoverageRightFactory, PatientFactory
from tests.support.users import PASSWORD, make_user

IP = "10.20.30.40"
SECRET = "Tuberculose"  # a distinctive medical value that must never reach a non-medical reader


def today() -> str:
    return timezone.localdate().isoformat()


def an_hour_ago() -> str:
    return timezone.localtime(timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def post(client, name, data, **kwargs):
    return client.post(reverse(name, kwargs=kwargs), data, REMOTE_ADDR=IP)


def last_event(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).latest("pk")


def assert_written_by(event: AuditEvent, user, role: Role, patient) -> None:
    assert event.user == user
    assert event.username == user.username
    assert event.role == role.value
    assert event.ip_address == IP
    assert event.patient == patient


@pytest.fixture
def patient(physician):
    return PatientFactory(last_name="Benali", first_name="Mohammed", referring_physician=physician)


# --- reads -------------------------------------------------------------------------------------------------------


def test_viewing_a_file_records_who_when_from_where(client, social, patient):
    client.force_login(social)
    before = timezone.now()
    response = client.get(reverse("patients:detail", args=[patient.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 200
    event = last_event(action="view")
    assert_written_by(event, social, Role.SOCIAL_WORKER, patient)
    assert event.object_type == "patients.patient"
    assert event.object_id == str(patient.pk)
    assert event.at >= before
    # The social worker does not see the medical part: no medical read is recorded.
    assert not AuditEvent.objects.filter(action="view_medical").exists()


def test_a_physician_viewing_a_file_also_records_a_medical_read(client, physician, patient):
    client.force_login(physician)
    assert client.get(reverse("patients:detail", args=[patient.pk]), REMOTE_ADDR=IP).status_code == 200
    events = AuditEvent.objects.filter(patient=patient)
    assert sorted(events.values_list("action", flat=True)) == ["view", "view_medical"]
    for event in events:
        assert_written_by(event, physician, Role.PHYSICIAN, patient)
    assert events.get(action="view_medical").medical


def test_a_refused_read_records_no_view(client, outsider, patient):
    client.force_login(outsider)
    assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 404
    assert not AuditEvent.objects.filter(patient=patient).exists()


# --- writes ------------------------------------------------------------------------------------------------------


def patient_post(**overrides) -> dict:
    data = {
        "last_name": "Okafor",
        "first_name": "Chidi",
        "sex": "M",
        "estimated_birth_year": "1975",
        "birth_country": "NG",
        "languages": ["en", "ig"],
        "referred_by": "emergency",
    }
    data.update(overrides)
    return data


def test_registering_a_patient_records_the_values(client, social):
    client.force_login(social)
    response = post(client, "patients:create", patient_post())
    assert response.status_code == 302
    patient = Patient.objects.get(last_name="Okafor")
    event = last_event(action="create")
    assert_written_by(event, social, Role.SOCIAL_WORKER, patient)
    assert event.object_type == "patients.patient"
    assert event.changes["last_name"] == [None, "Okafor"]
    assert event.changes["birth_year"] == [None, 1975]
    assert event.changes["referred_by"] == [None, "emergency"]
    assert "search_text" not in event.changes  # derived, not worth logging
    assert not event.medical


def test_editing_a_patient_records_only_the_changed_fields(client, social):
    patient = services.patient_register(
        patient=Patient(last_name="Okafor", first_name="Chidi", sex="M", birth_year=1975, referred_by="emergency"),
        acting_user=social,
    )
    client.force_login(social)
    data = patient_post(birth_country="", languages=[], phone="06 12 34 56 78", version=str(patient.version))
    response = post(client, "patients:edit", data, pk=patient.pk)
    assert response.status_code == 302, response.context["form"].errors
    event = last_event(action="update")
    assert_written_by(event, social, Role.SOCIAL_WORKER, patient)
    assert event.changes == {"phone": ["", "06 12 34 56 78"]}


def test_an_unchanged_save_records_no_update(client, social):
    patient = services.patient_register(
        patient=Patient(last_name="Okafor", first_name="Chidi", sex="M", birth_year=1975, referred_by="emergency"),
        acting_user=social,
    )
    client.force_login(social)
    data = patient_post(birth_country="", languages=[], version=str(patient.version))
    assert post(client, "patients:edit", data, pk=patient.pk).status_code == 302
    assert not AuditEvent.objects.filter(action="update").exists()


def test_recording_and_cancelling_a_visit_is_audited(client, physician, patient):
    client.force_login(physician)
    data = {
        "occurred_at": an_hour_ago(),
        "kind": "medical",
        "reason": "Toux",
        "interpreting": "none",
        "notes": f"{SECRET} suspectée",
    }
    assert post(client, "patients:visit-create", data, pk=patient.pk).status_code == 302
    visit = Visit.objects.get(patient=patient)
    created = last_event(action="create")
    assert_written_by(created, physician, Role.PHYSICIAN, patient)
    assert created.object_type == "patients.visit"
    assert created.object_id == str(visit.pk)
    assert created.changes["kind"] == [None, "medical"]
    assert created.changes["notes"] == [None, f"{SECRET} suspectée"]
    assert created.medical  # medical notes: values restricted in the log

    response = post(client, "patients:visit-cancel", {"reason": "Saisie en double"}, pk=patient.pk, visit_pk=visit.pk)
    assert response.status_code == 302
    cancelled = last_event(action="update")
    assert_written_by(cancelled, physician, Role.PHYSICIAN, patient)
    assert set(cancelled.changes) == {"cancelled_at", "cancel_reason"}
    assert cancelled.changes["cancel_reason"] == ["", "Saisie en double"]
    assert cancelled.changes["cancelled_at"][0] is None
    assert cancelled.medical


def test_a_reception_visit_is_not_medical(client, reception, patient):
    client.force_login(reception)
    data = {"occurred_at": an_hour_ago(), "kind": "reception", "interpreting": "none", "notes": "Accueil"}
    assert post(client, "patients:visit-create", data, pk=patient.pk).status_code == 302
    assert not last_event(action="create").medical


def test_a_social_assessment_is_audited(client, social, patient):
    client.force_login(social)
    data = {
        "assessed_on": today(),
        "housing": "street",
        "household": "alone",
        "children": "0",
        "resources": "none",
        "employment": "none",
        "administrative_status": "undocumented",
        "needs": "Domiciliation",
    }
    assert post(client, "patients:assessment-create", data, pk=patient.pk).status_code == 302
    assessment = SocialAssessment.objects.get(patient=patient)
    event = last_event(action="create")
    assert_written_by(event, social, Role.SOCIAL_WORKER, patient)
    assert event.object_type == "patients.socialassessment"
    assert event.object_id == str(assessment.pk)
    assert event.changes["housing"] == [None, "street"]
    assert event.changes["needs"] == [None, "Domiciliation"]


def test_a_coverage_right_and_its_update_are_audited(client, social, patient):
    client.force_login(social)
    data = {"regime": "ame", "status": "to_assess", "organisation": "CPAM"}
    assert post(client, "patients:right-create", data, pk=patient.pk).status_code == 302
    right = CoverageRight.objects.get(patient=patient)
    created = last_event(action="create")
    assert_written_by(created, social, Role.SOCIAL_WORKER, patient)
    assert created.object_type == "patients.coverageright"
    assert created.changes["regime"] == [None, "ame"]

    data = {**data, "status": "filed", "filed_on": today()}
    assert post(client, "patients:right-edit", data, pk=patient.pk, right_pk=right.pk).status_code == 302
    updated = last_event(action="update")
    assert_written_by(updated, social, Role.SOCIAL_WORKER, patient)
    assert updated.object_id == str(right.pk)
    assert updated.changes == {"status": ["to_assess", "filed"], "filed_on": [None, today()]}


def medical_post(version: int, **overrides) -> dict:
    data = {"version": str(version), "chronic_conditions": "", "allergies": ""}
    data.update(overrides)
    return data


def test_the_medical_context_is_audited_as_medical(client, physician, patient):
    client.force_login(physician)
    response = post(client, "patients:medical-edit", medical_post(0, chronic_conditions=SECRET), pk=patient.pk)
    assert response.status_code == 302
    context = MedicalContext.objects.get(patient=patient)
    created = last_event(action="create")
    assert_written_by(created, physician, Role.PHYSICIAN, patient)
    assert created.object_type == "patients.medicalcontext"
    assert created.changes["chronic_conditions"] == [None, SECRET]
    assert created.medical

    data = medical_post(context.version, chronic_conditions=SECRET, allergies="Pénicilline")
    assert post(client, "patients:medical-edit", data, pk=patient.pk).status_code == 302
    updated = last_event(action="update")
    assert_written_by(updated, physician, Role.PHYSICIAN, patient)
    assert updated.changes == {"allergies": ["", "Pénicilline"]}
    assert updated.medical


def test_an_orientation_is_audited(client, nurse, patient):
    client.force_login(nurse)
    data = {"oriented_on": today(), "destination": "gp", "detail": "Dr Martin", "outcome": "pending"}
    assert post(client, "patients:orientation-create", data, pk=patient.pk).status_code == 302
    orientation = Orientation.objects.get(patient=patient)
    event = last_event(action="create")
    assert_written_by(event, nurse, Role.NURSE, patient)
    assert event.object_type == "patients.orientation"
    assert event.object_id == str(orientation.pk)
    assert event.changes["destination"] == [None, "gp"]
    assert event.changes["detail"] == [None, "Dr Martin"]


def test_a_change_of_follow_up_status_is_audited(client, nurse, patient):
    client.force_login(nurse)
    data = {"status": "common_law", "exit_date": today(), "reason": "Médecin traitant trouvé"}
    assert post(client, "patients:exit", data, pk=patient.pk).status_code == 302
    event = last_event(action="update")
    assert_written_by(event, nurse, Role.NURSE, patient)
    assert event.changes["status"] == ["active", "common_law"]
    assert event.changes["exit_date"] == [None, today()]


def test_a_refused_write_records_nothing(client, reception, patient):
    client.force_login(reception)
    data = {"regime": "ame", "status": "to_assess"}
    assert post(client, "patients:right-create", data, pk=patient.pk).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["create", "update"]).exists()


# --- the audit log page --------------------------------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")


def record_on(day: int, user, patient, action="view") -> AuditEvent:
    """An audit row written at noon on `day` January 2026 (rows cannot be back-dated: the table is append-only)."""
    moment = datetime.datetime(2026, 1, day, 12, 0, tzinfo=PARIS)
    with mock.patch.object(timezone, "now", return_value=moment):
        return audit.record(user, action, obj=patient, patient=patient)


@pytest.fixture
def history(social, physician):
    """Views of two patients by two users on three days of January 2026."""
    benali = PatientFactory(file_number="PASS-2026-00042", last_name="Benali", first_name="Mohammed")
    diallo = PatientFactory(file_number="PASS-2026-00043", last_name="Diallo", first_name="Awa")
    return {
        "social_benali": record_on(5, social, benali),
        "physician_benali": record_on(15, physician, benali, "view_medical"),
        "social_diallo": record_on(15, social, diallo),
        "physician_diallo": record_on(25, physician, diallo),
    }


def listed(client, **params) -> set[int]:
    response = client.get(reverse("audit-log"), params)
    assert response.status_code == 200
    assert not response.context["form"].errors, response.context["form"].errors
    return {event.pk for event in response.context["events"]}


def ids(history, *names) -> set[int]:
    return {history[name].pk for name in names}


def test_the_audit_log_lists_every_event(client, coordinator, history):
    client.force_login(coordinator)
    response = client.get(reverse("audit-log"))
    assert response.status_code == 200
    shown = {event.pk for event in response.context["events"]}
    assert ids(history, "social_benali", "physician_benali", "social_diallo", "physician_diallo") <= shown
    assert b'data-testid="audit-events"' in response.content


def test_the_audit_log_filters_by_user(client, coordinator, social, history):
    client.force_login(coordinator)
    assert listed(client, user=social.pk) == ids(history, "social_benali", "social_diallo")


def test_the_audit_log_filters_by_action(client, coordinator, history):
    client.force_login(coordinator)
    assert listed(client, action="view_medical") == ids(history, "physician_benali")


@pytest.mark.parametrize("query", ["PASS-2026-00042", "pass 2026 42", "Benali", "benali mohammed"])
def test_the_audit_log_filters_by_patient_file_number_or_name(client, coordinator, history, query):
    client.force_login(coordinator)
    assert listed(client, patient=query) == ids(history, "social_benali", "physician_benali")


def test_the_audit_log_filters_by_period(client, coordinator, history):
    client.force_login(coordinator)
    assert listed(client, date_from="2026-01-10", date_to="2026-01-20") == ids(
        history, "physician_benali", "social_diallo"
    )
    # Both bounds are whole days, inclusive.
    assert listed(client, date_from="2026-01-15", date_to="2026-01-15") == ids(
        history, "physician_benali", "social_diallo"
    )
    assert listed(client, date_to="2026-01-05") == ids(history, "social_benali")


def test_the_audit_log_combines_filters(client, coordinator, physician, history):
    client.force_login(coordinator)
    assert listed(client, user=physician.pk, patient="Diallo") == ids(history, "physician_diallo")


def test_a_period_ending_before_it_starts_is_refused(client, coordinator, history):
    client.force_login(coordinator)
    response = client.get(reverse("audit-log"), {"date_from": "2026-01-20", "date_to": "2026-01-10"})
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["reception", "social", "nurse", "physician", "psychologist", "outsider"])
def test_only_the_coordinator_and_the_admin_read_the_audit_log(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("audit-log")).status_code == 403


# --- medical secrecy in the log ------------------------------------------------------------------------------------


@pytest.fixture
def medical_history(client, physician, patient):
    """A physician records then corrects the medical context and writes medical visit notes, via the views."""
    client.force_login(physician)
    post(client, "patients:medical-edit", medical_post(0, chronic_conditions=f"{SECRET} pulmonaire"), pk=patient.pk)
    data = medical_post(1, chronic_conditions=f"{SECRET} ganglionnaire", allergies="Pénicilline")
    post(client, "patients:medical-edit", data, pk=patient.pk)
    visit = {"occurred_at": an_hour_ago(), "kind": "medical", "interpreting": "none", "notes": f"{SECRET} : BK+"}
    post(client, "patients:visit-create", visit, pk=patient.pk)
    visit = Visit.objects.get(patient=patient)
    post(client, "patients:visit-cancel", {"reason": "Erreur de dossier"}, pk=patient.pk, visit_pk=visit.pk)
    client.logout()
    events = AuditEvent.objects.filter(patient=patient, medical=True, action__in=["create", "update"])
    assert events.count() == 4
    return patient


@pytest.mark.parametrize("reader", ["coordinator", "admin_user"])
@pytest.mark.parametrize("page", ["audit-log", "patient-access-log"])
def test_medical_values_are_masked_for_non_medical_readers(client, personas, medical_history, reader, page):
    client.force_login(personas[reader])
    url = reverse(page, args=[medical_history.pk]) if page == "patient-access-log" else reverse("audit-log")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET not in html
    assert "Pénicilline" not in html
    assert "BK+" not in html
    # What changed stays visible, only the values are hidden.
    assert "chronic_conditions" in html
    assert "allergies" in html
    masked = [e for e in response.context["events"] if e.medical and e.changes]
    assert len(masked) == 4
    assert all(e.values_masked for e in masked)
    assert all(old is None and new is None for e in masked for _field, old, new in e.visible_changes)


def test_medical_values_are_shown_to_the_referring_physician(client, physician, medical_history):
    client.force_login(physician)
    response = client.get(reverse("patient-access-log", args=[medical_history.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{SECRET} pulmonaire" in html
    assert f"{SECRET} ganglionnaire" in html


def test_non_medical_values_are_shown_to_the_coordinator(client, social, coordinator, patient):
    client.force_login(social)
    right = CoverageRightFactory(patient=patient, created_by=social)
    data = {"regime": "ame", "status": "building", "organisation": "CPAM de Bobigny"}
    assert post(client, "patients:right-edit", data, pk=patient.pk, right_pk=right.pk).status_code == 302
    client.force_login(coordinator)
    html = client.get(reverse("audit-log")).content.decode()
    assert "CPAM de Bobigny" in html


# --- "Who viewed this file?" ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "admin_user", "physician"])
def test_the_access_log_is_open_to_the_coordinator_admin_and_referring_physician(client, personas, patient, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("patient-access-log", args=[patient.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["reception", "social", "nurse", "psychologist", "other_physician"])
def test_the_access_log_is_closed_to_the_others(client, personas, patient, persona):
    user = make_user("physician2", Role.PHYSICIAN) if persona == "other_physician" else personas[persona]
    client.force_login(user)
    assert client.get(reverse("patient-access-log", args=[patient.pk])).status_code == 403


def test_the_access_log_is_404_for_a_user_without_a_role(client, outsider, patient):
    client.force_login(outsider)
    assert client.get(reverse("patient-access-log", args=[patient.pk])).status_code == 404


def test_the_access_log_lists_the_views_of_this_patient_only(client, social, nurse, physician, patient):
    other = PatientFactory(last_name="Diallo")
    for user, viewed in [(social, patient), (nurse, patient), (social, other), (nurse, other)]:
        client.force_login(user)
        client.get(reverse("patients:detail", args=[viewed.pk]), REMOTE_ADDR=IP)
    client.force_login(physician)
    response = client.get(reverse("patient-access-log", args=[patient.pk]))
    assert response.status_code == 200
    events = response.context["events"]
    assert {e.patient_id for e in events} == {patient.pk}
    views = [(e.username, e.action) for e in events]
    assert ("social", "view") in views
    assert ("nurse", "view") in views
    assert ("nurse", "view_medical") in views
    assert len(events) == AuditEvent.objects.filter(patient=patient).count() == 3
    assert IP in response.content.decode()


# --- append-only ---------------------------------------------------------------------------------------------------


@pytest.fixture
def event(social, patient):
    return audit.record_view(social, patient)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE pass_unit_auditevent SET username = 'x'",
        "UPDATE pass_unit_auditevent SET changes = '{}'::jsonb, at = now() - interval '1 year'",
        "DELETE FROM pass_unit_auditevent",
    ],
)
def test_postgresql_refuses_to_rewrite_the_log(event, sql):
    # The trigger raises insufficient_privilege (SQLSTATE 42501), which Django maps to ProgrammingError.
    with pytest.raises(DatabaseError) as error:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert error.value.__cause__.sqlstate == "42501"
    assert "append-only" in str(error.value)
    assert AuditEvent.objects.get(pk=event.pk).username == "social"


def test_the_orm_cannot_rewrite_the_log_either(event):
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(username="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.get(pk=event.pk).delete(),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    event.username = "x"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    assert AuditEvent.objects.filter(pk=event.pk, username="social").exists()


def test_new_rows_can_still_be_added(event, social, patient):
    audit.record_view(social, patient)
    assert AuditEvent.objects.count() == 2


# --- logins and logouts --------------------------------------------------------------------------------------------


def test_a_successful_login_is_recorded(db, social):
    client = Client(REMOTE_ADDR=IP)
    response = client.post(reverse("login"), {"username": "social", "password": PASSWORD})
    assert response.status_code == 302
    event = last_event(action="login")
    assert event.user == social
    assert event.username == "social"
    assert event.role == Role.SOCIAL_WORKER.value
    assert event.ip_address == IP
    assert event.patient is None


def test_a_failed_login_is_recorded_without_the_password(db, social):
    client = Client(REMOTE_ADDR=IP)
    response = client.post(reverse("login"), {"username": "social", "password": "wrong-password-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = last_event(action="login_failed")
    assert event.user is None
    assert event.detail == "social"
    assert event.ip_address == IP
    assert "wrong-password-123" not in str(AuditEvent.objects.values_list())


def test_a_failed_login_for_an_unknown_name_is_recorded_without_what_was_typed(db):
    # What is typed in the username box may be a password typed in the wrong box.
    client = Client(REMOTE_ADDR=IP)
    typed = "MySecret-Password-99"
    assert client.post(reverse("login"), {"username": typed, "password": "whatever-123"}).status_code == 200
    assert last_event(action="login_failed").detail == "?"
    assert typed not in str(AuditEvent.objects.values_list())


def test_it_takes_the_workstation_address_from_the_proxy_header_when_configured(db, settings, social):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="192.0.2.44")
    client.force_login(social)
    patient = PatientFactory()
    client.get(reverse("patients:detail", args=[patient.pk]))
    assert last_event(action="view").ip_address == "192.0.2.44"


def test_a_logout_is_recorded(db, social):
    client = Client(REMOTE_ADDR=IP)
    client.post(reverse("login"), {"username": "social", "password": PASSWORD})
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    event = last_event(action="logout")
    assert event.user == social
    assert event.ip_address == IP
    assert "_auth_user_id" not in client.session


def test_logins_appear_in_the_audit_log_filtered_by_action(db, coordinator, social):
    Client(REMOTE_ADDR=IP).post(reverse("login"), {"username": "social", "password": "nope-nope-nope"})
    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse("audit-log"), {"action": "login_failed"})
    assert response.status_code == 200
    events = response.context["events"]
    assert [e.detail for e in events] == ["social"]


def test_the_audit_log_shows_creations(client, social, coordinator):
    client.force_login(social)
    assert post(client, "patients:create", patient_post()).status_code == 302
    client.force_login(coordinator)
    response = client.get(reverse("audit-log"), {"action": "create"})
    assert response.status_code == 200
    assert len(response.context["events"]) == 1
