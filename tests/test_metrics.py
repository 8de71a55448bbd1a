"""Prometheus metrics at /metrics: counts from the database, latencies from the process, and
no resident data in any label."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from frontdoor.models import Coordinator, Thread, utcnow
from frontdoor.outbox import send_due
from frontdoor.outgoing import queue_reply

NUMBER = "+447700900123"   # the `phone` fixture's


def scrape(client, **headers: str) -> tuple[str, dict[tuple[str, tuple], float]]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    return text, samples


@pytest.mark.model   # what the trained model makes of the words
def test_metrics_after_signed_texts_count_them_and_carry_no_resident_data(app, client, db,
                                                                          phone):
    before = scrape(client)[1].get(("frontdoor_triage_seconds_count", ()), 0)
    phone.text("need a food bank, I live in DE23 8AB")
    phone.text("can someone ring me back please")
    urgent = type(phone)(client, app, "+447700900124")
    urgent.text("i want to end my life, i live in normanton")
    thread = db.session.scalar(sa.select(Thread).where(Thread.urgent.is_(False),
                                                       Thread.handed_off_at.is_not(None)))
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    queue_reply(thread, sam, "Hello, I will call at 2pm", utcnow() - timedelta(seconds=30))
    db.session.commit()

    text, samples = scrape(client)
    assert samples[("frontdoor_messages_in_total", (("channel", "sms"),))] == 3
    assert samples[("frontdoor_replies_total", (("channel", "sms"), ("kind", "bot")))] == 3
    assert samples[("frontdoor_urgent_threads_waiting", ())] == 1
    assert samples[("frontdoor_urgent_oldest_wait_seconds", ())] >= 0
    assert samples[("frontdoor_handoffs_total", (("reason", "crisis"),))] == 1
    assert sum(v for (name, _), v in samples.items() if name == "frontdoor_handoffs_total") == 2
    assert samples[("frontdoor_outbox_pending", ())] == 1
    assert samples[("frontdoor_outbox_oldest_pending_seconds", ())] >= 30
    assert samples[("frontdoor_triage_seconds_count", ())] >= before + 3

    for private in (NUMBER, NUMBER[1:], "900123", "900124", "DE23 8AB", "food bank",
                    "end my life", "2pm", "Sam Patel"):
        assert private not in text
    for (name, labels), _value in samples.items():
        for _label, value in labels if name.startswith("frontdoor_") else ():
            assert re.fullmatch(r"[a-z_]+|[0-9.e+]+|\+Inf", value), value


def test_sends_are_timed_and_failures_counted_by_outcome(app, client, db, phone):
    phone.text("can someone call me, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    queue_reply(thread, sam, "Hello", utcnow())
    db.session.commit()
    before = scrape(client)[1].get(("frontdoor_sms_send_seconds_count",
                                    (("outcome", "sent"), ("provider", "recording"))), 0)
    assert send_due(app.extensions["frontdoor.sms_sender"]) == 1
    after = scrape(client)[1][("frontdoor_sms_send_seconds_count",
                               (("outcome", "sent"), ("provider", "recording")))]
    assert after == before + 1


def test_metrics_ask_for_the_token_when_one_is_set(app, client):
    app.config["METRICS_TOKEN"] = "scrape-token-for-tests"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    scrape(client, Authorization="Bearer scrape-token-for-tests")
