"""Who may open and post each page of the patient file (DESIGN.md, "Roles and medical secrecy").

Every page of patients/urls.py, for every role, an outsider (logged in, no role) and an
anonymous visitor, with GET and with a POST that would be valid: the allowed side saves,
the forbidden side gets 403/404 (or the login page) and nothing is written.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from pass_unit.models import AuditEvent
from patients.models import (
    CoverageRight,
    MedicalContext,
    Orientation,
    Patient,
    PatientMerge,
    SocialAssessment,
    Visit,
)
from tests.support.factories import (
    CoverageRightFactory,
    MedicalContextFactory,
    PatientFactory,
    SocialAssessmentFactory,
    VisitFactory,
)
from tests.support.patients import an_hour_ago, edit_data, patient_data
from tests.support.users import make_user

ROLES = ["reception", "social", "nurse", "physician", "psychologist", "coordinator", "admin_user"]
EVERYONE = set(ROLES)
CARE = {"reception", "social", "nurse", "physician", "psychologist"}  # identity and visits: edit
FOLLOW_UP = {"social", "nurse", "physician", "psychologist"}  # orientation and exit

# page -> roles allowed (the table of DESIGN.md, written out rather than read from pass_unit.access)
ALLOWED = {
    "list": EVERYONE,
    "create": CARE,
    "detail": EVERYONE,
    "edit": CARE,
    "exit": FOLLOW_UP,
    "medical-edit": {"nurse", "physician"},
    "visit-create": CARE,
    "visit-cancel": CARE,
    "assessment-create": {"social"},
    "right-create": {"social"},
    "right-edit": {"social"},
    "orientation-create": FOLLOW_UP,
    "identity": CARE,
    "merge-choose": {"reception", "social", "coordinator"},
    "merge": {"reception", "social", "coordinator"},
    "merge-undo": {"coordinator"},
}
READ_ONLY = {"list", "detail", "merge-choose"}
NO_PATIENT = {"list", "create"}


def test_it_covers_every_page_of_the_patient_file():
    from patients.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(ALLOWED)


@pytest.fixture
def world(db):
    colleague = make_user("colleague", None)  # recorded the visit: not any persona under test
    patient = PatientFactory(last_name="Diallo", first_name="Mariama", phone="")
    visit = VisitFactory(patient=patient, professional=colleague)
    right = CoverageRightFactory(patient=patient, created_by=colleague, status="to_assess")
    other = PatientFactory(last_name="Dialo", first_name="Mariam")
    merged = PatientFactory(status=Patient.Status.ARCHIVED, merged_into=patient)
    merge = PatientMerge.objects.create(
        target=patient,
        source=merged,
        reason="Même passeport",
        merged_by=colleague,
        source_before={"status": "active", "exit_date": None, "exit_reason": ""},
    )
    return {"patient": patient, "visit": visit, "right": right, "other": other, "merge": merge}


def url_for(page: str, world) -> str:
    pk = world["patient"].pk
    args = {
        "list": [],
        "create": [],
        "visit-cancel": [pk, world["visit"].pk],
        "right-edit": [pk, world["right"].pk],
        "merge": [pk, world["other"].pk],
        "merge-undo": [pk, world["merge"].pk],
    }.get(page, [pk])
    return reverse(f"patients:{page}", args=args)


def valid_post(page: str, persona: str, world) -> dict:
    """What an allowed user would post on `page`."""
    today = timezone.localdate().isoformat()
    return {
        "list": {},
        "detail": {},
        "create": patient_data(last_name="Okafor", first_name="Chidi"),
        "edit": edit_data(world["patient"], phone="06 99 99 99 99"),
        "exit": {"status": "lost", "exit_date": today, "reason": "Plus de nouvelles"},
        "medical-edit": {"chronic_conditions": "Hépatite B", "version": "0"},
        "visit-create": {
            "occurred_at": an_hour_ago(),
            "kind": "psychological" if persona == "psychologist" else "reception",
            "interpreting": "none",
        },
        "visit-cancel": {"reason": "Saisie en double"},
        "assessment-create": {
            "assessed_on": today,
            "housing": "street",
            "household": "alone",
            "children": "0",
            "resources": "none",
            "employment": "none",
            "administrative_status": "undocumented",
        },
        "right-create": {"regime": "puma", "status": "to_assess"},
        "right-edit": {"regime": "ame", "status": "building"},
        "orientation-create": {"oriented_on": today, "destination": "gp", "outcome": "pending"},
        "identity": {
            "identity_status": "validated",
            "identity_document_type": "passport",
            "version": str(world["patient"].version),
        },
        "merge-choose": {},
        "merge": {"reason": "Même passeport", "confirm": "on"},
        "merge-undo": {"reason": "Pas la même personne"},
    }[page]


def saved(page: str, world) -> bool:
    """Did the POST on `page` take effect?"""
    patient = Patient.objects.get(pk=world["patient"].pk)
    return {
        "create": lambda: Patient.objects.filter(last_name="Okafor").exists(),
        "edit": lambda: patient.phone == "06 99 99 99 99",
        "exit": lambda: patient.status == "lost",
        "medical-edit": lambda: MedicalContext.objects.filter(chronic_conditions="Hépatite B").exists(),
        "visit-create": lambda: Visit.objects.count() == 2,
        "visit-cancel": lambda: Visit.objects.get(pk=world["visit"].pk).is_cancelled,
        "assessment-create": lambda: SocialAssessment.objects.exists(),
        "right-create": lambda: CoverageRight.objects.count() == 2,
        "right-edit": lambda: CoverageRight.objects.get(pk=world["right"].pk).status == "building",
        "orientation-create": lambda: Orientation.objects.exists(),
        "identity": lambda: patient.identity_status == "validated",
        "merge": lambda: Patient.objects.get(pk=world["other"].pk).merged_into_id == patient.pk,
        "merge-undo": lambda: PatientMerge.objects.get(pk=world["merge"].pk).is_undone,
    }[page]()


def snapshot() -> tuple:
    return (
        list(Patient.objects.order_by("pk").values_list("pk", "version", "status", "phone")),
        list(Visit.objects.order_by("pk").values_list("pk", "cancelled_at")),
        list(CoverageRight.objects.order_by("pk").values_list("pk", "status")),
        SocialAssessment.objects.count(),
        MedicalContext.objects.count(),
        Orientation.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "view_medical"]).count(),
    )


# Records that do not exist for some roles (404, as a missing record): the medical context outside
# the medical roles, coverage rights for the admin (pass_unit.access, get_*_for_user).
HIDDEN_RECORD = {
    "medical-edit": {"reception", "social", "coordinator", "admin_user"},
    "right-edit": {"admin_user"},
}


def denied_status(page: str, persona: str) -> int:
    # A user with no role is told the patient does not exist; the team is told "forbidden".
    if persona == "outsider" and page not in NO_PATIENT:
        return 404
    if persona in HIDDEN_RECORD.get(page, ()):
        return 404
    return 403


PERSONAS = [*ROLES, "outsider", "anonymous"]
CASES = [pytest.param(persona, page, id=f"{persona}-{page}") for persona in PERSONAS for page in ALLOWED]


def client_as(request, client, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize(("persona", "page"), CASES)
def test_it_opens_each_page_only_to_the_roles_allowed(request, client, world, persona, page):
    client = client_as(request, client, persona)
    url = url_for(page, world)

    response = client.get(url)

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in ALLOWED[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == denied_status(page, persona)


@pytest.mark.parametrize(("persona", "page"), CASES)
def test_it_saves_a_post_only_from_the_roles_allowed(request, client, world, persona, page):
    client = client_as(request, client, persona)
    url = url_for(page, world)
    before = snapshot()

    response = client.post(url, valid_post(page, persona, world))

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif page in READ_ONLY:
        assert response.status_code == 405
    elif persona in ALLOWED[page]:
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        assert saved(page, world)
        return
    else:
        assert response.status_code == denied_status(page, persona)
    assert snapshot() == before


# --- what each role sees on the patient file -------------------------------------------------

SECRETS = {
    "medical": "Tuberculose pulmonaire",
    "social_notes": "Violences conjugales signalées",
    "income": "321,09",
    "medical_visit_notes": "Crépitants à la base droite",
    "nursing_visit_notes": "Pansement ulcère jambe",
    "psychological_visit_notes": "Idées noires évoquées",
    "social_visit_notes": "Dossier AME à compléter",
    "reception_visit_notes": "Vient avec sa cousine",
}

# persona -> what it reads on the file (DESIGN.md): everything else must not be in the page.
SEES = {
    "reception": {"identity", "social_summary", "reception_visit_notes"},
    "social": {"identity", "social_summary", "social_notes", "income", "social_visit_notes", "reception_visit_notes"},
    "nurse": {
        *("identity", "social_summary", "social_notes", "income", "medical"),
        *("medical_visit_notes", "nursing_visit_notes", "social_visit_notes", "reception_visit_notes"),
    },
    "physician": {"identity", "social_summary", "social_notes", "income", "medical", *SECRETS},
    "psychologist": {
        *("identity", "social_summary", "social_notes", "income", "medical"),
        *("medical_visit_notes", "nursing_visit_notes", "psychological_visit_notes"),
        *("social_visit_notes", "reception_visit_notes"),
    },
    "coordinator": {"identity", "social_summary", "social_notes", "income", "social_visit_notes"},
    "admin_user": {"identity"},
}


@pytest.fixture
def full_file(db):
    colleague = make_user("colleague", None)
    patient = PatientFactory(last_name="Diallo", first_name="Mariama", phone="06 55 44 33 22")
    MedicalContextFactory(patient=patient, chronic_conditions=SECRETS["medical"])
    SocialAssessmentFactory(
        patient=patient,
        author=colleague,
        housing="street",
        resources="salary",
        monthly_income=Decimal("321.09"),
        notes=SECRETS["social_notes"],
    )
    CoverageRightFactory(patient=patient, created_by=colleague, regime="ame", status="building")
    for kind in ("medical", "nursing", "psychological", "social", "reception"):
        VisitFactory(patient=patient, professional=colleague, kind=kind, notes=SECRETS[f"{kind}_visit_notes"])
    return patient


def housing_label() -> str:
    with translation.override("fr"):
        return escape(str(SocialAssessment.Housing.STREET.label))


@pytest.mark.parametrize("persona", ROLES)
def test_it_shows_each_role_only_its_part_of_the_file(request, client, full_file, persona):
    client = client_as(request, client, persona)
    sees = SEES[persona]

    html = client.get(reverse("patients:detail", args=[full_file.pk])).content.decode()

    assert "06 55 44 33 22" in html  # identity and contact: everyone
    assert ('data-testid="medical"' in html) == ("medical" in sees)
    assert ('data-testid="social"' in html) == ("social_summary" in sees)
    assert ('data-testid="rights"' in html) == ("social_summary" in sees)
    assert (housing_label() in html) == ("social_summary" in sees)
    for secret, text in SECRETS.items():
        assert (text in html) == (secret in sees), f"{persona} and {secret}"


def test_it_hides_the_medical_context_from_the_social_worker(login, social, full_file):
    html = login(social).get(reverse("patients:detail", args=[full_file.pk])).content.decode()

    assert 'data-testid="medical"' not in html
    assert "Tuberculose pulmonaire" not in html
    assert "Crépitants à la base droite" not in html


def test_it_shows_medical_visit_notes_to_the_physician(login, physician, full_file):
    html = login(physician).get(reverse("patients:detail", args=[full_file.pk])).content.decode()

    assert 'data-testid="medical"' in html
    assert "Tuberculose pulmonaire" in html
    assert "Crépitants à la base droite" in html


def test_it_refuses_the_social_worker_a_medical_change(login, social, full_file):
    url = reverse("patients:medical-edit", args=[full_file.pk])

    response = login(social).post(url, {"chronic_conditions": "Rien", "version": "1"})

    # The medical context does not exist for a social worker: the same 404 as a missing record.
    assert response.status_code == 404
    assert MedicalContext.objects.get().chronic_conditions == "Tuberculose pulmonaire"
    assert "Tuberculose" not in response.content.decode()


def test_it_does_not_show_the_medical_form_to_the_psychologist(login, psychologist, full_file):
    # The psychologist reads the medical context but does not edit it.
    response = login(psychologist).get(reverse("patients:medical-edit", args=[full_file.pk]))

    assert response.status_code == 403
    assert "Tuberculose" not in response.content.decode()


def test_it_hides_files_from_a_user_without_role(login, outsider, full_file):
    client = login(outsider)

    assert client.get(reverse("patients:detail", args=[full_file.pk])).status_code == 404
    assert client.get(reverse("patients:list")).status_code == 403


def test_it_answers_the_same_404_for_a_missing_file_and_a_hidden_one(login, outsider, full_file):
    client = login(outsider)

    hidden = client.get(reverse("patients:detail", args=[full_file.pk]))
    missing = client.get(reverse("patients:detail", args=[full_file.pk + 1000]))

    assert hidden.status_code == missing.status_code == 404
    assert "Diallo".upper() not in hidden.content.decode()


def test_it_lists_rights_only_for_roles_reading_them(login, reception, admin_user, full_file):
    with translation.override("fr"):
        label = escape(str(CoverageRight.Regime.AME.label))

    assert label in login(reception).get(reverse("patients:list")).content.decode()
    assert label not in login(admin_user).get(reverse("patients:list")).content.decode()
