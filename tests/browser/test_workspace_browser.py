"""The coordinator's workspace in real Chromium: a good-life plan recorded by keyboard only,
the list and an open thread keeping up without a reload, the reply box counting texts as the
server does, axe on every new page, and nothing to scroll sideways on a 375 px phone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from frontdoor.inbox.slips import count_sms
from frontdoor.models import Connection, Contribution, NextStep, Resident, SavedReply, Thread
from tests.browser.conftest import axe_violations
from tests.conftest import ACCOUNTS, PASSWORD, make_phone, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def sign_in(page, base: str, who: str = "sam") -> None:
    page.goto(f"{base}/inbox")
    page.get_by_label("Email").fill(ACCOUNTS[who])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(who))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="threads").wait_for()


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def type_date(page, iso: str) -> None:
    """Type a date into the focused date field, in the order the browser shows its parts."""
    year, month, day = iso.split("-")
    order = page.evaluate("""() => new Intl.DateTimeFormat(undefined, {year: 'numeric',
        month: '2-digit', day: '2-digit'}).formatToParts(new Date(2026, 11, 3))
        .map(p => p.type).filter(t => t !== 'literal')""")
    page.keyboard.type("".join({"year": year, "month": month, "day": day}[part]
                               for part in order))


@pytest.fixture
def normanton(client, app, db) -> Thread:
    """Rose has texted: a Normanton thread waiting for Sam."""
    make_phone(client, app, "+447700900123").text("can i talk to someone, i live in normanton")
    return db.session.scalar(sa.select(Thread))


def test_a_coordinator_records_a_good_life_plan_by_keyboard_only(browser, live_server, auth,
                                                                 normanton, db):
    page = browser.new_context().new_page()
    sign_in(page, live_server)
    # From the list to the person, and everything after, with Tab, typing and Enter only.
    tab_to(page, "a.row-link")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="What would make a good life").wait_for()

    tab_to(page, "#good-life-words")
    page.keyboard.type("To feel part of things round here again")
    page.keyboard.press("Tab")
    page.keyboard.type("A brilliant cook, patient with children")
    page.keyboard.press("Tab")
    page.keyboard.type("Daughter Jo visits on Sundays")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("What would make a good life: saved.").wait_for()

    tab_to(page, "#step-text")
    page.keyboard.type("Try the Thursday lunch club")
    page.keyboard.press("Tab")
    type_date(page, "2026-12-03")
    page.keyboard.press("Enter")
    page.get_by_text("Next step added.").wait_for()

    tab_to(page, "#connection-entry")
    page.keyboard.press("ArrowDown")          # the first directory entry
    tab_to(page, "#introduced-on")
    type_date(page, "2026-11-27")
    tab_to(page, "section[aria-labelledby=connections] form.form button")
    page.keyboard.press("Enter")
    page.get_by_text("saved.", exact=False).first.wait_for()

    tab_to(page, "section[aria-labelledby=connections] select[name=stuck]")
    page.keyboard.press("ArrowDown")          # "Yes, it stuck"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("yes, it stuck.", exact=False).wait_for()

    tab_to(page, "#contribution-text")
    page.keyboard.type("Cooks for the lunch club on Thursdays")
    page.keyboard.press("Enter")
    page.get_by_text("Contribution saved.").wait_for()

    db.session.expire_all()
    rose = db.session.scalar(sa.select(Resident))
    assert rose.good_life == "To feel part of things round here again"
    assert rose.people_around == "Daughter Jo visits on Sundays"
    step = db.session.scalar(sa.select(NextStep))
    assert (step.text, step.due.isoformat()) == ("Try the Thursday lunch club", "2026-12-03")
    connection = db.session.scalar(sa.select(Connection))
    assert connection.directory_entry_id is not None and connection.stuck == "yes"
    assert connection.introduced_on.isoformat() == "2026-11-27"
    assert db.session.scalar(sa.select(Contribution.text)) == \
        "Cooks for the lunch club on Thursdays"
    assert axe_violations(page) == []


def test_the_list_and_an_open_thread_update_when_a_resident_writes(browser, live_server, auth,
                                                                  normanton, client, app):
    app.config["INBOX_POLL_SECONDS"] = 1
    listing = browser.new_context().new_page()
    sign_in(listing, live_server)
    listing.goto(f"{live_server}/inbox/threads/{normanton.id}")   # Sam has read it
    listing.goto(f"{live_server}/inbox")
    # The lead has the thread open meanwhile (read markers are each coordinator's own).
    thread_page = browser.new_context().new_page()
    sign_in(thread_page, live_server, "lead")
    thread_page.goto(f"{live_server}/inbox/threads/{normanton.id}")
    for page in (listing, thread_page):
        page.evaluate("window.__sameDocument = true")
    assert listing.locator(".tag--new").count() == 0

    make_phone(client, app, "+447700900123").text("thanks, can you ring me after 3?")
    row = listing.locator(f'tr[data-thread="{normanton.id}"]')
    row.locator(".tag--new", has_text="1 new").wait_for(timeout=10_000)
    thread_page.get_by_text("thanks, can you ring me after 3?").wait_for(timeout=10_000)

    make_phone(client, app, "+447700900456").text("can someone ring me, im in normanton")
    listing.get_by_role("link", name="SMS ending 456", exact=True).wait_for(timeout=10_000)
    assert "New thread: SMS ending 456." in listing.locator("#list-status").text_content()
    assert listing.locator("#unread-total").text_content().strip() == "(2 new)"
    for page in (listing, thread_page):
        assert page.evaluate("window.__sameDocument") is True, "no reload"


def test_the_reply_box_counts_texts_exactly_as_the_server_does(browser, live_server, auth,
                                                              normanton):
    page = browser.new_context().new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/inbox/threads/{normanton.id}")
    samples = ["", "Hello, it's Sam.", "a" * 160, "a" * 161, "€[]{}" * 40, "Diolch 🙂",
               "Line one\nline two", "x" * 460, "Welsh ŵ " * 30]
    for text in samples:
        assert page.evaluate("t => window.frontdoorDescribeSms(t)", text) == \
            count_sms(text).describe(), text
    page.get_by_label("Reply to the resident", exact=False).fill("I can ring you at 2pm. " * 30)
    counter = page.locator("#reply-count")
    assert counter.text_content() == count_sms("I can ring you at 2pm. " * 30).describe()
    assert "That is more than 3" in counter.text_content()
    assert "count--over" in counter.get_attribute("class")


@pytest.fixture
def workspace(client, app, db, auth, normanton) -> dict[str, str]:
    """Pages of the workspace with something on them; their paths."""
    from datetime import date

    from frontdoor.models import Coordinator

    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    rose = db.session.scalar(sa.select(Resident))
    rose.name, rose.good_life = "Rose Hill", "To feel part of things here again"
    db.session.add_all([
        NextStep(resident_id=rose.id, text="Try the lunch club", due=date(2026, 12, 3),
                 created_by_id=sam.id),
        Connection(resident_id=rose.id, name="Pat next door", kind="person", created_by_id=sam.id),
        Contribution(resident_id=rose.id, text="Cooks for the lunch club", created_by_id=sam.id),
        SavedReply(title="Lunch clubs", body="There are lunch clubs near you.",
                   created_by_id=sam.id)])
    db.session.commit()
    nadia = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "nadia-hussain"))
    return {"list": "/inbox", "thread": f"/inbox/threads/{normanton.id}",
            "on leave": f"/inbox/threads/{normanton.id}?hand_to={nadia.id}&saved=1",
            "resident": f"/inbox/residents/{rose.id}", "search": "/inbox/search?q=rose",
            "closed": "/inbox/search?state=closed", "saved replies": "/inbox/saved-replies",
            "pause switch": "/inbox/front-door", "team": "/inbox/team", "audit": "/inbox/audit"}


def test_axe_finds_no_violations_on_the_new_pages(browser, live_server, workspace):
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, "lead")
    for name, path in workspace.items():
        page.goto(f"{live_server}{path}")
        assert axe_violations(page) == [], name
    page.goto(f"{live_server}/inbox/threads/{workspace['thread'].rsplit('/', 1)[1]}")
    page.get_by_label("Reply to the resident", exact=False).fill("I can ring you. " * 40)
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Not sent yet.").wait_for()
    assert axe_violations(page) == [], "the long-reply warning"
    page.goto(f"{live_server}/inbox/front-door")
    page.get_by_label("Why pause it?", exact=False).fill("Checking the directory")
    page.get_by_role("button", name="Pause the front door").click()
    page.get_by_text("Paused", exact=True).wait_for()
    assert axe_violations(page) == [], "paused, with the banner"
    chat = browser.new_context(bypass_csp=True).new_page()
    chat.goto(f"{live_server}/chat?phone=sent")
    assert axe_violations(chat) == [], "the chat's phone section"


def test_nothing_scrolls_sideways_on_a_375_px_phone(browser, live_server, workspace):
    page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(page, live_server, "lead")
    for name, path in {**workspace, "chat": "/chat?phone=sent"}.items():
        page.goto(f"{live_server}{path}")
        widths = page.evaluate("[document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 375, f"{name}: {widths[0]} px wide"
