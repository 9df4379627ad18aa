"""Merging file B into file A (two files of one person, issue 9), and undoing it.

The world below gives file B a row of every kind that points to a patient (visits, assessment,
right, medical context, orientation, a file merged into B earlier, RCP case with its action and
validated minutes' extract, expense). `test_it_has_a_row_of_every_kind_that_points_to_a_patient`
introspects the models: a new model pointing to Patient fails it until this world makes a row of
it (and the merge, which handles it generically, is checked with it) or the merge excludes it.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from pass_unit.models import AuditEvent
from patients import services
from patients.models import MedicalContext, Orientation, Patient, PatientMerge, Visit
from rcp.models import MinutesVersion
from tests.support import rcp as helpers
from tests.support.budget import ExpenseFactory
from tests.support.factories import CoverageRightFactory, SocialAssessmentFactory, VisitFactory

# Bookkeeping that a merge and its undo may move on (edit counters, timestamps, derived keys).
BOOKKEEPING = {"version", "updated_at", "updated_by", "search_text"}


def fr(msgid: str, **values) -> str:
    with translation.override("fr"):
        text = gettext(msgid)
    return text % values if values else text


def register(user, last_name, first_name, *, year=1990, **extra) -> Patient:
    patient = Patient(last_name=last_name, first_name=first_name, birth_year=year, **extra)
    return services.patient_register(patient=patient, acting_user=user)


def medical(patient, user, **fields) -> MedicalContext:
    return services.medical_context_save(
        context=MedicalContext(patient=patient, **fields), expected_version=0, acting_user=user
    )


@pytest.fixture
def world(clock, reception, social, nurse, physician, psychologist, coordinator):
    a = register(social, "Diallo", "Mariama", sex="F")
    b = register(reception, "Dialo", "Mariam", sex="F", aliases=["Mariama D."], phone="06 11 22 33 44")
    c = register(reception, "Dyallo", "M.", sex="F")
    services.patient_merge(target=b, source=c, reason="Même personne (premier doublon)", acting_user=reception)
    b.refresh_from_db()
    VisitFactory(patient=a, professional=reception)
    medical(a, physician, chronic_conditions="Diabète de type 2", allergies="")
    visit = VisitFactory(patient=b, professional=reception, reason="Premier accueil")
    VisitFactory(patient=b, professional=physician, kind=Visit.Kind.MEDICAL, reason="Toux depuis 3 semaines")
    SocialAssessmentFactory(patient=b, author=social)
    CoverageRightFactory(patient=b, created_by=social)
    medical(b, physician, chronic_conditions="Tuberculose pulmonaire", allergies="Pénicilline", pregnant=False)
    Orientation.objects.create(patient=b, destination=Orientation.Destination.GP, author=nurse)
    meeting = helpers.plan(physician, members=[social, nurse, physician, psychologist])
    case = helpers.add_case(meeting, b, physician, social="Hébergée au 115", medical="Tuberculose")
    helpers.pass_time(meeting)
    helpers.take_attendance(meeting, physician)
    helpers.decide(case, physician, follow_up_by=nurse)
    helpers.add_action(case, physician, assignee=social)
    helpers.validate(meeting, coordinator, real_pdf=False)
    ExpenseFactory(patient=b, visit=visit, created_by=nurse)
    return {"a": a, "b": b, "c": c, "meeting": meeting}


def pointing_to(patient) -> dict[str, list[int]]:
    """Pks of the rows of each relation that point to `patient`."""
    return {
        key: sorted(model._base_manager.filter(**{field.name: patient}).values_list("pk", flat=True))
        for key, model, field in services.merge_relations()
    }


def state(*patients) -> dict:
    """Every field of the patients and of every row pointing to them, bookkeeping aside."""
    rows = {}
    for key, model, field in services.merge_relations():
        for row in model._base_manager.filter(**{f"{field.name}__in": patients}).order_by("pk"):
            rows[(key, row.pk)] = {
                f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if f.name not in BOOKKEEPING
            }
    for patient in Patient.objects.filter(pk__in=[p.pk for p in patients]):
        rows[("patient", patient.pk)] = {
            f.attname: getattr(patient, f.attname) for f in Patient._meta.concrete_fields if f.name not in BOOKKEEPING
        }
    return rows


def merge(world, user, reason="Même passeport vu à l'accueil") -> PatientMerge:
    return services.patient_merge(target=world["a"], source=world["b"], reason=reason, acting_user=user)


# --- every kind of row -------------------------------------------------------------------------


def test_it_has_a_row_of_every_kind_that_points_to_a_patient(world):
    empty = [key for key, pks in pointing_to(world["b"]).items() if not pks]

    assert not empty, f"give file B a row of {empty} in this world (and check the merge moves it)"


def test_it_handles_or_excludes_every_relation_to_a_patient():
    """Found by introspection: a relation to Patient of any kind (many-to-many too) is handled."""
    handled = {key for key, _model, _field in services.merge_relations()}
    relations = {
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model is Patient
    }

    assert relations - handled - set(services.MERGE_EXCLUDED) == set()
    assert set(services.MERGE_EXCLUDED) <= relations, "MERGE_EXCLUDED names a relation that no longer exists"
    assert "pass_unit.auditevent.patient" in services.MERGE_EXCLUDED


# --- the merge ---------------------------------------------------------------------------------


def test_it_moves_every_row_of_b_to_a_and_archives_b(world, reception):
    a, b = world["a"], world["b"]
    rows_of_b = pointing_to(b)
    minutes = {v.pk: (bytes(v.pdf), v.sha256) for v in MinutesVersion.objects.all()}
    extracts = {e.pk: (bytes(e.pdf), e.sha256) for e in b.rcp_extracts.all()}
    b_medical = MedicalContext.objects.get(patient=b)

    merge(world, reception)

    rows_of_a = pointing_to(a)
    for key, pks in rows_of_b.items():
        if key == "patients.medicalcontext.patient":
            continue  # both files had one: B's content is merged into A's, B's row stays on B
        assert set(pks) <= set(rows_of_a[key]), key
        assert not pointing_to(b)[key], key
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == Patient.Status.ARCHIVED
    assert b.merged_into == a
    assert a.file_number in b.exit_reason
    assert {b.file_number, "Dialo Mariam", "Mariama D."} <= set(a.aliases)
    assert {v.pk: (bytes(v.pdf), v.sha256) for v in MinutesVersion.objects.all()} == minutes
    # The extracts are frozen with the minutes (filed under B's number) and follow their case review.
    assert {e.pk: (bytes(e.pdf), e.sha256) for e in b.rcp_extracts.all()} == extracts
    assert {e.case_review.patient_id for e in b.rcp_extracts.select_related("case_review")} == {a.pk}
    a_medical = MedicalContext.objects.get(patient=a)
    assert a_medical.chronic_conditions == f"Diabète de type 2\n\n[{b.file_number}] Tuberculose pulmonaire"
    assert a_medical.allergies == f"[{b.file_number}] Pénicilline"
    assert MedicalContext.objects.get(pk=b_medical.pk).chronic_conditions == "Tuberculose pulmonaire"
    assert world["c"].__class__.objects.get(pk=world["c"].pk).merged_into == a  # C, merged into B, leads to A


def test_it_records_the_merge_in_the_audit_trail(world, reception):
    a, b = world["a"], world["b"]
    before = AuditEvent.objects.count()

    record = merge(world, reception)

    events = AuditEvent.objects.order_by("pk")[before:]
    by_kind = {(e.object_type, e.object_id): e for e in events}
    created = by_kind[("patients.patientmerge", str(record.pk))]
    assert created.patient_id == a.pk and created.user == reception
    assert created.changes["moved"]["patients.visit.patient"] == 2
    assert b.file_number in created.detail and "Même passeport" in created.detail
    assert by_kind[("patients.patient", str(b.pk))].changes["status"] == ["active", "archived"]
    assert by_kind[("patients.patient", str(a.pk))].changes["aliases"][1][-1]
    medical_event = by_kind[("patients.medicalcontext", str(MedicalContext.objects.get(patient=a).pk))]
    assert medical_event.medical is True


def test_it_refuses_to_merge_two_files_on_the_same_meeting_agenda_and_moves_nothing(world, reception, physician):
    a, b = world["a"], world["b"]
    meeting = helpers.plan(physician, when=helpers.at(10))
    helpers.add_case(meeting, a, physician)
    helpers.add_case(meeting, b, physician)
    before = state(a, b)

    with pytest.raises(services.MergeRefused) as refused:
        merge(world, reception)

    assert refused.value.messages == [
        fr(
            "Both files have a “%(kind)s” for the same %(fields)s (%(row)s): settle it before merging.",
            kind=fr("case review"),
            fields=fr("concertation meeting"),
            row=str(b.rcp_reviews.get(meeting=meeting)),
        )
    ]
    assert state(a, b) == before
    assert not PatientMerge.objects.filter(target=a).exists()


def test_it_refuses_a_merge_without_a_reason(world, reception):
    with pytest.raises(services.MergeRefused):
        merge(world, reception, reason="  ")


# --- undo --------------------------------------------------------------------------------------


def test_it_gives_both_files_back_row_by_row_after_undo(world, reception, coordinator):
    a, b, c = world["a"], world["b"], world["c"]
    before = state(a, b, c)
    minutes = {v.pk: (bytes(v.pdf), v.sha256) for v in MinutesVersion.objects.all()}

    record = merge(world, reception)
    assert state(a, b, c) != before
    services.patient_merge_undo(merge=record, reason="Homonymes, pas la même personne", acting_user=coordinator)

    assert state(a, b, c) == before
    assert {v.pk: (bytes(v.pdf), v.sha256) for v in MinutesVersion.objects.all()} == minutes
    record.refresh_from_db()
    assert record.undone_by == coordinator and record.undone_at
    assert AuditEvent.objects.filter(
        object_type="patients.patientmerge", object_id=str(record.pk), detail__contains="Homonymes"
    ).exists()


def test_it_keeps_on_a_what_was_added_after_the_merge_when_undoing(world, reception, coordinator):
    a = world["a"]
    record = merge(world, reception)
    later = VisitFactory(patient=a, professional=reception)

    services.patient_merge_undo(merge=record, reason="Erreur", acting_user=coordinator)

    assert Visit.objects.get(pk=later.pk).patient_id == a.pk


def test_it_undoes_a_merge_only_once(world, reception, coordinator):
    record = merge(world, reception)
    services.patient_merge_undo(merge=record, reason="Erreur", acting_user=coordinator)

    with pytest.raises(services.MergeRefused):
        services.patient_merge_undo(merge=record, reason="Encore", acting_user=coordinator)


# --- pages -------------------------------------------------------------------------------------


def test_reception_compares_and_merges_from_the_page(world, login, reception):
    a, b = world["a"], world["b"]
    client = login(reception)
    url = reverse("patients:merge", args=[a.pk, b.pk])

    page = client.get(url)
    response = client.post(url, {"reason": "Même passeport", "confirm": "on"})

    html = page.content.decode()
    assert page.status_code == 200
    assert a.file_number in html and b.file_number in html
    assert "Premier accueil" in html  # a front-desk visit's reason
    assert "Tuberculose" not in html and "Toux" not in html  # medical content is never shown to reception
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[a.pk])
    assert Patient.objects.get(pk=b.pk).merged_into_id == a.pk


def test_the_merged_file_leads_to_the_file_it_was_merged_into(world, login, reception):
    merge(world, reception)

    response = login(reception).get(reverse("patients:detail", args=[world["b"].pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[world["a"].pk])


def test_it_finds_a_by_the_old_file_number_and_names_of_b(world, login, reception):
    a, b = world["a"], world["b"]
    merge(world, reception)
    client = login(reception)

    for query in (b.file_number, "Dialo Mariam"):
        rows = client.get(reverse("patients:list"), {"q": query}).context["rows"]
        assert a.pk in [patient.pk for patient, *_ in rows], query


def test_it_keeps_the_reason_and_asks_for_the_confirmation(world, login, social):
    a, b = world["a"], world["b"]
    client = login(social)

    response = client.post(reverse("patients:merge", args=[a.pk, b.pk]), {"reason": "Même personne"})

    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    assert "Même personne" in response.content.decode()
    assert Patient.objects.get(pk=b.pk).merged_into_id is None


def test_the_comparison_page_shows_why_two_files_cannot_be_merged(world, login, social, physician):
    a, b = world["a"], world["b"]
    meeting = helpers.plan(physician, when=helpers.at(10))
    helpers.add_case(meeting, a, physician)
    helpers.add_case(meeting, b, physician)

    response = login(social).get(reverse("patients:merge", args=[a.pk, b.pk]))

    assert response.status_code == 200
    assert response.context["problems"]
    assert b'data-testid="merge-problems"' in response.content
    assert b'name="confirm"' not in response.content  # no merge form until it is settled


@pytest.mark.parametrize("persona", ["nurse", "physician", "psychologist", "admin_user", "outsider"])
def test_it_refuses_the_merge_to_other_roles_and_moves_nothing(request, world, login, persona):
    a, b = world["a"], world["b"]
    client = login(request.getfixturevalue(persona))
    url = reverse("patients:merge", args=[a.pk, b.pk])
    expected = 404 if persona == "outsider" else 403
    before = state(a, b)

    assert client.get(url).status_code == expected
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == expected
    assert client.get(reverse("patients:merge-choose", args=[a.pk])).status_code == expected
    assert state(a, b) == before


@pytest.mark.parametrize("persona", ["reception", "social", "physician"])
def test_only_the_coordinator_undoes_a_merge(request, world, login, reception, coordinator, persona):
    record = merge(world, reception)
    url = reverse("patients:merge-undo", args=[world["a"].pk, record.pk])

    refused = login(request.getfixturevalue(persona)).post(url, {"reason": "Erreur"})
    accepted = login(coordinator).post(url, {"reason": "Erreur"})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Patient.objects.get(pk=world["b"].pk).merged_into_id is None


def test_the_coordinator_sees_the_merges_of_a_file_with_their_undo(world, login, reception, coordinator):
    record = merge(world, reception)

    html = login(coordinator).get(reverse("patients:detail", args=[world["a"].pk])).content.decode()

    assert reverse("patients:merge-undo", args=[world["a"].pk, record.pk]) in html


def test_the_choice_page_offers_the_likely_duplicates(world, login, reception):
    response = login(reception).get(reverse("patients:merge-choose", args=[world["a"].pk]))

    assert response.status_code == 200
    assert world["b"].pk in [p.pk for p in response.context["candidates"]]
    assert world["a"].pk not in [p.pk for p in response.context["candidates"]]


def test_the_comparison_page_costs_a_fixed_number_of_queries(
    world, login, social, reception, django_assert_max_num_queries
):
    a, b = world["a"], world["b"]
    for _ in range(5):
        VisitFactory(patient=b, professional=reception, occurred_at=timezone.now() - timedelta(days=3))
    client = login(social)

    # session, user, groups (3); the two patients (2); merge_conflicts: for the unique
    # constraint of RCP cases, B's cases and A's (2); for each file: visits (+ professional),
    # rights, the RCP panel (cases, then actions/extracts: 3), the care-costs panel (2): 2 × 7;
    # the idle-timeout session save (3).
    with django_assert_max_num_queries(3 + 2 + 2 + 2 * 7 + 3):
        response = client.get(reverse("patients:merge", args=[a.pk, b.pk]))

    assert response.status_code == 200
