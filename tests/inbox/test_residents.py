"""The resident's page: a person, not a ticket. Their full number for those who may see
them (each view audited), a 404 for everyone else on every route, what would make a good
life for them, and linking two records by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from frontdoor.inbox import residents, rows
from frontdoor.models import (
    AuditEvent,
    Author,
    Connection,
    Contribution,
    Coordinator,
    DirectoryEntry,
    Message,
    NextStep,
    Resident,
    Thread,
)
from tests.conftest import make_phone


@pytest.fixture
def normanton_resident(phone, db) -> Resident:
    phone.text("can i talk to someone, i live in normanton")
    return db.session.scalar(sa.select(Resident).where(Resident.address == phone.number))


def person_page(client, resident: Resident) -> str:
    response = client.get(f"/inbox/residents/{resident.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_the_full_number_with_a_tel_link_and_audits_every_view(
        auth, client, normanton_resident, db):
    auth.sign_in("sam")
    page = person_page(client, normanton_resident)
    assert '<a href="tel:+447700900123">07700 900123</a>' in page
    person_page(client, normanton_resident)
    views = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "view_resident")).all()
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    assert [(v.coordinator_id, v.resident_id) for v in views] == \
        [(sam.id, normanton_resident.id)] * 2
    assert all("7700" not in v.detail for v in views), "never the number in the audit"


@pytest.mark.model   # what the trained model makes of the words
def test_every_thread_row_and_thread_page_links_to_the_residents_page(
        auth, client, normanton_resident, db):
    auth.sign_in("sam")
    thread = db.session.scalar(sa.select(Thread))
    link = f'href="/inbox/residents/{normanton_resident.id}"'
    assert link in client.get("/inbox").get_data(as_text=True)
    assert link in client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)


def _plan_rows(db, resident: Resident) -> dict[str, int]:
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    step = NextStep(resident_id=resident.id, text="Visit the lunch club", created_by_id=sam.id)
    connection = Connection(resident_id=resident.id, name="Pat next door", kind="person",
                            created_by_id=sam.id)
    db.session.add_all([step, connection])
    db.session.commit()
    return {"step": step.id, "connection": connection.id}


NEW_ROUTES = [
    ("get", "/inbox/residents/{r}"),
    ("post", "/inbox/residents/{r}/details"),
    ("post", "/inbox/residents/{r}/good-life"),
    ("post", "/inbox/residents/{r}/steps"),
    ("post", "/inbox/residents/{r}/steps/{step}/done"),
    ("post", "/inbox/residents/{r}/connections"),
    ("post", "/inbox/residents/{r}/connections/{connection}"),
    ("post", "/inbox/residents/{r}/contributions"),
    ("post", "/inbox/residents/{r}/link"),
    ("post", "/inbox/residents/{r}/records/{r}/unlink"),
    ("get", "/inbox/threads/{t}/messages.json"),
]


@pytest.mark.parametrize("method,route", NEW_ROUTES)
def test_a_coordinator_who_may_not_see_the_thread_gets_404_on_every_new_route(
        auth, client, normanton_resident, db, method, route):
    ids = _plan_rows(db, normanton_resident)
    thread = db.session.scalar(sa.select(Thread))
    path = route.format(r=normanton_resident.id, t=thread.id, **ids)
    auth.sign_in("hannah")   # Abbey's coordinator
    if method == "get":
        response = client.get(path)
    else:
        response = auth.post(path, name="Mallory", good_life="changed", text="changed",
                             stuck="yes", kind="person", phone="+447700900999", confirm="yes")
    assert response.status_code == 404
    db.session.expire_all()
    assert normanton_resident.name is None and normanton_resident.good_life is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NextStep)) == 1
    assert db.session.get(Connection, ids["connection"]).stuck == "not_yet"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.resident_id.is_not(None))) == 0


def test_a_lead_may_open_any_residents_page(auth, client, normanton_resident):
    auth.sign_in("lead")
    assert "07700 900123" in person_page(client, normanton_resident)


@pytest.mark.model   # what the trained model makes of the words
def test_name_language_and_when_to_contact_are_saved_and_named_in_the_inbox(
        auth, client, normanton_resident, db):
    auth.sign_in("sam")
    auth.post(f"/inbox/residents/{normanton_resident.id}/details", name="Rose",
              language="Polish, with an interpreter", contact_by="call_only",
              contact_times="mornings, not Fridays")
    page = person_page(client, normanton_resident)
    assert "Rose (SMS ending 123)" in page and "Polish, with an interpreter" in page
    assert "Call only: do not text; mornings, not Fridays" in page
    assert "Rose (SMS ending 123)" in client.get("/inbox").get_data(as_text=True)
    db.session.refresh(normanton_resident)
    assert normanton_resident.contact_by == "call_only"


def test_a_good_life_plan_with_goals_connections_and_contributions_is_saved_and_shown(
        auth, client, normanton_resident, db):
    auth.sign_in("sam")
    base = f"/inbox/residents/{normanton_resident.id}"
    auth.post(base + "/good-life", good_life="To feel part of things here again",
              strengths="A brilliant cook; patient with children",
              people_around="Daughter Jo visits on Sundays")
    auth.post(base + "/steps", text="Try the Thursday lunch club", due="2026-12-03")
    auth.post(base + "/steps", text="Ring Jo about Christmas")
    pantry = db.session.scalar(sa.select(DirectoryEntry).where(
        DirectoryEntry.name == "Normanton Community Pantry"))
    auth.post(base + "/connections", entry=str(pantry.id), introduced_on="2026-11-20")
    auth.post(base + "/connections", name="Pat next door", kind="person")
    auth.post(base + "/contributions", text="Cooks for the lunch club", since="2026-11-26")

    page = person_page(client, normanton_resident)
    for words in ("To feel part of things here again", "A brilliant cook",
                  "Daughter Jo visits on Sundays", "Try the Thursday lunch club",
                  "By 03 Dec 2026", "Ring Jo about Christmas", "Normanton Community Pantry",
                  "introduced 20 Nov 2026", "Pat next door", "Cooks for the lunch club",
                  "since 26 Nov 2026"):
        assert words in page, words
    step = db.session.scalar(sa.select(NextStep).where(NextStep.due.is_not(None)))
    assert (step.text, step.due) == ("Try the Thursday lunch club", date(2026, 12, 3))
    connection = db.session.scalar(sa.select(Connection).where(
        Connection.directory_entry_id == pantry.id))
    assert (connection.kind, connection.stuck) == ("community", "not_yet")

    auth.post(f"{base}/connections/{connection.id}", stuck="yes")
    auth.post(f"{base}/steps/{step.id}/done")
    db.session.expire_all()
    assert connection.stuck == "yes" and step.done_at is not None
    assert "Yes, it stuck" in person_page(client, normanton_resident)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 1
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"good_life", "next_step", "connection", "connection_stuck", "step_done",
            "contribution"} <= actions
    details = " ".join(db.session.scalars(sa.select(AuditEvent.detail)))
    assert "lunch club" not in details and "cook" not in details


def test_a_connection_survives_the_directory_being_loaded_again(
        auth, client, normanton_resident, db, app):
    from frontdoor.council_data import load_council_data
    from tests.conftest import DEMO_DATA

    auth.sign_in("sam")
    pantry = db.session.scalar(sa.select(DirectoryEntry).where(
        DirectoryEntry.name == "Normanton Community Pantry"))
    auth.post(f"/inbox/residents/{normanton_resident.id}/connections", entry=str(pantry.id))
    load_council_data(DEMO_DATA, app.config["TIMEZONE"])
    db.session.commit()
    assert "Normanton Community Pantry" in person_page(client, normanton_resident)


@pytest.mark.parametrize("form,said", [
    ({"text": "Go to the library", "due": "next tuesday"}, "is not a date like 2026-12-01"),
    ({"text": "  "}, "Write the next step."),
])
def test_a_bad_next_step_is_refused_with_a_clear_message(auth, client, normanton_resident,
                                                         db, form, said):
    auth.sign_in("sam")
    response = auth.post(f"/inbox/residents/{normanton_resident.id}/steps", **form)
    assert said in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NextStep)) == 0


def test_the_story_runs_newest_first_across_threads_with_notes_and_closures(
        auth, client, phone, normanton_resident, db, clock):
    auth.sign_in("sam")
    first = db.session.scalar(sa.select(Thread))
    auth.post(f"/inbox/threads/{first.id}/take")
    clock.now += timedelta(minutes=10)
    auth.post(f"/inbox/threads/{first.id}/note", body="Prefers calls after lunch")
    clock.now += timedelta(minutes=10)
    auth.post(f"/inbox/threads/{first.id}/close", outcome="community_group")
    clock.now += timedelta(days=3)
    phone.text("hello again, can i talk to sam please, normanton")
    auth.sign_in("sam")
    page = person_page(client, normanton_resident)
    story = page[page.index('id="story"'):]
    order = [story.index(words) for words in (
        "hello again, can i talk to sam", "closed: Connected to a community group",
        "Prefers calls after lunch", "can i talk to someone, i live in normanton")]
    assert order == sorted(order)


def test_a_coordinator_links_two_records_by_hand_only_with_a_confirmation_and_it_is_audited(
        auth, client, normanton_resident, db):
    token = client.post("/chat/api/conversations").get_json()["token"]
    client.post("/chat/api/messages", json={"text": "can i talk to someone, im in normanton"},
                headers={"Authorization": f"Bearer {token}"})
    chat = db.session.scalar(sa.select(Resident).where(Resident.channel == "webchat"))
    auth.sign_in("sam")
    base = f"/inbox/residents/{chat.id}"
    auth.post(base + "/link", phone="07700 900123")
    db.session.refresh(chat)
    assert chat.person.id == chat.id, "not linked without the confirmation"
    auth.post(base + "/link", phone="07700 900123", confirm="yes")
    db.session.expire_all()
    assert chat.person.id == normanton_resident.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "link_by_hand"))
    assert event.resident_id == normanton_resident.id and "7700" not in event.detail
    page = person_page(client, normanton_resident)
    assert "can i talk to someone, im in normanton" in page
    assert "can i talk to someone, i live in normanton" in page
    # The web chat record's page is the person's page.
    assert client.get(base).headers["Location"].endswith(
        f"/inbox/residents/{normanton_resident.id}")

    auth.post(f"/inbox/residents/{normanton_resident.id}/records/{chat.id}/unlink")
    db.session.expire_all()
    assert chat.linked_to_id is None


def test_a_record_the_coordinator_may_not_see_cannot_be_linked_by_hand(
        auth, client, app, normanton_resident, db):
    make_phone(client, app, "+447700900555").text("can someone ring me, i live in abbey")
    auth.sign_in("sam")
    response = auth.post(f"/inbox/residents/{normanton_resident.id}/link",
                         phone="07700 900555", confirm="yes")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No record you can see matches that" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resident).where(
        Resident.linked_to_id.is_not(None))) == 0


def test_do_not_text_holds_for_every_record_of_a_linked_person(auth, client, db,
                                                               normanton_resident):
    from frontdoor import linking

    chat = Resident(channel="webchat", address="a" * 64, contact_by="webchat_only")
    db.session.add(chat)
    db.session.flush()
    linking.link(normanton_resident, chat)
    db.session.commit()
    assert normanton_resident.contact_by == "webchat_only"
    auth.sign_in("sam")
    assert "Do not text" in person_page(client, normanton_resident)


# -- the page's words and a form's values (no database) ---------------------------------------

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_phone_record_shows_its_number_as_written_and_a_web_chat_record_none(words_app):
    records = [Resident(channel="sms", address="+447700900123"),
               Resident(channel="webchat", address="chat-1"),
               Resident(channel="sms", address="not a number")]
    assert residents.phone_numbers(records) == [("+447700900123", "07700 900123"),
                                                ("not a number", "not a number")]


@pytest.mark.parametrize(("message", "who"), [
    (Message(author=Author.RESIDENT), "Resident"),
    (Message(author=Author.BOT), "Front door"),
    (Message(author=Author.COORDINATOR, coordinator=Coordinator(name="Sam Patel")), "Sam Patel"),
    (Message(author=Author.COORDINATOR), "Coordinator"),   # someone since erased
])
def test_each_message_of_the_story_says_who_it_is_from(message, who):
    assert rows.author_of(message) == who


def test_a_thread_starts_about_its_need_in_words_and_closes_with_its_outcome():
    thread = Thread(id=7, need="daily_living", created_at=MONDAY,
                    closed_at=MONDAY + timedelta(days=2), outcome="signposted")
    started, closed = residents.milestones(thread)
    assert (started.when, started.text) == (MONDAY, "Thread 7 started about daily living.")
    assert (closed.when, closed.text) == (MONDAY + timedelta(days=2),
                                          "Thread 7 closed: Signposted to a service.")
    assert {started.kind, closed.kind} == {"event"} and closed.thread_id == 7


def test_a_thread_with_no_need_or_still_open_or_closed_without_an_outcome_says_so():
    [started] = residents.milestones(Thread(id=8, created_at=MONDAY))
    assert started.text == "Thread 8 started."
    _, closed = residents.milestones(Thread(id=8, created_at=MONDAY, closed_at=MONDAY))
    assert closed.text == "Thread 8 closed: no outcome recorded."


@pytest.mark.parametrize(("typed", "kept"), [
    ("  Rose Hill \r\n", "Rose Hill"),
    ("Walks\r\nCooking", "Walks\nCooking"),   # a browser's line ending, stored as one
    ("   ", None),
    ("", None),
    ("x" * 130, "x" * 120),
])
def test_what_a_coordinator_types_is_kept_trimmed_and_cut_to_its_limit(typed, kept):
    assert residents.form_text(typed, 120) == kept


def test_a_date_from_a_form_is_optional_and_a_bad_one_is_a_clear_error():
    assert residents.form_date(" 2026-12-01 ") == date(2026, 12, 1)
    assert residents.form_date("  ") is None
    with pytest.raises(ValueError, match="^The date 'next tuesday' is not a date like "
                                         "2026-12-01.$"):
        residents.form_date("next tuesday")
