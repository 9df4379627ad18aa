from datetime import date
from decimal import Decimal

import pytest

from pass_unit.reports.indicators import UNKNOWN, build_activity_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(dataset):
    return build_activity_report(date(2025, 1, 1), date(2025, 12, 31))


def values(breakdown):
    return {row.key: row.value for row in breakdown.rows if row.value}


def test_it_counts_the_file_active_and_new_patients(report):
    # alice, bob (31/12 23:30 Paris), chloe, dan, emma; not hugo (cancelled), nor gina (2026).
    assert report.indicator("file_active").value == 5
    assert report.indicator("new_patients").value == 4  # alice was first seen in 2024
    assert report.indicator("visits").value == 8
    assert report.indicator("file_active").previous == 2  # alice and fred in 2024
    assert report.indicator("new_patients").previous == 2


def test_it_counts_activity_by_kind(report):
    assert report.indicator("file_active_medical").value == 3  # alice, bob, chloe
    assert report.indicator("acts_medical").value == 3
    assert report.indicator("file_active_social").value == 3
    assert report.indicator("acts_nursing").value == 1
    assert report.indicator("acts_psychological").value == 1
    assert report.indicator("visits_per_patient_mean").value == Decimal("1.6")
    assert report.indicator("visits_per_patient_median").value == Decimal("1.0")


def test_it_counts_ages_at_the_end_of_the_period(report):
    ages = report.breakdown("age")
    # chloe turned 18 in 2025: 18–24, not a minor; dan (2012) is the only minor.
    assert values(ages) == {"0_17": 1, "18_24": 1, "25_39": 1, "40_59": 1, "60": 1}
    assert report.indicator("minors").value == 1
    assert ages.total == 5


def test_it_has_a_not_stated_line_in_every_breakdown_and_totals_add_up(report):
    for breakdown in report.breakdowns:
        assert breakdown.rows[-1].key == UNKNOWN and breakdown.rows[-1].unknown, breakdown.code
    for code in (
        "sex",
        "age",
        "birth_country_region",
        "birth_country_top",
        "nationality_region",
        "nationality_top",
        "language",
        "interpreter_need",
        "coverage_arrival",
        "coverage_end",
        "housing",
        "resources",
    ):
        assert report.breakdown(code).total == 5, code
    assert report.breakdown("interpreting").total == 8
    assert values(report.breakdown("sex")) == {"F": 3, "M": 1, UNKNOWN: 1}


def test_it_groups_countries_by_region_and_languages_by_iso_code(report):
    assert values(report.breakdown("birth_country_region")) == {
        "SUBSAHARAN": 1,
        "NORTH_AFRICA": 1,
        "EU": 1,
        UNKNOWN: 2,  # "Atlantide" and blank
    }
    assert values(report.breakdown("nationality_top")) == {"SN": 1, "DZ": 1, "FR": 1, "PL": 1, UNKNOWN: 1}
    assert values(report.breakdown("language")) == {"wo": 1, "ar": 1, "fr": 1, "pl": 1, UNKNOWN: 1}
    assert {row.key: row.label for row in report.breakdown("language").rows}["wo"] == "wolof"
    assert {row.key: row.label for row in report.breakdown("nationality_top").rows}["SN"] == "Sénégal"


def test_it_reads_coverage_on_arrival_and_at_the_end(report):
    # alice: AME started 10/01/2025, after her first visit (15/11/2024): none on arrival.
    # bob: PUMa since 2020. emma: PUMa decided 15/01/2026, after the period: none at the end.
    # chloe: refused CSS only: none. dan: nothing recorded: not stated.
    assert values(report.breakdown("coverage_arrival")) == {"none": 3, "puma": 1, UNKNOWN: 1}
    assert values(report.breakdown("coverage_end")) == {"ame": 1, "puma": 1, "none": 2, UNKNOWN: 1}


def test_it_reads_housing_from_the_latest_assessment_of_the_period(report):
    assert values(report.breakdown("housing")) == {"shelter_115": 1, "street": 1, "family_friends": 1, UNKNOWN: 2}
    assert values(report.breakdown("resources")) == {"none": 2, "pension": 1, UNKNOWN: 2}


def test_it_counts_rights_and_delays(report):
    assert values(report.breakdown("rights_filed")) == {"ame": 1, "puma": 1, "css": 1}
    assert values(report.breakdown("rights_granted")) == {"ame": 1}  # emma's PUMa is granted in 2026
    assert values(report.breakdown("rights_refused")) == {"css": 1}
    assert report.indicator("patients_rights_opened").value == 1
    # alice: first visit 15/11/2024, AME decided 10/03/2025: 115 days.
    assert report.indicator("rights_delay_median").value == Decimal("115.0")
    assert report.indicator("rights_delay_p90").value == Decimal("115.0")


def test_it_counts_exits(report):
    assert report.indicator("exit_common_law_gp").value == 1
    assert report.indicator("exit_common_law_no_gp").value == 0
    assert report.indicator("exit_lost").value == 1
    # Still followed, not seen after 04/07/2025: dan (April) and… alice was seen in September.
    assert report.indicator("lost_candidates").value == 1


def test_it_sums_spending_and_costs_per_patient(report):
    assert report.indicator("spending_total").value == Decimal("180.00")  # the planned expense is not counted
    assert report.indicator("allocation").value == Decimal("1000.00")
    assert report.indicator("allocation_used").value == Decimal("18.0")
    assert report.indicator("interpreting_cost").value == Decimal("50.00")
    assert report.indicator("patient_cost_mean").value == Decimal("36.00")  # 180 / 5
    assert report.indicator("patient_cost_median").value == Decimal("0.00")
    assert report.indicator("patient_cost_top10_share").value == Decimal("83.3")  # alice: 150 of 180


def test_it_counts_the_data_quality_gaps(report):
    quality = {q.code: q.count for q in report.quality}
    assert quality["coverage_arrival"] == 1
    assert quality["housing"] == 2
    assert quality["birth_country"] == 2
    assert quality["sex"] == 1
    assert quality["birth_date"] == 4  # only chloe has a full birth date


def test_it_computes_a_date_range_and_its_previous_year(dataset):
    report = build_activity_report(date(2025, 12, 1), date(2025, 12, 31))
    assert report.indicator("file_active").value == 1  # bob, 31/12 23:30 Paris
    assert (report.previous_start, report.previous_end) == (date(2024, 12, 1), date(2024, 12, 31))
    assert report.indicator("file_active").previous == 0
    january = build_activity_report(date(2026, 1, 1), date(2026, 1, 31))
    assert january.indicator("file_active").value == 1  # gina only: bob's visit is in 2025


def test_it_places_every_iso_country_in_one_region():
    from django_countries import countries

    from pass_unit.reports.countries import REGION_OF, REGIONS

    assert {code for code, _name in countries} == set(REGION_OF)
    assert set(REGION_OF.values()) == set(REGIONS)
