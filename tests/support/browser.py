"""Helpers of the browser tests (Playwright): logging in through the real form, screenshots, axe-core.

The fixtures (the Chromium launch, `log_in`, `axe_check`…) are in tests/browser/conftest.py.
"""

import functools
from pathlib import Path

from tests.support.users import PASSWORD

BROWSER_TESTS = Path(__file__).resolve().parent.parent / "browser"
SCREENSHOTS = BROWSER_TESTS / "screenshots"
# axe-core 4.14.1 from the npm registry (see vendor/README.md): for the tests only.
AXE_SOURCE = BROWSER_TESTS / "vendor" / "axe.min.js"
# WCAG 2.1 level A and AA: what the RGAA requires.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_BLOCKING_IMPACTS = ("serious", "critical")


def login(page, live_server, user, password: str = PASSWORD):
    """Log in through the real login form, and wait until we have left it."""
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The navbar shows who is logged in.
    page.locator("[data-testid=current-user]").wait_for(state="attached")
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as tests/browser/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@functools.cache
def _axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def axe_violations(page, impacts=AXE_BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the current page; the violations of the given impacts.

    The app's CSP forbids inline scripts, so `add_script_tag(content=...)` would be blocked:
    `page.evaluate` runs the source through the DevTools protocol, which the CSP does not govern.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        AXE_TAGS,
    )
    return [violation for violation in results["violations"] if violation["impact"] in impacts]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:20]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1].strip()}")
        if len(violation["nodes"]) > 20:
            lines.append(f"    ... and {len(violation['nodes']) - 20} more")
    return "\n".join(lines)
