"""The web chat in a real browser, with JavaScript on and off."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from frontdoor.models import Author, Direction, Message, Thread, utcnow
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def test_with_javascript_messages_appear_without_a_reload(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/chat")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Your message").fill("need a food bank, I live in Normanton")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")   # keyboard only: Tab to Send, Enter
    page.get_by_text("Normanton Community Pantry", exact=False).wait_for(timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True, "no page reload"
    assert page.locator("#messages[aria-live=polite] li").count() >= 3
    # After a reload in the same browser the conversation resumes.
    page.reload()
    page.get_by_text("Normanton Community Pantry", exact=False).wait_for(timeout=10_000)
    assert page.get_by_text("need a food bank, I live in Normanton").count() == 1
    context.close()


def test_a_coordinators_later_reply_arrives_by_polling(browser, live_server, app, db):
    app.config["WEBCHAT_POLL_SECONDS"] = 1
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/chat")
    page.get_by_label("Your message").fill("can i talk to someone, i live in normanton")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("I've passed this to Sam Patel", exact=False).wait_for(timeout=10_000)
    with app.app_context():
        thread = db.session.scalar(sa.select(Thread))
        db.session.add(Message(thread_id=thread.id, resident_id=thread.resident_id,
                               direction=Direction.OUT, author=Author.COORDINATOR,
                               coordinator_id=thread.coordinator_id, channel="webchat",
                               body="Hi, it's Sam. I can call you tomorrow at 10.",
                               status="shown", created_at=utcnow()))
        db.session.commit()
    page.get_by_text("Hi, it's Sam. I can call you tomorrow at 10.").wait_for(timeout=10_000)
    assert page.get_by_text("Sam, Local Area Coordinator").count() == 1
    context.close()


def test_with_javascript_off_the_plain_form_works(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/chat")
    page.get_by_label("Your message").fill("need a food bank, I live in Normanton")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.get_by_text("Normanton Community Pantry", exact=False).count() == 1
    context.close()


def test_script_and_img_payloads_show_as_text_and_run_nothing(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server}/chat")
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    page.get_by_label("Your message").fill(payload)
    page.get_by_role("button", name="Send").click()
    page.get_by_text(payload).wait_for(timeout=10_000)
    page.reload()
    page.get_by_text(payload).wait_for(timeout=10_000)
    assert dialogs == [] and page.locator("#messages img").count() == 0
    context.close()


def test_the_chat_page_has_no_wcag_22_aa_violations(browser, live_server):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/chat")
    assert axe_violations(page) == []
    page.get_by_label("Your message").fill("need help with debts, im in DE23")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("covers a few areas", exact=False).wait_for(timeout=10_000)
    assert axe_violations(page) == []
    page.goto(f"{live_server}/")
    assert axe_violations(page) == []
    context.close()
