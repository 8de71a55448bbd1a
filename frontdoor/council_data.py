"""Loading the council's own data (config/<council>/) into the database.

Files: council.toml, coordinators.toml, wards.csv, postcodes.csv, directory.csv.
Loading is idempotent: run it again after editing the files."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from frontdoor import outcomes, threads
from frontdoor.extensions import db
from frontdoor.models import (
    Coordinator,
    Council,
    DirectoryEntry,
    Leave,
    OnCall,
    Postcode,
    Ward,
    directory_entry_ward,
)
from frontdoor.triage.data import NEEDS
from frontdoor.triage.entities import format_postcode

DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}


class CouncilDataError(ValueError):
    """A problem in the council's files, named with file and line."""


@dataclass(frozen=True)
class LoadReport:
    wards: int
    coordinators: int
    postcodes: int
    entries: int


def _csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [(n, {k: (v or "").strip() for k, v in row.items()})
                for n, row in enumerate(csv.DictReader(f), start=2)]


def _toml(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def _working_hours(key: str, text: str | None) -> tuple[time | None, time | None]:
    """'08:30-16:30' -> (08:30, 16:30); None -> the council's hours."""
    if not text:
        return None, None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as error:
        raise CouncilDataError(f"coordinators.toml: {key}: hours must look like "
                               f"'09:00-17:00', not {text!r}") from error
    if end <= start:
        raise CouncilDataError(f"coordinators.toml: {key}: hours must end after they start")
    return start, end


def _local_moment(value: object, zone: ZoneInfo, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as error:
        raise CouncilDataError(f"{where}: {value!r} is not a date and time like "
                               "2026-11-27T17:00") from error
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def load_council_data(folder: Path, timezone: str = "Europe/London") -> LoadReport:
    """Replace the council's data in the database with the files in `folder`."""
    folder = Path(folder)
    council = _toml(folder / "council.toml")
    people = _toml(folder / "coordinators.toml").get("coordinator", [])

    row = db.session.get(Council, 1) or Council(id=1)
    row.name = council["council"]["name"]
    row.is_demo = bool(council["council"].get("demo", False))
    row.contact_centre_phone = council["contact_centre"]["phone"]
    row.contact_centre_web = council["contact_centre"]["web"]
    row.contact_centre_hours = council["contact_centre"]["hours"]
    row.safeguarding_phone = council["safeguarding"]["phone"]
    row.safeguarding_hours = council["safeguarding"].get("hours", "")
    row.safeguarding_out_of_hours_phone = council["safeguarding"].get("out_of_hours_phone", "")
    ladder = council.get("escalation", {}).get("ladder", threads.DEFAULT_LADDER)
    try:
        threads.parse_ladder(ladder)
    except ValueError as error:
        raise CouncilDataError(f"council.toml: [escalation] ladder: {error}") from error
    row.escalation_ladder = ladder
    try:
        # Privacy notice, retention and accessibility settings; the outcome domains.
        outcomes.load_council_policy(row, council)
        outcomes.load_domains(folder / "outcomes.toml")
    except outcomes.OutcomesError as error:
        raise CouncilDataError(str(error)) from error
    db.session.add(row)

    by_key: dict[str, Coordinator] = {}
    for person in people:
        key = person["key"]
        days = person.get("working_days", ["Mon", "Tue", "Wed", "Thu", "Fri"])
        if not set(days) <= DAYS:
            raise CouncilDataError(f"coordinators.toml: {key}: working_days must use {DAYS}")
        coordinator = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key)) \
            or Coordinator(key=key)
        coordinator.name = person["name"]
        coordinator.email = person.get("email")
        coordinator.work_phone = person.get("work_phone")
        coordinator.working_days = ",".join(days)
        coordinator.role = person.get("role", "coordinator")
        coordinator.starts_work, coordinator.ends_work = _working_hours(key, person.get("hours"))
        coordinator.active = True
        coordinator.leave = [Leave(starts=date.fromisoformat(str(lv["from"])),
                                   ends=date.fromisoformat(str(lv["to"])))
                             for lv in person.get("leave", [])]
        db.session.add(coordinator)
        by_key[key] = coordinator
    db.session.flush()

    zone = ZoneInfo(timezone)
    db.session.execute(sa.delete(OnCall))
    for n, entry in enumerate(_toml(folder / "coordinators.toml").get("on_call", []), start=1):
        where = f"coordinators.toml: on_call entry {n}"
        if entry.get("coordinator") not in by_key:
            raise CouncilDataError(f"{where}: unknown coordinator {entry.get('coordinator')!r}")
        starts = _local_moment(entry.get("from"), zone, where)
        ends = _local_moment(entry.get("to"), zone, where)
        if ends <= starts:
            raise CouncilDataError(f"{where}: 'to' must be after 'from'")
        db.session.add(OnCall(coordinator_id=by_key[entry["coordinator"]].id, starts=starts,
                              ends=ends))

    wards: dict[str, Ward] = {}
    for line, ward_row in _csv(folder / "wards.csv"):
        code = ward_row["ward_code"]
        for role in ("coordinator", "cover"):
            if ward_row.get(role) and ward_row[role] not in by_key:
                raise CouncilDataError(f"wards.csv:{line}: unknown {role} '{ward_row[role]}'")
        ward = db.session.get(Ward, code) or Ward(code=code)
        ward.name = ward_row["ward_name"]
        ward.aliases = ";".join(a.strip().lower() for a in ward_row.get("aliases", "").split(";")
                                if a.strip())
        ward.coordinator = by_key.get(ward_row.get("coordinator", ""))
        ward.cover = by_key.get(ward_row.get("cover", ""))
        db.session.add(ward)
        wards[code] = ward
    db.session.flush()
    by_name = {w.name.lower(): w for w in wards.values()}

    # Only the rows this file gave last time: postcodes imported from the ONS directory
    # (`frontdoor postcodes import`) stay, except where this file names the same postcode.
    db.session.execute(sa.delete(Postcode).where(Postcode.source == "config"))
    seen: dict[str, str] = {}
    for line, pc_row in _csv(folder / "postcodes.csv"):
        raw = pc_row["postcode"].upper()
        key = format_postcode(raw) or " ".join(raw.split())
        if pc_row["ward_code"] not in wards:
            raise CouncilDataError(f"postcodes.csv:{line}: unknown ward '{pc_row['ward_code']}'")
        if key in seen:
            raise CouncilDataError(f"postcodes.csv:{line}: '{key}' appears twice")
        seen[key] = pc_row["ward_code"]
    keys = sorted(seen)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        db.session.execute(sa.delete(Postcode).where(Postcode.postcode.in_(chunk)))
    db.session.add_all(Postcode(postcode=key, ward_code=seen[key], source="config")
                       for key in keys)

    db.session.execute(sa.delete(directory_entry_ward))
    db.session.execute(sa.delete(DirectoryEntry).where(DirectoryEntry.source == "config"))
    entries = 0
    for line, entry_row in _csv(folder / "directory.csv"):
        needs = [n.strip() for n in entry_row["needs"].split(";") if n.strip()]
        unknown = set(needs) - set(NEEDS)
        if unknown or not needs:
            raise CouncilDataError(f"directory.csv:{line}: unknown needs {sorted(unknown)}")
        if entry_row["kind"] not in {"community", "service"}:
            raise CouncilDataError(f"directory.csv:{line}: kind is community or service")
        citywide = entry_row["wards"].strip() == "*"
        entry_wards = []
        if not citywide:
            for name in entry_row["wards"].split(";"):
                named = wards.get(name.strip()) or by_name.get(name.strip().lower())
                if named is None:
                    raise CouncilDataError(f"directory.csv:{line}: unknown ward '{name}'")
                entry_wards.append(named)
        db.session.add(DirectoryEntry(
            name=entry_row["name"], summary=entry_row["summary"].rstrip("."),
            needs=";".join(needs), kind=entry_row["kind"], contact=entry_row["contact"],
            hours=entry_row.get("hours", ""), citywide=citywide, wards=entry_wards,
            source="config"))
        entries += 1
    db.session.commit()
    return LoadReport(len(wards), len(by_key), len(seen), entries)
