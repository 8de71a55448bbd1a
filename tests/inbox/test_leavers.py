"""Leavers are locked out at once: from the team page, from the command line, and when they
disappear from the council's data. Their open threads get a new owner and the resident is
told who now answers."""

from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa

from frontdoor.cli import (
    deactivate_command,
    load_config_command,
    reactivate_command,
)
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Message,
    Notification,
    SignIn,
    Thread,
    ThreadState,
)
from tests.conftest import ACCOUNTS, DEMO_DATA, AuthActions, make_phone

NORMANTON = "E05015521"


def person(db, key: str) -> Coordinator:
    return db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))


@pytest.fixture
def sams_thread(client, app, db, auth) -> Thread:
    """A Normanton resident's thread that Sam has taken."""
    make_phone(client, app, "+447700900401").text("can someone ring me, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    thread.state = ThreadState.WITH_COORDINATOR
    db.session.commit()
    assert thread.coordinator.key == "sam-patel"
    return thread


def test_a_lead_deactivates_a_leaver_whose_session_ends_and_threads_move_on(
        auth, app, client, db, sams_thread):
    sam = AuthActions(app.test_client(), app)
    sam.sign_in("sam")
    assert sam.client.get("/inbox").status_code == 200
    auth.sign_in("lead")
    asked = client.get(f"/inbox/team/people/{person(db, 'sam-patel').id}/deactivate")
    assert "Their 1 open thread goes to the ward" in asked.get_data(as_text=True)
    assert "Normanton will have no coordinator" in asked.get_data(as_text=True)
    assert sam.client.get("/inbox").status_code == 200, "asking changes nothing"
    done = auth.post(f"/inbox/team/people/{person(db, 'sam-patel').id}/deactivate")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Sam Patel is deactivated and signed out everywhere" in page
    assert f"thread {sams_thread.id} to Marcus Reid" in page
    assert re.search(r"Wards without a coordinator:</strong>[^<]*Normanton", page)

    refused = sam.client.get(f"/inbox/threads/{sams_thread.id}")
    assert refused.status_code == 302 and "/inbox/sign-in" in refused.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn).where(
        SignIn.ended_at.is_(None), SignIn.coordinator_id == person(db, "sam-patel").id)) == 0

    db.session.refresh(sams_thread)
    assert sams_thread.coordinator.key == "marcus-reid"      # Normanton's cover
    assert sams_thread.state == ThreadState.WAITING
    told = db.session.scalar(sa.select(Message).where(Message.author == "coordinator"))
    assert told.body.startswith("Your conversation is now with Marcus Reid")
    assert db.session.scalar(sa.select(Notification).where(
        Notification.coordinator_id == person(db, "marcus-reid").id)) is not None
    audit = {(e.action, e.detail) for e in db.session.scalars(sa.select(AuditEvent))}
    assert ("deactivate", "sam-patel, 1 session(s) ended") in audit
    assert ("hand_over", "to marcus-reid (sam-patel left)") in audit


def test_a_deactivated_coordinator_is_out_of_routing_and_hand_over_lists(
        auth, app, client, db, sams_thread):
    auth.sign_in("lead")
    auth.post(f"/inbox/team/people/{person(db, 'sam-patel').id}/deactivate")
    page = client.get(f"/inbox/threads/{sams_thread.id}").get_data(as_text=True)
    assert "Sam Patel" not in re.search(r'<select[^>]*name="to".*?</select>', page, re.S).group(0)
    make_phone(client, app, "+447700900402").text("can someone call me, i live in normanton")
    newest = db.session.scalar(sa.select(Thread).order_by(Thread.id.desc()))
    assert newest.coordinator.key == "marcus-reid"
    assert auth.sign_in("sam").status_code == 400


def test_the_command_line_deactivates_and_says_where_threads_went(
        runner, db, sams_thread, app):
    sam = AuthActions(app.test_client(), app)
    sam.sign_in("sam")
    result = runner.invoke(deactivate_command, [ACCOUNTS["sam"]])
    assert result.exit_code == 0, result.output
    assert "Sam Patel is deactivated and signed out everywhere." in result.output
    assert f"thread {sams_thread.id} handed to Marcus Reid" in result.output
    assert "Wards without a coordinator: Normanton" in result.output
    assert sam.client.get("/inbox").status_code == 302
    assert runner.invoke(deactivate_command, ["nobody@example.org"]).exit_code != 0
    result = runner.invoke(reactivate_command, [ACCOUNTS["sam"]])
    assert "active again" in result.output and person(db, "sam-patel").active


def without_sam(tmp_path):
    """The demo council's data after Sam has left: Kwame takes Normanton, Marcus covers."""
    folder = tmp_path / "council"
    shutil.copytree(DEMO_DATA, folder)
    toml = (folder / "coordinators.toml").read_text()
    toml = re.sub(r'\[\[coordinator\]\]\nkey = "sam-patel".*?(?=\[\[coordinator\]\])', "", toml,
                  flags=re.S)
    (folder / "coordinators.toml").write_text(toml)
    wards = (folder / "wards.csv").read_text()
    wards = wards.replace("Normanton,sam-patel", "Normanton,kwame-mensah")
    (folder / "wards.csv").write_text(wards.replace(",sam-patel,", ",marcus-reid,"))
    return folder


def test_a_coordinator_removed_from_the_councils_data_cannot_sign_in_after_load_config(
        runner, auth, db, sams_thread, tmp_path, app):
    sam = AuthActions(app.test_client(), app)
    sam.sign_in("sam")
    result = runner.invoke(load_config_command, ["--dir", str(without_sam(tmp_path))])
    assert result.exit_code == 0, result.output
    assert ("Deactivated (no longer in the council's data): Sam Patel "
            "(sam.patel@lac.example.org)") in result.output
    assert sam.client.get("/inbox").status_code == 302
    assert auth.sign_in("sam").status_code == 400
    db.session.refresh(sams_thread)
    assert sams_thread.coordinator.key == "kwame-mensah"    # Normanton's new coordinator

    again = runner.invoke(load_config_command, [])             # Sam back in the old files
    assert "Still deactivated: Sam Patel" in again.output
    assert not person(db, "sam-patel").active, "a reload never brings a leaver back"


def test_people_added_in_the_inbox_are_left_alone_by_load_config(runner, db):
    from frontdoor.inbox.people import add_person

    add_person("Alex Reed", "alex@lac.example.org")
    db.session.commit()
    result = runner.invoke(load_config_command, [])
    assert "Deactivated" not in result.output and person(db, "alex-reed").active


def test_the_last_lead_leaving_the_councils_data_is_a_clear_error(runner, tmp_path, db):
    folder = tmp_path / "council"
    shutil.copytree(DEMO_DATA, folder)
    toml = (folder / "coordinators.toml").read_text()
    toml = re.sub(r'\[\[coordinator\]\]\nkey = "lead".*', "", toml, flags=re.S)
    (folder / "coordinators.toml").write_text(toml)
    result = runner.invoke(load_config_command, ["--dir", str(folder)])
    assert result.exit_code != 0
    assert "coordinators.toml: lead is missing, but Morgan Hale is the last team lead" in \
        result.output
    db.session.rollback()
    assert person(db, "lead").active
