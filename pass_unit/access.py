"""Who may see and do what: the role table of DESIGN.md, in one reviewable place.

Views call the `get_*_for_user` helpers: they answer 404 when the user may not
see an object at all (the same answer as "does not exist") and raise
PermissionDenied when the user may see but not change it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pass_unit.roles import Role, role_of

R = Role

# data -> roles (DESIGN.md, "Roles and medical secrecy")
IDENTITY_READ = {R.RECEPTION, R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST, R.COORDINATOR, R.ADMIN}
IDENTITY_EDIT = {R.RECEPTION, R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST}
SOCIAL_SUMMARY_READ = {R.RECEPTION, R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST, R.COORDINATOR}
SOCIAL_READ = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST, R.COORDINATOR}
SOCIAL_EDIT = {R.SOCIAL_WORKER}
MEDICAL_READ = {R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST}
MEDICAL_EDIT = {R.NURSE, R.PHYSICIAN}
PSYCH_READ = {R.PHYSICIAN, R.PSYCHOLOGIST}
PSYCH_EDIT = {R.PSYCHOLOGIST}
# Orientation out of the PASS and exit: the care team that follows the patient.
ORIENTATION_EDIT = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST}

ACCOUNTS_MANAGE = {R.COORDINATOR, R.ADMIN}
# Identity vigilance (issue 9): the identity editors validate an identity against a document and set
# its attributes; reception, social workers and the coordinator merge two files of one person (the
# coordinator reads identities only, but the issue gives them the merge); the coordinator undoes one.
IDENTITY_VALIDATE = IDENTITY_EDIT
PATIENT_MERGE = {R.RECEPTION, R.SOCIAL_WORKER, R.COORDINATOR}
PATIENT_MERGE_UNDO = {R.COORDINATOR}
AUDIT_READ = {R.COORDINATOR, R.ADMIN}

# Visits whose notes are covered by medical secrecy (the audit trail masks them too).
MEDICAL_VISIT_KINDS = {"medical", "nursing", "dental"}
PSYCH_VISIT_KINDS = {"psychological"}

# Which kinds of visit each role records (its own work, plus reception for the front desk roles).
VISIT_KINDS = {
    R.RECEPTION: ["reception"],
    R.SOCIAL_WORKER: ["social", "reception"],
    R.NURSE: ["nursing", "reception"],
    R.PHYSICIAN: ["medical", "dental", "reception"],
    R.PSYCHOLOGIST: ["psychological"],
}


def has(user, roles: set) -> bool:
    return role_of(user) in roles


def can_read_identity(user) -> bool:
    return has(user, IDENTITY_READ)


def can_edit_identity(user) -> bool:
    return has(user, IDENTITY_EDIT)


def can_read_social_summary(user) -> bool:
    return has(user, SOCIAL_SUMMARY_READ)


def can_read_social(user) -> bool:
    return has(user, SOCIAL_READ)


def can_edit_social(user) -> bool:
    return has(user, SOCIAL_EDIT)


def can_read_medical(user) -> bool:
    return has(user, MEDICAL_READ)


def can_edit_medical(user) -> bool:
    return has(user, MEDICAL_EDIT)


def can_read_orientations(user) -> bool:
    # Where a patient was sent (a CMP, a PMI…) says much about their health: social readers only.
    return has(user, SOCIAL_READ)


def can_edit_orientation(user) -> bool:
    return has(user, ORIENTATION_EDIT)


def can_validate_identity(user) -> bool:
    return has(user, IDENTITY_VALIDATE)


def can_merge_patients(user) -> bool:
    return has(user, PATIENT_MERGE)


def can_undo_patient_merge(user) -> bool:
    return has(user, PATIENT_MERGE_UNDO)


def get_patient_merge_for_user(request, patient, pk):
    """A merge received by `patient` (got from `get_patient_for_user`); PermissionDenied unless the
    user may undo merges."""
    from patients.models import PatientMerge

    if not can_read_identity(request.user):
        raise Http404
    merge = _get_or_404(PatientMerge.objects.filter(target=patient).select_related("source", "target"), pk)
    require(can_undo_patient_merge(request.user))
    return merge


def can_manage_accounts(user) -> bool:
    return has(user, ACCOUNTS_MANAGE)


def can_read_audit(user) -> bool:
    return has(user, AUDIT_READ)


def can_read_patient_access_log(user, patient) -> bool:
    """ "Who viewed this file?": the coordinator, the admin and the patient's referring physician."""
    if has(user, AUDIT_READ):
        return True
    return role_of(user) == R.PHYSICIAN and patient.referring_physician_id == user.pk


