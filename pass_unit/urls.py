from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pass_unit import accounts, audit_views, views
from pass_unit.account_forms import LoginForm

account_patterns = (
    [
        # /accounts/users/
        path("", accounts.account_list, name="list"),
        path("new/", accounts.account_create, name="create"),
        path("<int:pk>/", accounts.account_edit, name="edit"),
        path("<int:pk>/active/", accounts.account_toggle_active, name="toggle-active"),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # /accounts/
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/users/", include(account_patterns)),
    # /audit/
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("patients/<int:pk>/access-log/", audit_views.patient_access_log, name="patient-access-log"),
    # The home dashboard's one-click "lost to follow-up" (POST only)
    path("patients/<int:pk>/lost/", views.patient_mark_lost, name="patient-mark-lost"),
    path("patients/", include("patients.urls")),
    path("budget/", include("budget.urls")),
    path("rcp/", include("rcp.urls")),
    path("reports/", include("pass_unit.reports.urls")),
    path("admin/", admin.site.urls),
]
