from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from pass_unit.forms import Form, ModelForm
from pass_unit.roles import Role, role_of


def role_choices_for(acting_user) -> list[tuple[str, str]]:
    """A coordinator manages the team; only an administrator creates administrators."""
    roles = list(Role)
    if role_of(acting_user) != Role.ADMIN:
        roles.remove(Role.ADMIN)
    return [(r.value, r.label) for r in roles]


class AccountForm(ModelForm):
    role = forms.ChoiceField(label=_("Role"))

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(acting_user)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk:
            role = role_of(self.instance)
            self.fields["role"].initial = role.value if role else None

    def clean_username(self):
        # Normalised as the login form does (NFKC), or the account could never log in ("ﬁona" is
        # typed "fiona"); checked again afterwards, since lower-casing can make it invalid ("İ").
        username = User.normalize_username(User.normalize_username(self.cleaned_data["username"]).strip().lower())
        User.username_validator(username)
        clash = User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username


class AccountCreateForm(AccountForm):
    password1 = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password. Give it to the person in private."),
    )
    password2 = forms.CharField(
        label=_("Initial password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class DeactivateForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked on the server too.

    Django only sets the `maxlength` attribute of the input: a longer username reached
    authenticate() and django-axes, whose failed-attempt row (varchar 255) then made the
    login page answer 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
