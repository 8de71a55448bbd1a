"""The web chat in Welsh in a real browser (Swansea offers Welsh and English)."""

from __future__ import annotations

import pytest

from frontdoor.council_data import load_council_data
from frontdoor.settings import PROJECT_ROOT
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


@pytest.fixture
def swansea(app, db):
    load_council_data(PROJECT_ROOT / "config" / "swansea-demo", replace_council=True,
                      timezone=app.config["TIMEZONE"])
    db.session.commit()


def test_the_chat_page_in_welsh_passes_axe_with_lang_cy(browser, live_server, swansea):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/chat")
    page.get_by_role("link", name="Cymraeg").click()
    page.get_by_label("Eich neges").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.lang") == "cy"
    assert axe_violations(page) == []
    # A Welsh answer from the bot, through the widget's API (JavaScript on).
    page.get_by_label("Eich neges").fill("Helo, dw i angen help gyda bwyd plis, dw i'n byw yn "
                                         "Treforys")
    page.get_by_role("button", name="Anfon").click()
    page.get_by_text("Cydlynydd Ardal Leol", exact=False).first.wait_for(timeout=10_000)
    assert axe_violations(page) == []
    # After a reload the page stays Welsh, and the way back to English is a link.
    page.reload()
    assert page.evaluate("document.documentElement.lang") == "cy"
    english = page.get_by_role("link", name="English")
    assert english.get_attribute("lang") == "en"
    context.close()


def test_the_welsh_chat_page_works_without_javascript(browser, live_server, swansea):
    context = browser.new_context(java_script_enabled=False, extra_http_headers={
        "Accept-Language": "cy"})
    page = context.new_page()
    page.goto(f"{live_server}/chat")
    assert page.locator("html").get_attribute("lang") == "cy"
    page.get_by_label("Eich neges").fill("0")
    page.get_by_role("button", name="Anfon").click()
    page.get_by_text("Atebwch", exact=False).first.wait_for(timeout=10_000)
    context.close()
