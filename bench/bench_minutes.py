"""How long the RCP minutes take to render: a 20-case meeting, its extracts, a whole validation.

A draft's download is timed twice: rendered (first download, or nothing rendered ahead by the
worker) and served from the store (rcp.pdf.draft_minutes: its HTML rendered and hashed, the PDF
read). Validation stores the minutes in the request and queues the patients' extracts, which a
background task makes (`db_worker`): both parts are timed, the second by running the queued
tasks here. Times are wall-clock; `cpu` is the process's CPU time, less sensitive to other jobs.

    .venv/bin/python bench/bench_minutes.py [--cases 20] [--runs 5]

Runs against the configured database (DATABASE_URL or the embedded one) inside a
transaction that is rolled back: nothing is left behind. Results are printed and written
to bench/results/minutes.json (git-ignored).
"""

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pass_unit.settings")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from pass_unit.roles import Role  # noqa: E402
from patients.models import Patient  # noqa: E402
from rcp import pdf, services, tasks  # noqa: E402
from rcp.models import Action, CaseOption, CaseReview, DraftMinutes, Meeting, Participant  # noqa: E402

SOCIAL = (
    "Bilan social du {day} : hébergement d'urgence (115) ; personne seule ; sans ressources ; sans titre de séjour.\n"
    "Besoins : domiciliation, ouverture de l'AME, hébergement stable.\n"
    "Couverture : AME — dossier déposé le {day}, en attente de décision."
)


class Rollback(Exception):
    pass


def _user(username: str, role: Role, first: str, last: str) -> User:
    user = User.objects.create_user(username=f"bench-{username}", first_name=first, last_name=last)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def build(cases: int) -> Meeting:
    """A held meeting with `cases` decided cases, options, actions, and earlier actions to follow up."""
    chair = _user("medecin", Role.PHYSICIAN, "Claire", "Vasseur")
    team = [
        _user("medecin2", Role.PHYSICIAN, "Rachid", "Hamdani"),
        _user("infirmier", Role.NURSE, "Julien", "Mercier"),
        _user("infirmier2", Role.NURSE, "Aminata", "Sow"),
        _user("social", Role.SOCIAL_WORKER, "Nadia", "Bensaïd"),
        _user("psy", Role.PSYCHOLOGIST, "Hélène", "Garnier"),
        _user("coordination", Role.COORDINATOR, "Marc", "Lemoine"),
    ]
    patients = [
        Patient.objects.create(
            file_number=f"BENCH-{n:05d}",
            last_name=["Nguyễn", "Benali", "Konaté", "Ghebremedhin", "Wolfeschlegelsteinhausen"][n % 5],
            first_name=["Éloïse", "Mohammed", "Fatoumata", "Yonas", "Marie-Ange"][n % 5],
            birth_year=1960 + n,
        )
        for n in range(cases + 5)
    ]
    earlier = services.meeting_plan(
        meeting=Meeting(scheduled_at=timezone.now() + timedelta(hours=1), place="Salle de staff", chair=chair),
        members=team,
        acting_user=chair,
    )
    for patient in patients[cases:]:
        case = services.case_review_add(
            case_review=CaseReview(presented_by=chair, question="Suivi ?", decision="Suivi en externe"),
            meeting=earlier,
            patient=patient,
            acting_user=chair,
        )
        for who in team[:2]:
            services.action_add(
                action=Action(description="Action antérieure à suivre", assignee=who, due_on=timezone.localdate()),
                case_review=case,
                acting_user=chair,
            )
    Meeting.objects.filter(pk=earlier.pk).update(scheduled_at=timezone.now() - timedelta(days=21))

    meeting = services.meeting_plan(
        meeting=Meeting(
            scheduled_at=timezone.now() + timedelta(hours=1), place="Salle de staff, bâtiment B", chair=chair
        ),
        members=team,
        acting_user=chair,
    )
    for name, profession, organisation in [
        ("Dr Sophie Marchal", "Infectiologue", "Service des maladies infectieuses"),
        ("Yanis Belaïd", "Coordinateur", "Médecins du Monde"),
    ]:
        services.participant_add(
            participant=Participant(name=name, profession=profession, organisation=organisation),
            meeting=meeting,
            acting_user=chair,
        )
    day = timezone.localdate().strftime("%d/%m/%Y")
    for n, patient in enumerate(patients[:cases]):
        case = services.case_review_add(
            case_review=CaseReview(
                presented_by=team[n % len(team)] if n % 3 else chair,
                question=f"Cas {n + 1} : quelle prise en charge sans droits ouverts, et dans quel délai ?",
                social_summary=SOCIAL.format(day=day),
                urgent=n % 7 == 0,
            ),
            meeting=meeting,
            patient=patient,
            medical_summary="Diabète de type 2 déséquilibré ; hypertension.",
            acting_user=chair,
        )
        for description, cost, retained in [
            ("Hospitalisation de jour pour bilan", "850.00", False),
            ("Bilan en consultations externes étalées", "320.00", True),
        ]:
            services.option_add(
                option=CaseOption(description=description, estimated_cost=Decimal(cost), retained=retained),
                case_review=case,
                acting_user=chair,
            )
        case.deliberation = "Discussion collégiale : le bilan externe suffit si l'éducation thérapeutique est assurée."
        case.ethical_issues = "Coût pour l'établissement au regard du bénéfice attendu." if n % 4 == 0 else ""
        case.decision = f"Décision {n + 1} : bilan en externe, insuline débutée, éducation thérapeutique."
        case.follow_up_by = team[1]
        case.next_review_on = timezone.localdate() + timedelta(days=42)
        services.case_review_update(case_review=case, acting_user=chair)
        for who in (team[3], team[1]):
            services.action_add(
                action=Action(
                    description="Déposer la demande d'AME", assignee=who, due_on=timezone.localdate() + timedelta(14)
                ),
                case_review=case,
                acting_user=chair,
            )
    Meeting.objects.filter(pk=meeting.pk).update(scheduled_at=timezone.now() - timedelta(hours=1))
    meeting.refresh_from_db()
    services.attendance_record(
        meeting=meeting, attendance={p.pk: "present" for p in meeting.participants.all()}, acting_user=chair
    )
    meeting.refresh_from_db()
    return meeting


