from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pass_unit import access
from pass_unit.forms import Form, ModelForm, model_amount_field
from pass_unit.roles import Role
from rcp.models import MAX_OPTION_COST, Action, CaseOption, CaseReview, Meeting, Participant

LONG_TEXT = {"rows": 4}
SHORT_TEXT = {"rows": 2}


def team(roles=access.RCP_READ):
    """Active accounts of the RCP team, with their role for the labels (one query)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in roles])
        .annotate(role_name=Min("groups__name"))
        .order_by("last_name", "first_name", "username")
    )


def member_label(user) -> str:
    name = user.get_full_name() or user.username
    role = getattr(user, "role_name", None)
    try:
        return f"{name} — {Role(role).label}" if role else name
    except ValueError:
        return name


def _team_field(field, roles=access.RCP_READ):
    field.queryset = team(roles)
    field.label_from_instance = member_label


class MeetingForm(ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Team members invited"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The chair is invited in any case. External guests are added on the meeting page."),
    )

    class Meta:
        model = Meeting
        fields = ["scheduled_at", "kind", "place", "chair", "full_names_in_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _team_field(self.fields["chair"])
        if self.instance.pk:
            del self.fields["members"]
        else:
            _team_field(self.fields["members"])
            self.fields["full_names_in_minutes"].initial = settings.RCP_MINUTES_FULL_NAMES

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        changed = not self.instance.pk or value != self.instance.scheduled_at
        planned = not self.instance.pk or self.instance.status == Meeting.Status.PLANNED
        if changed and planned and value <= timezone.now():
            raise forms.ValidationError(_("A meeting cannot be planned in the past: choose a date to come."))
        return value

    def clean_place(self):
        value = self.cleaned_data["place"].strip()
        if not value:
            raise forms.ValidationError(_("Say where the meeting takes place."))
        return value


class MemberForm(Form):
    user = forms.ModelChoiceField(label=_("Team member"), queryset=User.objects.none())
    profession = forms.CharField(
        label=_("Specialty (optional)"),
        required=False,
        max_length=150,
        help_text=_("For example: infectious disease specialist, intern."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        _team_field(self.fields["user"])
        invited = meeting.participants.filter(withdrawn_at__isnull=True, user__isnull=False).values("user")
        self.fields["user"].queryset = self.fields["user"].queryset.exclude(pk__in=invited)


class GuestForm(ModelForm):
    class Meta:
        model = Participant
        fields = ["name", "profession", "organisation"]
        labels = {"name": _("Guest's name")}
        help_texts = {
            "profession": _("For example: infectious disease specialist, hospital manager, social worker."),
            "organisation": _("Hospital department, association, institution."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["profession"].required = True


class AttendanceForm(Form):
    """One choice per participant: present, excused or absent."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        choices = [c for c in Participant.Attendance.choices if c[0] != Participant.Attendance.INVITED]
        for participant in participants:
            initial = participant.attendance
            if initial == Participant.Attendance.INVITED:
                initial = Participant.Attendance.PRESENT
            label = participant.display_name
            if participant.display_profession:
                label += f" ({participant.display_profession})"
            self.fields[f"p{participant.pk}"] = forms.ChoiceField(
                label=label, choices=choices, initial=initial, widget=forms.RadioSelect
            )

    def attendance(self) -> dict:
        return {p.pk: self.cleaned_data[f"p{p.pk}"] for p in self.participants}


