"""Decimal input: one French money field for every form (issue 8, "Decimal input").

French users type a decimal comma. A browser's number box turned "12,5" into 125,00 € and took
"1e9"; every decimal field of the app is now the shared text field of `pass_unit.forms`, read by
`pass_unit.lib.decimal.parse_decimal`, bounded, and backed by check constraints.
"""

import importlib
import inspect
import re
from decimal import Decimal

import pytest
from django import forms
from django.db import IntegrityError, transaction
from django.urls import get_resolver, reverse
from django.utils import timezone, translation

from budget.models import BudgetYear, CatalogueItem, Expense, ExtraAllocation
from budget.money import MAX_LINE_AMOUNT, format_percent
from budget.templatetags.budget_extras import pct
from pass_unit.forms import AmountField, DecimalInput, PercentField, QuantityField
from pass_unit.lib.decimal import format_money, parse_decimal
from pass_unit.templatetags.pass_extras import money
from patients.models import MAX_MONTHLY_INCOME, Patient, SocialAssessment
from patients.services import patient_register
from rcp.models import MAX_OPTION_COST, CaseOption
from tests.support.budget import BudgetYearFactory, CatalogueItemFactory, make_option
from tests.support.factories import PatientFactory

D = Decimal
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def registered(social):
    """A patient registered through the real service."""
    patient = Patient(last_name="Nguyễn", first_name="Éloïse", sex="F", birth_year=1990, languages=["vi"])
    return patient_register(patient=patient, acting_user=social)


def assessment_data(**overrides) -> dict:
    """A valid POST of the social assessment form."""
    return {
        "assessed_on": timezone.localdate().isoformat(),
        "housing": "street",
        "household": "alone",
        "children": "0",
        "resources": "salary",
        "monthly_income": "",
        "employment": "undeclared",
        "administrative_status": "undocumented",
        "needs": "Domiciliation",
        "notes": "",
        **overrides,
    }


class MoneyForm(forms.Form):
    amount = AmountField(maximum=D("100000.00"))


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


# --------------------------------------------------------------------------- the field


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12,5", D("12.50")),
        ("12.50", D("12.50")),
        ("1 234,56", D("1234.56")),
        (f"1{NBSP}234,56{NBSP}€", D("1234.56")),  # as Django prints French amounts
        (f"1{NNBSP}234,56 €", D("1234.56")),  # as browsers and spreadsheets print them
        ("1.234,56", D("1234.56")),
        ("1,234.56", D("1234.56")),
        ("  7 ", D("7.00")),
        ("0,05", D("0.05")),
        ("100 000", D("100000.00")),
    ],
)
def test_it_accepts_amounts_typed_the_french_way(typed, stored):
    form = MoneyForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == stored
    assert form.cleaned_data["amount"].as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e9", "Saisissez un montant en euros, par exemple 12,50."),
        ("1E3", "Saisissez un montant en euros, par exemple 12,50."),
        ("inf", "Saisissez un montant en euros, par exemple 12,50."),
        ("Infinity", "Saisissez un montant en euros, par exemple 12,50."),
        ("nan", "Saisissez un montant en euros, par exemple 12,50."),
        ("12 5", "Saisissez un montant en euros, par exemple 12,50."),  # a loose space is not a group of thousands
        ("1.234.567", "Saisissez un montant en euros, par exemple 12,50."),
        ("0x10", "Saisissez un montant en euros, par exemple 12,50."),
        ("douze", "Saisissez un montant en euros, par exemple 12,50."),
        ("-1", "Le montant ne peut pas être négatif."),
        ("+-1", "Saisissez un montant en euros, par exemple 12,50."),
        ("12,345", "Deux décimales au maximum."),
        ("0", "Le montant doit être supérieur à zéro."),
        ("100000,01", f"Le montant ne peut pas dépasser 100{NBSP}000,00{NBSP}€."),
        ("1" + "0" * 30, f"Le montant ne peut pas dépasser 100{NBSP}000,00{NBSP}€."),
    ],
)
def test_it_refuses_what_is_not_a_plausible_amount_in_french_and_keeps_what_was_typed(typed, message):
    form = MoneyForm({"amount": typed})

    assert not form.is_valid()
    assert form.errors["amount"] == [message]
    assert form["amount"].value() == typed  # shown again as typed, to be corrected
    assert f'value="{typed}"' in str(form["amount"])


