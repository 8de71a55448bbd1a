"""Reports, outcomes and the resident's rights in real Chromium: charts drawn with their
data tables, and axe-core finds nothing on any of these pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from frontdoor.models import Resident
from tests.browser.conftest import axe_violations
from tests.browser.test_inbox_browser import sign_in
from tests.test_reports import fixture  # noqa: F401  (the known report fixture)

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def test_the_reports_page_draws_its_charts_with_data_tables_and_passes_axe(
        browser, live_server, auth, fixture):  # noqa: F811
    page = browser.new_context().new_page()   # the real Content-Security-Policy applies
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text
            else None)
    sign_in(page, live_server, "lead")
    page.goto(f"{live_server}/inbox/reports")
    charts = page.locator("img.chart")
    assert charts.count() == 9
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), i
        # Each chart is followed by its table of the same figures, with a caption.
        table = chart.locator("xpath=following::table[1]")
        assert table.locator("caption").inner_text()
        assert table.locator("tbody tr").count() >= 1
    assert page.get_by_role("table", name="Contacts and new people by week") \
        .get_by_role("row", name="16 Nov 2026").inner_text().split() == \
        ["16", "Nov", "2026", "3", "3"]
    assert refused == [], refused
    assert axe_violations(page) == []
    page.get_by_label("Ward").select_option(label="Abbey")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("table", name="Crisis contacts").wait_for()
    assert "ward=E05015507" in page.url
    assert axe_violations(page) == []


def test_the_outcomes_export_and_accessibility_pages_pass_axe(browser, live_server, auth, db,
                                                              fixture):  # noqa: F811
    resident = db.session.scalar(sa.select(Resident).where(Resident.address == "+447700900501"))
    page = browser.new_context().new_page()
    sign_in(page, live_server, "lead")
    page.goto(f"{live_server}/inbox/residents/{resident.id}/outcomes")
    page.get_by_label("In control of money").select_option("2")
    page.get_by_role("button", name="Save outcomes").click()
    page.get_by_text("Outcomes saved.").wait_for()
    assert page.get_by_role("table", name="Scores in each outcome domain", exact=False) \
        .get_by_role("row", name="In control of money").count() == 1
    assert axe_violations(page) == []
    for path in (f"/inbox/residents/{resident.id}/export", "/accessibility", "/chat"):
        page.goto(f"{live_server}{path}")
        assert axe_violations(page) == [], path
        assert page.get_by_role("link", name="Accessibility statement").count() == 1
