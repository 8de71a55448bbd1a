"""Do the entries the front door offers fit what residents asked? Prints figures, side by side
with the need-and-ward lookup the front door used before (the baseline).

    .venv/bin/python bench/answers.py [--model DIR] [--entries 5000] [--show-misses]

Runs the requests in bench/answer_requests.py (written before the ranker, with the entries
a coordinator would accept) against the demo directory, reading each message with the real
trained pipeline for its need and place, as the front door does. Then times the search on a
directory of 5,000 entries (the demo's, copied across wards with new ids), imported through
the real importer. Uses throwaway SQLite databases; changes nothing else."""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answer_requests import REQUESTS, Request  # noqa: E402

from frontdoor import create_app  # noqa: E402
from frontdoor.extensions import db  # noqa: E402
from frontdoor.models import DirectoryEntry, Ward, directory_entry_ward  # noqa: E402

DEMO = ROOT / "config" / "demo"
# A fixed Tuesday, so the freshness limit and bank holidays give the same figures on any day.
TODAY = date(2026, 11, 24)
PREFIX = "demo-"


def baseline_entries(need: str, ward_code: str | None, limit: int = 3) -> list[DirectoryEntry]:
    """The front door's lookup before this search: need and ward only, community first,
    then by name (frontdoor/directory/lookup.py `entries_for`, as it was)."""
    in_ward = sa.select(directory_entry_ward.c.entry_id).where(
        directory_entry_ward.c.ward_code == ward_code)
    reach = DirectoryEntry.citywide if ward_code is None else sa.or_(
        DirectoryEntry.citywide, DirectoryEntry.id.in_(in_ward))
    candidates = db.session.scalars(
        sa.select(DirectoryEntry).where(reach, DirectoryEntry.needs.contains(need))
        .order_by(DirectoryEntry.citywide, DirectoryEntry.name)).all()
    matching = [e for e in candidates if need in e.need_list]
    community = [e for e in matching if e.kind == "community"]
    services = [e for e in matching if e.kind != "community"]
    chosen = community[: limit - 1 if services else limit] + services[:1]
    if len(chosen) < limit:
        chosen += [e for e in community + services if e not in chosen][: limit - len(chosen)]
    return chosen


def make_app(url: str, model: Path):
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": url, "MODEL_PATH": str(model)})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def read(engine, request: Request) -> tuple[str, str | None]:
    """The need and ward the front door would act on for this request."""
    reading = engine.triage.read(request.text, engine.places())
    ward = reading.place.ward_code
    if ward is None and request.ward:
        ward = db.session.scalar(sa.select(Ward.code).where(Ward.name == request.ward))
    return reading.need, ward


def against_age(request: Request, min_age: int | None, max_age: int | None) -> bool:
    if not request.ages:
        return False
    low, high = min_age if min_age is not None else 0, max_age if max_age is not None else 999
    return not any(low <= age <= high for age in request.ages)


def judge(request: Request, offered: list[str]) -> tuple[bool, bool]:
    """(first acceptable, an acceptable one in the top 3); nothing offered is right only
    when nothing fits."""
    if not request.accept:
        return not offered, not offered
    return (bool(offered) and offered[0] in request.accept,
            any(o in request.accept for o in offered[:3]))


def quality(app, show_misses: bool) -> dict[str, dict[str, float]]:
    from frontdoor.council_data import load_council_data
    from frontdoor.directory.search import offers_for
    from frontdoor.engine import front_door

    figures: dict[str, dict[str, float]] = {"frontdoor": {}, "baseline": {}}
    with app.app_context():
        load_council_data(DEMO)
        engine = front_door(app)
        counts = {name: {"first": 0, "top3": 0, "age": 0, "offered": 0}
                  for name in figures}
        for request in REQUESTS:
            need, ward = read(engine, request)
            offers = offers_for(request.text, need, ward, TODAY, hours=engine.hours)
            ours = [(o.oruk_id.removeprefix(PREFIX), o.min_age, o.max_age)
                    for o in offers.entries]
            theirs = [(e.oruk_id.removeprefix(PREFIX), e.min_age, e.max_age)
                      for e in baseline_entries(need, ward)]
            for name, offered in (("frontdoor", ours), ("baseline", theirs)):
                first, top3 = judge(request, [o[0] for o in offered])
                counts[name]["first"] += first
                counts[name]["top3"] += top3
                counts[name]["age"] += sum(against_age(request, lo, hi) for _, lo, hi in offered)
                counts[name]["offered"] += len(offered)
                if show_misses and name == "frontdoor" and not first:
                    print(f"  {'MISS' if not top3 else 'not first'}: {request.text!r} "
                          f"need={need} ward={ward} -> {[o[0] for o in offered]} "
                          f"words={offers.words}")
        n = len(REQUESTS)
        for name, c in counts.items():
            figures[name] = {"first": c["first"] / n, "top3": c["top3"] / n,
                             "age": c["age"], "offered": c["offered"]}
    return figures


