"""The activity report page draws its tables and charts once per stored computation.

The tables depend on the figures alone (and the period and language): the page keeps them by the
stored figures' digest, so a new computation is drawn again, and what it shows is always what a
computation now would draw.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from pass_unit.reports import outputs, snapshots
from pass_unit.reports.indicators import ReportKind, build_activity_report, report_from_figures
from patients.models import Visit
from tests.support.factories import PatientFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
START, END = date(2025, 1, 1), date(2025, 12, 31)
URL = reverse("reports:activity", kwargs={"year": 2025})


@pytest.fixture
def draws(monkeypatch):
    """The drawings of the tables made from now on (none kept from another test)."""
    made = []
    draw = outputs._draw_tables

    def counting(report):
        made.append(report)
        return draw(report)

    monkeypatch.setattr(outputs, "_draw_tables", counting)
    monkeypatch.setattr(outputs, "_drawn", type(outputs._drawn)())
    return made


def _file_active_cell(html: str) -> str:
    marker = 'data-value="file_active">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_it_shows_the_tables_a_computation_now_would_draw(client, coordinator, dataset, draws):
    client.force_login(coordinator)
    client.get(URL)  # asks for the figures (computed at once in tests)
    html = client.get(URL).content.decode()
    with translation.override("fr"):
        assert outputs._draw_tables(build_activity_report(START, END)) in html
    assert _file_active_cell(html) == "5"


def test_it_draws_the_tables_once_per_computation_and_again_after_a_change(
    client, coordinator, physician, dataset, draws
):
    client.force_login(coordinator)
    client.get(URL)
    client.get(URL)
    client.get(URL)
    assert len(draws) == 1
    first = snapshots.stored(ReportKind.REPORT, START, END)
    patient = PatientFactory(last_name="Nouveau")
    Visit.objects.create(
        patient=patient, professional=physician, kind="medical", occurred_at=datetime(2025, 6, 3, 10, tzinfo=PARIS)
    )
    client.get(URL)  # stale: computed again at once in tests, a new digest
    html = client.get(URL).content.decode()
    assert snapshots.stored(ReportKind.REPORT, START, END).digest != first.digest
    assert len(draws) == 2
    assert _file_active_cell(html) == "6"


def test_it_keeps_the_tables_apart_by_language_and_period(dataset):
    from pass_unit.reports import tasks

    tasks.compute_report_snapshot.call(kind=ReportKind.REPORT, start=START.isoformat(), end=END.isoformat())
    state = snapshots.stored(ReportKind.REPORT, START, END)

    def drawn(language, end=END):
        with translation.override(language):  # the labels and the page in the reader's language
            report = report_from_figures(START, end, state.figures, generated_at=state.computed_at)
            return outputs.tables_html(report, digest=state.digest)

    french, english = drawn("fr"), drawn("en")
    assert "Consultations médicales" in french
    assert "Medical consultations" in english
    assert drawn("fr") == french
    assert drawn("fr", date(2025, 6, 30)) != french  # another period: its own labels


def test_it_draws_each_chart_as_one_accessible_svg_with_escaped_labels():
    from pass_unit.reports.indicators import Breakdown, Row

    breakdown = Breakdown(
        "demo",
        "Démo <b>",
        "…",
        [
            Row("a", "Une ligne au libellé beaucoup trop long pour le graphique", 12, 3),
            Row("b", "<script>", 4, 0),
            Row("z", "Zéro", 0, 5),  # no bar for a zero
        ],
    )
    with translation.override("fr"):
        svg = outputs.bars_svg(outputs.breakdown_bars(breakdown), code="demo", title=breakdown.title)
    assert svg.startswith('<svg viewBox="0 0 ')
    assert 'role="img" aria-labelledby="bars-demo"' in svg
    assert '<title id="bars-demo">Démo &lt;b&gt;</title>' in svg
    assert svg.count("<rect ") == 2
    assert "<title>Une ligne au libellé beaucoup trop long pour le graphique : 12</title>" in svg
    assert ">Une ligne au libellé beaucoup tro…</text>" in svg  # 34 characters at most
    assert "&lt;script&gt;" in svg and "<script>" not in svg
    assert "Zéro" not in svg
    assert (
        outputs.bars_svg(
            outputs.breakdown_bars(Breakdown("none", "Rien", "", [Row("a", "A", 0, 1)])), code="none", title="Rien"
        )
        == ""
    )
