"""`manage.py seed_demo [--patients N] [--seed S] [--force]`: a realistic demo of a PASS unit.

Creates one account per role (password ``pass-unit-demo``), N invented patients (60 by
default, `patients.demo`), RCP meetings about some of them (`rcp.demo`) and the MIG budget
with its expenses (`budget.demo`). The same seed gives the same demo.

Accounts are created or updated on every run; patients, meetings and expenses only when no
demo patient exists yet ("Demo data already present"): the command never deletes anything.
It refuses to run when DEBUG is False (a production server) unless ``--force`` is given.

Above `patients.demo_scale.SCALE_THRESHOLD` patients (2,000), or with ``--scale``, it writes the
small demo's coherent stories first (60 patients, its meetings with real validated minutes, the
budget of this year and the last), then the rest as a 20-year history written in bulk (COPY):
`patients.demo_scale` (files, visits, assessments, rights, audit rows), `rcp.demo_scale`
(weekly meetings, held, with their cases and actions) and `budget.demo_scale` (20 budget years
and their expenses). `--patients 100000` takes a few minutes.
"""

import random
import time as clock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from budget import demo as budget_demo
from budget import demo_scale as budget_scale
from patients import demo as patients_demo
from patients import demo_scale as patients_scale
from rcp import demo as rcp_demo
from rcp import demo_scale as rcp_scale


class Command(BaseCommand):
    help = "Create demo accounts (one per role, password pass-unit-demo) and realistic demo patients."

    def add_arguments(self, parser):
        default = patients_demo.DEFAULT_PATIENTS
        parser.add_argument("--patients", type=int, default=default, help=f"Number of patients (default {default}).")
        parser.add_argument(
            "--seed", type=int, default=patients_demo.DEFAULT_SEED, help="Random seed (same seed, same demo)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is False. Never on a production database."
        )
        parser.add_argument(
            "--scale",
            action="store_true",
            help=f"Write the patients beyond the small demo in bulk, as a 20-year history (automatic above "
            f"{patients_scale.SCALE_THRESHOLD} patients).",
        )

    def handle(self, *args, patients: int, seed: int, force: bool, scale: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a public password and invented patients: it refuses to run "
                "when DEBUG is False (production settings). Set DEBUG=1 for a development database, or pass "
                "--force if you really mean it."
            )
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")
        started = clock.monotonic()
        with transaction.atomic():
            users = patients_demo.ensure_accounts()
            usernames = ", ".join(patients_demo.DEMO_USERNAMES)
            self.stdout.write(f"Demo accounts ready: {usernames} (password: {patients_demo.DEMO_PASSWORD}).")
            scale = scale or patients > patients_scale.SCALE_THRESHOLD
            small = min(patients, patients_demo.DEFAULT_PATIENTS) if scale else patients
            counts = patients_demo.seed(count=small, seed=seed, users=users)
            if counts is None:
                existing = patients_demo.demo_patients().count()
                self.stdout.write(f"Demo data already present ({existing} demo patients): no patient created.")
                return
            # The other modules seed on top of the patients, each with its own generator.
            demo = list(patients_demo.demo_patients().order_by("pk"))
            rcp_demo.seed(rng=random.Random(seed + 1), users=users, patients=demo)
            budget_demo.seed(rng=random.Random(seed + 2), users=users, patients=demo)
            if scale and patients > small:
                world = patients_scale.seed(count=patients - small, seed=seed, users=users)
                counts = {"small demo patients": counts["patients"], **world.counts}
                counts.update(rcp_scale.seed(world=world, seed=seed, users=users))
                counts.update(budget_scale.seed(world=world, seed=seed, users=users))
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {clock.monotonic() - started:.1f} s: {summary}."))
