from django.urls import reverse

from patients.models import Patient


def test_it_registers_and_shows_a_patient(login, social, physician):
    client = login(social)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 200
    data = {
        "last_name": "Nguyễn",
        "first_name": "Éloïse",
        "sex": "F",
        "estimated_birth_year": "1990",
        "referred_by": "self",
        "aliases_text": "Eloise Nguyen, Nguyen Thi",
    }
    response = client.post(reverse("patients:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    patient = Patient.objects.get()
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    assert "Nguyễn".upper() in response.content.decode()
    response = client.post(reverse("patients:create"), {**data, "aliases_text": ""})
    assert response.status_code == 200
    assert 'data-testid="duplicates"' in response.content.decode()
    assert Patient.objects.search("Eloise Nguyen").count() == 1
    assert Patient.objects.search("eloïse").count() == 1
    assert Patient.objects.search(patient.file_number).count() == 1
    Patient.objects.create(file_number="X1", last_name="Benali", first_name="Mohammed", birth_year=1980)
    assert Patient.objects.search("Mohamed").count() == 1
    assert Patient.objects.search("Mohamed 1980").count() == 1
    assert Patient.objects.search("Mohamed 1981").count() == 0
    client = login(physician)
    for name in ["visit-create", "medical-edit", "orientation-create", "exit", "edit"]:
        assert client.get(reverse(f"patients:{name}", args=[patient.pk])).status_code == 200, name
    client = login(social)
    for name in ["visit-create", "assessment-create", "right-create"]:
        assert client.get(reverse(f"patients:{name}", args=[patient.pk])).status_code == 200, name
    assert client.get(reverse("patients:medical-edit", args=[patient.pk])).status_code == 403
    assert client.get(reverse("home")).status_code == 200
