from django.contrib import admin

from rcp.models import Meeting, MinutesVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    """The calendar only: cases, decisions and summaries are patient data, never shown in the admin."""

    list_display = ["scheduled_at", "kind", "place", "chair", "status"]
    list_filter = ["status", "kind"]
    fields = ["scheduled_at", "kind", "place", "chair", "status", "validated_at"]
    readonly_fields = fields


@admin.register(MinutesVersion)
class MinutesVersionAdmin(ReadOnlyAdmin):
    """Which minutes were stored, when, and their SHA-256 (to check a printed copy); not the PDF."""

    list_display = ["meeting", "number", "validated_at", "validated_by", "sha256", "size"]
    fields = ["meeting", "number", "supersedes", "validated_at", "validated_by", "sha256", "size"]
    readonly_fields = fields
