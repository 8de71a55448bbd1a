"""Floods (issue 19): web-chat limits count against what a client cannot choose (its address,
as our own proxy reports it), generously enough for a library's shared address; and a burst
of new urgent threads from one address reaches the lead as one grouped alert, while each
thread is still shown, urgent, in the inbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from frontdoor import threads
from frontdoor.edge import TrustedProxies, address_key
from frontdoor.models import Coordinator, Notification, Resident, Thread
from frontdoor.rota import Hours
from tests.channels.test_webchat import start

CRISIS = "i want to kill myself tonight"
LIBRARY = "198.51.100.20"


def page_post(app, text: str, address: str = LIBRARY):
    """The no-JavaScript chat page from a fresh browser (a new cookie every time)."""
    client = app.test_client()
    env = {"REMOTE_ADDR": address}
    html = client.get("/chat", environ_overrides=env).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/chat", data={"csrf_token": csrf, "text": text}, environ_overrides=env)


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def lead_notifications(db, kind: str | None = None) -> list[Notification]:
    query = sa.select(Notification).join(Coordinator).where(Coordinator.role == "lead")
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def test_forty_urgent_chats_from_one_address_with_fresh_cookies_reach_the_lead_as_one_alert(
        app, db, auth, client):
    # The default limits: a library's address may start this many chats in a minute.
    answers = [page_post(app, CRISIS).status_code for _ in range(40)]
    assert answers == [302] * 40
    urgent = list(db.session.scalars(sa.select(Thread).where(Thread.urgent)))
    assert len(urgent) == 40
    # The first few are alerted one by one (two people at a library can both be in crisis);
    # the rest reach the lead once, together.
    grouped = [t for t in urgent if t.alert_grouped]
    assert len(grouped) == 40 - threads.BURST_AFTER
    assert len(lead_notifications(db, "urgent_group")) == 1
    assert len(lead_notifications(db)) <= threads.BURST_AFTER + 1
    # Each thread is still shown to the lead, urgent.
    auth.sign_in("lead")
    page = client.get("/inbox").get_data(as_text=True)
    for thread in urgent:
        assert f'href="/inbox/threads/{thread.id}"' in page
    assert page.count("One of several urgent chats from one address") == len(grouped)


def test_fresh_cookies_cannot_start_conversations_without_end(app, db):
    app.config["RATELIMIT_WEBCHAT_NEW"] = "10 per hour"
    answers = [page_post(app, "hello").status_code for _ in range(14)]
    assert answers == [302] * 10 + [429] * 4
    assert count(db, Resident, Resident.channel == "webchat") == 10


def test_the_grouped_alert_says_how_many_and_is_raised_again_as_one(app, db, clock):
    for _ in range(8):
        assert page_post(app, CRISIS).status_code == 302
    alerts = app.extensions["frontdoor.alerts"]
    alerts.notify_pending(clock)
    subjects = [subject for _, subject, _ in alerts.notifier.sent]
    assert "URGENT: 6 urgent web chats from one address" in subjects
    assert all("kill" not in text for _, _, text in alerts.notifier.sent)
    for raised in (2, 3):
        # Until someone acknowledges them, the group is raised again after the top rung's
        # wait: once each time, never six separate ladders.
        clock.now += timedelta(minutes=16)
        alerts.escalate_urgent(clock)
        assert len(lead_notifications(db, "urgent_group")) == raised
    assert not [n for n in lead_notifications(db, "urgent")
                if db.session.get(Thread, n.thread_id).alert_grouped]


def test_urgent_chats_from_different_addresses_are_each_alerted(app, db):
    for i in range(5):
        assert page_post(app, CRISIS, address=f"203.0.113.{i}").status_code == 302
    assert count(db, Thread, Thread.alert_grouped) == 0
    assert lead_notifications(db, "urgent_group") == []


def test_a_library_full_of_residents_chatting_is_not_refused(app, db):
    client = app.test_client()
    env = {"REMOTE_ADDR": LIBRARY}
    tokens = []
    for _ in range(25):
        response = client.post("/chat/api/conversations", environ_overrides=env)
        assert response.status_code == 201
        tokens.append(response.get_json()["token"])
    for turn in range(3):
        for token in tokens:
            response = client.post("/chat/api/messages", json={"text": f"hello {turn}"},
                                   headers={"Authorization": f"Bearer {token}"},
                                   environ_overrides=env)
            assert response.status_code == 201, response.get_json()


def test_new_conversations_count_against_the_address_not_a_made_up_forwarded_one(app):
    from frontdoor.edge import TrustedProxies

    app.config["RATELIMIT_WEBCHAT_NEW"] = "5 per hour"
    app.wsgi_app = TrustedProxies(app.wsgi_app, 1, "127.0.0.1")
    client = app.test_client()
    answers = [client.post("/chat/api/conversations",
                           headers={"X-Forwarded-For": f"192.0.2.{i}"},
                           environ_overrides={"REMOTE_ADDR": LIBRARY}).status_code
               for i in range(7)]
    assert answers == [201] * 5 + [429] * 2
    # Behind our proxy, the address it reports is the one counted.
    other = client.post("/chat/api/conversations",
                        headers={"X-Forwarded-For": "192.0.2.99, 203.0.113.50"},
                        environ_overrides={"REMOTE_ADDR": "127.0.0.1"})
    assert other.status_code == 201


def test_a_made_up_cookie_or_token_cannot_buy_a_fresh_message_allowance(app):
    app.config["RATELIMIT_WEBCHAT"] = "3 per minute"
    app.config["RATELIMIT_WEBCHAT_ADDRESS"] = "6 per minute"
    client = app.test_client()
    token = start(client)
    answers = []
    for i in range(8):
        # Each post claims to be another conversation; all come from one address.
        answers.append(client.post("/chat/api/messages", json={"text": "hi"}, headers={
            "Authorization": f"Bearer made-up-{i}"}).status_code)
    assert answers[:3] == [401] * 3 and answers[3:] == [429] * 5
    del token


# -- what a limit counts against, without a database (the unit tier) --------------------------

@pytest.mark.parametrize("address, key", [
    ("198.51.100.20", "198.51.100.20"),
    # A household or a phone has a whole /64: every address in it is one.
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.20", "198.51.100.20"),
    ("not an address", "unknown"), ("", "unknown"),
])
def test_a_limit_counts_against_an_ipv4_address_or_an_ipv6_64(address, key):
    assert address_key(address) == key


def seen_by_app(proxies: TrustedProxies, peer: str, forwarded: str) -> str:
    """The client address the app behind `proxies` is given for one request."""
    seen: dict[str, str] = {}

    def app(environ, start_response):
        seen["address"] = environ["REMOTE_ADDR"]
        return []

    proxies.app = app
    proxies.fixed.app = app
    proxies({"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded, "wsgi.url_scheme": "http",
             "HTTP_HOST": "frontdoor.test"}, lambda *args: None)
    return seen["address"]


def test_only_our_own_proxy_is_believed_about_the_clients_address():
    proxies = TrustedProxies(lambda environ, start_response: [], 1, "127.0.0.1, 10.0.0.0/8")
    # Anyone else's X-Forwarded-For is ignored: it cannot pick the address a limit counts.
    assert seen_by_app(proxies, LIBRARY, "192.0.2.7") == LIBRARY
    # Our proxy's is believed, and only its last hop (the address it saw).
    assert seen_by_app(proxies, "127.0.0.1", "192.0.2.99, 203.0.113.50") == "203.0.113.50"
    assert seen_by_app(proxies, "10.1.2.3", "192.0.2.7") == "192.0.2.7"


# -- who hears of a burst (threads.who_hears_of_a_burst; plain rows, the unit tier) -----------

def lead(id: int, days: str = "Mon,Tue,Wed,Thu,Fri") -> Coordinator:
    return Coordinator(id=id, key=f"lead-{id}", working_days=days, active=True, leave=[])


TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ON_CALL = lead(9, "Sat,Sun")


@pytest.mark.parametrize("leads, on_call, told", [
    ([lead(1), lead(2, "Wed")], ON_CALL, ["lead-1"]),        # the leads at work, not the rest
    ([lead(1), lead(2)], ON_CALL, ["lead-1", "lead-2"]),
    ([lead(1, "Wed"), lead(2, "Wed")], ON_CALL, ["lead-9"]),  # none at work: whoever is on call
    ([lead(1, "Wed"), lead(2, "Wed")], None, ["lead-1", "lead-2"]),   # else every lead
])
def test_a_burst_is_told_to_the_leads_at_work_else_on_call_else_every_lead(leads, on_call,
                                                                           told):
    heard = threads.who_hears_of_a_burst(leads, on_call, TUESDAY_10AM, Hours())
    assert [p.key for p in heard] == told
