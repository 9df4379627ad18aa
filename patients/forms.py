import re
from datetime import timedelta

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from pass_unit import access
from pass_unit.forms import Form, ModelForm, model_amount_field
from pass_unit.lib.languages import language_choices
from pass_unit.lib.text import reject_markup
from pass_unit.roles import Role
from patients.models import (
    MAX_MONTHLY_INCOME,
    CoverageRight,
    MedicalContext,
    Orientation,
    Patient,
    SocialAssessment,
    Visit,
)

MAX_ALIASES = 10
# The PASS were created by the 1998 law against exclusion: an earlier visit is a typing error
# (and a visit dated in year 1 could not even be read back from PostgreSQL in Paris time).
EARLIEST_VISIT_YEAR = 1998


class PatientForm(ModelForm):
    aliases_text = forms.CharField(
        label=_("Aliases and other spellings"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas."),
    )
    estimated_birth_year = forms.IntegerField(
        label=_("Estimated year of birth"),
        required=False,
        help_text=_("When the exact date of birth is not known."),
    )
    # ISO 639 languages from a list (the browser's type-ahead finds one by its first letters).
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Type the first letters to reach a language; Ctrl-click (Cmd-click) to choose several."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    identity_change_reason = forms.CharField(
        label=_("Reason for changing a strict trait"),
        required=False,
        max_length=300,
        help_text=_(
            "This identity was checked against a document: changing the names, date of birth, sex or "
            "country of birth needs a reason and makes it provisional again, unless you check a document now."
        ),
    )
    identity_document_recheck = forms.ChoiceField(
        label=_("Identity document checked again now"),
        required=False,
        choices=[("", _("No document checked now")), *Patient.IdentityDocument.choices],
    )

    class Meta:
        model = Patient
        fields = [
            "last_name",
            "first_name",
            "usage_name",
            "sex",
            "birth_date",
            "birth_country",
            "nationality",
            "arrival_in_france",
            "languages",
            "interpreter_needed",
            "interpreter_language",
            "phone",
            "domiciliation_organisation",
            "domiciliation_address",
            "ipp",
            "referred_by",
            "referral_detail",
            "referring_physician",
            "birth_date_precision",
        ]

    field_order = [
        "last_name",
        "first_name",
        "usage_name",
        "aliases_text",
        "sex",
        "birth_date",
        "estimated_birth_year",
        "birth_date_precision",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_physician"].queryset = User.objects.filter(
            is_active=True, groups__name=Role.PHYSICIAN
        ).order_by("last_name", "first_name")
        self.fields["referring_physician"].label_from_instance = lambda u: u.get_full_name() or u.username
        # What was typed by hand before the lists, and not recognised: shown until a value is chosen.
        for name in ("birth_country", "nationality", "languages"):
            typed = getattr(self.instance, f"{name}_text", "")
            if typed:
                # Escaped: crispy prints help texts as HTML, and this one quotes old free text.
                self.fields[name].help_text = _("Typed before the list: “%(text)s”. Choose the value in the list.") % {
                    "text": escape(typed)
                }
        if self.instance.pk:
            self.fields["aliases_text"].initial = "\n".join(self.instance.aliases)
            if not self.instance.birth_date:
                self.fields["estimated_birth_year"].initial = self.instance.birth_year
            self.fields["version"].initial = self.instance.version
            # Without the version read with the form, a lost update could not be detected.
            self.fields["version"].required = True
        # Deduced from the date when left empty (exact with a date, the year otherwise).
        self.fields["birth_date_precision"].required = False
        self.fields["birth_date_precision"].choices = [
            ("", _("Deduce from the date")),
            *Patient.BirthDatePrecision.choices,
        ]
        if not self.instance.pk or self.instance.identity_status == Patient.IdentityStatus.PROVISIONAL:
            # The reason and the new check only concern an identity already checked (RNIV strict traits).
            del self.fields["identity_change_reason"]
            del self.fields["identity_document_recheck"]

    def clean_last_name(self):
        value = self.cleaned_data["last_name"].strip()
        if not value:
            raise forms.ValidationError(
                _("The last name is required (write “Inconnu” if the person does not give it).")
            )
        return value

    def clean_aliases_text(self):
        parts = [p.strip() for p in re.split(r"[,;\n]", self.cleaned_data.get("aliases_text", ""))]
        aliases = list(dict.fromkeys(p for p in parts if p))
        if len(aliases) > MAX_ALIASES:
            raise forms.ValidationError(_("At most %(n)d aliases.") % {"n": MAX_ALIASES})
        for alias in aliases:
            if len(alias) > 100:
                raise forms.ValidationError(_("Each alias has at most 100 characters."))
            reject_markup(alias)
        return aliases

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if value and value.year < 1900:
            raise forms.ValidationError(_("The date of birth must be after 1900."))
        return value

    def clean_estimated_birth_year(self):
        value = self.cleaned_data.get("estimated_birth_year")
        if value is not None and not 1900 <= value <= timezone.localdate().year:
            raise forms.ValidationError(
                _("Enter a year between 1900 and %(year)d.") % {"year": timezone.localdate().year}
            )
        return value

    def clean_arrival_in_france(self):
        value = self.cleaned_data.get("arrival_in_france")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The arrival date cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        birth_date = cleaned.get("birth_date")
        year = cleaned.get("estimated_birth_year")
        if (
            not birth_date
            and not year
            and "birth_date" not in self.errors
            and "estimated_birth_year" not in self.errors
        ):
            self.add_error("estimated_birth_year", _("Give the date of birth or, failing that, an estimated year."))
        if birth_date and year and birth_date.year != year:
            self.add_error("estimated_birth_year", _("The estimated year does not match the date of birth."))
        arrival = cleaned.get("arrival_in_france")
        born = birth_date.year if birth_date else year
        if arrival and born and arrival.year < born:
            self.add_error("arrival_in_france", _("The arrival date is before the birth."))
        if (
            cleaned.get("interpreter_needed")
            and not cleaned.get("interpreter_language")
            and not cleaned.get("languages")
        ):
            self.add_error("interpreter_language", _("Say which language the interpreter must speak."))
        self._clean_birth_date_precision(cleaned)
        if "identity_change_reason" in self.fields:
            self._clean_strict_traits(cleaned)
        return cleaned

    def _clean_birth_date_precision(self, cleaned):
        precision = cleaned.get("birth_date_precision")
        precise = (Patient.BirthDatePrecision.EXACT, Patient.BirthDatePrecision.MONTH)
        if not precision:
            cleaned["birth_date_precision"] = (
                Patient.BirthDatePrecision.EXACT if cleaned.get("birth_date") else Patient.BirthDatePrecision.YEAR
            )
        elif cleaned.get("birth_date") and precision not in precise:
            self.add_error(
                "birth_date_precision",
                _("A date of birth is given: choose “exact date” or “month and year only”."),
            )
        elif not cleaned.get("birth_date") and precision in precise and "birth_date" not in self.errors:
            self.add_error("birth_date_precision", _("Give the date of birth, or choose “year only” or “unknown”."))

    def strict_trait_changes(self, cleaned) -> list[str]:
        """The strict traits (RNIV) this edit changes, by their labels."""
        birth_date = cleaned.get("birth_date")
        new = {
            "last_name": cleaned.get("last_name"),
            "first_name": cleaned.get("first_name"),
            "birth_date": birth_date,
            "birth_year": birth_date.year if birth_date else cleaned.get("estimated_birth_year"),
            "sex": cleaned.get("sex"),
            "birth_country": cleaned.get("birth_country"),
        }
        return [
            str(Patient._meta.get_field(name).verbose_name)
            for name in Patient.STRICT_TRAITS
            if name in new and new[name] != getattr(self.instance, name, None)
        ]

    def _clean_strict_traits(self, cleaned):
        changed = self.strict_trait_changes(cleaned)
        if changed and not cleaned.get("identity_change_reason", "").strip():
            self.add_error(
                "identity_change_reason",
                _("This identity was checked against a document: give the reason for changing %(traits)s.")
                % {"traits": ", ".join(changed)},
            )

    def apply(self, patient: Patient) -> Patient:
        """Copy the cleaned values onto `patient` without saving."""
        for name in self._meta.fields:
            setattr(patient, name, self.cleaned_data[name])
        patient.aliases = self.cleaned_data["aliases_text"]
        # A value chosen in the list replaces the text typed before it.
        for name in ("birth_country", "nationality", "languages"):
            if self.cleaned_data[name]:
                setattr(patient, f"{name}_text", "")
        patient.birth_year = (
            self.cleaned_data["birth_date"].year
            if self.cleaned_data["birth_date"]
            else self.cleaned_data["estimated_birth_year"]
        )
        return patient


