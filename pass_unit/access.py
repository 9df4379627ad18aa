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
AUDIT_READ = {R.COORDINATOR, R.ADMIN}

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


def can_edit_orientation(user) -> bool:
    return has(user, ORIENTATION_EDIT)


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
    if kind in ("medical", "nursing", "dental"):
        return has(user, MEDICAL_READ)
    if kind == "psychological":
        return has(user, PSYCH_READ)
    if kind == "social":
        return has(user, SOCIAL_READ)
    return has(user, IDENTITY_EDIT)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


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
