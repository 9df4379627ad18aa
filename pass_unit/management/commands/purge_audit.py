from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from pass_unit.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit trail rows older than the retention period (AUDIT_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Retention in days (default: AUDIT_RETENTION_DAYS).")
        parser.add_argument("--dry-run", action="store_true", help="Count the rows, delete nothing.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 180:
            # The CNIL expects access logs to be kept at least six months.
            raise CommandError("The audit trail must be kept at least 180 days.")
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} audit rows older than {cutoff:%Y-%m-%d} would be deleted.")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            # The append-only trigger lets deletes through only while this
            # transaction-local flag is on; it is switched off again right after,
            # in case we run inside a caller's longer transaction.
            cursor.execute("SET LOCAL pass_unit.audit_purge = 'on'")
            try:
                deleted, _ = old.delete()
            finally:
                cursor.execute("SET LOCAL pass_unit.audit_purge = 'off'")
        self.stdout.write(f"{deleted} audit rows older than {cutoff:%Y-%m-%d} deleted.")
