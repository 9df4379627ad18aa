"""Writes on patient files. Each runs in one transaction and is audited."""

from collections.abc import Sequence

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pass_unit import audit
from patients.models import (
    CoverageRight,
    FileNumberCounter,
    MedicalContext,
    Orientation,
    Patient,
    PatientMerge,
    SocialAssessment,
    Visit,
)


class IdentityRefused(Exception):
    """A change of identity status or of a strict trait that the rules of identity vigilance refuse."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MergeRefused(Exception):
    """The two files cannot be merged as they are (messages say why, in the user's language)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class StaleEdit(Exception):
    """Someone else saved the record since the form was opened."""

    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


def format_file_number(year: int, number: int) -> str:
    """PASS-2026-00042: at least five digits, more past 99,999 files a year (PASS-2026-100000)."""
    return f"PASS-{year}-{number:05d}"


def reserve_file_numbers(year: int, count: int) -> range:
    """Reserve `count` consecutive file numbers of `year` in one statement; the numbers (ints) reserved.

    One upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) whatever `count`: a bulk import
    takes its block at once instead of updating the counter row once per file, which would leave
    dead row versions that each later lookup walks. Concurrent callers queue on the row lock and
    never get the same number; the block is lost if the caller's transaction rolls back.
    """
    if count < 1:
        raise ValueError("count must be 1 or more")
    table = FileNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, %s) "  # noqa: S608 (the table name is ours)
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [year, count],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def next_file_number(year: int) -> str:
    return format_file_number(year, reserve_file_numbers(year, 1)[0])


def _add_to_file(obj, *, patient: Patient, author_field: str, acting_user):
    """Attach a new record to the patient's file, signed by its author, and audit it."""
    obj.patient = patient
    setattr(obj, author_field, acting_user)
    obj.save()
    audit.record_create(acting_user, obj, patient=patient)
    return obj


@transaction.atomic
def patient_register(*, patient: Patient, acting_user, possible_duplicates: Sequence[Patient] = ()) -> Patient:
    """Register a new file; when the agent created it despite a duplicate warning, the trail says of which files."""
    patient.file_number = next_file_number(timezone.localdate().year)
    patient.created_by = patient.updated_by = acting_user
    patient.save()
    audit.record_create(acting_user, patient, patient=patient)
    if possible_duplicates:
        numbers = ", ".join(dup.file_number for dup in possible_duplicates)
        audit.record(
            acting_user,
            "create",
            obj=patient,
            patient=patient,
            detail=f"created despite a possible duplicate of {numbers}",
        )
    return patient


def strict_trait_changes(before: Patient, after: Patient) -> list[str]:
    """The strict traits (RNIV) whose value differs between two states of a file."""
    return [name for name in Patient.STRICT_TRAITS if getattr(before, name) != getattr(after, name)]


def _mark_checked(patient: Patient, *, document_type: str, acting_user) -> None:
    patient.identity_status = Patient.IdentityStatus.VALIDATED
    patient.identity_document_type = document_type
    patient.identity_checked_at = timezone.now()
    patient.identity_checked_by = acting_user


def _mark_provisional(patient: Patient) -> None:
    # The previous check stays in the audit trail (old values of these fields).
    patient.identity_status = Patient.IdentityStatus.PROVISIONAL
    patient.identity_document_type = ""
    patient.identity_checked_at = None
    patient.identity_checked_by = None


@transaction.atomic
def patient_update(
    *, patient: Patient, expected_version: int | None, acting_user, reason: str = "", document_type: str = ""
) -> Patient:
    """Save `patient` unless someone saved it since `expected_version` was read.

    A strict trait of an identity that is no longer provisional changes only with a `reason`
    (kept in the audit row's detail) and sends the identity back to provisional, unless the
    document is checked again in the same edit (`document_type`): then it is validated anew.
    """
    before = Patient.objects.select_for_update().get(pk=patient.pk)
    if expected_version is not None and before.version != expected_version:
        raise StaleEdit(before)
    detail = ""
    changed = strict_trait_changes(before, patient)
    if changed and before.identity_status != Patient.IdentityStatus.PROVISIONAL:
        if not reason.strip():
            raise IdentityRefused(_("This identity was checked: give the reason for changing its strict traits."))
        if document_type:
            _mark_checked(patient, document_type=document_type, acting_user=acting_user)
        else:
            _mark_provisional(patient)
        detail = _("Strict traits changed (%(fields)s): %(reason)s") % {
            "fields": ", ".join(changed),
            "reason": reason.strip(),
        }
    patient.version = before.version + 1
    patient.updated_by = acting_user
    patient.save()
    audit.record_update(acting_user, before, patient, patient=patient, detail=detail)
    return patient