def can_read_medical_audit_values(user) -> bool:
    """Old and new values of medical fields in the audit trail: medical roles only."""
    return has(user, MEDICAL_READ)


def visit_kinds_for(user) -> list[str]:
    return VISIT_KINDS.get(role_of(user), [])


def can_read_visit_notes(user, kind: str) -> bool:
    """Visit notes follow the kind: medical notes for the medical roles, etc."""
    if kind in MEDICAL_VISIT_KINDS:
        return has(user, MEDICAL_READ)
    if kind in PSYCH_VISIT_KINDS:
        return has(user, PSYCH_READ)
    if kind == "social":
        return has(user, SOCIAL_READ)
    return has(user, IDENTITY_EDIT)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Object-level rules: who may write (cancel, correct, close…) an existing record -------------
# Editing a patient's identity is not a licence to write every record of their file: a write on
# an existing record follows who may write *that kind* of record, whoever wrote it first.

# Visit kind -> the roles that may cancel (or otherwise change) a visit of that kind: the roles
# that record that kind (a nurse records nursing care, not a physician's consultation, so she
# cannot cancel one either); a front-desk visit, any identity editor.
VISIT_WRITE = {
    kind: {role for role, kinds in VISIT_KINDS.items() if kind in kinds}
    for kind in MEDICAL_VISIT_KINDS | PSYCH_VISIT_KINDS | {"social"}
} | {"reception": IDENTITY_EDIT}


def can_write_visit(user, visit) -> bool:
    """Cancel a visit: the roles that record that kind of visit (a medical consultation: the
    physician, a psychological one: the psychologist…), never every identity editor.

    The visit's author gets nothing more: they may cancel their own visit only while their role
    still writes that kind (every kind a role records, VISIT_KINDS, is within VISIT_WRITE). A kind
    missing from VISIT_WRITE is written by nobody.
    """
    return has(user, VISIT_WRITE.get(visit.kind, set()))


def can_write_assessment(user, assessment) -> bool:
    """A social assessment is the social worker's record."""
    return has(user, SOCIAL_EDIT)


def can_write_right(user, right) -> bool:
    """Correct a coverage right or move it along its steps: the social worker."""
    return has(user, SOCIAL_EDIT)


def can_write_medical_context(user, patient=None) -> bool:
    return has(user, MEDICAL_EDIT)


def can_write_orientation(user, orientation) -> bool:
    return has(user, ORIENTATION_EDIT)


def can_change_patient_status(user, patient) -> bool:
    """Exit from the PASS, lost to follow-up, archive, re-open: the care team that follows the patient."""
    return has(user, ORIENTATION_EDIT)


def _get_in_file(queryset, patient, pk):
    return _get_or_404(queryset.filter(patient=patient), pk)


def get_visit_for_user(request, patient, pk, *, write: bool = True):
    """A visit of `patient` (got from `get_patient_for_user`) that is not cancelled.

    Every identity reader sees the list of visits (its notes follow the kind); writing follows
    `can_write_visit`: PermissionDenied otherwise.
    """
    from patients.models import Visit

    if not can_read_identity(request.user):
        raise Http404
    visit = _get_in_file(Visit.objects.not_cancelled().select_related("professional"), patient, pk)
    if write:
        require(can_write_visit(request.user, visit))
    return visit


