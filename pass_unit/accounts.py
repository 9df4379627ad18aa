"""Accounts: one per person, managed by the coordinator and the admin; never deleted."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pass_unit import access, audit
from pass_unit.account_forms import AccountCreateForm, AccountForm, DeactivateForm, role_choices_for
from pass_unit.roles import Role, role_of


def _get_account_for_user(request, pk) -> User:
    access.require(access.can_manage_accounts(request.user))
    account = get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)
    # A coordinator may not touch an administrator's account.
    allowed = {value for value, _label in role_choices_for(request.user)}
    role = role_of(account)
    access.require(role is None or role.value in allowed)
    return account


def _set_role(user: User, role_value: str) -> None:
    user.groups.set([Group.objects.get(name=role_value)])
    user.is_staff = role_value == Role.ADMIN
    user.is_superuser = role_value == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user._pass_role = False  # invalidate the cached role


ACCOUNTS_PAGE_SIZE = 50


# /accounts/users/
@require_safe
def account_list(request):
    access.require(access.can_manage_accounts(request.user))
    users = User.objects.prefetch_related("groups").order_by("-is_active", "last_name", "first_name", "pk")
    page = Paginator(users, ACCOUNTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pass_unit/accounts/list.html", {"users": page.object_list, "page": page})


# /accounts/users/new/
def account_create(request):
    access.require(access.can_manage_accounts(request.user))
    form = AccountCreateForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.set_password(form.cleaned_data["password1"])
            user.save()
            _set_role(user, form.cleaned_data["role"])
            audit.record(
                request.user,
                "account",
                obj=user,
                changes={"role": [None, form.cleaned_data["role"]], "is_active": [None, True]},
                detail="create",
            )
        messages.success(request, _("Account %(username)s created.") % {"username": user.username})
        return redirect("accounts:list")
    return render(request, "pass_unit/accounts/form.html", {"form": form, "creating": True})


# /accounts/users/<pk>/
def account_edit(request, pk):
    account = _get_account_for_user(request, pk)
    old_role = role_of(account)
    form = AccountForm(request.POST or None, instance=account, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = User.objects.get(pk=account.pk)
            account = form.save()
            new_role = form.cleaned_data["role"]
            changes = {
                name: [getattr(before, name), getattr(account, name)]
                for name in form.Meta.fields
                if getattr(before, name) != getattr(account, name)
            }
            if not old_role or old_role.value != new_role:
                _set_role(account, new_role)
                changes["role"] = [old_role.value if old_role else None, new_role]
            if changes:
                audit.record(request.user, "account", obj=account, changes=changes, detail="update")
        messages.success(request, _("Account updated."))
        return redirect("accounts:list")
    return render(request, "pass_unit/accounts/form.html", {"form": form, "account": account})


# /accounts/users/<pk>/active/
def account_toggle_active(request, pk):
    account = _get_account_for_user(request, pk)
    access.require(account.pk != request.user.pk)
    form = DeactivateForm(request.POST or None) if account.is_active else None
    if request.method == "POST" and (form is None or form.is_valid()):
        with transaction.atomic():
            account.is_active = not account.is_active
            account.save(update_fields=["is_active"])
            audit.record(
                request.user,
                "account",
                obj=account,
                changes={"is_active": [not account.is_active, account.is_active]},
                detail=form.cleaned_data["reason"] if form else "reactivate",
            )
        if account.is_active:
            messages.success(request, _("Account reactivated."))
        else:
            messages.success(request, _("Account deactivated: the person can no longer log in."))
        return redirect("accounts:list")
    return render(request, "pass_unit/accounts/toggle.html", {"form": form, "account": account})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's password ends every other session of the account.

    Django checks each session against a hash of the password, so the other
    sessions are invalid as soon as the new password is saved; this one is kept.
    """

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request.user, "account", obj=self.request.user, detail="password")
        messages.success(self.request, _("Password changed. Your other sessions have been closed."))
        return response
