"""A coordinator in a real browser: sign in, answer an escalated web-chat thread, and the
reply arrives on the resident's chat page. Every inbox page passes an axe-core scan."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.conftest import ACCOUNTS, PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def sign_in(page, base: str, who: str = "sam") -> None:
    page.goto(f"{base}/inbox")
    page.get_by_label("Email").fill(ACCOUNTS[who])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(who))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="threads").wait_for()


def test_a_coordinator_replies_and_the_resident_sees_it_in_their_chat(browser, live_server,
                                                                      auth, app):
    app.config["WEBCHAT_POLL_SECONDS"] = 1
    resident = browser.new_context().new_page()
    resident.goto(f"{live_server}/chat")
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    resident.get_by_label("Your message").fill(f"can i talk to someone, im in normanton {payload}")
    resident.get_by_role("button", name="Send").click()
    resident.get_by_text("I've passed this to Sam Patel", exact=False).wait_for(timeout=10_000)

    context = browser.new_context(bypass_csp=True)
    coordinator = context.new_page()
    dialogs = []
    coordinator.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(coordinator, live_server)
    assert axe_violations(coordinator) == []
    # The thread's own link (each row also links to the resident's page).
    coordinator.get_by_role("link", name=re.compile(r"^Web chat resident \d+$")).click()
    coordinator.get_by_text(payload, exact=False).wait_for()
    assert axe_violations(coordinator) == []
    coordinator.get_by_label("Reply to the resident", exact=False).fill(
        "Hi, it's Sam. Shall I ring you tomorrow?")
    coordinator.get_by_role("button", name="Send reply").click()
    coordinator.get_by_text("Hi, it's Sam. Shall I ring you tomorrow?").wait_for()
    assert dialogs == [] and coordinator.locator("main img").count() == 0

    resident.get_by_text("Hi, it's Sam. Shall I ring you tomorrow?").wait_for(timeout=10_000)
    assert resident.get_by_text("Sam, Local Area Coordinator").count() == 1


def test_the_team_and_audit_pages_pass_an_axe_scan(browser, live_server, auth, db):
    import sqlalchemy as sa

    from frontdoor.models import Coordinator, ThreadState
    from tests.factories import make_resident, make_thread

    sam = db.session.scalar(sa.select(Coordinator.id).where(Coordinator.key == "sam-patel"))
    # Enough open threads for the list to come in pages (its page links are scanned too).
    for n in range(55):
        make_thread(make_resident(phone=f"+4477009{n:05d}"), state=ThreadState.WAITING)
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, "lead")
    page.get_by_role("navigation", name="Pages of threads").get_by_role(
        "link", name="Page 2").click()
    page.get_by_text("Showing 51 to 55 of 55 threads").wait_for()
    for path in ("/inbox", "/inbox?page=2", "/inbox/team", "/inbox/audit", "/inbox/account",
                 f"/inbox/team/people/{sam}/deactivate", "/inbox/sign-in"):
        page.goto(f"{live_server}{path}")
        assert axe_violations(page) == [], path


def test_a_newcomer_sets_up_sign_in_from_an_invitation_and_every_step_passes_axe(
        browser, live_server, auth, app):
    import re

    import pyotp

    from frontdoor.extensions import db
    from frontdoor.inbox import people
    from frontdoor.models import utcnow

    person = people.add_person("Alex Reed", "alex@lac.example.org")
    token = people.invite(person, None, utcnow())
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server}/inbox/welcome/{token}")
    assert axe_violations(page) == []
    key = re.sub(r"\s", "", page.locator("code").first.inner_text())
    page.get_by_label("Your new password").fill("kettle orbit marmalade")
    page.get_by_label("The same password again").fill("kettle orbit marmalade")
    page.get_by_label("Code from the app you just set up").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="You are set up, Alex").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("alex@lac.example.org")
    page.get_by_label("Password").fill("kettle orbit marmalade")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").wait_for()
    assert axe_violations(page) == []
