"""Budget factories, and the objects the URL access matrix needs to build budget URLs."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from budget.models import BudgetYear, CatalogueItem, Category, Expense, OptionCostLine, PharmacyImport
from rcp.models import CaseOption, CaseReview, Meeting


class BudgetYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetYear
        django_get_or_create = ["year"]

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    allocation = Decimal("100000.00")


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueItem

    code = factory.Sequence(lambda n: f"ITEM-{n:04d}")
    name = factory.Sequence(lambda n: f"Article {n}")
    category = Category.MEDICINES
    unit = "boîte"
    unit_price = Decimal("10.00")


class ExpenseFactory(factory.django.DjangoModelFactory):
    """A free-amount line (no unit price) unless a catalogue item and unit_price are given."""

    class Meta:
        model = Expense

    spent_on = factory.LazyFunction(timezone.localdate)
    category = Category.LAB
    description = "Bilan sanguin"
    quantity = Decimal("1")
    amount = Decimal("25.00")
    status = Expense.Status.COMMITTED


def make_option(patient, user, *, description="Traitement de l'hépatite C", retained=False, locked=False):
    """An option discussed for the patient's case at yesterday's RCP (validated minutes if `locked`)."""
    meeting = Meeting.objects.create(
        scheduled_at=timezone.now() - timedelta(days=1),
        place="Salle de staff",
        chair=user,
        created_by=user,
        status=Meeting.Status.VALIDATED if locked else Meeting.Status.HELD,
        validated_at=timezone.now() if locked else None,
    )
    case = CaseReview.objects.create(
        meeting=meeting, patient=patient, presented_by=user, proposed_by=user, question="Quel traitement ?"
    )
    return CaseOption.objects.create(case_review=case, description=description, retained=retained)


def url_kwargs(name: str, world: dict) -> dict:
    """Keyword arguments for a `budget:` URL of the access matrix; the objects are made once per world."""
    objects = world.get("budget")
    if objects is None:
        user, patient = world["target"], world["patient"]
        item = CatalogueItemFactory(code="MATRIX-1", name="Paracétamol 500 mg")
        batch = PharmacyImport.objects.create(
            file_name="pui.csv", sha256="0" * 64, rows=1, total=Decimal("10.00"), imported_by=user
        )
        expense = ExpenseFactory(
            patient=patient,
            catalogue_item=item,
            unit_price=item.unit_price,
            amount=item.unit_price,
            category=item.category,
            created_by=user,
            pharmacy_import=batch,
        )
        option = make_option(patient, user)
        line = OptionCostLine.objects.create(
            option=option,
            catalogue_item=item,
            quantity=1,
            unit_price=item.unit_price,
            amount=item.unit_price,
            created_by=user,
        )
        objects = world["budget"] = {
            "option": option.pk,
            "line": line.pk,
            "year": BudgetYearFactory().year,
            "item": item.pk,
            "expense": expense.pk,
            "import": batch.pk,
            "patient": patient.pk,
        }
    if name == "budget:rcp-option-line-withdraw":
        return {"pk": objects["option"], "line_pk": objects["line"]}
    if name in ("budget:year", "budget:year-edit", "budget:allocation-create", "budget:costliest-patients"):
        return {"year": objects["year"]}
    pk = {
        "budget:catalogue-edit": "item",
        "budget:expense-detail": "expense",
        "budget:expense-cancel": "expense",
        "budget:import-detail": "import",
        "budget:dispense": "patient",
        "budget:rcp-option": "option",
        "budget:rcp-option-line-add": "option",
        "budget:rcp-option-plan": "option",
    }.get(name)
    return {"pk": objects[pk]} if pk else {}
