"""The home dashboard: what needs doing, per role, each block linking to the list behind it."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pass_unit.models import AuditEvent
from patients.models import CoverageRight, Patient, Visit
from rcp.models import CaseReview, Meeting
from tests.support.factories import CoverageRightFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

ROLES = ["reception", "social", "nurse", "physician", "psychologist", "coordinator", "admin_user", "outsider"]
# Which blocks each role sees (DESIGN.md's role table): rights are the social summary's readers',
# the RCP its members', the patients to call back every identity reader's, the report's data
# quality the coordinator's; the "lost to follow-up" button is for the care team that follows.
BLOCKS = {
    "rights-todo": {"reception", "social", "nurse", "physician", "psychologist", "coordinator"},
    "call-back": {"reception", "social", "nurse", "physician", "psychologist", "coordinator", "admin_user"},
    "next-rcp": {"social", "nurse", "physician", "psychologist", "coordinator"},
    "quality-link": {"coordinator"},
}
MARK_LOST = {"social", "nurse", "physician", "psychologist"}


def _old(patient: Patient, days: int) -> Patient:
    """A file created `days` ago (created_at is auto_now_add)."""
    Patient.objects.filter(pk=patient.pk).update(created_at=timezone.now() - timedelta(days=days))
    return patient


@pytest.fixture
def todo(clock, social, reception):
    """One patient in each list of the dashboard, and one outside every list."""
    today = timezone.localdate()
    p = {
        "expiring": PatientFactory(last_name="Expirant"),
        "expired": PatientFactory(last_name="Echu"),
        "pending": PatientFactory(last_name="Attente"),
        "silent": _old(PatientFactory(last_name="Silencieux", phone="06 00 00 00 01"), 200),
        "fine": _old(PatientFactory(last_name="Assidu"), 200),
    }
    granted = {"status": CoverageRight.Status.GRANTED, "created_by": social, "filed_on": today - timedelta(days=300)}
    CoverageRightFactory(
        patient=p["expiring"], start_date=today - timedelta(days=200), end_date=today + timedelta(days=10), **granted
    )
    CoverageRightFactory(
        patient=p["expired"], start_date=today - timedelta(days=300), end_date=today - timedelta(days=2), **granted
    )
    # A right ending in 45 days is not "within 30 days"; one filed 59 days ago is not "over 60".
    CoverageRightFactory(
        patient=p["fine"], start_date=today - timedelta(days=200), end_date=today + timedelta(days=45), **granted
    )
    CoverageRightFactory(
        patient=p["pending"],
        status=CoverageRight.Status.FILED,
        filed_on=today - timedelta(days=61),
        created_by=social,
    )
    CoverageRightFactory(
        patient=p["fine"], status=CoverageRight.Status.FILED, filed_on=today - timedelta(days=59), created_by=social
    )
    now = timezone.now()
    VisitFactory(patient=p["silent"], occurred_at=now - timedelta(days=120), professional=reception)
    # A recent visit that was cancelled does not count as a visit.
    VisitFactory(
        patient=p["silent"],
        occurred_at=now - timedelta(days=3),
        professional=reception,
        cancelled_at=now,
        cancel_reason="Erreur",
    )
    VisitFactory(patient=p["fine"], occurred_at=now - timedelta(days=89), professional=reception)
    for key in ("expiring", "expired", "pending"):
        VisitFactory(patient=p[key], occurred_at=now - timedelta(days=5), professional=reception)
    return p


def _html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ROLES)
def test_it_shows_each_role_only_the_blocks_it_may_see(client, personas, todo, persona):
    html = _html(client, personas[persona])
    for block, roles in BLOCKS.items():
        assert (f'data-testid="{block}"' in html) == (persona in roles), block
    lost_url = reverse("patient-mark-lost", args=[todo["silent"].pk])
    assert (lost_url in html) == (persona in MARK_LOST)
    if persona not in BLOCKS["call-back"]:
        assert "Silencieux".upper() not in html


def test_it_counts_the_rights_to_follow_up_and_links_to_the_lists(client, social, todo):
    html = _html(client, social)
    for key in ("rights_expiring", "rights_expired", "applications_pending"):
        assert f'href="{reverse("patients:list")}?todo={key}"' in html
    listed = {}
    for key, who in (
        ("rights_expiring", "expiring"),
        ("rights_expired", "expired"),
        ("applications_pending", "pending"),
    ):
        page = client.get(reverse("patients:list"), {"todo": key}).content.decode()
        listed[key] = page
        assert todo[who].last_name.upper() in page
        others = {"expiring", "expired", "pending", "fine"} - {who}
        assert not any(todo[o].last_name.upper() in page for o in others), key


def test_it_lists_the_patients_to_call_back_longest_unseen_first(client, nurse, todo):
    never = _old(PatientFactory(last_name="Jamais"), 100)
    html = _html(client, nurse)
    block = html[html.index('data-testid="call-back"') :]
    assert block.index("JAMAIS") < block.index("SILENCIEUX")
    assert "ASSIDU" not in block and "EXPIRANT" not in block
    page = client.get(reverse("patients:list"), {"todo": "call_back"}).content.decode()
    assert "SILENCIEUX" in page and "JAMAIS" in page and "ASSIDU" not in page
    assert never.pk


def test_it_marks_a_patient_lost_to_follow_up_in_one_click(client, physician, todo):
    client.force_login(physician)
    silent = todo["silent"]
    response = client.post(reverse("patient-mark-lost", args=[silent.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    silent.refresh_from_db()
    assert silent.status == Patient.Status.LOST
    assert silent.exit_date == timezone.localdate()
    assert AuditEvent.objects.filter(patient=silent, action="update").exists()
    html = client.get(reverse("home")).content.decode()
    assert "marqué" in html.lower() or "lost" in html.lower()
    assert f'data-pk="{silent.pk}"' not in html


@pytest.mark.parametrize("persona", ["reception", "coordinator", "admin_user"])
def test_it_refuses_the_one_click_exit_to_roles_that_do_not_record_exits(client, personas, todo, persona):
    client.force_login(personas[persona])
    response = client.post(reverse("patient-mark-lost", args=[todo["silent"].pk]))
    assert response.status_code == 403
    todo["silent"].refresh_from_db()
    assert todo["silent"].status == Patient.Status.ACTIVE


def test_it_refuses_the_one_click_exit_by_get_and_to_an_outsider(client, nurse, outsider, todo):
    url = reverse("patient-mark-lost", args=[todo["silent"].pk])
    client.force_login(nurse)
    assert client.get(url).status_code == 405
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    todo["silent"].refresh_from_db()
    assert todo["silent"].status == Patient.Status.ACTIVE


def test_it_leaves_a_patient_already_out_of_follow_up_unchanged(client, social, todo):
    fine = todo["fine"]
    Patient.objects.filter(pk=fine.pk).update(status=Patient.Status.DECEASED, exit_date=date(2025, 1, 1))
    client.force_login(social)
    client.post(reverse("patient-mark-lost", args=[fine.pk]))
    fine.refresh_from_db()
    assert fine.status == Patient.Status.DECEASED


def test_it_shows_the_next_rcp_with_its_number_of_cases(client, nurse, physician, todo):
    today = timezone.localdate()
    soon = Meeting.objects.create(
        scheduled_at=timezone.make_aware(datetime.combine(today + timedelta(days=3), time(14))),
        place="Salle 1",
        chair=physician,
        created_by=physician,
    )
    Meeting.objects.create(
        scheduled_at=timezone.make_aware(datetime.combine(today + timedelta(days=30), time(14))),
        place="Salle 1",
        chair=physician,
        created_by=physician,
    )
    for who in ("silent", "pending"):
        CaseReview.objects.create(meeting=soon, patient=todo[who], presented_by=nurse, proposed_by=nurse, question="?")
    html = _html(client, nurse)
    block = html[html.index('data-testid="next-rcp"') :]
    assert reverse("rcp:detail", args=[soon.pk]) in block
    assert "2 cas" in block


def test_it_gives_the_coordinator_the_data_quality_count_and_the_report(client, coordinator, todo):
    # The files of this year's file active lacking something the report needs (no coverage on
    # arrival, no assessment…): the three patients seen 5 days ago… if this year.
    html = _html(client, coordinator)
    year = timezone.localdate().year
    assert f'href="{reverse("reports:quality", args=[year])}"' in html
    assert f'href="{reverse("reports:activity", args=[year])}"' in html


def _seed(n: int, reception, social, offset: int = 0):
    now = timezone.now()
    today = timezone.localdate()
    patients = Patient.objects.bulk_create(
        Patient(file_number=f"PASS-H-{offset + i:06d}", last_name=f"H{offset + i}", birth_year=1980) for i in range(n)
    )
    Patient.objects.filter(pk__in=[p.pk for p in patients]).update(created_at=now - timedelta(days=400))
    Visit.objects.bulk_create(
        Visit(patient=p, professional=reception, kind="reception", occurred_at=now - timedelta(days=100 + i % 50))
        for i, p in enumerate(patients)
    )
    CoverageRight.objects.bulk_create(
        CoverageRight(
            patient=p,
            regime="ame",
            status="granted",
            start_date=today - timedelta(days=300),
            end_date=today + timedelta(days=i % 40 - 5),
            created_by=social,
        )
        for i, p in enumerate(patients)
    )


@pytest.mark.parametrize("persona", ["social", "coordinator", "physician"])
def test_it_runs_the_same_bounded_number_of_queries_with_few_and_many_rows(
    client, personas, reception, social, django_assert_max_num_queries, persona, clock
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas[persona])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    _seed(3, reception, social)
    count()  # the first request of a session pushes its idle expiry back (pass_unit.sessions)
    few = count()
    _seed(300, reception, social, offset=3)
    count()  # the coordinator's data-quality count, stale after the seed, is counted again (at once here)
    many = count()
    assert few == many
    # session, user, groups (3); today's visits (1); every count in one query of scalar
    # subqueries: files followed and opened this year, applications in progress, the three
    # rights to follow up (1); patients to call back with their count as a subquery (1); rights
    # to renew (1); next RCP (1); data quality, as stored (1); panels: my RCP actions (1),
    # budget (2) = 12.
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))


def test_it_counts_each_patient_once_and_leaves_archived_files_out_of_the_rights_counts(client, social, todo):
    today = timezone.localdate()
    granted = {"status": CoverageRight.Status.GRANTED, "created_by": social, "filed_on": today - timedelta(days=300)}
    # A second expiring right of the same patient: still one patient to see.
    CoverageRightFactory(
        patient=todo["expiring"], start_date=today - timedelta(days=100), end_date=today + timedelta(days=20), **granted
    )
    archived = PatientFactory(last_name="Archive")
    CoverageRightFactory(
        patient=archived, start_date=today - timedelta(days=200), end_date=today + timedelta(days=5), **granted
    )
    Patient.objects.filter(pk=archived.pk).update(status=Patient.Status.ARCHIVED)
    html = _html(client, social)
    for key, count in (("rights_expiring", 1), ("rights_expired", 1), ("applications_pending", 1)):
        assert f'data-testid="todo-{key}"><strong>{count}</strong>' in html or (
            f'data-testid="todo-{key}"><strong class="text-danger">{count}</strong>' in html
        ), key


def test_it_counts_every_patient_to_call_back_beyond_the_ten_listed(client, nurse, todo):
    for n in range(11):
        _old(PatientFactory(last_name=f"Absent{n}"), 100)
    html = _html(client, nurse)
    block = html[html.index('id="h-call-back"') :]
    assert '<span class="badge text-bg-secondary">12</span>' in block[: block.index("</h2>")]
    assert block[: block.index("</section>")].count('data-testid="call-back-patient"') == 10


def test_it_shows_no_count_but_zero_when_nobody_is_to_call_back(client, nurse):
    html = _html(client, nurse)
    block = html[html.index('id="h-call-back"') :]
    assert '<span class="badge text-bg-secondary">0</span>' in block[: block.index("</h2>")]


def test_it_counts_followed_files_new_files_and_applications_in_progress(client, social, clock):
    """The file counts (each read from an index) and the applications in progress of followed files."""
    followed = PatientFactory.create_batch(3)
    _old(followed[0], 400)  # registered last year, still followed
    lost = PatientFactory(status=Patient.Status.LOST)  # new this year, no longer followed
    _old(PatientFactory(status=Patient.Status.COMMON_LAW), 500)
    for patient, status in ((followed[1], "building"), (followed[2], "filed"), (lost, "filed")):
        CoverageRightFactory(patient=patient, status=status, created_by=social)
    CoverageRightFactory(patient=followed[2], status="refused", created_by=social)
    client.force_login(social)
    response = client.get(reverse("home"))
    assert response.context["counts"] == {"active": 3, "new_this_year": 3}  # two followed files and the lost one
    assert response.context["pending_rights"] == 2  # the lost file's application is left out
    html = response.content.decode()
    assert '<p class="display-6 mb-0">3</p>' in html


def test_it_lists_todays_visits_and_the_rights_to_renew_with_their_links_labels_and_identity(
    client, social, physician, clock
):
    """The rows are built from only the columns shown and links reversed once per list: every
    piece of each row is still there (name, identity status, kind, professional, regime, date)."""
    today = timezone.localdate()
    seen = PatientFactory(last_name="Vuce", usage_name="Martin", first_name="Ana")
    Patient.objects.filter(pk=seen.pk).update(identity_attributes=[Patient.IdentityAttribute.HOMONYM])
    VisitFactory(patient=seen, kind=Visit.Kind.MEDICAL, professional=physician, occurred_at=timezone.now())
    renew = PatientFactory(last_name="Renouvelle")
    CoverageRightFactory(
        patient=renew,
        regime="ame",
        status=CoverageRight.Status.GRANTED,
        created_by=social,
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=12),
    )
    html = _html(client, social)
    visit_url, right_url = (reverse("patients:detail", args=[p.pk]) for p in (seen, renew))
    visit_row = html[html.index(f'<a href="{visit_url}">') :]
    visit_row = visit_row[: visit_row.index("</li>")]
    assert "VUCE (Martin) Ana</a>" in visit_row
    assert 'data-identity-attribute="homonym"' in visit_row
    assert escape(str(Visit.Kind.MEDICAL.label)) in visit_row
    assert physician.get_full_name() in visit_row
    assert f'<a href="{right_url}">RENOUVELLE' in html
    assert escape(str(CoverageRight.Regime.AME.label)) in html
    assert (today + timedelta(days=12)).strftime("%d/%m/%Y") in html


def test_the_data_quality_count_is_never_counted_in_the_dashboard_request(
    client, coordinator, todo, settings, django_assert_max_num_queries
):
    """With the real queue (the worker counts): after a change the dashboard shows the count it has,
    with its time, and asks the worker once; the worker's count then shows as current."""
    from django_tasks_db.models import DBTaskResult

    from pass_unit.models import ReportSnapshot
    from pass_unit.reports import tasks
    from pass_unit.reports.indicators import quality_files_count

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    year_start = timezone.localdate().replace(month=1, day=1)
    client.force_login(coordinator)

    def shown():
        html = client.get(reverse("home")).content.decode()
        block = html[html.index('data-testid="report-card"') :]
        return block[: block.index("</section>")]

    def run_queue():
        for row in DBTaskResult.objects.ready().filter(task_path=tasks.compute_report_snapshot.module_path):
            tasks.compute_report_snapshot.call(**row.args_kwargs["kwargs"])
            row.delete()

    assert 'data-testid="quality-state"' in shown()  # nothing counted yet: "being counted"
    run_queue()
    first = quality_files_count(year_start, timezone.localdate())
    block = shown()
    assert f">{first}</strong>" in block and 'data-testid="quality-state"' not in block

    sparse = Patient.objects.create(file_number="PASS-Q-000001", last_name="Sansdonnées", birth_year=1990)
    Visit.objects.create(patient=sparse, professional=coordinator, kind="reception", occurred_at=timezone.now())
    # session, user, groups, the page's queries; the stale count asks the worker: get the
    # stored row for update, mark it requested, queue the task (savepoints around them), read again.
    with django_assert_max_num_queries(22):
        block = shown()
    assert f">{first}</strong>" in block and 'data-testid="quality-state"' in block  # the old count, dated
    assert DBTaskResult.objects.ready().count() == 1
    shown()
    assert DBTaskResult.objects.ready().count() == 1  # asked once
    run_queue()
    block = shown()
    assert f">{first + 1}</strong>" in block and 'data-testid="quality-state"' not in block
    assert ReportSnapshot.objects.get(kind="quality_count").figures == first + 1