# Statuses a person may set by hand; retrieved and qualified come from the INS teleservice only.
MANUAL_IDENTITY_STATUSES = (Patient.IdentityStatus.PROVISIONAL, Patient.IdentityStatus.VALIDATED)
# RNIV: an anonymous or pseudonymous file, or a doubtful identity, cannot be validated.
ATTRIBUTES_BARRING_VALIDATION = (Patient.IdentityAttribute.FICTITIOUS, Patient.IdentityAttribute.DOUBTFUL)


@transaction.atomic
def patient_identity_set(
    *,
    patient: Patient,
    status: str,
    attributes: list[str],
    document_type: str = "",
    reason: str = "",
    expected_version: int | None = None,
    acting_user,
) -> Patient:
    """Validate an identity against a document (or send it back to provisional) and set its attributes."""
    before = Patient.objects.select_for_update().get(pk=patient.pk)
    if expected_version is not None and before.version != expected_version:
        raise StaleEdit(before)
    if status != before.identity_status and status not in MANUAL_IDENTITY_STATUSES:
        raise IdentityRefused(_("This status is set by the national INS teleservice only."))
    if status == Patient.IdentityStatus.VALIDATED:
        barred = [a for a in attributes if a in ATTRIBUTES_BARRING_VALIDATION]
        if barred:
            raise IdentityRefused(_("A fictitious or doubtful identity cannot be validated."))
        if document_type:
            _mark_checked(patient, document_type=document_type, acting_user=acting_user)
        elif before.identity_status != Patient.IdentityStatus.VALIDATED:
            raise IdentityRefused(_("Say which identity document was checked."))
    elif status == Patient.IdentityStatus.PROVISIONAL and before.identity_status != status:
        if not reason.strip():
            raise IdentityRefused(_("Give the reason why this identity is no longer trusted."))
        _mark_provisional(patient)
    patient.identity_attributes = [a for a in Patient.IdentityAttribute.values if a in attributes]
    patient.version = before.version + 1
    patient.updated_by = acting_user
    patient.save()
    audit.record_update(acting_user, before, patient, patient=patient, detail=reason.strip())
    return patient


@transaction.atomic
def patient_exit(*, patient: Patient, status: str, exit_date, reason: str, acting_user) -> Patient:
    before = Patient.objects.select_for_update().get(pk=patient.pk)
    patient.status = status
    patient.exit_date = None if status == Patient.Status.ACTIVE else exit_date
    patient.exit_reason = reason
    patient.version = before.version + 1
    patient.updated_by = acting_user
    patient.save()
    audit.record_update(acting_user, before, patient, patient=patient)
    return patient


@transaction.atomic
def visit_add(*, visit: Visit, patient: Patient, acting_user) -> Visit:
    return _add_to_file(visit, patient=patient, author_field="professional", acting_user=acting_user)


@transaction.atomic
def visit_cancel(*, visit: Visit, reason: str, acting_user) -> Visit:
    before = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.cancelled_at = timezone.now()
    visit.cancel_reason = reason
    visit.save(update_fields=["cancelled_at", "cancel_reason"])
    audit.record_update(acting_user, before, visit, patient=visit.patient)
    return visit


@transaction.atomic
def assessment_add(*, assessment: SocialAssessment, patient: Patient, acting_user):
    return _add_to_file(assessment, patient=patient, author_field="author", acting_user=acting_user)


@transaction.atomic
def right_add(*, right: CoverageRight, patient: Patient, acting_user) -> CoverageRight:
    return _add_to_file(right, patient=patient, author_field="created_by", acting_user=acting_user)


@transaction.atomic
def right_update(*, right: CoverageRight, acting_user) -> CoverageRight:
    before = CoverageRight.objects.select_for_update().get(pk=right.pk)
    right.save()
    audit.record_update(acting_user, before, right, patient=right.patient)
    return right


@transaction.atomic
def medical_context_save(*, context: MedicalContext, expected_version: int | None, acting_user) -> MedicalContext:
    before = MedicalContext.objects.select_for_update().filter(patient=context.patient).first()
    current_version = before.version if before else 0
    if expected_version is not None and current_version != expected_version:
        raise StaleEdit(before)
    context.version = current_version + 1
    context.updated_by = acting_user
    if before:
        context.pk = before.pk
    context.save()
    if before:
        audit.record_update(acting_user, before, context, patient=context.patient)
    else:
        audit.record_create(acting_user, context, patient=context.patient)
    return context


