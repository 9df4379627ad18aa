"""The bulk RCP history closes its actions as a real unit does: a few stay open, not hundreds."""

import random
from datetime import date, timedelta

from rcp.demo_scale import LATE_WINDOW, action_outcome
from rcp.models import Action

TODAY = date(2026, 12, 1)


def _share_open(due: date, draws: int = 20_000) -> float:
    rng = random.Random(1)
    outcomes = [action_outcome(rng.random(), due=due, today=TODAY)[0] for _ in range(draws)]
    return outcomes.count(Action.Status.OPEN) / draws


def test_it_leaves_very_few_old_actions_open():
    # Out of the ~11,700 actions of 100,000 patients, about 25 forgotten (was 2 %: ~240).
    assert 0 < _share_open(TODAY - timedelta(days=400)) < 0.005


def test_it_leaves_recent_late_actions_open_a_while_then_closes_them_late():
    assert 0.015 < _share_open(TODAY - timedelta(days=10)) < 0.03
    rng = random.Random(2)
    old = TODAY - LATE_WINDOW - timedelta(days=1)
    late = [action_outcome(rng.random(), due=old, today=TODAY) for _ in range(20_000)]
    assert sum(1 for status, was_late in late if was_late and status == Action.Status.DONE) > 300


def test_actions_not_due_yet_are_open_unless_dropped():
    assert 0.9 < _share_open(TODAY + timedelta(days=5)) < 0.97
