"""The one commit rule (frontdoor/transactions.py): a state-changing view commits once, or
rolls back; a GET page commits nothing from inside its view or a decorator, and leaves only
a record that the read happened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, g, has_request_context, request
from sqlalchemy import event

from frontdoor import transactions
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Resident,
    SignIn,
    ThreadRead,
    ThreadState,
)
from frontdoor.settings import PROJECT_ROOT
from tests import factories

# The GETs that may change state, each for a reason written in transactions.py.
GETS_THAT_CHANGE_STATE = {"inbox.sso_callback", "webchat.page"}


@pytest.fixture
def commits() -> Iterator[list[tuple[str, str]]]:
    """Every commit made while a request ran: the page, and who made it: the view or a
    decorator ("view"), or the hook after the page was drawn ("hook")."""
    seen: list[tuple[str, str]] = []

    def record(session: so.Session) -> None:
        if has_request_context():
            seen.append((request.endpoint or request.path,
                         "hook" if g.get("committing_read_records") else "view"))

    event.listen(so.Session, "before_commit", record)
    yield seen
    event.remove(so.Session, "before_commit", record)


def _resident(db) -> Resident:
    return db.session.scalar(sa.select(Resident).where(Resident.address == "+447700900555"))


# -- the helper ----------------------------------------------------------------------------

# The commits that stay bare, each with its reason beside it: the helper itself, and the
# webhook's hot path (storing a resident's message, and the engine's answer to it).
BARE_COMMITS = {"frontdoor/transactions.py": 3, "frontdoor/conversations.py": 2}


def test_the_worker_and_the_commands_commit_only_through_the_unit_of_work() -> None:
    found: dict[str, int] = {}
    for path in sorted((PROJECT_ROOT / "frontdoor").rglob("*.py")):
        name = path.relative_to(PROJECT_ROOT).as_posix()
        if name.startswith("frontdoor/migrations/"):
            continue
        count = len(re.findall(r"session\.commit\b", path.read_text(encoding="utf-8")))
        if count:
            found[name] = count
    assert found == BARE_COMMITS


def test_a_unit_of_work_commits_once_when_it_finishes(app, db):
    counted: list[int] = []

    def count(session: so.Session) -> None:
        counted.append(1)

    event.listen(so.Session, "after_commit", count)
    try:
        with transactions.unit_of_work():
            factories.make_resident(phone="+447700900555")
            factories.make_resident(phone="+447700900556")
    finally:
        event.remove(so.Session, "after_commit", count)
    db.session.rollback()   # nothing left pending: what is there was committed
    assert _resident(db) is not None
    assert counted == [1]


def test_a_unit_of_work_rolls_back_when_it_raises(app, db):
    with pytest.raises(ValueError), transactions.unit_of_work():
        factories.make_resident(phone="+447700900555")
        raise ValueError("half done")
    assert _resident(db) is None


def test_a_changing_view_that_raises_keeps_nothing(app, db):
    @transactions.changes_state
    def half_done() -> str:
        factories.make_resident(phone="+447700900555")
        raise ValueError("half done")

    with app.test_request_context("/", method="POST"), pytest.raises(ValueError):
        half_done()
    assert _resident(db) is None


def test_a_get_that_writes_more_than_a_read_record_fails_and_keeps_nothing(app, db):
    with app.test_request_context("/inbox", method="GET"):
        factories.make_resident(phone="+447700900555")
        with pytest.raises(RuntimeError, match="Resident"):
            transactions.commit_what_a_read_left(Response("the page"))
    assert _resident(db) is None


# -- the pages -----------------------------------------------------------------------------

def _urls(app, blueprints: tuple[str, ...], ids: dict[str, int]) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route of these blueprints, ids filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in blueprints or "GET" not in rule.methods:
            continue
        if rule.endpoint in GETS_THAT_CHANGE_STATE or not set(rule.arguments) <= set(ids):
            continue
        found.append((rule.endpoint, rule.build({k: ids[k] for k in rule.arguments})[1]))
    return found


def test_the_gets_that_change_state_are_the_documented_ones(app):
    marked = {rule.endpoint for rule in app.url_map.iter_rules()
              if "GET" in rule.methods and getattr(app.view_functions[rule.endpoint],
                                                   "changes_state", None) == "GET"}
    assert marked == GETS_THAT_CHANGE_STATE


def test_no_inbox_page_commits_while_a_lead_reads_it(app, db, client, auth, commits):
    resident = factories.make_resident()
    thread = factories.make_thread(resident, state=ThreadState.WITH_COORDINATOR,
                                   handed_after=timedelta(0))
    message = factories.make_message(thread, "I need a food bank")
    db.session.commit()
    ids = {"thread_id": thread.id, "resident_id": resident.id, "message_id": message.id,
           "person_id": db.session.scalar(sa.select(Coordinator.id).where(
               Coordinator.key == "sam-patel")), "key": 0}
    auth.sign_in("lead")
    urls = _urls(app, ("inbox", "review"), ids)
    assert len(urls) >= 20   # the walk really walked
    commits.clear()
    for endpoint, url in urls:
        response = client.get(url)
        assert response.status_code < 500, (endpoint, url)
    assert commits
    assert [page for page, who in commits if who == "view"] == []
    # What the reads left: who looked at which record, what is read; nothing else.
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"view", "view_resident"} <= actions
    assert db.session.scalar(sa.select(ThreadRead).where(ThreadRead.thread_id == thread.id))


def test_the_sign_in_decorator_ends_an_idle_session_without_committing(app, db, client, auth,
                                                                      commits, clock):
    auth.sign_in("lead")
    commits.clear()
    clock.now += timedelta(minutes=app.config["INBOX_IDLE_MINUTES"] + 1)
    assert client.get("/inbox").status_code == 302
    assert commits == [("inbox.my_threads", "hook")]
    assert db.session.scalar(sa.select(SignIn.ended_at)) is not None


def test_the_resident_chat_pages_commit_nothing(app, db, client, commits):
    html = client.get("/chat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/chat", data={"csrf_token": token, "text": "hello"}).status_code < 400
    started = client.post("/chat/api/conversations").get_json()
    commits.clear()
    for url in ("/", "/accessibility", "/chat", "/chat/exit", "/chat/api/openapi.json",
                "/chat/widget.js"):
        assert client.get(url).status_code < 500, url
    assert client.get("/chat/api/messages?after=0", headers={
        "Authorization": f"Bearer {started['token']}"}).status_code == 200
    assert commits == []