def get_assessment_for_user(request, patient, pk, *, write: bool = True):
    from patients.models import SocialAssessment

    if not can_read_social_summary(request.user):
        raise Http404
    assessment = _get_in_file(SocialAssessment.objects.all(), patient, pk)
    if write:
        require(can_write_assessment(request.user, assessment))
    return assessment


def get_right_for_user(request, patient, pk, *, write: bool = True):
    """A coverage right of `patient`; 404 for roles that do not even read the rights' summary."""
    from patients.models import CoverageRight

    if not can_read_social_summary(request.user):
        raise Http404
    right = _get_in_file(CoverageRight.objects.all(), patient, pk)
    if write:
        require(can_write_right(request.user, right))
    return right


def get_medical_context_for_user(request, patient, *, write: bool = True):
    """The patient's medical context (a new, unsaved one if none yet); 404 outside the medical roles."""
    from patients.models import MedicalContext

    if not can_read_medical(request.user):
        raise Http404
    if write:
        require(can_write_medical_context(request.user, patient))
    return MedicalContext.objects.filter(patient=patient).first() or MedicalContext(patient=patient)


def get_orientation_for_user(request, patient, pk, *, write: bool = True):
    from patients.models import Orientation

    if not can_read_orientations(request.user):
        raise Http404
    orientation = _get_in_file(Orientation.objects.all(), patient, pk)
    if write:
        require(can_write_orientation(request.user, orientation))
    return orientation


def get_patient_for_user(request, pk, *, edit: bool = False):
    """The patient, or 404 when the user's role may not see patient files."""
    from patients.models import Patient

    if not can_read_identity(request.user):
        raise Http404
    try:
        patient = Patient.objects.select_related("referring_physician").get(pk=pk)
    except (Patient.DoesNotExist, ValueError):
        raise Http404 from None
    if edit:
        require(can_edit_identity(request.user))
    return patient


# --- RCP (concertation meetings) ----------------------------------------------------------------
# DESIGN.md: "RCP agenda and case reviews: social worker propose+read; nurse, physician,
# psychologist edit; coordinator read; reception and admin none" and "RCP minutes PDF:
# social/nurse/physician/psy read, coordinator read+print, others none".
RCP_READ = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST, R.COORDINATOR}
RCP_PROPOSE = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST}
RCP_EDIT = {R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST}
RCP_MINUTES_READ = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST, R.COORDINATOR}
# "Print": validating the minutes makes the official, stored PDF. The chair may too.
RCP_MINUTES_PRINT = {R.COORDINATOR}


def can_read_rcp(user) -> bool:
    return has(user, RCP_READ)


def can_propose_rcp_case(user) -> bool:
    return has(user, RCP_PROPOSE)


def can_edit_rcp(user) -> bool:
    return has(user, RCP_EDIT)


def can_read_rcp_minutes(user) -> bool:
    return has(user, RCP_MINUTES_READ)


def can_read_rcp_medical_summary(user) -> bool:
    """Medical summaries of case reviews follow the medical context: medical roles only."""
    return has(user, MEDICAL_READ)


def can_validate_rcp_minutes(user, meeting) -> bool:
    """The coordinator, or the meeting's chair while they still belong to the RCP team."""
    if has(user, RCP_MINUTES_PRINT):
        return True
    return meeting.chair_id == user.pk and has(user, RCP_READ)


def can_update_rcp_action(user, action) -> bool:
    """Follow-up of an action: its assignee, or anyone who edits the RCP."""
    if has(user, RCP_EDIT):
        return True
    return action.assignee_id == user.pk and has(user, RCP_READ)


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def get_meeting_for_user(request, pk, *, edit: bool = False):
    """The meeting, or 404 when the user's role has no part in the RCP."""
    from rcp.models import Meeting

    if not can_read_rcp(request.user):
        raise Http404
    meeting = _get_or_404(Meeting.objects.select_related("chair", "validated_by"), pk)
    if edit:
        require(can_edit_rcp(request.user))
    return meeting


