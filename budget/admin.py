from django.contrib import admin

from budget.models import BudgetYear, CatalogueItem, Expense, PharmacyImport


class ReadOnlyAdmin(admin.ModelAdmin):
    """Budget records change only through the app's pages, whose services write the audit trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BudgetYear)
class BudgetYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "allocation", "warning_pct", "critical_pct"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "category", "unit_price", "active"]
    list_filter = ["category", "active"]
    search_fields = ["code", "name"]


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    """Amounts only: which patient received which item is medical and stays out of the admin."""

    list_display = ["pk", "spent_on", "category", "amount", "status", "source"]
    list_filter = ["status", "category", "source"]
    fields = ["spent_on", "category", "amount", "status", "source", "paid_on", "cancel_reason"]
    date_hierarchy = "spent_on"


@admin.register(PharmacyImport)
class PharmacyImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "imported_at", "rows", "total"]