def big_directory(size: int, folder: Path) -> Path:
    """The demo's services copied across wards, with new ids, to `size` records."""
    services = [s for s in json.loads((DEMO / "directory.json").read_text())
                if s.get("status") == "active"]
    sectors = ["DE22 3", "DE22 2", "DE24 0", "DE24 5", "DE23 1", "DE23 2", "DE21 5", "DE21 4",
               "DE21 6", "DE73 5", "DE22 1", "DE23 7", "DE22 4", "DE3 0", "DE23 6", "DE21 2",
               "DE24 8", "DE21 7"]
    copies = []
    n = 0
    while len(copies) < size:
        for service in services:
            if len(copies) >= size:
                break
            clone = copy.deepcopy(service)
            clone["id"] = f"{service['id']}-copy-{n}"
            if n:
                clone["name"] = f"{service['name']} {n}"
            for at in clone.get("service_at_locations", []):
                for address in at["location"].get("addresses", []):
                    sector = sectors[(n + len(copies)) % len(sectors)]
                    address["postal_code"] = f"{sector}{address['postal_code'][-2:]}"
            copies.append(clone)
        n += 1
    path = folder / "big.json"
    path.write_text(json.dumps(copies))
    return path


def latency(app, size: int, repeats: int) -> dict[str, float]:
    from frontdoor.council_data import load_council_data
    from frontdoor.directory.oruk import import_directory, load_needs_map
    from frontdoor.directory.search import directory_index, offers_for
    from frontdoor.engine import front_door

    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        load_council_data(DEMO)
        source = big_directory(size, Path(folder))
        started = time.perf_counter()
        report = import_directory(str(source), load_needs_map(DEMO / "needs_map.csv"),
                                  replace=True, source_name="config")
        import_seconds = time.perf_counter() - started
        entries = db.session.scalar(sa.select(sa.func.count(DirectoryEntry.id)))
        engine = front_door(app)
        readings = [read(engine, r) for r in REQUESTS]
        started = time.perf_counter()
        directory_index()
        build_seconds = time.perf_counter() - started
        ours, theirs = [], []
        for _ in range(repeats):
            for request, (need, ward) in zip(REQUESTS, readings, strict=True):
                started = time.perf_counter()
                offers_for(request.text, need, ward, TODAY, hours=engine.hours)
                ours.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                baseline_entries(need, ward)
                theirs.append((time.perf_counter() - started) * 1000)
        return {"entries": entries, "imported": report.imported, "import_s": import_seconds,
                "build_s": build_seconds, "p50": percentile(ours, 50), "p99": percentile(ours, 99),
                "base_p50": percentile(theirs, 50), "base_p99": percentile(theirs, 99),
                "searches": len(ours)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "instance" / "model")
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if not (args.model / "meta.json").exists():
        sys.exit(f"No trained model at {args.model}: run `frontdoor train` (or --model DIR)")
    with tempfile.TemporaryDirectory() as folder:
        demo_app = make_app(f"sqlite:///{folder}/demo.db", args.model)
        figures = quality(demo_app, args.show_misses)
        big_app = make_app(f"sqlite:///{folder}/big.db", args.model)
        timing = latency(big_app, args.entries, args.repeats)
    ours, base = figures["frontdoor"], figures["baseline"]
    asked = sum(1 for r in REQUESTS if r.ages)
    print(f"requests: {len(REQUESTS)} ({sum(1 for r in REQUESTS if not r.accept)} where nothing "
          f"fits, {asked} stating an age); demo directory; day {TODAY.isoformat()}")
    print()
    print(f"{'':40}{'frontdoor':>12}{'baseline':>12}{'target':>10}")
    print(f"{'first entry acceptable':40}{ours['first']:>12.1%}{base['first']:>12.1%}"
          f"{'>= 90%':>10}")
    print(f"{'an acceptable entry in the top 3':40}{ours['top3']:>12.1%}{base['top3']:>12.1%}"
          f"{'>= 97%':>10}")
    print(f"{'entries offered against the age given':40}{ours['age']:>12}{base['age']:>12}"
          f"{'0':>10}")
    print(f"{'entries offered in all':40}{ours['offered']:>12}{base['offered']:>12}")
    print()
    print(f"search latency, {timing['entries']:,} entries ({timing['searches']} searches):")
    print(f"{'  p50':40}{timing['p50']:>10.2f} ms{timing['base_p50']:>9.2f} ms")
    print(f"{'  p99':40}{timing['p99']:>10.2f} ms{timing['base_p99']:>9.2f} ms"
          f"{'< 20 ms':>10}")
    print(f"  import of {timing['imported']:,} services {timing['import_s']:.1f} s; "
          f"search index built in {timing['build_s']:.2f} s (once per directory change)")


if __name__ == "__main__":
    main()
