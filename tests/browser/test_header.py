"""The blue bar at a desktop width, a small laptop and a phone: nothing cut, nothing wrapped, a working menu.

PASS_UNIT_TEST_DB=test_header .venv/bin/pytest tests/browser/test_header.py
"""

import pytest
from playwright.sync_api import expect

from pass_unit.roles import Role
from tests.support.browser import SCREENSHOTS, screenshot
from tests.support.users import make_user

# A real unit's name is often longer than the demo's.
LONG_UNIT_NAME = "PASS — Centre hospitalier intercommunal de Villeneuve-Saint-Georges"

UNIT = "[data-testid=unit-name]"
USER = "[data-testid=current-user]"
TOGGLE = "[data-testid=menu-toggle]"


def _fits(page, selector: str) -> bool:
    """No text cut off: the element's content is not wider than its box."""
    return page.locator(selector).evaluate("e => e.scrollWidth <= e.clientWidth")


def _lines(page, selector: str) -> float:
    """How many lines of text the element takes."""
    return page.locator(selector).evaluate(
        "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
    )


@pytest.fixture
def coordinator():
    # The coordinator has the most sections in the bar; a long hyphenated name.
    user = make_user("coordination", Role.COORDINATOR, last_name="Le Guillou-Vasseur")
    user.first_name = "Marie-Christine"
    user.save(update_fields=["first_name"])
    return user


@pytest.mark.parametrize("unit_name", ["PASS — Hôpital de démonstration", LONG_UNIT_NAME])
@pytest.mark.parametrize("width", [1280, 1024])
def test_it_shows_the_whole_bar_on_a_computer(live_server, page, log_in, settings, coordinator, width, unit_name):
    settings.PASS_UNIT_NAME = unit_name
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, coordinator)

    expect(page.locator(UNIT)).to_have_text(unit_name)
    assert _fits(page, UNIT), "the unit name is cut off"
    # The user's name on one line, with the role beside it.
    assert _lines(page, f"{USER} .user-name") < 1.5
    assert _fits(page, f"{USER} .user-name")
    expect(page.locator(USER)).to_contain_text("Marie-Christine Le Guillou-Vasseur")
    # No menu button: every section, the password link and the logout button are visible.
    expect(page.locator(TOGGLE)).to_be_hidden()
    for path in ("/patients/", "/rcp/", "/budget/", "/accounts/users/", "/audit/", "/accounts/password/"):
        expect(page.locator(f"nav a[href='{path}']")).to_be_visible()
    expect(page.locator("nav form[action='/accounts/logout/'] button")).to_be_visible()
    # Nothing in the bar runs past the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for item in page.locator("nav .nav-link, nav .btn").all():
        box = item.bounding_box()
        assert box["x"] + box["width"] <= width
    if unit_name != LONG_UNIT_NAME:
        # The demo's unit name stays on one line.
        assert _lines(page, UNIT) < 1.5
    # The bar and the top of the page, at the window's size.
    SCREENSHOTS.mkdir(exist_ok=True)
    name = f"header-{width}-{'long' if unit_name == LONG_UNIT_NAME else 'demo'}"
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), clip={"x": 0, "y": 0, "width": width, "height": 240})


def test_it_folds_the_sections_into_a_menu_on_a_phone(live_server, page, log_in, settings, coordinator, axe_check):
    settings.PASS_UNIT_NAME = LONG_UNIT_NAME
    page.set_viewport_size({"width": 390, "height": 844})
    # Bootstrap's collapse script comes from static/ and runs under the strict CSP without complaint.
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    log_in(page, coordinator)

    # The unit name wraps rather than being cut; the sections hide behind the menu button.
    assert _fits(page, UNIT)
    expect(page.locator(UNIT)).to_be_visible()
    toggle = page.locator(TOGGLE)
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("nav a[href='/patients/']")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "header-390-closed")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for path in ("/patients/", "/rcp/", "/budget/", "/accounts/users/", "/audit/", "/accounts/password/"):
        expect(page.locator(f"nav a[href='{path}']")).to_be_visible()
    expect(page.locator(USER)).to_be_visible()
    assert _lines(page, f"{USER} .user-name") < 1.5
    expect(page.locator("nav form[action='/accounts/logout/'] button")).to_be_visible()
    page.locator("#mainnav.show").wait_for()
    axe_check(page, "menu open on a phone")
    screenshot(page, "header-390-open")

    # The menu leads somewhere, and closes again.
    page.locator("nav a[href='/patients/']").click()
    page.wait_for_url("**/patients/")
    expect(page.locator("nav a[href='/patients/']")).to_be_hidden()
    toggle.click()
    page.locator("#mainnav.show").wait_for()  # Bootstrap ignores clicks while the menu slides open
    expect(page.locator("nav a[href='/patients/']")).to_be_visible()
    expect(page.locator("nav a[href='/patients/']")).to_have_attribute("aria-current", "page")
    toggle.click()
    expect(page.locator("nav a[href='/patients/']")).to_be_hidden()
    assert page.locator("script[src*='bootstrap.bundle.min.js']").count() == 1
    assert console_errors == []


def test_it_shows_where_the_keyboard_is(live_server, page, log_in, coordinator):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, coordinator)
    # The first Tab shows the skip link, the next ones walk the bar with a visible outline.
    page.keyboard.press("Tab")
    expect(page.locator("a[href='#main']")).to_be_focused()
    expect(page.locator("a[href='#main']")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(UNIT)).to_be_focused()
    outline = page.locator(UNIT).evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert outline == ["solid", "3px", "rgb(255, 255, 255)"]
    page.keyboard.press("Tab")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "header-focus.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 300})
    # In the page (the search field has the focus on arrival), a dark outline on the light background.
    page.goto(live_server.url + "/patients/")
    field = page.locator("main input[name=q]")
    expect(field).to_be_focused()
    style = field.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert style == ["solid", "3px"]
