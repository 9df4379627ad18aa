"""Moved to tests/support/budget.py; kept so that older imports keep working."""

from tests.support.budget import *  # noqa: F403
