"""The budget's rows of the URL access matrix, run on their own (the full matrix walks every app)."""

import pytest

from tests.support.access import ROLES, RULES, expected_status, url_for, url_names

BUDGET_URLS = [name for name in url_names() if name.startswith("budget:")]


def test_every_budget_url_has_a_rule():
    assert BUDGET_URLS
    assert not [name for name in BUDGET_URLS if name not in RULES]


@pytest.mark.parametrize("persona", [*ROLES, "outsider", "anonymous"])
def test_it_answers_each_budget_url_as_the_role_table_says(client, personas, world, persona):
    if persona != "anonymous":
        client.force_login(personas[persona])
    failures = []
    for name in BUDGET_URLS:
        response = client.get(url_for(name, world))
        # Actions are POST-only: a GET is refused with 405 before any role check (anonymous: the login redirect).
        expected = expected_status(name, persona)
        if response.status_code != expected:
            failures.append(f"{name}: {response.status_code} (expected {expected})")
    assert not failures, f"{persona}: " + "; ".join(failures)
