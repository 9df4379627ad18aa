"""Display of patient data shared by every page (and PDF) that names a patient."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from patients.models import Patient

register = template.Library()

_STATUS_CSS = {
    Patient.IdentityStatus.PROVISIONAL: "text-bg-light border",
    Patient.IdentityStatus.RETRIEVED: "text-bg-info",
    Patient.IdentityStatus.VALIDATED: "text-bg-success",
    Patient.IdentityStatus.QUALIFIED: "text-bg-primary",
}
_ATTRIBUTE_CSS = {
    Patient.IdentityAttribute.DOUBTFUL: "text-bg-warning",
    Patient.IdentityAttribute.FICTITIOUS: "text-bg-warning",
    Patient.IdentityAttribute.HOMONYM: "text-bg-secondary",
    Patient.IdentityAttribute.POSSIBLE_DUPLICATE: "text-bg-secondary",
}


def _labels(patient) -> tuple[str, list[tuple[str, str]]]:
    status = Patient.IdentityStatus(patient.identity_status or Patient.IdentityStatus.PROVISIONAL)
    attributes = [
        (attribute, Patient.IdentityAttribute(attribute).label)
        for attribute in (patient.identity_attributes or [])
        if attribute in Patient.IdentityAttribute.values
    ]
    return status, attributes


@register.simple_tag
def identity_badge(patient, plain: bool = False):
    """The identity status (RNIV) and attributes, to write beside the patient's name.

    `{% identity_badge patient %}` on pages (Bootstrap badges), `{% identity_badge patient plain=True %}`
    in PDFs (text in brackets). The patient must have `identity_status` and `identity_attributes`
    loaded (mind `.only()` on lists).
    """
    if patient is None:
        return ""
    status, attributes = _labels(patient)
    if plain:
        words = [str(status.label), *(str(label) for _, label in attributes)]
        return format_html('<span class="identity-status">({})</span>', " · ".join(words))
    badges = format_html(
        '<span class="badge {} identity-status" data-identity-status="{}" title="{}">{}</span>',
        _STATUS_CSS[status],
        status.value,
        _("Identity status (identity vigilance)"),
        status.label,
    )
    extra = format_html_join(
        "",
        ' <span class="badge {} identity-attribute" data-identity-attribute="{}">{}</span>',
        ((_ATTRIBUTE_CSS[Patient.IdentityAttribute(a)], a, label) for a, label in attributes),
    )
    return format_html("{}{}", badges, extra)


@register.filter
def birth_display(patient) -> str:
    """The date of birth as precisely as it is known: 12/03/1987, 03/1987, about 1987, unknown."""
    P = Patient.BirthDatePrecision
    precision = getattr(patient, "birth_date_precision", None)
    if patient.birth_date and precision == P.MONTH:
        return patient.birth_date.strftime("%m/%Y")
    if patient.birth_date:
        return patient.birth_date.strftime("%d/%m/%Y")
    if precision == P.UNKNOWN:
        return _("unknown (about %(year)s)") % {"year": patient.birth_year}
    return _("about %(year)s") % {"year": patient.birth_year}
