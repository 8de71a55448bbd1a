"""The council's data: one council per database, a real replacement when asked, changes
picked up by running servers, and command-line changes in the audit."""

from __future__ import annotations

import json
import shutil
from datetime import date, time

import pytest
import sqlalchemy as sa

from frontdoor import create_app
from frontdoor.cli import add_coordinator_command, demo_command, load_config_command
from frontdoor.council_data import (
    AnotherCouncil,
    CouncilDataError,
    _working_hours,
    load_council_data,
)
from frontdoor.demo import DEMO_PASSWORD
from frontdoor.extensions import db as _db
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Council,
    DirectoryEntry,
    Postcode,
    Resident,
    Ward,
)
from frontdoor.outcomes import OutcomesError, load_council_policy
from frontdoor.settings import PROJECT_ROOT

DEMO = PROJECT_ROOT / "config" / "demo"


@pytest.fixture
def york(tmp_path):
    """A second, small council's files."""
    folder = tmp_path / "york"
    folder.mkdir()
    (folder / "council.toml").write_text(
        '[council]\nname = "City of York Council"\ncode = "E06000014"\n\n'
        '[contact_centre]\nphone = "01904 551550"\nweb = "www.york.gov.uk"\n'
        'hours = "Mon-Fri 9am-5pm"\n\n[safeguarding]\nphone = "01904 555111"\n')
    (folder / "coordinators.toml").write_text(
        '[[coordinator]]\nkey = "lead"\nname = "Robin Ash"\nemail = "robin@york.example.org"\n'
        'role = "lead"\n')
    (folder / "wards.csv").write_text("ward_code,ward_name,coordinator,cover,aliases\n"
                                      "E05014601,Acomb,lead,,\n")
    (folder / "postcodes.csv").write_text("postcode,ward_code\nYO24 3,E05014601\n")
    (folder / "needs_map.csv").write_text("term,need\nPantry,food\nPantry,community\n")
    (folder / "directory.json").write_text(json.dumps([{
        "id": "york-acomb-pantry", "name": "Acomb Pantry", "description": "Low-cost food.",
        "status": "active", "assured_date": "2026-11-01",
        "contacts": [{"phones": [{"number": "01904 000000"}]}],
        "attributes": [{"taxonomy_term": {"name": "Pantry"}}],
        "service_at_locations": [{"location": {"addresses": [
            {"address_1": "Acomb hall", "postal_code": "YO24 3AA"}]}}]}]))
    return folder


def test_another_councils_data_is_refused_with_a_clear_message_and_nothing_changes(
        app, runner, db, york):
    result = runner.invoke(load_config_command, ["--dir", str(york)])
    assert result.exit_code == 1
    assert ("This database holds Derby City Council (demo data), not City of York Council"
            in result.output)
    assert "--replace-council" in result.output and "Traceback" not in result.output
    assert db.session.get(Council, 1).name == "Derby City Council"
    assert db.session.scalar(sa.select(sa.func.count(Ward.code))) == 18
    assert db.session.scalar(sa.select(Ward).where(Ward.name == "Acomb")) is None


def test_a_real_council_of_the_same_name_does_not_mix_with_the_demo(app, db, tmp_path):
    real = tmp_path / "derby"
    shutil.copytree(DEMO, real)
    toml = (real / "council.toml").read_text().replace("demo = true", "demo = false")
    (real / "council.toml").write_text(toml)
    with pytest.raises(AnotherCouncil, match="holds Derby City Council \\(demo data\\)"):
        load_council_data(real)


@pytest.mark.model   # what the trained model makes of the words
def test_replace_council_takes_the_old_council_out_of_service_and_keeps_history(
        app, runner, db, phone, york):
    phone.text("need a food bank, I live in normanton")    # a resident in Normanton
    result = runner.invoke(load_config_command, ["--dir", str(york), "--replace-council"])
    assert result.exit_code == 0, result.output
    assert "Replaced Derby City Council (demo data)" in result.output

    assert db.session.get(Council, 1).name == "City of York Council"
    active = db.session.scalars(sa.select(Coordinator).where(Coordinator.active)).all()
    assert [c.name for c in active] == ["Robin Ash"]
    assert db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "lead")
                             ).name == "Robin Ash"
    assert db.session.scalars(sa.select(Postcode.postcode)).all() == ["YO24 3"]
    assert db.session.scalars(sa.select(DirectoryEntry.name)).all() == ["Acomb Pantry"]
    # Derby's wards are gone, but for the one a resident's history names, kept emptied.
    wards = {w.code: w for w in db.session.scalars(sa.select(Ward))}
    assert set(wards) == {"E05014601", "E05015521"}
    kept = wards["E05015521"]
    assert kept.name == "Normanton (Derby City Council)" and kept.coordinator is None
    assert db.session.scalar(sa.select(Resident.ward_code)) == "E05015521"
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.coordinator_id.is_(None))).all()
    assert "replace_council" in actions and "load_config" in actions

    # The old council's place names no longer lead anywhere; the new council's do.
    other = type(phone)(phone.client, app, "+447700900321")
    assert "Normanton" not in " ".join(other.text("need a food bank, I live in normanton"))
    assert "Acomb Pantry" in " ".join(other.text("YO24 3AB"))


