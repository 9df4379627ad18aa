"""Charging from a visit: "Dispenser / prescrire" on each visit of the file, the visit preselected
on the dispensing page (the one asked for, else the user's own visit of the day), never a
cancelled visit; the RCP options card only when there are options to price."""

import re
from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from budget.models import Expense
from pass_unit import panels
from patients import services as patient_services
from patients.models import Visit
from tests.support.budget import CatalogueItemFactory, make_option
from tests.support.factories import PatientFactory, VisitFactory
from tests.support.pages import REQUEST_QUERIES

PARIS = ZoneInfo("Europe/Paris")
# "Today" must not depend on when the tests run (a visit an hour ago is yesterday at 00:30).
pytestmark = pytest.mark.usefixtures("clock")

# /budget/patients/<pk>/dispense/: the patient (get_patient_for_user), the user's own visit of the
# day, the catalogue items, the year with its extras and the year's totals (budget box), whether the
# patient has RCP decisions, the cases with options and their options, then the form's choices:
# visits and RCP decisions.
DISPENSE_QUERIES = REQUEST_QUERIES + 10


@pytest.fixture
def patient(nurse):
    return PatientFactory(last_name="Diallo", first_name="Aminata")


def dispense_url(patient, **params):
    url = reverse("budget:dispense", args=[patient.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def visit_links(html: str, patient) -> list[int]:
    """The visits the file offers to charge from, in page order."""
    base = re.escape(reverse("budget:dispense", args=[patient.pk]))
    return [int(pk) for pk in re.findall(rf'href="{base}\?visit=(\d+)"', html)]


def offered_visits(response) -> list[int]:
    return [visit.pk for visit in response.context["form"].fields["visit"].queryset]


# --------------------------------------------------------------------------- the patient file


@pytest.mark.parametrize(
    ("persona", "may_charge"),
    [
        ("nurse", True),
        ("physician", True),
        ("reception", False),
        ("social", False),
        ("psychologist", False),
        ("coordinator", False),
        ("admin_user", False),
    ],
)
def test_it_offers_dispensing_on_each_visit_to_the_roles_that_charge(
    login, personas, patient, nurse, persona, may_charge
):
    older = VisitFactory(
        patient=patient, professional=nurse, kind=Visit.Kind.NURSING, occurred_at=timezone.now() - timedelta(days=40)
    )
    latest = VisitFactory(patient=patient, professional=nurse, kind=Visit.Kind.NURSING)
    cancelled = VisitFactory(patient=patient, professional=nurse, occurred_at=timezone.now() - timedelta(days=2))
    patient_services.visit_cancel(visit=cancelled, reason="Saisie en double", acting_user=nurse)

    html = login(personas[persona]).get(reverse("patients:detail", args=[patient.pk])).content.decode()

    if may_charge:
        assert visit_links(html, patient) == [latest.pk, older.pk]  # the cancelled visit has none
        assert html.count('data-testid="visit-actions"') == 2
    else:
        assert visit_links(html, patient) == []
        assert 'data-testid="visit-actions"' not in html


def test_it_computes_the_visit_links_without_a_query(rf, nurse, patient, django_assert_num_queries):
    visits = [VisitFactory(patient=patient, professional=nurse) for _ in range(30)]
    request = rf.get("/")
    request.user = nurse
    nurse.groups.all()
    panels.visit_actions(request, visits)  # the role is cached on the user by the first access check
    with django_assert_num_queries(0):
        actions = panels.visit_actions(request, visits)
    assert set(actions) == {v.pk for v in visits}


# --------------------------------------------------------------------------- preselection


def test_it_preselects_the_visit_the_file_asked_for(login, nurse, physician, patient):
    three_days_ago = timezone.now() - timedelta(days=3)
    visit = VisitFactory(patient=patient, professional=physician, kind=Visit.Kind.MEDICAL, occurred_at=three_days_ago)
    response = login(nurse).get(dispense_url(patient, visit=visit.pk))
    assert response.context["form"].initial["visit"] == visit.pk
    assert response.context["form"].initial["spent_on"] == timezone.localdate(three_days_ago)
    assert re.search(rf'<option value="{visit.pk}" selected>', response.content.decode())


def test_it_offers_an_old_visit_asked_for_from_the_file(login, nurse, patient, catalogue_item):
    old = VisitFactory(patient=patient, professional=nurse, occurred_at=timezone.now() - timedelta(days=400))
    client = login(nurse)
    response = client.get(dispense_url(patient))
    assert old.pk not in offered_visits(response)  # only the recent visits by default
    response = client.get(dispense_url(patient, visit=old.pk))
    assert response.context["form"].initial["visit"] == old.pk

    response = client.post(
        dispense_url(patient, visit=old.pk),
        {
            "visit": old.pk,
            "spent_on": timezone.localdate().isoformat(),
            "status": "committed",
            f"qty_{catalogue_item.pk}": "1",
        },
    )
    assert response.status_code == 302
    assert Expense.objects.get().visit == old


@pytest.fixture
def catalogue_item():
    return CatalogueItemFactory(code="MED-PARA500", name="Paracétamol 500 mg", unit_price=D("1.20"))


def test_it_preselects_the_users_own_visit_of_the_day_right_after_recording_it(
    login, nurse, physician, psychologist, patient
):
    VisitFactory(patient=patient, professional=psychologist, kind=Visit.Kind.PSYCHOLOGICAL)  # a colleague's, today
    VisitFactory(patient=patient, professional=nurse, occurred_at=timezone.now() - timedelta(days=1, hours=1))
    client = login(nurse)
    response = client.post(
        reverse("patients:visit-create", args=[patient.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
            "kind": Visit.Kind.NURSING,
            "interpreting": Visit.Interpreting.NONE,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    mine = Visit.objects.get(
        professional=nurse, kind=Visit.Kind.NURSING, occurred_at__gte=timezone.now() - timedelta(hours=1)
    )

    response = client.get(dispense_url(patient))
    assert response.context["form"].initial["visit"] == mine.pk
    # The physician has no visit of their own today: nothing is chosen for them.
    assert "visit" not in login(physician).get(dispense_url(patient)).context["form"].initial


def test_it_takes_the_day_in_paris_on_the_night_the_clocks_change(login, nurse, patient):
    # 29 March 2026: Paris goes from UTC+1 to UTC+2 at 02:00.
    with time_machine.travel(datetime(2026, 3, 29, 9, 0, tzinfo=PARIS), tick=False):
        yesterday_late = VisitFactory(
            patient=patient, professional=nurse, occurred_at=datetime(2026, 3, 28, 23, 50, tzinfo=PARIS)
        )
        client = login(nurse)
        assert "visit" not in client.get(dispense_url(patient)).context["form"].initial
        just_after_midnight = VisitFactory(
            patient=patient, professional=nurse, occurred_at=datetime(2026, 3, 29, 0, 10, tzinfo=PARIS)
        )
        initial = client.get(dispense_url(patient)).context["form"].initial
    assert initial["visit"] == just_after_midnight.pk != yesterday_late.pk


def test_it_never_offers_a_cancelled_visit(login, nurse, patient, catalogue_item):
    visit = VisitFactory(patient=patient, professional=nurse, kind=Visit.Kind.NURSING)
    patient_services.visit_cancel(visit=visit, reason="Mauvais patient", acting_user=nurse)
    client = login(nurse)

    for url in (dispense_url(patient), dispense_url(patient, visit=visit.pk)):
        response = client.get(url)
        assert "visit" not in response.context["form"].initial
        assert visit.pk not in offered_visits(response)
        assert f'<option value="{visit.pk}"' not in response.content.decode()

    response = client.post(
        dispense_url(patient, visit=visit.pk),
        {
            "visit": visit.pk,
            "spent_on": timezone.localdate().isoformat(),
            "status": "committed",
            f"qty_{catalogue_item.pk}": "1",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["visit"]
    assert not Expense.objects.exists()


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 30, "0"])
def test_a_silly_visit_in_the_address_is_ignored(login, nurse, patient, value):
    response = login(nurse).get(dispense_url(patient, visit=value))
    assert response.status_code == 200
    assert "visit" not in response.context["form"].initial


# --------------------------------------------------------------------------- RCP options card


def test_the_options_card_is_hidden_when_there_is_nothing_in_it(login, physician, patient):
    option = make_option(patient, physician, description="Traitement de l'hépatite C")
    withdrawn = make_option(patient, physician, description="Option retirée")
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["withdrawn_at"])
    client = login(physician)

    html = client.get(dispense_url(patient)).content.decode()
    assert 'data-testid="rcp-options"' in html
    assert "Traitement de l&#x27;hépatite C" in html
    assert "Option retirée" not in html  # a withdrawn option is not offered for pricing

    option.withdrawn_at = timezone.now()
    option.save(update_fields=["withdrawn_at"])
    html = client.get(dispense_url(patient)).content.decode()
    assert 'data-testid="rcp-options"' not in html  # cases left, but no option in them


def test_a_patient_without_rcp_case_has_no_options_card(login, physician, patient):
    assert 'data-testid="rcp-options"' not in login(physician).get(dispense_url(patient)).content.decode()


# --------------------------------------------------------------------------- queries


@pytest.mark.parametrize("count", [1, 30])
def test_the_dispensing_page_runs_a_fixed_number_of_queries(
    login, physician, patient, django_assert_max_num_queries, count
):
    for n in range(count):
        VisitFactory(patient=patient, professional=physician, occurred_at=timezone.now() - timedelta(days=n))
        option = make_option(patient, physician, description=f"Option {n}")
        option.case_review.decision = f"Décision {n}"
        option.case_review.save(update_fields=["decision"])
        CatalogueItemFactory()
    client = login(physician)
    with django_assert_max_num_queries(DISPENSE_QUERIES):
        response = client.get(dispense_url(patient))
    assert response.status_code == 200
    assert len(offered_visits(response)) == count
