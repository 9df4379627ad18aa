"""Moved to tests/support/factories.py; kept so that older imports keep working."""

from tests.support.factories import *  # noqa: F403