@transaction.atomic
def orientation_add(*, orientation: Orientation, patient: Patient, acting_user):
    return _add_to_file(orientation, patient=patient, author_field="author", acting_user=acting_user)


# --- Merging two files of one person ---------------------------------------------------------------
# Every foreign key or one-to-one field to Patient, in every installed app, moves from B to A: they
# are found by introspection, so a new model is handled by default (tests/patients/test_merge.py
# fails until its merge test makes a row of it). These are left alone, with the reason:
MERGE_EXCLUDED = {
    "pass_unit.auditevent.patient": "the audit trail is append-only (a PostgreSQL trigger refuses UPDATE): "
    "B's rows stay on B; the merge's own rows name both files",
    # Validated minutes are frozen (a PostgreSQL trigger refuses any UPDATE of their rows): a patient's
    # extract stays filed under the file number it prints (B's). It follows its case review, which
    # moves: A's file lists it with the review (rcp.selectors.patient_reviews).
    "rcp.minutesextract.patient": "frozen with the validated minutes (a trigger refuses UPDATE); "
    "reached from A through its case review, which moves",
    "patients.patientmerge.target": "the history of merges: never rewritten, it is what undo reads",
    "patients.patientmerge.source": "the history of merges: never rewritten, it is what undo reads",
}
# Fields of a one-to-one row never merged from B's row into A's (bookkeeping).
_ROW_BOOKKEEPING = {"version", "updated_at", "updated_by", "created_at", "created_by"}


