"""Every read of a patient file and every change leaves an audit row (who, when, what)."""

from django.urls import reverse

from pass_unit.models import AuditEvent
from tests.support.factories import MedicalContextFactory
from tests.support.patients import edit_data, patient_data


def reads(patient, user) -> list[str]:
    events = AuditEvent.objects.filter(patient=patient, user=user, action__in=["view", "view_medical"])
    return sorted(events.values_list("action", flat=True))


def test_it_records_who_viewed_a_file(login, social, registered):
    before = AuditEvent.objects.filter(action="view").count()

    login(social).get(reverse("patients:detail", args=[registered.pk]), REMOTE_ADDR="10.1.2.3")

    event = AuditEvent.objects.filter(action="view").latest("pk")
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    assert (event.user, event.username, event.role) == (social, "social", "social_worker")
    assert event.patient == registered
    assert event.ip_address == "10.1.2.3"
    assert not event.medical


def test_it_records_a_medical_read_for_the_physician(login, physician, registered):
    MedicalContextFactory(patient=registered)

    login(physician).get(reverse("patients:detail", args=[registered.pk]))

    assert reads(registered, physician) == ["view", "view_medical"]
    assert AuditEvent.objects.get(action="view_medical").medical


def test_it_records_no_medical_read_for_the_social_worker(login, social, registered):
    MedicalContextFactory(patient=registered)

    login(social).get(reverse("patients:detail", args=[registered.pk]))

    assert reads(registered, social) == ["view"]


def test_it_records_no_view_when_access_is_refused(login, outsider, registered):
    login(outsider).get(reverse("patients:detail", args=[registered.pk]))

    assert reads(registered, outsider) == []


def test_it_records_a_registration(login, reception):
    login(reception).post(reverse("patients:create"), patient_data(phone="01 23 45 67 89"))

    event = AuditEvent.objects.get(action="create")
    assert event.user == reception
    assert event.object_type == "patients.patient"
    assert event.changes["last_name"] == [None, "Okafor"]
    assert event.changes["phone"] == [None, "01 23 45 67 89"]


def test_it_records_old_and_new_values_of_an_update(login, nurse, registered):
    data = edit_data(registered, phone="06 12 34 56 78", languages=["vi", "fr"])

    login(nurse).post(reverse("patients:edit", args=[registered.pk]), data)

    event = AuditEvent.objects.get(action="update", patient=registered)
    assert event.user == nurse
    assert event.changes == {
        "phone": ["", "06 12 34 56 78"],
        "languages": [["vi"], ["vi", "fr"]],
    }


def test_it_records_no_update_when_nothing_changed(login, nurse, registered):
    login(nurse).post(reverse("patients:edit", args=[registered.pk]), edit_data(registered))

    assert not AuditEvent.objects.filter(action="update").exists()


def test_it_marks_changes_to_the_medical_context_as_medical(login, physician, registered):
    url = reverse("patients:medical-edit", args=[registered.pk])
    client = login(physician)

    client.post(url, {"chronic_conditions": "Asthme", "version": "0"})
    client.post(url, {"chronic_conditions": "Asthme sévère", "version": "1"})

    created = AuditEvent.objects.get(action="create", object_type="patients.medicalcontext")
    updated = AuditEvent.objects.get(action="update", object_type="patients.medicalcontext")
    assert created.medical and updated.medical
    assert updated.changes == {"chronic_conditions": ["Asthme", "Asthme sévère"]}
    assert updated.patient == registered


def test_it_records_a_medical_read_when_the_medical_form_is_opened(login, nurse, registered):
    # The form shows the whole medical context: reading it there is a read like on the file.
    MedicalContextFactory(patient=registered, chronic_conditions="Tuberculose pulmonaire")

    response = login(nurse).get(reverse("patients:medical-edit", args=[registered.pk]))

    assert "Tuberculose pulmonaire" in response.content.decode()
    assert reads(registered, nurse) == ["view_medical"]
