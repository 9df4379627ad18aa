"""What the RCP adds to pages of other apps (see pass_unit/panels.py): the patient file's
"RCP reviews" section and "Present in RCP" button, and the dashboard's "My RCP actions"."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from pass_unit import access
from rcp import selectors


def patient_reviews(request, patient):
    """Every review of the patient and its decisions (3 queries: reviews, their actions, their extracts)."""
    if not access.can_read_rcp(request.user):
        return None
    ctx = {
        "patient": patient,
        "reviews": selectors.patient_reviews(patient),
        "can_read_minutes": access.can_read_rcp_minutes(request.user),
    }
    return render_to_string("rcp/panels/patient_reviews.html", ctx, request=request)


def present_in_rcp(request, patient):
    if not access.can_propose_rcp_case(request.user):
        return []
    return [(_("Present in RCP"), reverse("rcp:propose", args=[patient.pk]), "btn-outline-primary")]


def my_actions(request, obj=None):
    """The logged-in user's first open RCP actions, earliest due first, their exact number and a
    link to all of them (1 query)."""
    if not access.can_read_rcp(request.user):
        return None
    actions, total = selectors.open_actions_for(request.user)
    ctx = {"actions": actions, "total": total}
    # No form, nothing from the request: rendered without the context processors.
    return render_to_string("rcp/panels/my_actions.html", ctx)