def patient_relations() -> list[tuple[str, type[models.Model], models.Field]]:
    """Every concrete foreign key or one-to-one field pointing to Patient: ("app.model.field", model, field)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Patient:
                found.append((f"{model._meta.label_lower}.{field.name}", model, field))
    return sorted(found, key=lambda item: item[0])


def merge_relations() -> list[tuple[str, type[models.Model], models.Field]]:
    """The relations the merge moves: every relation to Patient but MERGE_EXCLUDED."""
    return [item for item in patient_relations() if item[0] not in MERGE_EXCLUDED]


def _unique_sets(model, field) -> list[tuple[list[str], Q | None]]:
    """The unique constraints of `model` that include `field`, as (other fields, condition)."""
    sets = [([f for f in t if f != field.name], None) for t in model._meta.unique_together if field.name in t]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field.name in (constraint.fields or ()):
            sets.append(([f for f in constraint.fields if f != field.name], constraint.condition))
    return sets


def _field_label(field) -> str:
    # A foreign key reads best as what it points to ("concertation meeting", not "meeting").
    return str(field.related_model._meta.verbose_name if field.is_relation else field.verbose_name)


def merge_conflicts(*, target: Patient, source: Patient) -> list[str]:
    """Why B cannot be merged into A as things stand (empty when it can).

    A row of B that would break a unique constraint once on A (the same patient twice on one
    meeting's agenda…) is not silently dropped: the merge is refused until someone settles it.
    """
    problems = []
    if target.pk == source.pk:
        problems.append(_("A file cannot be merged into itself."))
    for patient in (target, source):
        if patient.merged_into_id:
            problems.append(_("%(number)s was already merged into another file.") % {"number": patient.file_number})
    if problems:
        return problems
    for _key, model, field in merge_relations():
        if field.one_to_one:
            continue  # both rows kept: B's content is merged into A's (see _merge_one_to_one)
        for others, condition in _unique_sets(model, field):
            rows = model._base_manager.filter(**{field.name: source})
            theirs = model._base_manager.filter(**{field.name: target})
            if condition is not None:
                rows, theirs = rows.filter(condition), theirs.filter(condition)
            for row in rows:
                if not others or theirs.filter(**{name: getattr(row, name) for name in others}).exists():
                    problems.append(
                        _("Both files have a “%(kind)s” for the same %(fields)s (%(row)s): settle it before merging.")
                        % {
                            "kind": model._meta.verbose_name,
                            "fields": ", ".join(_field_label(model._meta.get_field(n)) for n in others),
                            "row": row,
                        }
                    )
    return problems


def _merge_one_to_one(model, field, *, target_row, source_row, source: Patient, acting_user, detail: str) -> dict:
    """Bring B's one-to-one row (medical context…) into A's: nothing is lost.

    Texts of B that A's row does not already contain are appended, marked with B's file number;
    a yes/no is yes if either says yes; an empty value of A takes B's. B's row stays attached to B,
    unchanged. Returns A's changed fields, before and after, for undo.
    """
    before, after = {}, {}
    for row_field in model._meta.concrete_fields:
        name = row_field.name
        if row_field.primary_key or row_field is field or name in _ROW_BOOKKEEPING or row_field.is_relation:
            continue
        mine, theirs = getattr(target_row, row_field.attname), getattr(source_row, row_field.attname)
        if theirs in (None, "") or theirs == mine:
            continue
        if isinstance(row_field, models.TextField):
            if theirs in (mine or ""):
                continue
            merged = f"{mine}\n\n" if mine else ""
            merged += f"[{source.file_number}] {theirs}"
        elif isinstance(row_field, models.BooleanField):
            merged = bool(mine) or bool(theirs)
        elif mine in (None, ""):
            merged = theirs
        else:
            continue  # A's own value wins; B's stays on B's row
        if merged == mine:
            continue
        before[name] = row_field.value_to_string(target_row)
        setattr(target_row, row_field.attname, merged)
        after[name] = row_field.value_to_string(target_row)
    if before:
        if hasattr(target_row, "version"):
            target_row.version += 1  # an edit form opened before the merge must not overwrite it
        target_row.save()
        changes = {name: [before[name], after[name]] for name in before}
        audit.record(acting_user, "update", obj=target_row, patient=target_row.patient, changes=changes, detail=detail)
    return {"pk": target_row.pk, "before": before, "after": after}


def _aliases_from(source: Patient, target: Patient) -> list[str]:
    """B's file number and names, as new aliases of A (those A does not already carry)."""
    names = [
        source.file_number,
        " ".join(p for p in (source.last_name, source.first_name) if p),
        source.usage_name,
        *source.aliases,
    ]
    known = {n.casefold() for n in [*target.aliases, " ".join(p for p in (target.last_name, target.first_name) if p)]}
    added = []
    for name in names:
        if name and name.casefold() not in known:
            known.add(name.casefold())
            added.append(name)
    return added


@transaction.atomic
def patient_merge(*, target: Patient, source: Patient, reason: str, acting_user) -> PatientMerge:
    """Merge file B (`source`) into file A (`target`), in one transaction.

    Every row pointing to B moves to A (see merge_relations); validated minutes and their
    extracts only change owner, their stored PDFs are never touched. B is archived, "merged into"
    A; its file number and names become aliases of A. The PatientMerge returned lists exactly
    what moved, for `patient_merge_undo`.
    """
    if not reason.strip():
        raise MergeRefused([_("Give the reason for the merge.")])
    # Both rows locked, in pk order (two merges of the same files at once cannot deadlock).
    locked = {p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[target.pk, source.pk]).order_by("pk")}
    target, source = locked[target.pk], locked[source.pk]
    problems = merge_conflicts(target=target, source=source)
    if problems:
        raise MergeRefused(problems)
    detail = _("%(source)s merged into %(target)s: %(reason)s") % {
        "source": source.file_number,
        "target": target.file_number,
        "reason": reason.strip(),
    }
    moved, merged_rows = {}, {}
    for key, model, field in merge_relations():
        if field.one_to_one:
            theirs = model._base_manager.filter(**{field.name: source}).first()
            mine = model._base_manager.filter(**{field.name: target}).first()
            if theirs is not None and mine is not None:
                merged_rows[key] = _merge_one_to_one(
                    model,
                    field,
                    target_row=mine,
                    source_row=theirs,
                    source=source,
                    acting_user=acting_user,
                    detail=detail,
                )
                continue
        rows = model._base_manager.filter(**{field.name: source})
        pks = sorted(rows.values_list("pk", flat=True))
        if pks:
            # A bulk UPDATE: timestamps (auto_now) and signatures of the moved rows stay as they were.
            model._base_manager.filter(pk__in=pks).update(**{field.name: target})
            moved[key] = pks
    target_before = Patient.objects.get(pk=target.pk)
    added_aliases = _aliases_from(source, target)
    target.aliases = [*target.aliases, *added_aliases]
    target.version += 1
    target.updated_by = acting_user
    target.save()
    source_before = Patient.objects.get(pk=source.pk)
    source.status = Patient.Status.ARCHIVED
    source.merged_into = target
    source.exit_date = timezone.localdate()
    source.exit_reason = _("Merged into %(number)s: %(reason)s") % {"number": target.file_number, "reason": reason}
    source.version += 1
    source.updated_by = acting_user
    source.save()
    merge = PatientMerge.objects.create(
        target=target,
        source=source,
        reason=reason.strip(),
        moved=moved,
        merged_rows=merged_rows,
        target_before={"aliases": target_before.aliases, "added_aliases": added_aliases},
        source_before={
            "status": source_before.status,
            "exit_date": source_before.exit_date.isoformat() if source_before.exit_date else None,
            "exit_reason": source_before.exit_reason,
        },
        merged_by=acting_user,
    )
    counts = {key: len(pks) for key, pks in moved.items()}
    counts.update({key: "merged" for key in merged_rows})
    audit.record(
        acting_user, "create", obj=merge, patient=target, changes={"moved": counts}, detail=detail, medical=False
    )
    audit.record_update(acting_user, target_before, target, patient=target, detail=detail)
    audit.record_update(acting_user, source_before, source, patient=source, detail=detail)
    return merge


