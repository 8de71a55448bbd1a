"""Slowing password guessing down without getting in the way of an office of colleagues.

Only failures count: a correct sign-in never does, so twenty people behind one office address
are never refused for signing in. Failures are counted per account and per address, with
delays that double once a few have piled up; an account is locked after ten
(SIGN_IN_LOCK_AFTER) from wherever they came. The account is counted by the email typed,
known or not, so the answers do not tell a guesser who has an account, and a locked account
gets the same answer as a wrong password. Counts live in Redis when REDIS_URL is set,
otherwise in the database: either way every web worker sees the same numbers."""

from __future__ import annotations

import hashlib
import ipaddress
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from frontdoor.extensions import db
from frontdoor.models import SignInThrottle


@dataclass(frozen=True)
class Policy:
    """How many failures are free, how the delay grows after that, and when to lock."""

    free: int
    first_delay: timedelta
    longest_delay: timedelta
    forget_after: timedelta
    lock_after: int | None = None
    lock_for: timedelta = timedelta(0)

    def blocked_until(self, failures: int, now: datetime) -> datetime | None:
        """When the next attempt may be made, after this many failures."""
        if self.lock_after is not None and failures >= self.lock_after:
            return now + self.lock_for
        if failures <= self.free:
            return None
        # The doubling stops well past the longest delay: a thousand failures from one
        # address must not overflow the arithmetic (it did: a 500 instead of a 429).
        doublings = min(failures - self.free - 1, 30)
        return now + min(self.first_delay * 2 ** doublings, self.longest_delay)


@dataclass(frozen=True)
class Count:
    failures: int
    blocked_until: datetime | None

    def blocks(self, now: datetime) -> bool:
        return self.blocked_until is not None and now < self.blocked_until


NOTHING = Count(0, None)


class ThrottleStore(ABC):
    """Failure counts that every worker shares. `add_failure` is atomic."""

    @abstractmethod
    def add_failure(self, key: str, now: datetime, policy: Policy) -> Count: ...

    @abstractmethod
    def peek(self, key: str) -> Count: ...

    @abstractmethod
    def clear(self, key: str) -> None: ...


class DatabaseThrottleStore(ThrottleStore):
    """One row per key, locked while it is changed; written with the request's commit."""

    def add_failure(self, key: str, now: datetime, policy: Policy) -> Count:
        _insert_if_missing(key, now)
        row = db.session.scalar(sa.select(SignInThrottle).where(SignInThrottle.key == key)
                                .with_for_update())
        assert row is not None
        if now - row.last_failure_at > policy.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        until = policy.blocked_until(row.failures, now)
        if until is not None and (row.blocked_until is None or until > row.blocked_until):
            row.blocked_until = until
        db.session.flush()
        return Count(row.failures, row.blocked_until)

    def peek(self, key: str) -> Count:
        row = db.session.get(SignInThrottle, key)
        return Count(row.failures, row.blocked_until) if row else NOTHING

    def clear(self, key: str) -> None:
        db.session.execute(sa.delete(SignInThrottle).where(SignInThrottle.key == key))


def _insert_if_missing(key: str, now: datetime) -> None:
    values = {"key": key, "failures": 0, "last_failure_at": now}
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(pg_insert(SignInThrottle).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        db.session.execute(sqlite_insert(SignInThrottle).values(values)
                           .on_conflict_do_nothing())


# Count a failure, starting again after a quiet spell; one round trip, atomic in Redis.
_ADD_FAILURE = """
local now = tonumber(ARGV[1])
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if now - last > tonumber(ARGV[2]) then failures = 0 end
failures = failures + 1
redis.call('HSET', KEYS[1], 'failures', failures, 'last', ARGV[1])
return failures
"""
# Block until a moment, never shortening a longer block another worker set.
_BLOCK = """
local current = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[1], 'blocked', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('HGET', KEYS[1], 'blocked')
"""


class RedisThrottleStore(ThrottleStore):
    def __init__(self, url: str, prefix: str = "frontdoor:sign-in:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._add_failure = self.redis.register_script(_ADD_FAILURE)
        self._block = self.redis.register_script(_BLOCK)

    def add_failure(self, key: str, now: datetime, policy: Policy) -> Count:
        name = self.prefix + key
        failures = int(self._add_failure(keys=[name], args=[
            repr(now.timestamp()), policy.forget_after.total_seconds()]))
        until = policy.blocked_until(failures, now)
        keep = int(max(policy.forget_after, policy.lock_for).total_seconds()) + 60
        blocked = self._block(keys=[name], args=[repr(until.timestamp() if until else 0.0),
                                                 keep])
        return Count(failures, _moment(blocked))

    def peek(self, key: str) -> Count:
        values = self.redis.hgetall(self.prefix + key)
        if not values:
            return NOTHING
        return Count(int(values.get(b"failures", 0)), _moment(values.get(b"blocked")))

    def clear(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


def _moment(raw: Any) -> datetime | None:
    seconds = float(raw or 0)
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def init_app(app: Flask) -> None:
    """Choose where counts live: Redis when REDIS_URL is set, otherwise the database."""
    url = app.config.get("REDIS_URL")
    app.extensions["frontdoor.sign_in_throttle"] = (
        RedisThrottleStore(url) if url else DatabaseThrottleStore())


def _store() -> ThrottleStore:
    return current_app.extensions["frontdoor.sign_in_throttle"]


def account_policy() -> Policy:
    config = current_app.config
    lock_for = timedelta(minutes=config["SIGN_IN_LOCK_MINUTES"])
    return Policy(free=3, first_delay=timedelta(seconds=2), longest_delay=timedelta(minutes=5),
                  forget_after=max(timedelta(hours=1), lock_for),
                  lock_after=config["SIGN_IN_LOCK_AFTER"], lock_for=lock_for)


def address_policy() -> Policy:
    return Policy(free=current_app.config["SIGN_IN_ADDRESS_ALLOWANCE"],
                  first_delay=timedelta(seconds=2), longest_delay=timedelta(minutes=15),
                  forget_after=timedelta(hours=1))


def account_key(email: str) -> str:
    # Hashed so the store holds no email addresses, and unknown emails count like known ones.
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


def address_key(address: str) -> str:
    """An IPv4 address, or the /64 an IPv6 address is in (one household or device has it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "address:unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return "address:" + str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return f"address:{ip}"


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the email typed and where it came from."""

    email: str
    address: str

    def address_blocked(self, now: datetime) -> bool:
        return _store().peek(address_key(self.address)).blocks(now)

    def account_blocked(self, now: datetime) -> bool:
        return _store().peek(account_key(self.email)).blocks(now)

    def failed(self, now: datetime) -> bool:
        """Count a failure against the account and the address; True if it locked the account."""
        policy = account_policy()
        count = _store().add_failure(account_key(self.email), now, policy)
        _store().add_failure(address_key(self.address), now, address_policy())
        return policy.lock_after is not None and count.failures == policy.lock_after

    def succeeded(self) -> None:
        """A right password and code: the account starts again (the address keeps its count)."""
        _store().clear(account_key(self.email))


def locked_until(email: str | None, now: datetime) -> datetime | None:
    """When a locked account opens again (for the lead), or None if it is not locked."""
    if not email:
        return None
    count = _store().peek(account_key(email))
    lock_after = current_app.config["SIGN_IN_LOCK_AFTER"]
    return count.blocked_until if count.failures >= lock_after and count.blocks(now) else None


def unlock(email: str) -> None:
    _store().clear(account_key(email))
