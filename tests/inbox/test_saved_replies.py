"""Saved replies the team keeps: added, used on a thread, changed and removed, each audited."""

from __future__ import annotations

import sqlalchemy as sa

from frontdoor.models import AuditEvent, SavedReply, Thread


def test_a_saved_reply_is_kept_for_the_team_and_starts_a_reply(auth, client, phone, db):
    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("lead")
    auth.post("/inbox/saved-replies", title="Lunch clubs",
              body="There are lunch clubs near you on Tuesdays and Thursdays.")
    saved = db.session.scalar(sa.select(SavedReply))
    assert saved.created_by.key == "lead"

    auth.sign_in("sam")   # the whole team keeps them
    assert "Lunch clubs" in client.get("/inbox/saved-replies").get_data(as_text=True)
    page = client.get(f"/inbox/threads/{thread.id}?saved={saved.id}").get_data(as_text=True)
    assert ">There are lunch clubs near you on Tuesdays and Thursdays.</textarea>" in page
    assert "57 characters: 1 text message." in page

    auth.post(f"/inbox/saved-replies/{saved.id}", title="Lunch clubs",
              body="Lunch clubs meet on Tuesdays.")
    db.session.refresh(saved)
    assert saved.body == "Lunch clubs meet on Tuesdays." and saved.updated_at is not None
    auth.post(f"/inbox/saved-replies/{saved.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedReply)) == 0
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert {"saved_reply_add", "saved_reply_change", "saved_reply_delete"} <= set(actions)


def test_a_saved_reply_needs_a_title_and_words(auth, client, db):
    auth.sign_in("sam")
    response = auth.post("/inbox/saved-replies", title="", body="hello")
    assert "A saved reply needs a title" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedReply)) == 0