def get_case_review_for_user(request, pk, *, edit: bool = False):
    """A case on an agenda, with its meeting and patient; 404 outside the RCP team."""
    from rcp.models import CaseReview

    if not can_read_rcp(request.user):
        raise Http404
    case = _get_or_404(
        CaseReview.objects.select_related("meeting", "meeting__chair", "patient", "presented_by", "follow_up_by"), pk
    )
    if edit:
        require(can_edit_rcp(request.user))
    return case


def get_rcp_action_for_user(request, pk):
    """An action decided in RCP, for its follow-up (PermissionDenied when not its assignee or an editor)."""
    from rcp.models import Action

    if not can_read_rcp(request.user):
        raise Http404
    action = _get_or_404(
        Action.objects.select_related("case_review", "case_review__meeting", "case_review__patient", "assignee"), pk
    )
    require(can_update_rcp_action(request.user, action))
    return action


def get_minutes_version_for_user(request, pk):
    """A stored version of validated minutes; 404 for roles that may not read minutes."""
    from rcp.models import MinutesVersion

    if not can_read_rcp_minutes(request.user):
        raise Http404
    return _get_or_404(MinutesVersion.objects.select_related("meeting"), pk)


def get_minutes_extract_for_user(request, pk):
    """A patient's part of validated minutes, as filed in the patient's record."""
    from rcp.models import MinutesExtract

    if not can_read_rcp_minutes(request.user):
        raise Http404
    return _get_or_404(MinutesExtract.objects.select_related("version", "version__meeting", "patient"), pk)


# --- Budget (the MIG credit) --------------------------------------------------------------------
# DESIGN.md: "budget: social worker read; nurse, physician edit; coordinator edit; admin read;
# reception and psychologist none". The issue splits "edit": nurses and physicians charge care to
# patients; the coordinator manages years, allocations, the catalogue and the pharmacy import.
BUDGET_READ = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.COORDINATOR, R.ADMIN}
BUDGET_CHARGE = {R.NURSE, R.PHYSICIAN}
# Unit-level expenses (an interpreting invoice…) and the life of an expense: commit, pay, cancel.
BUDGET_EDIT = {R.NURSE, R.PHYSICIAN, R.COORDINATOR}
BUDGET_MANAGE = {R.COORDINATOR}
BUDGET_COSTLIEST_PATIENTS = {R.COORDINATOR, R.PHYSICIAN}
# Exports for the finance department; with patient names only for the coordinator, pseudonymised otherwise.
BUDGET_EXPORT = {R.COORDINATOR, R.ADMIN}
BUDGET_EXPORT_NAMED = {R.COORDINATOR}


def can_read_budget(user) -> bool:
    return has(user, BUDGET_READ)


def can_charge_expenses(user) -> bool:
    return has(user, BUDGET_CHARGE)


def can_edit_expenses(user) -> bool:
    return has(user, BUDGET_EDIT)


def can_manage_budget(user) -> bool:
    return has(user, BUDGET_MANAGE)


def can_read_costliest_patients(user) -> bool:
    return has(user, BUDGET_COSTLIEST_PATIENTS)


def can_export_budget(user) -> bool:
    return has(user, BUDGET_EXPORT)


def can_export_budget_named(user) -> bool:
    return has(user, BUDGET_EXPORT_NAMED)


def can_read_expense_items(user) -> bool:
    """What a patient received (which medicine, which exam) is medical (DOMAIN.md: "medicines
    dispensed"): the item of a patient's expense is shown to medical roles; the others see its
    category and amount, which is what the budget needs."""
    return has(user, MEDICAL_READ) and has(user, BUDGET_READ)


# Who writes each kind of expense (commit, pay, cancel follow the same rule as charging it):
# - a patient's care (dispensed or prescribed from the file, planned from an RCP option, or a
#   line of the pharmacy import): the nurses and physicians who charge care, and the coordinator,
#   who imports the pharmacy's lines and follows the credit (commits and pays invoices, cancels a
#   duplicate) from the category and amount, without seeing the item;
# - a unit-level expense (no patient: an interpreting invoice…): the roles that enter them by hand
#   on /budget/expenses/new/ (BUDGET_EDIT).
EXPENSE_PATIENT_WRITE = BUDGET_CHARGE | BUDGET_MANAGE
EXPENSE_UNIT_WRITE = BUDGET_EDIT


