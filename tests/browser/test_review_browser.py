"""The review list in a real browser: a coordinator reads what the front door answered,
marks it seen with one click, and corrects a reading; every page passes an axe-core scan."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from frontdoor.models import Message
from tests.browser.conftest import axe_violations
from tests.browser.test_inbox_browser import sign_in
from tests.conftest import make_phone

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]

PAYLOAD = '<script>alert(1)</script>'


def test_a_coordinator_marks_a_conversation_seen_and_corrects_another(
        browser, live_server, auth, app, client, db):
    make_phone(client, app, "+447700900701").text("need a food bank, i live in normanton")
    make_phone(client, app, "+447700900702").text(
        f"is there a lunch club in normanton {PAYLOAD}")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server)
    page.get_by_role("link", name="Answered by the front door").click()
    page.get_by_role("heading", name="Answered by the front door").wait_for()
    page.get_by_text(PAYLOAD, exact=False).wait_for()
    assert axe_violations(page) == []

    page.get_by_text("Read wrongly?").first.click()
    assert axe_violations(page) == [], "with a correction form open"
    page.get_by_role("button", name="Seen, fine (SMS ending 701)").click()
    page.get_by_text("Marked seen.").wait_for()
    assert page.get_by_text("need a food bank, i live in normanton").count() == 0
    assert page.get_by_text(PAYLOAD, exact=False).count() == 1

    page.get_by_text("Read wrongly?").first.click()
    message = db.session.scalar(sa.select(Message).where(Message.body.like("is there%")))
    page.locator(f"#need-{message.id}").select_option("loneliness")
    page.get_by_role("button", name="Save correction").first.click()
    page.get_by_text("Correction saved for retraining.").wait_for()
    assert page.get_by_text("Nothing waiting to be seen.").count() == 1
    assert dialogs == []


def test_the_leads_review_page_and_the_correction_page_pass_an_axe_scan(
        browser, live_server, auth, app, client, db):
    make_phone(client, app, "+447700900703").text("need a food bank, i live in normanton")
    make_phone(client, app, "+447700900704").text("is there a lunch club")
    message = db.session.scalar(sa.select(Message).where(Message.body == "is there a lunch club"))
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, "lead")
    for path in ("/inbox/review", "/inbox/review?ward=E05015521",
                 f"/inbox/messages/{message.id}/correction"):
        page.goto(f"{live_server}{path}")
        assert axe_violations(page) == [], path
    page.goto(f"{live_server}/inbox/review")
    assert page.get_by_role("cell", name="Ward not known").count() == 1
