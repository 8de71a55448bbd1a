"""Benchmark: the review list as a safety net. A realistic day for one ward (Normanton, in
the demo council) goes through the signed SMS webhook: the everyday messages of
bench/data/normanton_day.txt, and every crisis message of the blind set that the crisis check
misses (so the front door answers it as an everyday need). Then it prints, for each missed
crisis, its rank in the ward's "Answered by the front door" list and the share of everyday
conversations ranked below it.

    .venv/bin/python bench/safety_net.py [--crisis intents/crisis/blind] [--without-rules]

Target (issue 20): every missed crisis ranked above at least 90% of the everyday messages.
`--without-rules` runs the same day with the crisis rules switched off (the model alone), to
see the safety net behind a weaker check. The blind set is read here to measure, never to
tune: the scoring (frontdoor/review.py) was set on the development split. No message text is
printed: a missed crisis is named by its file and line."""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402

from frontdoor.triage.data import _lines  # noqa: E402
from frontdoor.triage.safety import CATEGORIES  # noqa: E402

NORMANTON = "E05015521"
# A Tuesday in November (London is on UTC): an ordinary working day.
DAY = datetime(2026, 11, 24, tzinfo=UTC)
TARGET = 0.9


@dataclass(frozen=True)
class Sent:
    at: datetime
    resident: str
    text: str
    crisis: str | None = None      # "medical.txt:12" for a blind-set crisis message


class Clock:
    def __init__(self) -> None:
        self.now = DAY

    def __call__(self) -> datetime:
        return self.now


def parse_day(path: Path) -> list[Sent]:
    messages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        when, resident, text = (part.strip() for part in line.split("|", 2))
        days = 0
        if when.startswith("-"):
            offset, when = when.split()
            days = int(offset)
        hour, minute = (int(x) for x in when.split(":"))
        at = DAY + timedelta(days=days, hours=hour, minutes=minute)
        if not text:
            raise SystemExit(f"{path}:{number}: a message is needed after the resident")
        messages.append(Sent(at, resident, text))
    return messages


def model_path(given: Path | None) -> Path:
    path = given or Path(os.environ.get("MODEL_PATH") or ROOT / "instance" / "model")
    if not (path / "meta.json").exists():
        raise SystemExit(f"no trained model at {path}: run `make model` (or pass --model)")
    return path