def merge_undo_blockers(merge: PatientMerge) -> list[str]:
    """Why this merge cannot be undone (empty when it can)."""
    if merge.is_undone:
        return [_("This merge was already undone.")]
    later = (
        PatientMerge.objects.filter(undone_at__isnull=True, merged_at__gt=merge.merged_at)
        .filter(Q(target__in=[merge.target_id, merge.source_id]) | Q(source__in=[merge.target_id, merge.source_id]))
        .select_related("source")
    )
    return [
        _("%(number)s was merged into this file afterwards: undo that merge first.") % {"number": m.source.file_number}
        for m in later
    ]


@transaction.atomic
def patient_merge_undo(*, merge: PatientMerge, acting_user, reason: str = "") -> PatientMerge:
    """Give both files back as they were before `merge`: each moved row returns to B, A's merged
    one-to-one rows and aliases lose what B brought, B is no longer archived.

    Rows added to A since the merge stay on A; a field of A changed by hand since the merge keeps
    its new value.
    """
    merge = PatientMerge.objects.select_for_update().get(pk=merge.pk)
    blockers = merge_undo_blockers(merge)
    if blockers:
        raise MergeRefused(blockers)
    locked = {
        p.pk: p
        for p in Patient.objects.select_for_update().filter(pk__in=[merge.target_id, merge.source_id]).order_by("pk")
    }
    target, source = locked[merge.target_id], locked[merge.source_id]
    relations = {key: (model, field) for key, model, field in patient_relations()}
    detail = _("Merge of %(source)s into %(target)s undone: %(reason)s") % {
        "source": source.file_number,
        "target": target.file_number,
        "reason": reason.strip(),
    }
    for key, pks in merge.moved.items():
        model, field = relations[key]
        model._base_manager.filter(pk__in=pks, **{field.name: target}).update(**{field.name: source})
    for key, row in merge.merged_rows.items():
        model, _field = relations[key]
        obj = model._base_manager.get(pk=row["pk"])
        changes = {}
        for name, old in row["before"].items():
            row_field = model._meta.get_field(name)
            if row_field.value_to_string(obj) == row["after"][name]:  # untouched since the merge
                if old in (None, ""):
                    value = None if row_field.null else ""
                else:
                    value = row_field.to_python(old)
                setattr(obj, row_field.attname, value)
                changes[name] = [row["after"][name], old]
        if changes:
            if hasattr(obj, "version"):
                obj.version += 1
            obj.save()
            audit.record(acting_user, "update", obj=obj, patient=target, changes=changes, detail=detail)
    target_before = Patient.objects.get(pk=target.pk)
    added = set(merge.target_before.get("added_aliases", []))
    target.aliases = [a for a in target.aliases if a not in added]
    target.version += 1
    target.updated_by = acting_user
    target.save()
    source_before = Patient.objects.get(pk=source.pk)
    source.status = merge.source_before["status"]
    exit_date = merge.source_before["exit_date"]
    source.exit_date = models.DateField().to_python(exit_date) if exit_date else None
    source.exit_reason = merge.source_before["exit_reason"]
    source.merged_into = None
    source.version += 1
    source.updated_by = acting_user
    source.save()
    merge_before = PatientMerge.objects.get(pk=merge.pk)
    merge.undone_at = timezone.now()
    merge.undone_by = acting_user
    merge.undo_reason = reason.strip()
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    audit.record_update(acting_user, merge_before, merge, patient=target, detail=detail)
    audit.record_update(acting_user, target_before, target, patient=target, detail=detail)
    audit.record_update(acting_user, source_before, source, patient=source, detail=detail)
    return merge
