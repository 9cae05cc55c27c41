"""In a real browser, the API's documentation page (Swagger UI from our own static files) shows
the operations under the Content-Security-Policy, with nothing blocked."""

import pytest
from playwright.sync_api import expect

from binhdang.tests.security.test_browser_csp import WATCH_VIOLATIONS

pytestmark = pytest.mark.security


def test_the_docs_page_runs_under_the_policy(page, live_map):
    page.add_init_script(WATCH_VIOLATIONS)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.get_by_text("Binhdang API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/figures/entries").first).to_be_visible()
    violations = page.evaluate("window.__cspViolations") or []
    assert not violations, violations
    origin = page.url.split("/api/")[0]
    assert requested and all(url.startswith(origin) for url in requested), requested