# The bench's one run, set up, measured and printed in the order its report reads.
def run(day: list[Sent], crisis_dir: Path, model: Path, without_rules: bool,  # noqa: C901
        seed: int, show_everyday: int = 0) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from frontdoor import create_app, review
    from frontdoor.council_data import load_council_data
    from frontdoor.engine import front_door, hours_for
    from frontdoor.extensions import db
    from frontdoor.models import Resident, Review
    from frontdoor.triage import safety

    # Alembic's migration log would drown the figures.
    logging.disable(logging.INFO)
    if without_rules:
        # The model alone: what the review list has to catch if the rules miss more.
        safety.rule_categories = lambda text: []  # type: ignore[assignment]

    folder = Path(tempfile.mkdtemp(prefix="safety-net-"))
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                      "MODEL_PATH": str(model), "SMS_SENDER": "fake"})
    clock = Clock()
    app.extensions["frontdoor.clock"] = clock
    client = app.test_client()
    url = app.config["PUBLIC_BASE_URL"] + "/sms/inbound"
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    numbers: dict[str, str] = {}

    def text(resident: str, body: str) -> None:
        number = numbers.setdefault(resident, f"+44770091{len(numbers):04d}")
        sid = "SM" + uuid.uuid4().hex
        fields = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32,
                  "From": number, "To": "+447700900000", "Body": body, "NumMedia": "0"}
        response = client.post("/sms/inbound", data=fields, headers={
            "X-Twilio-Signature": validator.compute_signature(url, fields)})
        assert response.status_code == 200, response.status_code

    def everything_seen() -> None:
        for entry in db.session.scalars(sa.select(Review).where(Review.resolved_at.is_(None))):
            review.resolve(entry, None, clock.now, "fine")
        db.session.commit()

    with app.app_context():
        upgrade()
        load_council_data(ROOT / "config" / "demo", app.config["TIMEZONE"])
        engine = front_door(app)

        # Which blind-set crisis messages the crisis check misses, read as the engine reads.
        missed = []
        for category in CATEGORIES:
            path = crisis_dir / f"{category}.txt"
            if not path.exists():
                continue
            for number, line in enumerate(_lines(path), 1):
                if engine.triage.read(line, engine.places()).crisis is None:
                    missed.append((f"{path.name}:{number}", category, line))
        # Each at a time drawn from the everyday day's own times, so night-time is no tell.
        rng = random.Random(seed)
        today = [m.at for m in day if m.at >= DAY]
        crisis_sent = [Sent(rng.choice(today) + timedelta(minutes=rng.randint(-20, 20)),
                            f"c{i:03d}", line, name)
                       for i, (name, _, line) in enumerate(missed)]
        residents = sorted({m.resident for m in day} | {m.resident for m in crisis_sent})

        # Weeks ago: every resident first told the front door where they live (seen since).
        clock.now = DAY - timedelta(days=35)
        for resident in residents:
            text(resident, "hi i live in normanton")
        everything_seen()
        # Earlier this week (seen at the time), then the day itself.
        for message in sorted((m for m in day if m.at < DAY), key=lambda m: m.at):
            clock.now = message.at
            text(message.resident, message.text)
        everything_seen()
        started = time.perf_counter()
        for message in sorted((m for m in [*day, *crisis_sent] if m.at >= DAY),
                              key=lambda m: m.at):
            clock.now = max(message.at, DAY)
            text(message.resident, message.text)
        sending = time.perf_counter() - started

        clock.now = DAY + timedelta(hours=23, minutes=59)
        timings = []
        for _ in range(3):
            db.session.expire_all()
            started = time.perf_counter()
            entries = review.entries_for_ward(NORMANTON, clock.now, hours_for(app))
            timings.append(time.perf_counter() - started)
        listing = statistics.median(timings)
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Resident))
        assert stored == len(numbers), "every resident is stored"
        number_of = {v: k for k, v in numbers.items()}
        crisis_of = {m.resident: m.crisis for m in crisis_sent}
        kinds = [crisis_of.get(number_of[e.thread.resident.address]) for e in entries]
        everyday_total = sum(1 for k in kinds if k is None)

        sent_today = sum(1 for m in day if m.at >= DAY)
        print(f"day: {sent_today} everyday messages from "
              f"{len({m.resident for m in day if m.at >= DAY})} residents, "
              f"plus {len(crisis_sent)} missed crisis messages, through the signed SMS webhook "
              f"in {sending:.1f} s" + ("  [crisis rules OFF: model alone]" if without_rules
                                       else ""))
        total = sum(len(_lines(crisis_dir / f"{c}.txt")) for c in CATEGORIES
                    if (crisis_dir / f"{c}.txt").exists())
        shown = crisis_dir.relative_to(ROOT) if crisis_dir.is_relative_to(ROOT) else crisis_dir
        print(f"crisis messages in {shown}: {total}, missed by the crisis check: {len(missed)}")
        print(f"review list for Normanton: {len(entries)} conversations "
              f"({everyday_total} everyday), built in {listing * 1000:.0f} ms (median of 3)")
        print()
        shares = []
        print(f"{'missed crisis':<28}{'rank':>6}{'everyday below':>17}  why")
        for rank, (entry, kind) in enumerate(zip(entries, kinds, strict=True), 1):
            if kind is None:
                continue
            below = sum(1 for k in kinds[rank:] if k is None)
            share = below / everyday_total if everyday_total else 1.0
            shares.append(share)
            print(f"{kind:<28}{rank:>6}{share:>16.1%}  {'; '.join(entry.risk.reasons) or '-'}")
        with_person = [m.crisis for m in crisis_sent if m.crisis not in set(kinds)]
        for name in with_person:
            print(f"{name:<28}{'-':>6}{'':>17}  handed to a person by the front door")
        print()
        if shares:
            hit = sum(1 for s in shares if s >= TARGET)
            print(f"missed crises ranked above >= {TARGET:.0%} of everyday: {hit} of "
                  f"{len(shares)} in the list (lowest {min(shares):.1%}, median "
                  f"{statistics.median(shares):.1%})  target: all")
        else:
            print("no missed crisis message is in the list")
        if show_everyday:
            print(f"\nthe {show_everyday} riskiest everyday conversations (bench data):")
            top = [e for e, k in zip(entries, kinds, strict=True) if k is None][:show_everyday]
            for entry in top:
                print(f"  {entry.risk.points:>5}  {entry.first_words[:60]:<60}  "
                      f"{'; '.join(entry.risk.reasons)}")
        risks = sorted((e.risk.points for e, k in zip(entries, kinds, strict=True) if k is None),
                       reverse=True)
        if risks:
            print(f"everyday risk: top {risks[0]}, 90th percentile "
                  f"{risks[int(len(risks) * 0.1)]}, median {statistics.median(risks)}")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", type=Path, default=ROOT / "bench" / "data" / "normanton_day.txt")
    parser.add_argument("--crisis", type=Path, default=ROOT / "intents" / "crisis" / "blind",
                        help="folder of crisis messages per category (default: the blind set)")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--without-rules", action="store_true",
                        help="switch the crisis rules off: the model alone")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--show-everyday", type=int, default=0, metavar="N",
                        help="also print the N riskiest everyday conversations")
    args = parser.parse_args()
    os.environ.setdefault("FRONTDOOR_ENV", "test")
    run(parse_day(args.day), args.crisis, model_path(args.model), args.without_rules, args.seed,
        args.show_everyday)


if __name__ == "__main__":
    main()
