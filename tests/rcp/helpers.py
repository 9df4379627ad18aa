"""Moved to tests/support/rcp.py; kept so that older imports keep working."""

from tests.support.rcp import *  # noqa: F403
from tests.support.rcp import _TARGET, _TARGET_ITEM, _matrix_objects, _role  # noqa: F401
