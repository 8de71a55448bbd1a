"""Throttling failed sign-ins: guessing is stopped, an office of colleagues is not.

Run against the database store, and against Redis too when TEST_REDIS_URL is set."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from frontdoor.inbox import throttle
from frontdoor.models import AuditEvent, Coordinator, utcnow
from tests.conftest import ACCOUNTS, PASSWORD, AuthActions, make_account

STORES = ["database"] + (["redis"] if os.environ.get("TEST_REDIS_URL") else [])


@pytest.fixture(params=STORES)
def store(request, app):
    """The app's shared failure counts, in the database or in Redis (a prefix per test)."""
    if request.param == "database":
        chosen: throttle.ThrottleStore = throttle.DatabaseThrottleStore()
    else:
        chosen = throttle.RedisThrottleStore(os.environ["TEST_REDIS_URL"],
                                             prefix=f"frontdoor-test:{uuid.uuid4().hex}:")
    app.extensions["frontdoor.sign_in_throttle"] = chosen
    yield chosen
    if isinstance(chosen, throttle.RedisThrottleStore):
        for key in chosen.redis.scan_iter(chosen.prefix + "*"):
            chosen.redis.delete(key)


def attempt(app, who: str, password: str, address: str = "192.0.2.10"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client, app).sign_in(who, password)


def test_twenty_colleagues_signing_in_from_one_office_address_are_never_refused(
        app, db, auth, store):
    everyone = db.session.scalars(sa.select(Coordinator).where(Coordinator.role != "duty")
                                  .order_by(Coordinator.id)).all()
    from frontdoor.inbox.people import add_person

    everyone.append(add_person("Robin Ames", "robin.ames@lac.example.org"))
    for person in everyone:
        make_account(person.email, key=pyotp.random_base32())
    db.session.commit()
    assert len(everyone) == 20
    for _ in range(5):     # someone's typos first, from the same office (email mistyped)
        assert attempt(app, "sam.patle@lac.example.org", PASSWORD).status_code == 400
    answers = [attempt(app, p.email, PASSWORD) for p in everyone]
    assert [a.headers.get("Location") for a in answers] == ["/inbox"] * 20
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "sign_in")) == 20


def test_ten_wrong_passwords_from_ten_addresses_lock_the_account_quietly(
        app, db, auth, client, store):
    for n in range(10):
        assert attempt(app, "sam", f"guess number {n}", f"198.51.100.{n + 1}").status_code \
            == 400
    wrong = attempt(app, "sam", "one more guess", "203.0.113.9")
    right = attempt(app, "sam", PASSWORD, "203.0.113.9")
    # The guesser cannot tell a locked account from a wrong password.
    assert right.status_code == wrong.status_code == 400
    assert "The email or password is not right" in right.get_data(as_text=True)
    assert "lock" not in right.get_data(as_text=True).lower().replace("after several", "")
    locks = db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "lock")).all()
    assert len(locks) == 1 and locks[0].startswith("sam-patel after 10 failed sign-ins")
    failed = db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "sign_in_failed")).all()
    assert failed[0] == "from 198.51.100.1: wrong password"
    assert failed[9] == "from 198.51.100.10: account paused or locked"

    auth.sign_in("lead")
    team = client.get("/inbox/team").get_data(as_text=True)
    assert "Locked after failed sign-ins until" in team
    audit = client.get("/inbox/audit").get_data(as_text=True)
    assert "sam-patel after 10 failed sign-ins" in audit
    sam = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == "sam-patel"))
    auth.post(f"/inbox/team/people/{sam.id}/unlock")
    assert attempt(app, "sam", PASSWORD, "203.0.113.9").headers["Location"] == "/inbox"
    assert "unlock" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_failures_slow_an_account_down_with_growing_delays(app, db, auth, store):
    for _ in range(4):
        attempt(app, "sam", "wrong")
    assert attempt(app, "sam", PASSWORD).status_code == 400, "paused for a moment"
    count = store.peek(throttle.account_key(ACCOUNTS["sam"]))
    now = app.extensions["frontdoor.clock"]()
    assert count.failures == 5 and count.blocks(now)
    # How the delay grows: the test below.


def test_an_accounts_delay_doubles_after_three_free_failures_until_the_lock(words_app):
    policy = throttle.account_policy()
    now = utcnow()
    delays = [policy.blocked_until(n, now) - now for n in range(4, 10)]
    assert delays == [timedelta(seconds=s) for s in (2, 4, 8, 16, 32, 64)]
    assert policy.blocked_until(3, now) is None
    assert policy.blocked_until(10, now) - now == timedelta(minutes=60)
    assert throttle.Count(10, now + timedelta(minutes=60)).blocks(now)
    assert not throttle.Count(10, now).blocks(now), "free again once the delay is over"


def test_an_address_with_too_many_failures_is_slowed_and_others_are_not(app, db, auth, store):
    app.config["SIGN_IN_ADDRESS_ALLOWANCE"] = 5
    for n in range(6):
        attempt(app, f"person{n}@example.org", "guess", "192.0.2.66")
    slowed = attempt(app, "sam", PASSWORD, "192.0.2.66")
    assert slowed.status_code == 429
    assert "Too many failed sign-ins from this network" in slowed.get_data(as_text=True)
    assert attempt(app, "sam", PASSWORD, "192.0.2.67").headers["Location"] == "/inbox"


def test_every_worker_sees_the_same_counts(app, store):
    if isinstance(store, throttle.RedisThrottleStore):
        other: throttle.ThrottleStore = throttle.RedisThrottleStore(
            os.environ["TEST_REDIS_URL"], prefix=store.prefix)
    else:
        other = throttle.DatabaseThrottleStore()
    policy = throttle.account_policy()
    now = utcnow()
    for n in range(5):
        (store if n % 2 else other).add_failure("account:shared", now, policy)
    assert store.peek("account:shared").failures == other.peek("account:shared").failures == 5
    assert other.add_failure("account:shared", now + timedelta(hours=2), policy).failures == 1, \
        "a quiet spell starts the count again"


def test_thousands_of_failures_from_one_address_are_slowed_never_a_server_error():
    """Found by bench/fuzz.py: the growing delay overflowed after about a thousand failures."""
    policy = throttle.Policy(free=30, first_delay=timedelta(seconds=2),
                             longest_delay=timedelta(minutes=15), forget_after=timedelta(hours=1))
    now = utcnow()
    for failures in (31, 60, 1_000, 10**6):
        assert policy.blocked_until(failures, now) == now + min(
            timedelta(seconds=2) * 2 ** min(failures - 31, 30), timedelta(minutes=15))


def test_ipv6_addresses_are_counted_by_their_64():
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key(
        "2001:db8:1:2:bbbb::9") == "address:2001:db8:1:2::/64"
    assert throttle.address_key("::ffff:192.0.2.1") == "address:192.0.2.1"
    assert throttle.address_key("not an address") == "address:unknown"