def test_it_is_a_text_box_with_a_decimal_keypad_never_a_number_box():
    html = str(MoneyForm()["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'type="number"' not in html


def test_it_shows_a_stored_amount_the_french_way():
    assert MoneyForm(initial={"amount": D("1234.5")})["amount"].value() == f"1{NBSP}234,50"
    assert QuantityField(maximum=D(10)).prepare_value(D("1.50")) == "1,5"
    assert PercentField().prepare_value(D("80")) == "80,0"


def test_it_can_allow_zero_and_say_the_bound_its_own_way():
    field = AmountField(maximum=D("100"), allow_zero=True, error_messages={"too_large": "Au plus %(max)s."})
    assert field.clean("0") == D("0.00")
    with pytest.raises(forms.ValidationError) as error:
        field.clean("100,01")
    assert error.value.messages == [f"Au plus 100,00{NBSP}€."]


def test_quantities_and_percentages_have_their_own_bounds_and_places():
    with pytest.raises(forms.ValidationError):
        QuantityField(maximum=D(10000)).clean("10 001")
    assert PercentField().clean("87,5") == D("87.5")
    with pytest.raises(forms.ValidationError, match="Une décimale au maximum"):
        PercentField().clean("87,55")
    with pytest.raises(forms.ValidationError):
        PercentField().clean("100,1")


def test_floats_are_not_amounts():
    with pytest.raises(ValueError):
        parse_decimal(0.1)


def test_money_is_formatted_in_one_place_and_the_filter_wraps_it():
    assert format_money(D("1234.5")) == f"1{NBSP}234,50{NBSP}€"
    assert money(D("1234.5")) == format_money(D("1234.5"))
    assert money(None) == "" == format_money("")


# --------------------------------------------------------------------------- every form of the app


def _app_forms():
    get_resolver().url_patterns  # noqa: B018 (loads every view, hence every form module)
    modules = (
        "patients.forms",
        "rcp.forms",
        "budget.forms",
        "pass_unit.forms",
        "pass_unit.account_forms",
        "pass_unit.reports.forms",
    )
    for name in modules:
        importlib.import_module(name)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    app_forms = [
        cls
        for cls in seen
        if cls.__module__.split(".")[0] in {"patients", "rcp", "budget", "pass_unit"} and hasattr(cls, "base_fields")
    ]
    assert len(app_forms) > 20  # the walk found the app's forms
    return sorted(app_forms, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_no_form_of_the_app_reads_decimals_with_a_number_box():
    offenders = []
    for cls in _app_forms():
        for name, field in cls.base_fields.items():
            where = f"{cls.__module__}.{cls.__qualname__}.{name}"
            if isinstance(field, forms.DecimalField | forms.FloatField):
                offenders.append(f"{where}: {type(field).__name__} (use pass_unit.forms.AmountField)")
            elif isinstance(field.widget, forms.NumberInput) and not isinstance(field, forms.IntegerField):
                offenders.append(f"{where}: <input type=number>")
            elif isinstance(field, AmountField):
                assert isinstance(field.widget, DecimalInput), where
                html = field.widget.render(name, "12,5")
                assert 'type="text"' in html and 'inputmode="decimal"' in html, where
                assert field.maximum is not None, where
    assert not offenders, "\n".join(offenders)


def test_the_money_fields_of_the_app_are_bounded():
    from budget import forms as budget_forms
    from patients.forms import SocialAssessmentForm
    from rcp.forms import OptionForm

    maxima = {
        (SocialAssessmentForm, "monthly_income"): MAX_MONTHLY_INCOME,
        (OptionForm, "estimated_cost"): MAX_OPTION_COST,
        (budget_forms.ExpenseForm, "amount"): MAX_LINE_AMOUNT,
        (budget_forms.CatalogueItemForm, "unit_price"): MAX_LINE_AMOUNT,
        (budget_forms.BudgetYearForm, "allocation"): D("50000000.00"),
        (budget_forms.ExtraAllocationForm, "amount"): D("50000000.00"),
        (budget_forms.OptionCostLineForm, "quantity"): D("10000"),
    }
    for (form, name), maximum in maxima.items():
        assert form.base_fields[name].maximum == maximum, (form, name)
    assert MAX_OPTION_COST == MAX_LINE_AMOUNT  # rcp may not import budget: the two must agree


# --------------------------------------------------------------------------- the social assessment


def test_it_stores_a_monthly_income_typed_with_a_comma(login, social, registered):
    client = login(social)

    response = client.post(
        reverse("patients:assessment-create", args=[registered.pk]), assessment_data(monthly_income="12,5")
    )

    assert response.status_code == 302, response.context and response.context["form"].errors
    assert SocialAssessment.objects.get().monthly_income == D("12.50")  # not 125,00 €


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e9", "Saisissez un montant en euros, par exemple 12,50."),
        ("100 000,01", "100"),
        ("-50", "Les revenus ne peuvent pas être négatifs."),
    ],
)
def test_it_refuses_an_implausible_monthly_income_and_keeps_it(login, social, registered, typed, message):
    client = login(social)

    response = client.post(
        reverse("patients:assessment-create", args=[registered.pk]), assessment_data(monthly_income=typed)
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors["monthly_income"][0]
    assert form["monthly_income"].value() == typed
    tag = re.search(r'<input[^>]*name="monthly_income"[^>]*>', response.content.decode())[0]
    assert 'type="text"' in tag and 'inputmode="decimal"' in tag
    assert not SocialAssessment.objects.exists()


def test_the_database_refuses_an_implausible_income(social, registered):
    assessment = SocialAssessment.objects.create(patient=registered, author=social, housing="street")
    _refused_by("assessment_income_plausible", SocialAssessment, assessment.pk, monthly_income=D("100000.01"))


# --------------------------------------------------------------------------- RCP options


@pytest.fixture
def case(physician):
    BudgetYearFactory(allocation=D("100000.00"))
    return make_option(PatientFactory(), physician).case_review


def post_option(client, case, cost):
    return client.post(
        reverse("rcp:case-option-add", args=[case.pk]),
        {"option-description": "Hôtel social", "option-estimated_cost": cost},
    )


def test_it_stores_an_option_cost_typed_the_french_way(login, physician, case):
    response = post_option(login(physician), case, "1 234,56")

    assert response.status_code == 302
    assert CaseOption.objects.get(description="Hôtel social").estimated_cost == D("1234.56")


@pytest.mark.parametrize("typed", ["1e9", "1000000000", "100 000,01"])
def test_it_refuses_an_implausible_option_cost(login, physician, case, typed):
    response = post_option(login(physician), case, typed)

    assert response.status_code == 200
    form = response.context["option_form"]
    assert form.has_error("estimated_cost")
    assert form["estimated_cost"].value() == typed
    assert not CaseOption.objects.filter(description="Hôtel social").exists()


def test_the_database_refuses_an_implausible_option_cost(case):
    option = case.options.get()
    _refused_by("rcp_option_cost_plausible", CaseOption, option.pk, estimated_cost=D("1000000000"))


def test_an_option_costing_more_than_what_remains_shows_more_than_100_percent(login, physician, case):
    BudgetYear.objects.update(allocation=D("100.00"))
    CaseOption.objects.create(case_review=case, description="Très coûteux", estimated_cost=MAX_OPTION_COST)

    html = login(physician).get(reverse("rcp:case-detail", args=[case.pk])).content.decode()

    assert f"&gt;{NBSP}100{NBSP}%" in html  # "> 100 %"
    assert "100000,0" not in html  # no absurd percentage


def test_percentages_are_capped_where_they_would_mean_nothing():
    assert format_percent(D("1875513.5"), cap=D(100)) == f">{NBSP}100{NBSP}%"
    assert pct(D("1875513.5"), 100) == f">{NBSP}100{NBSP}%"
    assert pct(D("125.0")) == f"125,0{NBSP}%"  # a credit exceeded by a quarter is worth saying
    assert pct(D("5000")) == f">{NBSP}999{NBSP}%"
    assert pct(None) == "—"


# --------------------------------------------------------------------------- the budget's database bounds


def _refused_by(constraint: str, model, pk, **values):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        model.objects.filter(pk=pk).update(**values)
    assert constraint in str(error.value)


def test_the_database_refuses_implausible_budget_amounts(nurse):
    year = BudgetYearFactory()
    _refused_by("budget_year_allocation_plausible", BudgetYear, year.pk, allocation=D("50000000.01"))
    extra = ExtraAllocation.objects.create(budget_year=year, label="Circulaire", amount=D("10"), created_by=nurse)
    _refused_by("extra_allocation_amount_plausible", ExtraAllocation, extra.pk, amount=D("50000000.01"))
    item = CatalogueItemFactory()
    _refused_by("catalogue_item_price_plausible", CatalogueItem, item.pk, unit_price=D("100000.01"))
    expense = Expense.objects.create(category="lab", description="Bilan", amount=D("25"), created_by=nurse)
    _refused_by("expense_amount_plausible", Expense, expense.pk, amount=D("100000.01"))
    _refused_by("expense_quantity_plausible", Expense, expense.pk, quantity=D("10000.01"))


def test_budget_forms_define_no_number_field_of_their_own():
    from budget import forms as budget_forms
    from budget import money as budget_money

    assert budget_money.parse_decimal is parse_decimal
    assert not any(
        inspect.isclass(obj) and issubclass(obj, forms.Field) and obj.__module__ == "budget.forms"
        for obj in vars(budget_forms).values()
    )


def test_costing_an_option_from_the_catalogue_stays_within_the_bound(physician, case):
    from budget import services
    from budget.models import OptionCostLine

    option = case.options.get()
    item = CatalogueItemFactory(unit_price=D("60000.00"))
    services.option_cost_line_add(option=option, item=item, quantity=D(1), acting_user=physician)

    with pytest.raises(services.BudgetError, match="100"):
        services.option_cost_line_add(option=option, item=item, quantity=D(1), acting_user=physician)

    option.refresh_from_db()
    assert option.estimated_cost == D("60000.00")
    assert OptionCostLine.objects.count() == 1  # the refused line was not half-written
