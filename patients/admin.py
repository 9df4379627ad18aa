from django.contrib import admin

from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    """Identity only: social and medical data are never exposed through the admin."""

    list_display = ["file_number", "last_name", "first_name", "birth_year", "status"]
    list_filter = ["status"]
    search_fields = ["file_number", "search_text"]
    fields = ["last_name", "first_name", "usage_name", "birth_year", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