def can_write_expense(user, expense) -> bool:
    """Commit, pay or cancel an existing expense: the roles that write that kind of expense
    (a patient's care or the unit's, see EXPENSE_PATIENT_WRITE and EXPENSE_UNIT_WRITE)."""
    return has(user, EXPENSE_PATIENT_WRITE if expense.patient_id else EXPENSE_UNIT_WRITE)


def get_expense_for_user(request, pk, *, edit: bool = False):
    """The expense with its links; 404 for roles that may not read the budget.

    `edit`: PermissionDenied unless `can_write_expense` (the rule of that kind of expense).
    """
    from budget.models import Expense

    if not can_read_budget(request.user):
        raise Http404
    expense = _get_or_404(
        Expense.objects.select_related("patient", "visit", "catalogue_item", "created_by", "pharmacy_import"), pk
    )
    if edit:
        require(can_write_expense(request.user, expense))
    return expense


def can_read_option_costing(user) -> bool:
    """The costing of an RCP option: the RCP team members who also read the budget."""
    return can_read_rcp(user) and can_read_budget(user)


def can_price_option(user) -> bool:
    return can_edit_rcp(user) and can_charge_expenses(user)


def can_write_option_costing(user, option) -> bool:
    """Add or withdraw a cost line of an RCP option, plan its expenses: its pricers, until the
    meeting's minutes are validated (frozen)."""
    return can_price_option(user) and not option.case_review.meeting.is_locked


def can_write_rcp_option(user, option) -> bool:
    """Withdraw (or add) an option discussed for a case: the RCP editors, while the minutes are open.
    (rcp/views.py case_detail, "withdraw-option", should call it.)"""
    return can_edit_rcp(user) and not option.case_review.meeting.is_locked


def get_case_option_for_user(request, case, pk, *, write: bool = True):
    """An option of `case` (from `get_case_review_for_user`) still on the table."""
    from rcp.models import CaseOption

    if not can_read_rcp(request.user):
        raise Http404
    option = _get_or_404(
        CaseOption.objects.filter(case_review=case, withdrawn_at__isnull=True).select_related(
            "case_review", "case_review__meeting"
        ),
        pk,
    )
    if write:
        require(can_write_rcp_option(request.user, option))
    return option


def get_rcp_option_for_user(request, pk, *, edit: bool = False):
    """An option discussed in RCP, with its case, meeting and patient; 404 outside the RCP and budget."""
    from rcp.models import CaseOption

    if not can_read_option_costing(request.user):
        raise Http404
    option = _get_or_404(
        CaseOption.objects.select_related("case_review", "case_review__meeting", "case_review__patient"), pk
    )
    if edit:
        require(can_price_option(request.user))
    return option


# --- Activity report (issue 10) -----------------------------------------------------------------
# Figures only, pseudonymised: the coordinator and the admin read everything, the care roles too;
# reception is refused. The staff FTE are the coordinator's. The worklist of files to complete
# (with names) is for the roles that may complete them: identity or social editors.
ACTIVITY_REPORT_READ = {R.SOCIAL_WORKER, R.NURSE, R.PHYSICIAN, R.PSYCHOLOGIST, R.COORDINATOR, R.ADMIN}
STAFF_FTE_EDIT = {R.COORDINATOR}


def can_read_activity_report(user) -> bool:
    return has(user, ACTIVITY_REPORT_READ)


def can_enter_staff_fte(user) -> bool:
    return has(user, STAFF_FTE_EDIT)


def can_read_quality_worklist(user) -> bool:
    # The coordinator too, read-only: they read identities and follow the completion before sending
    # the report (the links lead to the files, where each role edits what it may).
    return can_read_activity_report(user) and (
        has(user, IDENTITY_EDIT) or has(user, SOCIAL_EDIT) or has(user, {R.COORDINATOR})
    )