@pytest.mark.model   # what the trained model makes of the words
def test_a_running_server_answers_a_new_postcode_after_load_config_in_another_process(
        app, db, phone, tmp_path):
    before = " ".join(phone.text("need a food bank near DE99 9ZZ"))
    assert "Normanton" not in before
    council = tmp_path / "council"
    shutil.copytree(DEMO, council)
    with (council / "postcodes.csv").open("a") as f:
        f.write("DE99 9ZZ,E05015521\n")
    # `frontdoor load-config` in another process: another app, its own engine and caches.
    command = create_app({"ENV_NAME": "test",
                          "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}, role=None)
    with command.app_context():
        load_council_data(council)
        _db.session.remove()
        _db.engine.dispose()
    other = type(phone)(phone.client, app, "+447700900322")
    after = " ".join(other.text("need a food bank near DE99 9ZZ"))
    assert "Normanton" in after and "across Derby" not in after


def test_adding_a_coordinator_from_the_command_line_is_audited(app, runner, db):
    result = runner.invoke(add_coordinator_command, [
        "--name", "Alex Rowe", "--email", "alex.rowe@lac.example.org"])
    assert result.exit_code == 0, result.output
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "add_coordinator"))
    assert event.coordinator_id is None and "alex-rowe" in event.detail
    assert "command line" in event.detail


def test_a_second_person_of_the_same_name_is_refused(app, runner, db):
    result = runner.invoke(add_coordinator_command, [
        "--name", "Sam Patel", "--email", "sam.other@lac.example.org"])
    assert result.exit_code == 2
    assert "Sam Patel already exists with email sam.patel@lac.example.org" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Coordinator.id)).where(
        Coordinator.name == "Sam Patel")) == 1


def test_the_demo_sign_ins_are_the_same_every_time_and_shown_on_the_home_page(
        app, runner, client):
    assert DEMO_PASSWORD not in client.get("/").get_data(as_text=True)
    for _ in range(2):
        result = runner.invoke(demo_command, [])
        assert result.exit_code == 0, result.output
        assert f"password: {DEMO_PASSWORD}" in result.output
    home = client.get("/").get_data(as_text=True)
    assert DEMO_PASSWORD in home and "sam.patel@lac.example.org" in home
    app.config["DEV_TOOLS"] = False
    assert DEMO_PASSWORD not in client.get("/").get_data(as_text=True)


# -- council.toml's policy sections ------------------------------------------------------------

def test_the_councils_privacy_retention_and_accessibility_policy_is_kept_as_written():
    council = Council()
    load_council_policy(council, {
        "privacy": {"notice": " https://www.example.org/lac-privacy "},
        "retention": {"contacts_years": 3},
        "accessibility": {"contact": "lac@example.org", "reviewed": date(2026, 11, 29)}})
    assert council.privacy_notice_url == "https://www.example.org/lac-privacy"
    assert (council.retention_contact_years, council.retention_safeguarding_years) == (3, 8)
    assert council.accessibility_contact == "lac@example.org"
    assert council.accessibility_reviewed == date(2026, 11, 29)


@pytest.mark.parametrize("settings,refused", [
    ({"privacy": {"notice": "see the web"}}, r"\[privacy\] notice must be a web address"),
    ({"retention": {"contacts_years": 0}}, r"\[retention\] contacts_years must be a whole"),
    ({"retention": {"safeguarding_years": "eight"}},
     r"\[retention\] safeguarding_years must be a whole"),
    ({"accessibility": {"reviewed": "last week"}}, r"\[accessibility\] reviewed must be a date"),
])
def test_a_policy_that_cannot_be_followed_is_refused_naming_the_field(settings, refused):
    # load_council_data turns it into its own error, naming the file (tests/test_privacy_pages.py).
    with pytest.raises(OutcomesError, match=r"council.toml: " + refused):
        load_council_policy(Council(), settings)


# -- a coordinator's own hours in coordinators.toml (council_data._working_hours; no database)

@pytest.mark.parametrize(("text", "hours"), [
    ("10:00-15:00", (time(10), time(15))),
    (" 08:30 - 16:30 ", (time(8, 30), time(16, 30))),
    (None, (None, None)),     # none given: the council's hours
    ("", (None, None)),
])
def test_a_coordinators_own_hours_are_read_from_the_councils_file(text, hours):
    assert _working_hours("sam", text) == hours


@pytest.mark.parametrize(("text", "says"), [
    ("Mon-Fri 9am-5pm", "hours must look like '09:00-17:00'"),
    ("9-5", "hours must look like"),
    ("15:00-10:00", "hours must end after they start"),
    ("10:00-10:00", "hours must end after they start"),
])
def test_hours_that_cannot_be_read_are_refused_naming_the_coordinator(text, says):
    with pytest.raises(CouncilDataError, match="coordinators.toml: sam: " + says):
        _working_hours("sam", text)