class CaseReviewForm(ModelForm):
    """The agenda entry: who presents, the question, the summaries. The medical summary
    field exists only for the roles that may read it: for others it is neither shown nor read."""

    medical_summary = forms.CharField(
        label=_("Medical summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=LONG_TEXT),
        help_text=_("Medical secrecy: visible only to the nurses, physicians and psychologist."),
    )

    class Meta:
        model = CaseReview
        fields = ["presented_by", "question", "social_summary", "urgent"]
        widgets = {"question": forms.Textarea(attrs=SHORT_TEXT), "social_summary": forms.Textarea(attrs=LONG_TEXT)}

    def __init__(self, *args, user, meeting=None, patient=None, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_meeting, self.target_patient = meeting, patient
        _team_field(self.fields["presented_by"], access.RCP_PROPOSE)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("presented_by", user.pk)
        if not access.can_read_rcp_medical_summary(user):
            del self.fields["medical_summary"]
        if meetings is not None:
            # From the patient file: the user chooses the meeting.
            self.fields["meeting"] = forms.ModelChoiceField(
                label=_("Meeting"), queryset=meetings, empty_label=None, required=True
            )
            self.fields["meeting"].label_from_instance = lambda m: f"{m} — {m.place}"
            self.order_fields(["meeting"])

    @property
    def has_medical_field(self) -> bool:
        return "medical_summary" in self.fields

    def clean_question(self):
        value = self.cleaned_data["question"].strip()
        if not value:
            raise forms.ValidationError(_("Say what question is asked of the meeting."))
        return value

    def clean(self):
        cleaned = super().clean()
        meeting = cleaned.get("meeting") or self.target_meeting
        if meeting and self.target_patient and not self.instance.pk:
            if CaseReview.objects.filter(meeting=meeting, patient=self.target_patient).exists():
                message = _("This patient is already on the agenda of this meeting.")
                self.add_error("meeting" if "meeting" in self.fields else None, message)
        return cleaned


class DeliberationForm(ModelForm):
    prefix = "delib"

    class Meta:
        model = CaseReview
        fields = [
            "deliberation",
            "ethical_issues",
            "decision",
            "departs_from_guidelines",
            "follow_up_by",
            "next_review_on",
            "patient_informed",
            "postponed",
        ]
        widgets = {
            "deliberation": forms.Textarea(attrs=LONG_TEXT),
            "ethical_issues": forms.Textarea(attrs=SHORT_TEXT),
            "decision": forms.Textarea(attrs=SHORT_TEXT),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _team_field(self.fields["follow_up_by"])

    def clean_next_review_on(self):
        value = self.cleaned_data.get("next_review_on")
        meeting_day = timezone.localtime(self.instance.meeting.scheduled_at).date()
        if value and value <= meeting_day:
            raise forms.ValidationError(_("The next review comes after this meeting."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision", "").strip() and cleaned.get("postponed"):
            self.add_error("postponed", _("A postponed case has no decision yet: clear one or the other."))
        return cleaned


class OptionForm(ModelForm):
    prefix = "option"
    # "1 140,50" as a French user types it, bounded (see MAX_OPTION_COST), never <input type="number">.
    estimated_cost = model_amount_field(
        CaseOption,
        "estimated_cost",
        maximum=MAX_OPTION_COST,
        allow_zero=True,
        error_messages={
            "negative": _("A cost cannot be negative."),
            "too_large": _("The estimated cost of an option cannot exceed %(max)s: check the amount."),
        },
    )

    class Meta:
        model = CaseOption
        fields = ["description", "estimated_cost", "retained"]

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if not value:
            raise forms.ValidationError(_("Describe the option."))
        return value


class ActionForm(ModelForm):
    prefix = "action"

    class Meta:
        model = Action
        fields = ["description", "assignee", "due_on"]

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        _team_field(self.fields["assignee"])
        self.fields["assignee"].required = True
        self.fields["due_on"].required = True
        self.fields["assignee"].error_messages["required"] = _("Say who will do it.")
        self.fields["due_on"].error_messages["required"] = _("Give a due date.")

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if not value:
            raise forms.ValidationError(_("Say what is to be done."))
        return value

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localtime(self.meeting.scheduled_at).date():
            raise forms.ValidationError(_("The due date cannot be before the meeting."))
        return value


class ActionCloseForm(Form):
    status = forms.ChoiceField(
        label=_("Follow-up"),
        choices=[(Action.Status.DONE, _("Done")), (Action.Status.DROPPED, _("Dropped"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for dropping it"), required=False, max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Action.Status.DROPPED and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the action is dropped."))
        return cleaned


class ValidateForm(Form):
    confirm = forms.BooleanField(
        label=_("I have re-read the minutes: validate them. The meeting can no longer be changed afterwards."),
        required=True,
    )


class CorrectionForm(Form):
    reason = forms.CharField(
        label=_("What must be corrected, and why"),
        max_length=2000,
        widget=forms.Textarea(attrs=SHORT_TEXT),
        help_text=_("The current version is kept; validating again makes a new version that replaces it."),
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Say what the correction is about."))
        return value


class PatientSearchForm(Form):
    q = forms.CharField(label=_("Name, alias, file number or birth year"), required=False, max_length=200)
