"""RCP meetings of the hospital-scale demo (`manage.py seed_demo --patients 100000`, issue 11).

One meeting for every 100 bulk patients (1,000 for 100,000), spread evenly from the start of
the history to three weeks before the small demo's first meeting, each with about ten cases of
patients followed at the time (registered in the year before, not yet gone), decided, with one or
two actions (mostly done by their due date, some late, a few dropped; open only while not due
yet or due recently, and a rare forgotten one) and the team present (quorum met).

The minutes of these meetings are NOT validated: rendering a real PDF takes about 0.15 s a
page, so 1,000 meetings would take an hour, and a shared placeholder PDF would be a false
document. They stay "held" (minutes to validate); the small demo's recent meetings carry the
real, validated minutes. Written with COPY (see `patients.demo_scale.Copier`).
"""

import bisect
import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from patients.demo_data import ACCOUNTS
from patients.demo_scale import Copier, ScaleWorld, reserve_ids
from rcp.demo import GUESTS, PLACE, STORIES
from rcp.models import Action, CaseReview, Meeting, Participant

CASES_PER_MEETING = 10
PATIENTS_PER_MEETING = 100
TEAM = ["infirmier", "social", "psy", "coordination"]
ROLES = {account.username: account.role.value for account in ACCOUNTS}
_BLANKS = {
    "who": "le patient",
    "e": "",
    "housing": "hébergé par le 115",
    "coverage": "sans couverture maladie",
    "status": "en situation irrégulière",
    "sa": "sa",
    "language": "en français",
    "previous": "précédente",
}


# What becomes of an action decided at a bulk meeting. A unit closes most actions by their due
# date and the late ones within weeks: an action stays open only while it is not due yet or due
# recently (LATE_WINDOW), or in the rare file everyone forgot (FORGOTTEN, a handful at 100,000
# patients, which the meeting page's Suivi shows first as the most overdue).
DROPPED = 0.05
LATE = 0.02
FORGOTTEN = 0.002
LATE_WINDOW = timedelta(weeks=6)


def action_outcome(draw: float, *, due, today) -> tuple[str, bool]:
    """(status, closed late) of a bulk action from a uniform `draw` in [0, 1)."""
    if draw < DROPPED:
        return Action.Status.DROPPED, False
    if due > today:
        return Action.Status.OPEN, False
    if draw < DROPPED + LATE:
        return (Action.Status.OPEN, False) if due >= today - LATE_WINDOW else (Action.Status.DONE, True)
    if draw < DROPPED + LATE + FORGOTTEN:
        return Action.Status.OPEN, False
    return Action.Status.DONE, False


class _Blank(dict):
    def __missing__(self, key):
        return ""


def _fill(text: str) -> str:
    return text.format_map(_Blank(_BLANKS)) if text else text


