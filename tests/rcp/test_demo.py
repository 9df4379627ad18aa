"""rcp.demo.seed: the demo meetings, built through the services (called by seed_demo)."""

import io
import random

from django.utils import timezone
from pypdf import PdfReader

from patients.demo import build_demo, ensure_accounts, write_demo
from patients.models import Patient
from rcp import demo, pdf
from rcp.models import Action, Meeting, MinutesExtract, MinutesVersion


def test_it_seeds_past_held_and_planned_meetings(db):
    users = ensure_accounts()
    write_demo(build_demo(20, now=timezone.now()), users)
    demo.seed(rng=random.Random(2026), users=users, patients=list(Patient.objects.order_by("pk")))

    statuses = list(Meeting.objects.order_by("scheduled_at").values_list("status", flat=True))
    assert statuses == ["validated", "validated", "validated", "held", "planned"]
    now = timezone.now()
    validated = Meeting.objects.filter(status="validated")
    assert all(m.scheduled_at < m.validated_at <= now for m in validated)
    for version in MinutesVersion.objects.all():
        data = bytes(version.pdf)
        assert pdf.sha256(data) == version.sha256
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1
    assert MinutesExtract.objects.count() == sum(m.cases.count() for m in validated)
    held = Meeting.objects.get(status="held")
    assert held.cases.exclude(decision="").count() == 2 and held.cases.filter(decision="").count() == 1
    planned = Meeting.objects.get(status="planned")
    assert planned.scheduled_at > now and planned.cases.count() == 3 and planned.cases.filter(urgent=True).exists()
    # Actions were followed up between meetings: some done, some dropped, some still open.
    assert set(Action.objects.values_list("status", flat=True)) == {"open", "done", "dropped"}
    assert not Action.objects.filter(closed_at__gt=now).exists()
    # A patient came back to a later meeting.
    assert Meeting.objects.filter(cases__previous_review__isnull=False).exists()
