"""Playwright tests in the system Chromium, against pytest-django's live server.

Run them on your own test database (others share the embedded server):

    PASS_UNIT_TEST_DB=test_browser .venv/bin/pytest tests/browser -q

Screenshots land in tests/browser/screenshots/ (git-ignored) for humans to look at. The helpers
(`login`, `screenshot`, `axe_violations`…) live in tests/support/browser.py; fixtures stay here.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from pass_unit.roles import Role
from tests.support.browser import axe_violations, format_violations, login
from tests.support.users import PASSWORD

# Playwright's sync API runs an event loop in the test thread: without this, Django
# refuses ORM calls there (creating the test database raises SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items: mark only the ones under tests/browser/.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Launch the Debian Chromium: `playwright install` cannot download here."""
    executable = shutil.which("chromium")
    if not executable:
        message = "Chromium not found: `apt-get install -y chromium` to run the browser tests."
        if os.environ.get("CI"):
            pytest.fail(message + " Browser tests must run in CI.", pytrace=False)
        pytest.skip(message)
    return {"executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A French workstation in Paris, with a desktop-sized window."""
    return {
        **browser_context_args,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture(autouse=True)
def roles(transactional_db):
    """The role groups, for every browser test.

    The groups come from a data migration, but the live server needs a transactional
    database, which pytest-django empties with TRUNCATE after each test: from the
    second browser test on, the groups would be gone.
    """
    return {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}


@pytest.fixture
def log_in(live_server):
    """log_in(page, user): the login helper bound to the live server."""

    def _log_in(page, user, password: str = PASSWORD):
        return login(page, live_server, user, password)

    return _log_in


@pytest.fixture
def axe_check():
    """axe_check(page, label): fail if axe-core finds a serious or critical WCAG 2.1 A/AA violation.

    Call it once the page shows what is to be checked (after a goto or an interaction);
    `label` names the page in the failure message.
    """

    def _check(page, label: str) -> None:
        violations = axe_violations(page)
        if violations:
            pytest.fail(
                f"Accessibility ({label}, {page.url}): {len(violations)} serious/critical axe-core "
                f"violation(s):\n{format_violations(violations)}",
                pytrace=False,
            )

    return _check
