from django.urls import path

from budget import views

app_name = "budget"

urlpatterns = [
    # /budget/
    path("", views.dashboard, name="dashboard"),
    path("years/new/", views.year_create, name="year-create"),
    path("<int:year>/", views.dashboard, name="year"),
    path("<int:year>/edit/", views.year_edit, name="year-edit"),
    path("<int:year>/allocations/new/", views.allocation_create, name="allocation-create"),
    path("<int:year>/patients/", views.costliest_patients, name="costliest-patients"),
    # /budget/catalogue/
    path("catalogue/", views.catalogue_list, name="catalogue"),
    path("catalogue/new/", views.catalogue_item_create, name="catalogue-create"),
    path("catalogue/<int:pk>/", views.catalogue_item_edit, name="catalogue-edit"),
    # /budget/expenses/
    path("expenses/", views.expense_list, name="expenses"),
    path("expenses/new/", views.expense_create, name="expense-create"),
    path("expenses/<int:pk>/", views.expense_detail, name="expense-detail"),
    path("expenses/<int:pk>/cancel/", views.expense_cancel, name="expense-cancel"),
    # /budget/patients/<pk>/dispense/ ("Dispenser / prescrire" on the patient file)
    path("patients/<int:pk>/dispense/", views.dispense, name="dispense"),
    # /budget/export/
    path("export/", views.export, name="export"),
    path("export/expenses.csv", views.export_csv, name="export-csv"),
    path("export/expenses.xlsx", views.export_xlsx, name="export-xlsx"),
    # /budget/imports/
    path("imports/new/", views.pharmacy_import, name="import"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    # /budget/rcp-option/<pk>/ (pk: an option discussed for a case in RCP), and its actions (POST only)
    path("rcp-option/<int:pk>/", views.rcp_option, name="rcp-option"),
    path("rcp-option/<int:pk>/lines/", views.rcp_option_line_add, name="rcp-option-line-add"),
    path(
        "rcp-option/<int:pk>/lines/<int:line_pk>/withdraw/",
        views.rcp_option_line_withdraw,
        name="rcp-option-line-withdraw",
    ),
    path("rcp-option/<int:pk>/plan/", views.rcp_option_plan, name="rcp-option-plan"),
]
