"""Every RCP page renders for the roles that may open it, with no inline code (CSP)."""

import pytest
from django.urls import get_resolver

from tests.rcp.helpers import rcp_url
from tests.security.test_hardening import inline_code

RCP_URLS = sorted(
    f"rcp:{name}" for name in get_resolver().namespace_dict["rcp"][1].reverse_dict if isinstance(name, str)
)


@pytest.mark.parametrize("persona", ["social", "nurse", "physician", "psychologist", "coordinator"])
def test_rcp_pages_render_without_inline_code(client, personas, patient, persona):
    world = {"patient": patient, "target": personas["physician"]}
    client.force_login(personas[persona])
    rendered = set()
    for name in RCP_URLS:
        response = client.get(rcp_url(name, world))
        if response.status_code != 200:
            continue
        rendered.add(name)
        if name.endswith("-pdf"):
            assert response["Content-Type"] == "application/pdf"
            continue
        assert response["Content-Type"].startswith("text/html"), name
        assert inline_code(response.content.decode()) == [], name
    assert {"rcp:list", "rcp:detail", "rcp:case-detail", "rcp:minutes-pdf"} <= rendered
