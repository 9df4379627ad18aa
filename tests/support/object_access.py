"""The per-kind table of object access: a record of each kind, its write URL, who sees it and who writes it.

`CASES` is run by tests/security/test_object_access.py (GET and POST, every role) and by the access
matrix (tests/security/test_access_matrix.py, GET), which also checks that every URL taking an
object pk is in `COVERED_URLS` or has a reason to need no per-kind case.
The expected roles come from the sets of `pass_unit.access`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from budget import services as budget_services
from budget.models import Expense, OptionCostLine, PharmacyImport
from pass_unit import access
from pass_unit.roles import Role
from patients.models import CoverageRight, MedicalContext, Patient, Visit
from rcp.models import Action, CaseOption, CaseReview, Meeting, Participant
from tests.support.budget import CatalogueItemFactory, ExpenseFactory, make_option
from tests.support.factories import CoverageRightFactory, MedicalContextFactory, VisitFactory
from tests.support.users import PERSONAS

R = Role
ALL_PERSONAS = [*PERSONAS, "outsider", "anonymous"]


@dataclass(frozen=True)
class Made:
    """A record made for one case: the URL of its write and what to compare before/after."""

    url: str
    state: Callable[[], object]


@dataclass(frozen=True)
class Case:
    label: str
    url_name: str
    make: Callable[[dict], Made]  # users by persona name (+ "patient") -> the record and its URL
    see: set  # roles for which the record exists (403 when they may not write, 404 for the others)
    write: set  # roles that may write it
    post: dict | Callable[[], dict]
    get_ok: set | None = None  # roles whose GET answers 200 (default: `write`)
    extra_writers: set = field(default_factory=set)  # personas allowed by ownership (assignee, chair)
    post_only: bool = False  # an action URL: a GET answers 405 whoever asks

    def expected_get(self, persona: str) -> int:
        if persona == "anonymous":
            return 302
        if self.post_only:
            return 405
        role = PERSONAS.get(persona)
        ok = self.write if self.get_ok is None else self.get_ok
        if role in ok or persona in self.extra_writers:
            return 200
        return 403 if role in self.see else 404

    def may_write(self, persona: str) -> bool:
        return PERSONAS.get(persona) in self.write or persona in self.extra_writers

    def expected_refusal(self, persona: str) -> int:
        if persona == "anonymous":
            return 302
        return 403 if PERSONAS.get(persona) in self.see else 404


def _state(model, pk, *fields):
    return lambda: model.objects.filter(pk=pk).values_list(*fields).get()


# --------------------------------------------------------------------------- patients

# Who records each kind of visit in the cases below (a role that records that kind).
VISIT_AUTHOR = {
    "reception": "reception",
    "medical": "physician",
    "dental": "physician",
    "nursing": "nurse",
    "psychological": "psychologist",
    "social": "social",
}


def _visit_case(kind: str) -> Case:
    def make(users):
        visit = VisitFactory(patient=users["patient"], kind=kind, professional=users[VISIT_AUTHOR[kind]])
        url = reverse("patients:visit-cancel", kwargs={"pk": visit.patient_id, "visit_pk": visit.pk})
        return Made(url, _state(Visit, visit.pk, "cancelled_at", "cancel_reason"))

    return Case(
        f"visit-{kind}",
        "patients:visit-cancel",
        make,
        see=access.IDENTITY_READ,
        write=access.VISIT_WRITE[kind],
        post={"reason": "Erreur de saisie"},
    )


def _make_right(users):
    right = CoverageRightFactory(patient=users["patient"], created_by=users["social"])
    url = reverse("patients:right-edit", kwargs={"pk": right.patient_id, "right_pk": right.pk})
    return Made(url, _state(CoverageRight, right.pk, "status", "organisation"))


def _make_medical(users):
    context = MedicalContextFactory(patient=users["patient"], chronic_conditions="Diabète de type 2")
    url = reverse("patients:medical-edit", kwargs={"pk": context.patient_id})
    return Made(url, _state(MedicalContext, context.pk, "chronic_conditions", "version"))


def _medical_post():
    context = MedicalContext.objects.get()
    return {"chronic_conditions": "Tuberculose", "version": context.version}


def _make_exit(users):
    patient = users["patient"]
    return Made(reverse("patients:exit", kwargs={"pk": patient.pk}), _state(Patient, patient.pk, "status"))


def _exit_post():
    today = timezone.localdate().isoformat()
    return {"status": Patient.Status.LOST, "exit_date": today, "reason": "Plus de nouvelles"}


# --------------------------------------------------------------------------- budget


def _expense(users, kind: str) -> Expense:
    patient = users["patient"]
    if kind == "patient-care":
        return ExpenseFactory(patient=patient, created_by=users["nurse"], source=Expense.Source.DISPENSING)
    if kind == "pharmacy-import":
        batch = PharmacyImport.objects.create(
            file_name="pui.csv",
            sha256=f"{PharmacyImport.objects.count() + 1:064d}",
            rows=1,
            total=Decimal("25.00"),
            imported_by=users["coordinator"],
        )
        return ExpenseFactory(
            patient=patient, created_by=users["coordinator"], source=Expense.Source.IMPORT, pharmacy_import=batch
        )
    return ExpenseFactory(patient=None, created_by=users["coordinator"], category="interpreting", description="ISM")


EXPENSE_WRITE = {
    "patient-care": access.EXPENSE_PATIENT_WRITE,
    "pharmacy-import": access.EXPENSE_PATIENT_WRITE,
    "unit": access.EXPENSE_UNIT_WRITE,
}


def _expense_cases(kind: str) -> list[Case]:
    def make_cancel(users):
        expense = _expense(users, kind)
        url = reverse("budget:expense-cancel", kwargs={"pk": expense.pk})
        return Made(url, _state(Expense, expense.pk, "status", "cancel_reason"))

    def make_pay(users):
        expense = _expense(users, kind)
        url = reverse("budget:expense-detail", kwargs={"pk": expense.pk})
        return Made(url, _state(Expense, expense.pk, "status", "paid_on"))

    return [
        Case(
            f"expense-{kind}-cancel",
            "budget:expense-cancel",
            make_cancel,
            see=access.BUDGET_READ,
            write=EXPENSE_WRITE[kind],
            post={"reason": "Doublon"},
        ),
        Case(
            f"expense-{kind}-pay",
            "budget:expense-detail",
            make_pay,
            see=access.BUDGET_READ,
            write=EXPENSE_WRITE[kind],
            get_ok=access.BUDGET_READ,
            post=lambda: {"status": "paid", "paid_on": timezone.localdate().isoformat()},
        ),
    ]


def _make_cost_line(users):
    option = make_option(users["patient"], users["physician"])
    item = CatalogueItemFactory()
    line = budget_services.option_cost_line_add(
        option=option, item=item, quantity=Decimal(2), acting_user=users["physician"]
    )
    url = reverse("budget:rcp-option-line-withdraw", kwargs={"pk": option.pk, "line_pk": line.pk})
    return Made(url, _state(OptionCostLine, line.pk, "withdrawn_at"))


# --------------------------------------------------------------------------- RCP


def _held_case(users):
    meeting = Meeting.objects.create(
        scheduled_at=timezone.now() - timedelta(hours=2),
        place="Salle de staff",
        chair=users["physician"],
        created_by=users["physician"],
        status=Meeting.Status.HELD,
    )
    return CaseReview.objects.create(
        meeting=meeting,
        patient=users["patient"],
        presented_by=users["social"],
        proposed_by=users["social"],
        question="Orientation ?",
    )


def _make_action(users):
    case = _held_case(users)
    action = Action.objects.create(
        case_review=case,
        description="Domiciliation",
        assignee=users["social"],
        due_on=timezone.localdate(),
        created_by=users["physician"],
    )
    return Made(reverse("rcp:action-close", kwargs={"pk": action.pk}), _state(Action, action.pk, "status"))


def _make_option(users):
    case = _held_case(users)
    option = CaseOption.objects.create(case_review=case, description="Hôtel social")
    url = reverse("rcp:case-option-withdraw", kwargs={"pk": case.pk, "option_pk": option.pk})
    return Made(url, _state(CaseOption, option.pk, "withdrawn_at"))


def _make_agenda_entry(users):
    case = _held_case(users)
    case.meeting.status = Meeting.Status.PLANNED
    case.meeting.scheduled_at = timezone.now() + timedelta(days=7)
    case.meeting.save()
    url = reverse("rcp:agenda-urgent", kwargs={"pk": case.meeting_id, "case_pk": case.pk})
    return Made(url, _state(CaseReview, case.pk, "urgent"))


def _make_participant(users):
    meeting = Meeting.objects.create(
        scheduled_at=timezone.now() + timedelta(days=7),
        place="Salle de staff",
        chair=users["physician"],
        created_by=users["physician"],
    )
    guest = Participant.objects.create(meeting=meeting, name="Dr Anne Lefort", profession="Infectiologue")
    url = reverse("rcp:participant-withdraw", kwargs={"pk": meeting.pk, "participant_pk": guest.pk})
    return Made(url, _state(Participant, guest.pk, "withdrawn_at"))


def _make_validated(users):
    now = timezone.now()
    meeting = Meeting.objects.create(
        scheduled_at=now - timedelta(days=3),
        place="Salle de staff",
        chair=users["physician"],
        created_by=users["physician"],
        status=Meeting.Status.VALIDATED,
        validated_at=now - timedelta(days=2),
        validated_by=users["physician"],
    )
    return Made(reverse("rcp:correct", kwargs={"pk": meeting.pk}), _state(Meeting, meeting.pk, "status"))


CASES = [
    *[_visit_case(kind) for kind in Visit.Kind.values],
    Case(
        "coverage-right",
        "patients:right-edit",
        _make_right,
        see=access.SOCIAL_SUMMARY_READ,
        write=access.SOCIAL_EDIT,
        post={"regime": "ame", "status": "to_assess", "organisation": "CPAM de Seine-Saint-Denis"},
    ),
    Case(
        "medical-context",
        "patients:medical-edit",
        _make_medical,
        see=access.MEDICAL_READ,
        write=access.MEDICAL_EDIT,
        post=_medical_post,
    ),
    Case(
        "exit-status",
        "patients:exit",
        _make_exit,
        see=access.IDENTITY_READ,
        write=access.ORIENTATION_EDIT,
        post=_exit_post,
    ),
    *[case for kind in EXPENSE_WRITE for case in _expense_cases(kind)],
    Case(
        "rcp-option-cost-line",
        "budget:rcp-option-line-withdraw",
        _make_cost_line,
        see=access.RCP_READ & access.BUDGET_READ,
        write=access.RCP_EDIT & access.BUDGET_CHARGE,
        post={},
        post_only=True,
    ),
    Case(
        "rcp-action",
        "rcp:action-close",
        _make_action,
        see=access.RCP_READ,
        write=access.RCP_EDIT,
        extra_writers={"social"},  # the action's assignee
        post={"status": "done"},
    ),
    Case(
        "rcp-option",
        "rcp:case-option-withdraw",
        _make_option,
        see=access.RCP_READ,
        write=access.RCP_EDIT,
        post={},
        post_only=True,
    ),
    Case(
        "rcp-agenda-entry",
        "rcp:agenda-urgent",
        _make_agenda_entry,
        see=access.RCP_READ,
        write=access.RCP_EDIT,
        post={"urgent": "1"},
        post_only=True,
    ),
    Case(
        "rcp-participant",
        "rcp:participant-withdraw",
        _make_participant,
        see=access.RCP_READ,
        write=access.RCP_EDIT,
        post={},
        post_only=True,
    ),
    Case(
        "minutes-correction",
        "rcp:correct",
        _make_validated,
        see=access.RCP_READ,
        write=access.RCP_MINUTES_PRINT,
        extra_writers={"physician"},  # the meeting's chair
        post={"reason": "Une décision mal recopiée"},
    ),
]
CASES_BY_LABEL = {case.label: case for case in CASES}
# URL names exercised with objects of each kind (read by test_access_matrix.py).
COVERED_URLS = {case.url_name for case in CASES}
