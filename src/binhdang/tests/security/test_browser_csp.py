"""In a real browser, the main pages run under the Content-Security-Policy with no violation:
htmx's live search, the language switch (app.js) and the two-factor QR code still work."""

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import OrgUnit

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording every CSP violation and console error it meets."""
    console = []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    page.console_errors = console
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") or []


def test_main_pages_run_under_the_policy_and_htmx_still_works(watched, live_map):
    page = watched
    officer = make_user("qngai.quantri", OrgUnit.objects.get(code="P51"), Role.UNIT_ADMIN)
    log_in(page, officer.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    # htmx: the home page loads its targets at risk after the page, under the policy.
    expect(page.locator("#at-risk-rows")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("link", name="Đơn vị", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Quảng Ngãi")
    response = page.request.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # htmx: the live search swaps results in without inline script or injected style.
    commune = OrgUnit.objects.get(code="P51").children.live().order_by("name").first()
    page.get_by_placeholder("Tìm đơn vị theo tên", exact=False).first.fill(
        commune.search_name.split(" ", 1)[1]
    )
    result = page.locator("#search-results").get_by_role("link", name=commune.name, exact=False)
    expect(result.first).to_be_visible()
    assert page.locator("head style").count() == 0  # htmx injected no indicator style
    assert violations(page) == []

    # app.js: the language switch submits on change (it used to be an onchange attribute).
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("select[name=language]").select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # Pages with what used to be inline: the account list, the two-factor QR code (an image).
    for path in (f"/users/?unit={officer.unit_id}", "/activities/calendar/", "/indicators/"):
        page.goto(path)
        assert violations(page) == [], path
    page.goto("/account/two-factor/")
    qr = page.locator("img.qr-code")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('img.qr-code').naturalWidth") > 0
    assert violations(page) == []
    assert [m for m in page.console_errors if "Content Security Policy" in m] == []
