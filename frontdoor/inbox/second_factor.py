"""The second factor for password sign-in: TOTP codes from an authenticator app (RFC 6238,
through pyotp), and single-use recovery codes for when the phone is lost.

A code is accepted once: the time step it belongs to is remembered, so a code seen over
someone's shoulder cannot be used again. Enrolment secrets are derived from a value only the
person's own pending sign-in or invitation holds, so showing the enrolment page writes
nothing; the secret is stored once a code from it has been confirmed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno
import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import Coordinator, RecoveryCode

RECOVERY_CODES = 10
# One step either side of now: phones whose clocks drift by up to 30 seconds still work.
STEPS_EITHER_SIDE = 1


def enrolment_secret(key: str, purpose: str) -> str:
    """A TOTP secret (160 bits, base32) derived from the app's key and a pending sign-in's
    or invitation's own random value."""
    digest = hmac.new(key.encode(), f"totp-enrolment:{purpose}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()[:20]).decode()


def provisioning_uri(person: Coordinator, secret: str, issuer: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=person.email or person.key,
                                               issuer_name=issuer)


def qr_code(uri: str) -> str:
    """The link as an SVG QR code in a data: URI (allowed by the Content-Security-Policy)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _step_matching(secret: str, code: str, now: datetime) -> int | None:
    # The authenticator app on the person's phone runs on the wall clock, whatever time the
    # rest of the app is told it is (tests move that clock): codes are checked against it.
    del now
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    for offset in range(-STEPS_EITHER_SIDE, STEPS_EITHER_SIDE + 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def confirming_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step a code for a new secret belongs to, or None if it does not fit."""
    digits = _digits(code)
    return _step_matching(secret, digits, now) if len(digits) == 6 else None


def enrol(person: Coordinator, secret: str, now: datetime, used_step: int | None) -> list[str]:
    """Keep a confirmed secret; returns a fresh set of recovery codes to show once."""
    person.totp_secret = secret
    person.totp_enrolled_at = now
    person.totp_last_step = used_step     # the code that confirmed it is used up
    return new_recovery_codes(person)


def is_enrolled(person: Coordinator) -> bool:
    return bool(person.totp_secret and person.totp_enrolled_at)


def check(person: Coordinator, code: str, now: datetime) -> str | None:
    """"code" or "recovery code" if what was typed is good (and now used up), else None."""
    if not is_enrolled(person):
        return None
    digits = _digits(code)
    if len(digits) == 6 and len(code.strip().replace(" ", "")) == 6:
        assert person.totp_secret is not None
        step = _step_matching(person.totp_secret, digits, now)
        if step is None or (person.totp_last_step is not None and step <= person.totp_last_step):
            return None
        person.totp_last_step = step
        return "code"
    return "recovery code" if _use_recovery_code(person, code, now) else None


def new_recovery_codes(person: Coordinator) -> list[str]:
    """Ten new codes (80 bits each) replacing any old ones; only their hashes are kept."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.coordinator_id == person.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12:]}")
        db.session.add(RecoveryCode(coordinator_id=person.id, code_hash=_hash(raw)))
    return codes


def recovery_codes_left(person: Coordinator) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.coordinator_id == person.id, RecoveryCode.used_at.is_(None))) or 0


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _use_recovery_code(person: Coordinator, code: str, now: datetime) -> bool:
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    if len(cleaned) != 16:
        return False
    row = db.session.scalar(sa.select(RecoveryCode).where(
        RecoveryCode.coordinator_id == person.id, RecoveryCode.code_hash == _hash(cleaned),
        RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = now
    return True


def remove(person: Coordinator) -> None:
    """Forget the second factor and its recovery codes (a lead's reset)."""
    person.totp_secret = person.totp_enrolled_at = person.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.coordinator_id == person.id))
