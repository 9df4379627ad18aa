"""Every RCP page renders for the roles that may open it, with no inline code (CSP).

A page that should render and does not fails the test (it is never skipped): every rcp: URL
is either a page, an action that takes only a POST, or refused to the role by the role table
(../shared/DESIGN.md) — a new URL must be put in one of these.
"""

import pytest
from django.urls import get_resolver

from tests.support.pages import inline_code
from tests.support.rcp import rcp_url

RCP_URLS = sorted(
    f"rcp:{name}" for name in get_resolver().namespace_dict["rcp"][1].reverse_dict if isinstance(name, str)
)

# Buttons of the meeting and case pages: a GET answers 405.
POST_ONLY = {
    "rcp:agenda-move",
    "rcp:agenda-urgent",
    "rcp:case-action-add",
    "rcp:case-deliberation",
    "rcp:case-option-add",
    "rcp:case-option-withdraw",
    "rcp:participant-add-guest",
    "rcp:participant-add-member",
    "rcp:participant-withdraw",
}
# What each role may not open (403). The world's meeting is chaired by the physician, its
# action assigned to the social worker.
REFUSED = {
    # Reads and proposes; never plans, runs or edits a meeting, never sees the medical annex.
    "social": {
        "rcp:agenda",
        "rcp:annex-pdf",
        "rcp:attendance",
        "rcp:case-edit",
        "rcp:correct",
        "rcp:create",
        "rcp:edit",
        "rcp:participants",
        "rcp:validate",
    },
    # Carers who do not chair: everything but validating or correcting the minutes.
    "nurse": {"rcp:correct", "rcp:validate"},
    "psychologist": {"rcp:correct", "rcp:validate"},
    # The chair.
    "physician": set(),
    # Reads and validates; neither plans nor proposes, never sees the medical annex.
    "coordinator": {
        "rcp:action-close",
        "rcp:agenda",
        "rcp:annex-pdf",
        "rcp:attendance",
        "rcp:case-create",
        "rcp:case-edit",
        "rcp:create",
        "rcp:edit",
        "rcp:participants",
        "rcp:propose",
    },
}


def test_every_rcp_url_is_classified():
    unknown = (POST_ONLY | set().union(*REFUSED.values())) - set(RCP_URLS)
    assert not unknown, f"no such rcp: URL any more: {sorted(unknown)}"


@pytest.mark.parametrize("persona", sorted(REFUSED))
def test_rcp_pages_render_without_inline_code(client, personas, patient, persona):
    world = {"patient": patient, "target": personas["physician"]}
    client.force_login(personas[persona])
    wrong = {}
    for name in RCP_URLS:
        response = client.get(rcp_url(name, world))
        expected = 405 if name in POST_ONLY else 403 if name in REFUSED[persona] else 200
        if response.status_code != expected:
            wrong[name] = f"{response.status_code} (expected {expected})"
            continue
        if expected != 200:
            continue
        if name.endswith("-pdf"):
            assert response["Content-Type"] == "application/pdf", name
            continue
        assert response["Content-Type"].startswith("text/html"), name
        assert inline_code(response.content.decode()) == [], name
    assert not wrong, f"{persona}: {wrong}"