def timed(func, runs: int) -> tuple[list[tuple[float, float]], object]:
    """(wall, cpu) seconds of each run, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return times, result


def summary(times: list[tuple[float, float]]) -> dict:
    wall = [w for w, _c in times]
    return {
        "min_s": round(min(wall), 3),
        "median_s": round(statistics.median(wall), 3),
        "max_s": round(max(wall), 3),
        "cpu_median_s": round(statistics.median(c for _w, c in times), 3),
        "runs": len(times),
    }


def run_queued_extracts() -> int:
    """What `db_worker` does after a validation: run each queued extract task (here, in this process)."""
    queued = DBTaskResult.objects.ready().filter(task_path=tasks.file_minutes_extract.module_path)
    count = 0
    for row in queued:
        tasks.file_minutes_extract.call(**row.args_kwargs["kwargs"])
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            meeting = build(args.cases)
            results["build_s"] = round(time.perf_counter() - started, 2)

            started = time.perf_counter()
            pdf.render_minutes(meeting)  # the first render loads WeasyPrint's fonts and styles
            results["first_render_s"] = round(time.perf_counter() - started, 3)

            times, rendered = timed(lambda: pdf.render_minutes(meeting), args.runs)
            pages = len(PdfReader(io.BytesIO(rendered.pdf)).pages)
            results["minutes"] = {**summary(times), "pages": pages, "bytes": len(rendered.pdf)}

            # A draft download (rcp.pdf.draft_minutes): rendered when the store has nothing for
            # this HTML (first download, or nothing rendered ahead), then served from the store.
            def first_download():
                DraftMinutes.objects.filter(meeting=meeting).delete()
                return pdf.draft_minutes(meeting)

            times, (_data, stored) = timed(first_download, args.runs)
            assert not stored
            results["draft_first_download"] = summary(times)
            times, (_data, stored) = timed(lambda: pdf.draft_minutes(meeting), args.runs)
            assert stored
            results["draft_from_store"] = summary(times)

            case = meeting.cases.order_by("position").first()
            times, rendered = timed(lambda: pdf.render_extract(meeting, case), args.runs)
            results["extract"] = {**summary(times), "bytes": len(rendered.pdf)}

            coordinator = User.objects.get(username="bench-coordination")
            (timing,), version = timed(lambda: services.minutes_validate(meeting=meeting, acting_user=coordinator), 1)
            results["validation_s"], results["validation_cpu_s"] = round(timing[0], 2), round(timing[1], 2)
            results["validation_extracts_filed"] = version.extracts.count()
            (timing,), queued = timed(run_queued_extracts, 1)
            results["background_extracts"] = queued
            results["background_s"], results["background_cpu_s"] = round(timing[0], 2), round(timing[1], 2)
            results["extracts_filed"] = version.extracts.count()
            raise Rollback
    except Rollback:
        pass
    results["cases"] = args.cases
    results["machine"] = {
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "minutes.json").write_text(json.dumps(results, indent=2))
    m, e, r = results["minutes"], results["extract"], results
    print(f"{args.cases}-case meeting, minutes: {m['pages']} pages, {m['bytes'] // 1024} KiB")
    print(f"  first render (fonts loading)   {r['first_render_s']:.3f} s")
    print(f"  minutes render, {m['runs']} runs       min {m['min_s']:.3f} s, median {m['median_s']:.3f} s", end="")
    print(f", max {m['max_s']:.3f} s (CPU {m['cpu_median_s']:.3f} s)")
    for key, label in [
        ("draft_first_download", "draft download, rendered "),
        ("draft_from_store", "draft download, stored   "),
    ]:
        d = r[key]
        print(f"  {label}     min {d['min_s']:.3f} s, median {d['median_s']:.3f} s (CPU {d['cpu_median_s']:.3f} s)")
    print(f"  one patient's extract          min {e['min_s']:.3f} s, median {e['median_s']:.3f} s", end="")
    print(f" (CPU {e['cpu_median_s']:.3f} s)")
    print(f"  validation (request: minutes + queue)   {r['validation_s']:.2f} s (CPU {r['validation_cpu_s']:.2f} s)")
    print(f"  {r['background_extracts']} extracts in the background       {r['background_s']:.2f} s", end="")
    print(f" (CPU {r['background_cpu_s']:.2f} s), {r['extracts_filed']} filed")
    print(f"  load average {r['machine']['load_average']} on {r['machine']['cpus']} CPUs")


if __name__ == "__main__":
    main()
