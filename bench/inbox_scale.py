"""Benchmark: the inbox at a real council's size.

Fills a PostgreSQL schema of its own with 1,000,000 messages from 50,000 residents in 18
wards over two years (threads, notes, audit rows, urgent alerts, outcomes, follow-ups,
connections), with the real migrations and the demo council's wards and coordinators, then
times the real pages through the Flask app: the thread list (a lead's, every open thread in
every ward, and a coordinator's), a resident's page (/inbox/threads/<id>, which shows the
resident's whole history, and their outcomes page) and the reports page (the default 12
weeks, one ward, a whole year). Prints p50 and p95 for each; the target is p95 <= 200 ms.

    .venv/bin/python bench/inbox_scale.py --postgresql postgresql+psycopg://USER@HOST/DB
        [--messages 1000000] [--residents 50000] [--repeat 40] [--keep] [--without-indexes]

Everything goes in the schema `inbox_bench` of that database (dropped first, and at the end
unless --keep). --without-indexes drops the indexes issue 13 added, to show what they buy.
Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pyotp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCHEMA = "inbox_bench"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway schema only
NEEDS = ["food", "money", "housing", "loneliness", "caring", "health", "daily_living",
         "digital", "work_learning", "volunteering", "family", "council_service",
         "coordinator", "smalltalk"]
CRISES = ["suicide_self_harm", "domestic_abuse", "danger", "medical", "safeguarding_other"]
DOMAINS = ["family_friends", "cope_family_life", "confident_future", "contributing",
           "local_community", "own_decisions", "money", "safe_at_home", "learning_work",
           "less_crisis", "health"]
ADDED_INDEXES = ["ix_thread_created_at", "ix_thread_open", "ix_message_thread_author_created",
                 "ix_resident_created_at", "ix_resident_last_contact_at"]
WORDS = ["need", "help", "with", "food", "bank", "money", "rent", "bills", "lonely", "carer",
         "my", "mum", "bus", "pass", "job", "course", "phone", "wifi", "thanks", "please",
         "today", "tomorrow", "can", "someone", "call", "me"]


def schema_url(url: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={SCHEMA}')}"


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


# One COPY per table, in the order the keys need, read top to bottom like the schema:
# split up, the ids each table hands the next would have to travel between functions.
def fill(engine: sa.Engine, residents: int, messages: int, now: datetime,  # noqa: C901
         rng: random.Random) -> dict[str, int]:
    """Write the rows with COPY, straight through psycopg: ids given, sequences set after."""
    with engine.connect() as connection:
        wards = [row[0] for row in connection.execute(sa.text("SELECT code FROM ward"))]
        people = dict(connection.execute(sa.text(
            "SELECT code, coordinator_id FROM ward")).all())
        coordinators = [row[0] for row in connection.execute(sa.text(
            "SELECT id FROM coordinator WHERE role = 'coordinator'"))]
    span = timedelta(days=730)
    counts = {"residents": residents}
    raw = engine.raw_connection()
    cursor = raw.cursor()

    def copy(table: str, columns: str, rows) -> int:
        n = 0
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copier:
            for row in rows:
                copier.write_row(row)
                n += 1
        return n

    # Residents: a first contact spread over two years; a last contact after it.
    resident_rows = []
    for rid in range(1, residents + 1):
        ward = rng.choice(wards)
        first = now - span * rng.random()
        resident_rows.append((rid, "sms", f"+4477{rid:08d}", ward, None, people[ward], False,
                              naive(first), naive(first + (now - first) * rng.random() ** 3),
                              False))
    copy("resident", "id, channel, address, ward_code, postcode, coordinator_id, opted_out, "
         "created_at, last_contact_at, safeguarding_hold", resident_rows)

    # Threads: 1 to 4 per resident. About one in a hundred is still waiting or open
    # (every coordinator has a caseload); two in a hundred were a crisis.
    threads, thread_id = [], 0
    for rid, _, _, ward, _, coordinator, _, first, last, _ in resident_rows:
        for k in range(rng.choice((1, 1, 2, 2, 3, 4))):
            thread_id += 1
            started = first + (last - first) * (k / 4) + timedelta(minutes=rng.randint(0, 600))
            handed = rng.random() < 0.4
            crisis = rng.choice(CRISES) if rng.random() < 0.02 else None
            state = ("waiting_for_coordinator" if rng.random() < 0.4 else "with_coordinator") \
                if rng.random() < 0.01 and k == 0 else ("closed" if handed or crisis else "bot")
            handed_at = started + timedelta(minutes=rng.randint(1, 30)) \
                if handed or crisis else None
            threads.append((thread_id, rid, state, crisis is not None, crisis,
                            None if crisis else rng.choice(NEEDS), ward,
                            coordinator if handed_at else None, handed_at, started,
                            handed_at + timedelta(hours=rng.randint(1, 400))
                            if state == "closed" and handed_at else None,
                            handed_at + timedelta(minutes=rng.randint(2, 900))
                            if crisis else None, 0))
    # One thread per resident may be open (the database's own rule): the others close.
    seen_open: set[int] = set()
    for i, row in enumerate(threads):
        if row[2] != "closed" and row[1] in seen_open:
            threads[i] = (*row[:2], "closed", *row[3:])
        elif row[2] != "closed":
            seen_open.add(row[1])
    counts["threads"] = copy(
        "thread", "id, resident_id, state, urgent, crisis, need, ward_code, coordinator_id, "
        "handed_off_at, created_at, closed_at, acknowledged_at, escalation_step", threads)
    counts["open threads"] = sum(1 for t in threads if t[2] not in ("closed", "bot"))

    # Messages: shared out over threads unevenly (some residents write a lot).
    # A long conversation runs to a few hundred messages, never tens of thousands.
    weights = [min(rng.paretovariate(1.6), 60.0) for _ in threads]
    scale = (messages - 2 * len(threads)) / sum(weights)
    sizes = [2 + int(weight * scale) for weight in weights]
    for i in rng.choices(range(len(sizes)), k=max(0, messages - sum(sizes))):
        sizes[i] += 1   # what rounding down left over, so the total is exact
    message_id = 0

    def message_rows():
        nonlocal message_id
        for n, (tid, rid, _, _, _, _, _, coordinator, handed, started, *_rest) in zip(
                sizes, threads, strict=True):
            for j in range(n):
                if message_id >= messages:
                    return
                message_id += 1
                resident_writes = j % 2 == 0
                by_person = not resident_writes and handed is not None and j > 1
                when = started + timedelta(minutes=7 * j + rng.randint(0, 5))
                if by_person and when < handed:
                    when = handed + timedelta(minutes=rng.randint(5, 3000))
                yield (message_id, tid, rid, "in" if resident_writes else "out",
                       "resident" if resident_writes else ("coordinator" if by_person else "bot"),
                       "sms", " ".join(rng.choices(WORDS, k=rng.randint(3, 25))), 0,
                       f"SM{message_id:032x}" if resident_writes else None,
                       coordinator if by_person else None,
                       None if resident_writes else "delivered", when, 0, False)

    counts["messages"] = copy(
        "message", "id, thread_id, resident_id, direction, author, channel, body, media_count, "
        "provider_id, coordinator_id, status, created_at, attempts, maybe_sent",
        message_rows())

    handed_threads = [t for t in threads if t[8] is not None]
    counts["notes"] = copy("note", "thread_id, coordinator_id, body, created_at", (
        (t[0], t[7], " ".join(rng.choices(WORDS, k=12)), t[8] + timedelta(hours=2))
        for t in handed_threads if rng.random() < 0.5))
    counts["audit rows"] = copy("audit_event", "coordinator_id, action, thread_id, detail, "
                                "created_at", (
        (t[7], action, t[0], "", t[8] + timedelta(minutes=m))
        for t in handed_threads for action, m in (("view", 10), ("take", 11), ("reply", 12),
                                                  ("close", 900)) if t[2] == "closed" or m < 900))
    counts["urgent alerts"] = copy("notification", "coordinator_id, thread_id, kind, step, "
                                   "created_at, sent_at", (
        (t[7], t[0], "urgent", "named", t[8], t[8]) for t in threads if t[3]))

    # Outcomes for one resident in twelve (a coordinator's caseload): a start and reviews.
    review_id = 0
    reviews, scores = [], []
    for rid, *_rest in resident_rows[::12]:
        first = _rest[6]
        for k in range(rng.choice((1, 2, 3, 4))):
            review_id += 1
            reviews.append((review_id, rid, rng.choice(coordinators),
                            "start" if k == 0 else "review",
                            first + timedelta(days=60 * k + 1)))
            for domain in rng.sample(DOMAINS, 6):
                scores.append((review_id, domain, rng.randint(1, 5)))
    counts["outcome reviews"] = copy("outcome_review", "id, resident_id, coordinator_id, stage, "
                                     "recorded_at", reviews)
    copy("outcome_score", "review_id, domain, score", scores)
    copy("demand_avoided", "resident_id, coordinator_id, event, recorded_at", (
        (r[1], r[2], rng.choice(("gp_visit", "a_and_e", "eviction", "care_package",
                                 "crisis_service")), r[4]) for r in reviews if r[3] == "review"))

    # Follow-ups for one bot-answered thread in three; referrals to named entries.
    follow_ups, referrals, follow_up_id = [], [], 0
    entries = [(f"Bench group {i}", "community" if i % 3 else "service") for i in range(60)]
    for t in threads:
        if t[2] == "bot" and rng.random() < 0.33:
            follow_up_id += 1
            sent = t[9] + timedelta(days=7)
            answer = rng.choice(("yes", "yes", "not_yet", "did_not_fit", "person", None))
            follow_ups.append((follow_up_id, t[1], t[0], t[9], sent,
                               "answered" if answer else "sent", sent, answer,
                               sent + timedelta(hours=3) if answer else None))
            for name, kind in rng.sample(entries, 2):
                referrals.append((follow_up_id, t[1], name, kind, t[5], t[9]))
    counts["follow-ups"] = copy("follow_up", "id, resident_id, thread_id, pointed_at, due_at, "
                                "state, sent_at, answer, answered_at", follow_ups)
    copy("referral", "follow_up_id, resident_id, entry_name, entry_kind, need, pointed_at",
         referrals)
    copy("connection", "resident_id, kind, name, introduced_on, stuck, created_by_id, created_at",
         ((r[1], rng.choice(("community", "service")), "A group", r[4].date(),
           rng.choice(("yes", "not_yet", "no")), r[2], r[4]) for r in reviews))
    copy("contribution", "resident_id, text, since, created_by_id, created_at",
         ((r[1], "Volunteers at the lunch club", r[4].date(), r[2], r[4])
          for r in reviews[::3]))
    # What the inbox records as a coordinator replies (threads.replied), as the migration
    # fills it for older threads.
    from importlib import import_module
    migration = import_module("frontdoor.migrations.versions."
                              "e9a1c0de0013_outcomes_follow_ups_rights")
    cursor.execute(migration.FIRST_REPLY_BACKFILL)
    for table in ("resident", "thread", "message", "outcome_review", "follow_up"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f"(SELECT max(id) FROM {table}))")
    raw.commit()
    raw.commit()
    raw.close()
    # What autovacuum does on a live database: statistics, and the visibility map that
    # lets the reports count from the indexes alone.
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return counts


def timed(client, path: str, repeat: int, before=lambda: None) -> tuple[float, float, int]:
    """p50 and p95 of `repeat` requests, in milliseconds, after one warm-up request."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)], \
        len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a PostgreSQL database URL (a schema of its own is used)")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the filled schema")
    parser.add_argument("--without-indexes", action="store_true",
                        help="drop the indexes issue 13 added, for a side-by-side run")
    args = parser.parse_args()
    if not args.postgresql:
        sys.exit("give --postgresql postgresql+psycopg://USER@HOST/DATABASE")
    os.environ.setdefault("FRONTDOOR_ENV", "test")
    os.environ.setdefault("MODEL_PATH", str(ROOT / "instance" / "model"))

    base = sa.create_engine(args.postgresql)
    with base.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    base.dispose()

    from flask_migrate import upgrade

    from frontdoor import create_app
    from frontdoor.council_data import load_council_data
    from frontdoor.extensions import db
    from frontdoor.inbox import people, second_factor
    from frontdoor.models import Coordinator, Thread

    url = schema_url(args.postgresql)
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": url,
                      "MODEL_PATH": os.environ["MODEL_PATH"], "INBOX_IDLE_MINUTES": 600,
                      "RATELIMIT_ENABLED": False})
    rng = random.Random(13)
    now = datetime.now(UTC)
    totp_keys: dict[str, str] = {}
    with app.app_context():
        upgrade()
        load_council_data(ROOT / "config" / "demo", app.config["TIMEZONE"])
        for key in ("lead", "sam-patel"):
            person = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))
            people.set_password(person, PASSWORD)
            totp_keys[person.email] = pyotp.random_base32()
            second_factor.enrol(person, totp_keys[person.email], now, used_step=None)
        db.session.commit()
        started = time.perf_counter()
        counts = fill(db.engine, args.residents, args.messages, now, rng)
        fill_seconds = time.perf_counter() - started
        if args.without_indexes:
            for name in ADDED_INDEXES:
                db.session.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
            db.session.commit()
        busiest = db.session.execute(sa.text(
            "SELECT thread_id FROM message GROUP BY thread_id ORDER BY count(*) DESC LIMIT 1"
        )).scalar_one()
        samples = [busiest, *rng.sample(range(1, counts["threads"] + 1), 9)]
        resident_samples = db.session.execute(sa.text(
            "SELECT resident_id FROM thread WHERE id = ANY(:ids)"), {"ids": samples}
        ).scalars().all()
        history = db.session.execute(sa.text(
            "SELECT count(*) FROM message WHERE resident_id = "
            "(SELECT resident_id FROM thread WHERE id = :t)"), {"t": busiest}).scalar_one()
        sam_ward = db.session.scalar(sa.select(Thread.ward_code).where(
            Thread.coordinator_id == db.session.scalar(sa.select(Coordinator.id).where(
                Coordinator.key == "sam-patel"))).limit(1))
        db.session.remove()

    def client_for(email: str):
        client = app.test_client()
        with app.test_request_context():
            import re
            page = client.get("/inbox/sign-in").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/inbox/sign-in", data={"csrf_token": token, "email": email,
                                                         "password": PASSWORD})
        assert response.headers["Location"].endswith("/inbox/sign-in/code"), response.status_code
        page = client.get("/inbox/sign-in/code").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/inbox/sign-in/code", data={
            "csrf_token": token, "code": pyotp.TOTP(totp_keys[email]).now()})
        assert response.status_code == 302, response.status_code
        return client

    lead = client_for("morgan.hale@lac.example.org")
    sam = client_for("sam.patel@lac.example.org")
    year_ago = (now - timedelta(days=365)).date().isoformat()
    def forget_reports() -> None:
        # The reports page keeps the tables it just made for its charts and CSVs while
        # nothing changes: forgotten before each request, so each is worked out afresh.
        cached = app.extensions.get("frontdoor.recent_reports")
        if cached is not None:
            cached.clear()

    pages = [
        ("thread list, lead (every open thread)", lead, ["/inbox"]),
        ("thread list, a coordinator", sam, ["/inbox"]),
        ("resident's page /inbox/threads/<id>", lead, [f"/inbox/threads/{t}" for t in samples]),
        ("resident's outcomes page", lead,
         [f"/inbox/residents/{r}/outcomes" for r in resident_samples]),
        ("reports, default 12 weeks", lead, ["/inbox/reports"]),
        ("reports, one ward, 12 weeks", lead, [f"/inbox/reports?ward={sam_ward}"]),
        ("reports, a whole year", lead, [f"/inbox/reports?from={year_ago}"]),
        ("a chart, just after its page", lead, ["/inbox/reports/contacts.svg"]),
    ]
    print(f"inbox at scale: PostgreSQL schema {SCHEMA}, filled in {fill_seconds:.0f} s "
          f"({'without' if args.without_indexes else 'with'} issue 13's indexes)")
    print("rows: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
          + f"; 18 wards; the busiest resident has {history:,} messages")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}, load average "
          f"{os.getloadavg()[0]:.1f} when the timings began")
    print()
    print(f"{'page':<42}{'p50 ms':>9}{'p95 ms':>9}{'KB':>7}  target p95 <= 200 ms")
    with app.app_context():
        for name, client, paths in pages:
            fresh = forget_reports if name.startswith("reports") else (lambda: None)
            results = [timed(client, path, max(1, args.repeat // len(paths)), fresh)
                       for path in paths]
            # Per page: the p50 of all runs, the worst p95 among its paths.
            p50 = statistics.median(r[0] for r in results)
            p95 = max(r[1] for r in results)
            size = max(r[2] for r in results) / 1024
            print(f"{name:<42}{p50:>9.1f}{p95:>9.1f}{size:>7.0f}  "
                  f"{'met' if p95 <= 200 else 'MISSED'}")
        db.session.remove()
        db.engine.dispose()
    if not args.keep:
        engine = sa.create_engine(args.postgresql)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
