"""A lead's switch to pause the front door: with a reason, audited; while paused every message
goes straight to a person with an honest reply, and crisis replies still go out."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from frontdoor.models import AuditEvent, Council, Thread, ThreadState
from tests.conftest import make_phone


@pytest.fixture
def paused(auth, client, db) -> Council:
    auth.sign_in("lead")
    auth.post("/inbox/front-door/pause", reason="The directory is being checked after a complaint")
    council = db.session.get(Council, 1)
    db.session.refresh(council)
    return council


def test_only_a_lead_can_pause_and_a_reason_is_needed(auth, client, db):
    auth.sign_in("sam")
    assert client.get("/inbox/front-door").status_code == 404
    assert auth.post("/inbox/front-door/pause", reason="testing").status_code == 404
    auth.sign_in("lead")
    response = auth.post("/inbox/front-door/pause", reason="   ")
    assert "Say why the front door is paused" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Council, 1).paused_at is None


def test_pausing_is_audited_with_the_reason_and_shown_on_every_inbox_page(paused, auth, client,
                                                                           db):
    assert paused.paused_at is not None and paused.paused_by.key == "lead"
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "pause_front_door"))
    assert event.detail == "The directory is being checked after a complaint"
    auth.sign_in("sam")
    page = client.get("/inbox").get_data(as_text=True)
    assert "The front door is paused" in page and "after a complaint" in page


def test_while_paused_a_message_goes_straight_to_a_person_with_an_honest_reply(paused, phone,
                                                                               db):
    (reply,) = phone.text("need a food bank, I live in Normanton")
    assert "automatic answers are switched off for now, so a person will read it" in reply
    assert "I've passed this to Sam Patel" in reply
    assert "Community Pantry" not in reply
    thread = db.session.scalar(sa.select(Thread))
    assert thread.state == ThreadState.WAITING and thread.handoff_reason == "paused"
    assert thread.coordinator.key == "sam-patel"


@pytest.mark.model   # what the trained model makes of the words
def test_while_paused_a_crisis_still_gets_the_crisis_reply(paused, client, app, db):
    (reply,) = make_phone(client, app, "+447700900444").text(
        "i dont see the point anymore, i want to end it all, normanton")
    assert "116 123" in reply and "automatic answers are switched off" not in reply
    assert db.session.scalar(sa.select(Thread)).urgent


@pytest.mark.model   # what the trained model makes of the words
def test_starting_again_is_audited_and_the_bot_answers_again(paused, auth, phone, db):
    auth.post("/inbox/front-door/resume")
    db.session.refresh(paused)
    assert paused.paused_at is None and paused.pause_reason is None
    assert "resume_front_door" in db.session.scalars(sa.select(AuditEvent.action)).all()
    (reply,) = phone.text("need a food bank, I live in Normanton")
    assert "Normanton Community Pantry" in reply