def seed(*, world: ScaleWorld, seed: int, users: dict) -> dict[str, int]:
    patients = world.patients
    count = len(patients) // PATIENTS_PER_MEETING
    if not patients or count == 0:
        return {"meetings": 0, "case reviews": 0, "actions": 0}
    rng = random.Random(f"pass-unit-scale-rcp:{seed}")
    tz = timezone.get_current_timezone()
    now = timezone.now()
    ids = {name: user.pk for name, user in users.items()}
    first = patients[0].registered_at + timedelta(days=30)
    earliest = Meeting.objects.order_by("scheduled_at").values_list("scheduled_at", flat=True).first()
    last = min(earliest or now, now) - timedelta(days=21)
    if last <= first:
        first = last - timedelta(days=7 * count)
    step = (last - first) / count
    registered = [p.registered_at for p in patients]
    meeting_ids = reserve_ids(Meeting, count)
    case_rows, meetings = [], []
    for n, meeting_id in enumerate(meeting_ids):
        day = timezone.localtime(first + step * n, tz).date()
        while day.weekday() != 1:  # Tuesdays, 14:00
            day -= timedelta(days=1)
        at = datetime.combine(day, time(14), tzinfo=tz)
        chair = rng.choice(["medecin", "medecin2"])
        kind = rng.choices(list(Meeting.Kind), weights=[6, 3, 1])[0]
        meetings.append((meeting_id, at, chair, kind))
        # Patients followed that day: registered in the year before, not gone before the meeting.
        low = bisect.bisect_left(registered, at - timedelta(days=365))
        high = bisect.bisect_left(registered, at - timedelta(days=3))
        if high - low < CASES_PER_MEETING * 2:  # a small history: the last files opened before
            low = max(0, high - CASES_PER_MEETING * 4)
        chosen = set()
        for _ in range(CASES_PER_MEETING * 4):
            if len(chosen) >= CASES_PER_MEETING or high <= low:
                break
            p = patients[rng.randrange(low, high)]
            if p.exit and p.exit[1] < day:
                continue
            chosen.add(p.index)
        for position, index in enumerate(sorted(chosen), start=1):
            case_rows.append((meeting_id, at, chair, position, patients[index]))

    with Copier(Meeting, with_pk=True) as copy:
        for meeting_id, at, chair, kind in meetings:
            planned_at = at - timedelta(days=10)
            copy.row(
                {
                    "id": meeting_id,
                    "scheduled_at": at,
                    "kind": kind,
                    "place": PLACE,
                    "chair_id": ids[chair],
                    "status": Meeting.Status.HELD,
                    "created_by_id": ids[chair],
                    "created_at": planned_at,
                    "updated_at": at + timedelta(hours=2),
                }
            )
    with Copier(Participant) as copy:
        for meeting_id, at, chair, kind in meetings:
            planned_at = at - timedelta(days=10)
            for name in [chair, *TEAM]:
                copy.row(
                    {
                        "meeting_id": meeting_id,
                        "user_id": ids[name],
                        "role": ROLES[name],
                        "attendance": Participant.Attendance.PRESENT,
                        "created_at": planned_at,
                    }
                )
            if kind == Meeting.Kind.MEDICO_SOCIAL:
                name, profession, organisation = rng.choice(GUESTS)
                copy.row(
                    {
                        "meeting_id": meeting_id,
                        "name": name,
                        "profession": profession,
                        "organisation": organisation,
                        "attendance": Participant.Attendance.PRESENT,
                        "created_at": planned_at,
                    }
                )

    case_ids = reserve_ids(CaseReview, len(case_rows))
    actions = 0
    today = timezone.localdate()
    by_condition = {}
    for story in STORIES:
        by_condition.setdefault(story.condition, []).append(story)
    with Copier(CaseReview, with_pk=True) as copy:
        for case_id, (meeting_id, at, chair, position, patient) in zip(case_ids, case_rows, strict=True):
            condition = patient.conditions[0] if patient.conditions else ""
            story = rng.choice(by_condition.get(condition) or by_condition[""])
            day = timezone.localtime(at, tz).date()
            copy.row(
                {
                    "id": case_id,
                    "meeting_id": meeting_id,
                    "patient_id": patient.pk,
                    "position": position,
                    "presented_by_id": ids[story.presenter] if story.presenter in ids else ids[chair],
                    "proposed_by_id": ids[patient.physician],
                    "question": _fill(story.question) or "Quelle prise en charge ?",
                    "social_summary": "Sans couverture maladie à l'arrivée ; dossier de droits en cours.",
                    "deliberation": _fill(story.deliberation),
                    "ethical_issues": _fill(story.ethical),
                    "decision": _fill(story.decision) or "Poursuite du suivi à la PASS.",
                    "departs_from_guidelines": story.departs_from_guidelines,
                    "follow_up_by_id": ids[patient.physician],
                    "next_review_on": day + timedelta(days=90) if rng.random() < 0.3 else None,
                    "patient_informed": True,
                    "created_at": at - timedelta(days=rng.randint(2, 7)),
                    "updated_at": at + timedelta(hours=1),
                }
            )
            world.cases.append((case_id, patient.pk, day))
    with Copier(Action) as copy:
        for case_id, (_meeting_id, at, chair, _position, _patient) in zip(case_ids, case_rows, strict=True):
            day = timezone.localtime(at, tz).date()
            for description, assignee, days in (rng.choice(STORIES).actions or (("Revoir le patient", "medecin", 15),))[
                : rng.choice([1, 1, 2])
            ]:
                due = day + timedelta(days=days)
                status, late = action_outcome(rng.random(), due=due, today=today)
                closed = datetime.combine(due, time(11), tzinfo=tz)
                closed += timedelta(days=rng.randint(7, 42)) if late else -timedelta(days=rng.randint(0, 5))
                closed = None if status == Action.Status.OPEN else min(now, closed)
                reason = "Patient perdu de vue." if status == Action.Status.DROPPED else ""
                copy.row(
                    {
                        "case_review_id": case_id,
                        "description": _fill(description)[:200],
                        "assignee_id": ids.get(assignee, ids[chair]),
                        "due_on": due,
                        "status": status,
                        "drop_reason": reason,
                        "closed_at": max(closed, at) if closed else None,
                        "closed_by_id": ids.get(assignee, ids[chair]) if closed else None,
                        "created_by_id": ids[chair],
                        "created_at": at + timedelta(hours=1),
                    }
                )
                actions += 1
    return {"meetings": len(meetings), "case reviews": len(case_rows), "actions": actions}
