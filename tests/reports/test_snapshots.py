"""Stored figures of the activity report: equal to a computation now, never shown stale as current."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from pass_unit.models import ReportSnapshot
from pass_unit.reports import outputs, snapshots, tasks
from pass_unit.reports.indicators import (
    ReportKind,
    build_activity_report,
    quality_files_count,
    report_figures,
    report_from_figures,
)
from patients.models import Patient, Visit

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
START, END = date(2025, 1, 1), date(2025, 12, 31)
URL = reverse("reports:activity", kwargs={"year": 2025})
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def compute():
    tasks.compute_report_snapshot.call(kind=ReportKind.REPORT, start=START.isoformat(), end=END.isoformat())
    return snapshots.stored(ReportKind.REPORT, START, END)


def add_visit(professional, patient=None):
    patient = patient or Patient.objects.create(file_number="PASS-S-000001", last_name="Snap", birth_year=1990)
    return Visit.objects.create(
        patient=patient, professional=professional, kind="medical", occurred_at=datetime(2025, 6, 3, 10, tzinfo=PARIS)
    )


def test_it_stores_figures_equal_to_a_computation_now(dataset):
    state = compute()
    assert state.current
    assert snapshots.decode(snapshots.encode(report_figures(START, END))) == report_figures(START, END)
    stored_report = report_from_figures(START, END, state.figures, generated_at=state.computed_at)
    live = build_activity_report(START, END)
    assert [(i.code, i.value, i.previous) for i in stored_report.indicators] == [
        (i.code, i.value, i.previous) for i in live.indicators
    ]
    assert outputs.to_csv(stored_report) == outputs.to_csv(live)
    assert [(q.code, q.count) for q in stored_report.quality] == [(q.code, q.count) for q in live.quality]


def test_it_sees_the_figures_stale_after_any_write_to_the_report_tables(dataset, physician):
    assert compute().current
    visit = add_visit(physician)
    assert not snapshots.stored(ReportKind.REPORT, START, END).current
    assert compute().current
    Visit.objects.filter(pk=visit.pk).update(cancel_reason="typo", cancelled_at=visit.occurred_at)  # bulk path
    assert not snapshots.stored(ReportKind.REPORT, START, END).current


@pytest.mark.django_db(transaction=True)
def test_it_sees_as_stale_a_transaction_running_during_the_computation_and_committed_after(physician):
    """Another session cancels a visit but has not committed when the figures are computed: they
    do not include it, so once it commits they are stale, even though a change noted after its own
    was committed first (the computation saw a higher change number than the late transaction's)."""
    visit = add_visit(physician)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    other = psycopg.connect(**params)
    try:
        other.execute(
            "UPDATE patients_visit SET cancelled_at = now(), cancel_reason = 'doublon' WHERE id = %s", [visit.pk]
        )
        # A later change, committed first: the highest change seen by the computation is this one.
        Patient.objects.create(file_number="PASS-S-000009", last_name="Later", birth_year=1980)
        state = compute()  # the other transaction is still open: the visit still counts
        assert state.current
        assert state.figures["n"]["file_active"] == 1
        Patient.objects.filter(pk=visit.patient_id).exists()  # a read changes nothing
        assert snapshots.stored(ReportKind.REPORT, START, END).current
        other.commit()
        assert not snapshots.stored(ReportKind.REPORT, START, END).current
        assert compute().figures["n"]["file_active"] == 0
    finally:
        other.close()


def test_it_shows_the_date_of_current_figures_and_the_stale_state(client, coordinator, physician, dataset, settings):
    client.force_login(coordinator)
    html = client.get(URL).content.decode()  # asks for the figures: computed at once in tests
    assert 'data-testid="figures-at"' in html and "figures-stale" not in html
    settings.TASKS = DUMMY_TASKS  # from now on, a worker that has not run yet
    add_visit(physician)
    html = client.get(URL).content.decode()
    assert 'data-testid="figures-stale"' in html and 'data-testid="figures-at"' not in html
    assert '<td class="num" data-value="file_active">5</td>' in html  # the old figures, flagged stale
    # A download never uses stale figures: it computes the current ones.
    csv = client.get(reverse("reports:activity-csv", kwargs={"year": 2025})).content.decode("utf-8-sig")
    assert "file_active;" in csv and ";6;2" in csv.split("file_active;")[1].split("\r\n")[0]


def test_it_says_the_figures_are_being_computed_before_the_first_computation(client, coordinator, dataset, settings):
    settings.TASKS = DUMMY_TASKS
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert 'data-testid="figures-computing"' in html and 'data-value="file_active"' not in html
    assert ReportSnapshot.objects.get(kind="report").requested_at is not None


def test_it_lets_the_coordinator_update_the_figures_and_no_one_else(client, personas, coordinator, dataset, settings):
    client.force_login(coordinator)
    client.get(URL)
    computed = ReportSnapshot.objects.get(kind="report").computed_at
    response = client.post(URL, {"refresh": "1"})
    assert response.status_code == 302
    assert ReportSnapshot.objects.get(kind="report").computed_at > computed
    for persona in ("social", "physician"):
        client.force_login(personas[persona])
        assert client.post(URL, {"refresh": "1"}).status_code == 403
    client.force_login(personas["reception"])
    assert client.post(URL, {"refresh": "1"}).status_code == 403


def test_it_keeps_the_quality_count_current_after_a_write(dataset, physician, django_assert_num_queries):
    live = len(list(_flagged(START, END)))
    assert quality_files_count(START, END) == live
    with django_assert_num_queries(1):  # one statement, current or not
        assert quality_files_count(START, END) == live
    add_visit(physician)  # a new file active with nothing recorded: one more file to complete
    with django_assert_num_queries(1):
        assert quality_files_count(START, END) == live + 1
    assert ReportSnapshot.objects.get(kind="quality_count").figures == live + 1


def _flagged(start, end):
    from pass_unit.reports.indicators import _worklist_queryset

    queryset, _flags = _worklist_queryset(start, end)
    return queryset