class IdentityForm(Form):
    """Validate an identity against a document, or send it back to provisional; set its attributes."""

    identity_status = forms.ChoiceField(label=_("Identity status"), widget=forms.RadioSelect)
    identity_document_type = forms.ChoiceField(
        label=_("Identity document checked"),
        required=False,
        choices=[("", "—"), *Patient.IdentityDocument.choices],
        help_text=_("A high-trust document, seen in the original. Choose it again to record a new check."),
    )
    identity_attributes = forms.MultipleChoiceField(
        label=_("Attributes"),
        required=False,
        choices=Patient.IdentityAttribute.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required when a checked identity becomes provisional again."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, patient: Patient, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "identity_status": patient.identity_status,
                "identity_attributes": patient.identity_attributes,
                "version": patient.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.patient = patient
        S = Patient.IdentityStatus
        # Retrieved and qualified come from the INS teleservice: never offered, only kept.
        statuses = [S.PROVISIONAL, S.VALIDATED]
        if patient.identity_status not in statuses:
            statuses.insert(0, S(patient.identity_status))
        self.fields["identity_status"].choices = [(s.value, s.label) for s in statuses]

    def clean(self):
        cleaned = super().clean()
        S = Patient.IdentityStatus
        status = cleaned.get("identity_status")
        current = self.patient.identity_status
        if status == S.VALIDATED:
            if not cleaned.get("identity_document_type") and current != S.VALIDATED:
                self.add_error("identity_document_type", _("Say which identity document was checked."))
            barred = {Patient.IdentityAttribute.FICTITIOUS, Patient.IdentityAttribute.DOUBTFUL}
            if barred & set(cleaned.get("identity_attributes") or []):
                self.add_error("identity_attributes", _("A fictitious or doubtful identity cannot be validated."))
        if status == S.PROVISIONAL and current != S.PROVISIONAL and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the reason why this identity is no longer trusted."))
        return cleaned


class MergeChooseForm(Form):
    q = forms.CharField(label=_("Name, alias, file number or birth year"), required=False, max_length=200)


class MergeForm(Form):
    reason = forms.CharField(
        label=_("Reason for the merge"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What shows that both files are the same person (document seen, patient asked…)."),
    )
    confirm = forms.BooleanField(label=_("I checked that both files belong to the same person."))


class MergeUndoForm(Form):
    reason = forms.CharField(
        label=_("Reason for undoing the merge"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PatientFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Patient.Status.choices]
    )
    coverage = forms.ChoiceField(
        label=_("Coverage"),
        required=False,
        choices=[("", _("Any coverage")), ("uncovered", _("No open rights")), *CoverageRight.Regime.choices[1:]],
    )
    # The lists behind the home dashboard's blocks (patients.selectors.todo_filter).
    todo = forms.ChoiceField(
        label=_("To do"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("rights_expiring", _("Rights ending within 30 days")),
            ("rights_expired", _("Rights expired but still marked granted")),
            ("applications_pending", _("Applications filed over 60 days ago, no decision")),
            ("call_back", _("To call back: no visit for 90 days")),
        ],
    )


class VisitForm(ModelForm):
    class Meta:
        model = Visit
        fields = ["occurred_at", "kind", "reason", "interpreting", "interpreter_language", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = access.visit_kinds_for(user)
        self.fields["kind"].choices = [c for c in Visit.Kind.choices if c[0] in kinds]
        if not self.is_bound and kinds:
            self.initial.setdefault("kind", kinds[0])
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("A visit cannot be recorded in the future."))
        if value.year < EARLIEST_VISIT_YEAR:
            raise forms.ValidationError(
                _("Check the date: a visit cannot be before %(year)d.") % {"year": EARLIEST_VISIT_YEAR}
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interpreting") not in (None, Visit.Interpreting.NONE) and not cleaned.get(
            "interpreter_language"
        ):
            self.add_error("interpreter_language", _("Say in which language the interpreting took place."))
        return cleaned


class VisitCancelForm(Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class SocialAssessmentForm(ModelForm):
    # A text box read the French way ("1 234,56"), not <input type="number">: see pass_unit.forms.
    monthly_income = model_amount_field(
        SocialAssessment,
        "monthly_income",
        maximum=MAX_MONTHLY_INCOME,
        allow_zero=True,
        error_messages={
            "negative": _("The income cannot be negative."),
            "too_large": _("A monthly income cannot exceed %(max)s: check the amount."),
        },
    )

    class Meta:
        model = SocialAssessment
        fields = [
            "assessed_on",
            "housing",
            "household",
            "children",
            "resources",
            "monthly_income",
            "employment",
            "administrative_status",
            "has_domiciliation",
            "needs",
            "notes",
        ]
        widgets = {"needs": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 4})}

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The assessment date cannot be in the future."))
        return value

    def clean_children(self):
        value = self.cleaned_data.get("children")
        if value is not None and value > 30:
            raise forms.ValidationError(_("Check the number of children."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("resources") == SocialAssessment.Resources.NONE and cleaned.get("monthly_income"):
            self.add_error("monthly_income", _("An income is given while the resources are “none”."))
        return cleaned


class CoverageRightForm(ModelForm):
    class Meta:
        model = CoverageRight
        fields = ["regime", "status", "organisation", "filed_on", "decision_on", "start_date", "end_date", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("filed_on", "decision_on"):
            if cleaned.get(name) and cleaned[name] > today:
                self.add_error(name, _("This date cannot be in the future."))
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        filed, decided = cleaned.get("filed_on"), cleaned.get("decision_on")
        if filed and decided and decided < filed:
            self.add_error("decision_on", _("The decision date is before the filing date."))
        status = cleaned.get("status")
        S = CoverageRight.Status
        if (
            status in (S.FILED, S.GRANTED, S.REFUSED)
            and not filed
            and cleaned.get("regime") != CoverageRight.Regime.NONE
        ):
            self.add_error("filed_on", _("Give the date the application was filed."))
        if status in (S.GRANTED, S.REFUSED) and not decided:
            self.add_error("decision_on", _("Give the date of the decision."))
        if status == S.GRANTED and not start:
            self.add_error("start_date", _("Give the date the rights start."))
        return cleaned


class MedicalContextForm(ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MedicalContext
        fields = [
            "history",
            "chronic_conditions",
            "infections",
            "mental_health",
            "allergies",
            "treatments",
            "pregnant",
            "pregnancy_due_date",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("history", "chronic_conditions", "infections", "mental_health", "allergies", "treatments")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        self.fields["version"].required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pregnancy_due_date") and not cleaned.get("pregnant"):
            self.add_error("pregnancy_due_date", _("A due date is given but no pregnancy is recorded."))
        return cleaned


class OrientationForm(ModelForm):
    class Meta:
        model = Orientation
        fields = ["oriented_on", "destination", "detail", "outcome", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_oriented_on(self):
        value = self.cleaned_data["oriented_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The orientation date cannot be in the future."))
        return value


class ExitForm(Form):
    status = forms.ChoiceField(label=_("Follow-up status"), choices=Patient.Status.choices)
    exit_date = forms.DateField(label=_("Date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only a change; "active" re-opens the follow-up of a patient who came back.
        self.fields["status"].choices = [c for c in Patient.Status.choices if c[0] != current]

    def clean_exit_date(self):
        value = self.cleaned_data["exit_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The exit date cannot be in the future."))
        return value
