"""Loading the council's own data (config/<council>/) into the database.

Files: council.toml, coordinators.toml, wards.csv, postcodes.csv, and the directory in Open
Referral UK form (directory.json, or a directory/ folder of ORUK CSVs) with needs_map.csv.
Loading is idempotent: run it again after editing the files. One council per database:
loading another council's files is refused unless it is asked to replace the one there.
Each load bumps the council's config version, so running servers and workers pick up the
new postcodes, wards and directory without a restart (frontdoor/engine.py)."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from frontdoor import outcomes, threads
from frontdoor.directory import oruk
from frontdoor.extensions import db
from frontdoor.models import (
    Coordinator,
    Council,
    DirectoryEntry,
    Leave,
    OnCall,
    Postcode,
    Resident,
    SignIn,
    Thread,
    Ward,
    directory_entry_ward,
    utcnow,
)
from frontdoor.transactions import unit_of_work
from frontdoor.triage.entities import format_postcode

DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}


class CouncilDataError(ValueError):
    """A problem in the council's files, named with file and line."""


class AnotherCouncil(CouncilDataError):
    """The database already holds a different council's data."""


@dataclass(frozen=True)
class Replaced:
    """What was left of the council that was replaced."""

    name: str
    coordinators_deactivated: int
    wards_removed: int
    wards_kept: int     # still named by residents' or threads' history


@dataclass(frozen=True)
class LoadReport:
    wards: int
    coordinators: int
    postcodes: int
    entries: int
    council: str = ""
    replaced: Replaced | None = None
    # People no longer in coordinators.toml, deactivated now; people in it who stay
    # deactivated until reactivated (a lead or the command line deactivated them).
    deactivated: tuple[str, ...] = ()
    kept_inactive: tuple[str, ...] = ()
    directory: oruk.ImportReport | None = None


def _csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [(n, {k: (v or "").strip() for k, v in row.items()})
                for n, row in enumerate(csv.DictReader(f), start=2)]


def _toml(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def _languages(section: dict) -> tuple[str, str]:
    """council.toml [languages]: offered = ["cy", "en"], opt_out = ["STOPIO", ...]."""
    offered = section.get("offered", ["en"])
    if not isinstance(offered, list) or not offered or not set(offered) <= {"cy", "en"} \
            or "en" not in offered:
        raise CouncilDataError('council.toml: [languages] offered must list "en", and "cy" '
                               f"for Welsh too, not {offered!r}")
    words = section.get("opt_out", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() and ";" not in w
                                              for w in words):
        raise CouncilDataError("council.toml: [languages] opt_out must be a list of words, "
                               f"not {words!r}")
    ordered = [code for code in ("cy", "en") if code in offered]
    return ",".join(ordered), ";".join(w.strip().upper() for w in words)


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


def _described(name: str, demo: bool) -> str:
    return f"{name} (demo data)" if demo else name


def _same_council(row: Council, name: str, code: str | None, demo: bool) -> bool:
    if row.is_demo != demo:
        return False    # demo people and threads never mix with a real council's
    if row.code and code:
        return row.code == code
    return row.name.strip().lower() == name.strip().lower()


def retire_council(row: Council, now: datetime) -> Replaced:
    """Take the council in the database out of service, keeping residents' history.

    Its coordinators are deactivated (signed out, their keys freed for the new council's
    people); its postcodes and directory are removed; its wards are removed unless a
    resident or a thread still names them, in which case they are kept for that history
    but emptied (no coordinator, cover or aliases) and renamed after the old council so
    that a message naming the place no longer matches them."""
    people = db.session.scalars(sa.select(Coordinator)).all()
    for person in people:
        person.active = False
        person.key = f"former-{person.id}-{person.key}"[:64]
    db.session.execute(sa.update(SignIn).where(SignIn.ended_at.is_(None)).values(ended_at=now))
    db.session.execute(sa.delete(Postcode))
    db.session.execute(sa.delete(directory_entry_ward))
    db.session.execute(sa.delete(DirectoryEntry))
    in_use = set(db.session.scalars(sa.select(Resident.ward_code).where(
        Resident.ward_code.is_not(None)))) | set(db.session.scalars(
            sa.select(Thread.ward_code).where(Thread.ward_code.is_not(None))))
    removed = kept = 0
    for ward in db.session.scalars(sa.select(Ward)).all():
        if ward.code in in_use:
            ward.name = f"{ward.name} ({row.name})"[:80]
            ward.aliases, ward.coordinator, ward.cover = "", None, None
            kept += 1
        else:
            db.session.delete(ward)
            removed += 1
    db.session.flush()
    return Replaced(_described(row.name, row.is_demo), len(people), removed, kept)


def load_council_data(folder: Path, replace_council: bool = False,
                      timezone: str = "Europe/London") -> LoadReport:
    """Load the files in `folder` over this council's data in the database.

    A different council's files are refused (AnotherCouncil) unless `replace_council`."""
    folder = Path(folder)
    council = _toml(folder / "council.toml")
    people = _toml(folder / "coordinators.toml").get("coordinator", [])

    name = council["council"]["name"]
    code = council["council"].get("code")
    demo = bool(council["council"].get("demo", False))
    replaced = None
    # All of it or none of it: a file that fails part-way leaves the council as it was (the
    # directory's importer commits too, but only as the last step but one).
    with unit_of_work():
        row = db.session.get(Council, 1)
        if row is not None and not _same_council(row, name, code, demo):
            if not replace_council:
                raise AnotherCouncil(
                    f"This database holds {_described(row.name, row.is_demo)}, not "
                    f"{_described(name, demo)} ({folder}): use one database per council, or "
                    f"--replace-council to take {row.name}'s coordinators, wards, postcodes "
                    f"and directory out of service")
            replaced = retire_council(row, utcnow())
        row = row or Council(id=1, config_version=0)
        _set_council(row, council, name, code, demo, folder)
        db.session.add(row)

        by_key = _load_coordinators(people)
        _load_on_call(folder, by_key, ZoneInfo(timezone))
        wards = _load_wards(folder, by_key)
        deactivated = _deactivate_leavers(set(by_key))
        postcodes = _load_postcodes(folder, wards)
        db.session.flush()
        directory = _load_directory(folder)
        # Running processes compare this to drop what they cached (engine.py).
        row.config_version = (row.config_version or 0) + 1
    kept = tuple(p.name for p in by_key.values() if not p.active)
    return LoadReport(len(wards), len(by_key), postcodes,
                      directory.imported if directory else 0, _described(name, demo),
                      replaced, deactivated, kept, directory)


def _set_council(row: Council, council: dict[str, Any], name: str, code: str | None,
                 demo: bool, folder: Path) -> None:
    """council.toml onto the council's row: contacts, the ladder, languages, policies."""
    row.name = name
    row.code = code or row.code
    row.is_demo = demo
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
    freshness = council.get("directory", {}).get("freshness_months", 12)
    if not isinstance(freshness, int) or isinstance(freshness, bool) or freshness < 1:
        raise CouncilDataError("council.toml: [directory] freshness_months must be a whole "
                               "number of months, 1 or more")
    row.directory_freshness_months = freshness
    row.languages, row.opt_out_words = _languages(council.get("languages", {}))
    try:
        # Privacy notice, retention and accessibility settings; the outcome domains.
        outcomes.load_council_policy(row, council)
        outcomes.load_domains(folder / "outcomes.toml")
    except outcomes.OutcomesError as error:
        raise CouncilDataError(str(error)) from error


def _load_coordinators(people: list[dict[str, Any]]) -> dict[str, Coordinator]:
    """coordinators.toml's people, by key: added or updated, never brought back."""
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
        coordinator.source = "config"
        # A leaver is never brought back by a reload: reactivating is a deliberate step.
        coordinator.active = coordinator.active if coordinator.id else True
        coordinator.leave = [Leave(starts=date.fromisoformat(str(lv["from"])),
                                   ends=date.fromisoformat(str(lv["to"])))
                             for lv in person.get("leave", [])]
        db.session.add(coordinator)
        by_key[key] = coordinator
    db.session.flush()
    return by_key


def _load_on_call(folder: Path, by_key: dict[str, Coordinator], zone: ZoneInfo) -> None:
    """The on-call rota in coordinators.toml, in place of the one loaded before."""
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


def _load_wards(folder: Path, by_key: dict[str, Coordinator]) -> dict[str, Ward]:
    """wards.csv, each with its coordinator and cover, by ward code."""
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
    return wards


def _load_postcodes(folder: Path, wards: dict[str, Ward]) -> int:
    """postcodes.csv, over the rows it gave last time; returns how many it names."""
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
    return len(keys)


def _deactivate_leavers(keys: set[str]) -> tuple[str, ...]:
    """People loaded from the council's data before and missing from it now have left."""
    from frontdoor.inbox.people import PeopleError, deactivate

    leavers = db.session.scalars(sa.select(Coordinator).where(
        Coordinator.source == "config", Coordinator.active,
        Coordinator.key.not_in(keys))).all()
    for person in leavers:
        try:
            deactivate(person, None, utcnow())
        except PeopleError as error:
            raise CouncilDataError(f"coordinators.toml: {person.key} is missing, but {error}") \
                from error
    return tuple(f"{p.name} ({p.email or p.key})" for p in leavers)


def _load_directory(folder: Path) -> oruk.ImportReport | None:
    """The council's own directory file, through the same importer as a live ORUK feed."""
    source = next((p for p in (folder / "directory.json", folder / "directory") if p.exists()),
                  None)
    if source is None:
        return None   # the directory comes from `frontdoor directory import` instead
    try:
        needs_map = oruk.load_needs_map(folder / "needs_map.csv")
    except (OSError, ValueError) as error:
        raise CouncilDataError(str(error)) from error
    # Entries loaded from config are "config"'s: re-loading replaces them and leaves entries
    # imported from a live feed alone.
    if source.suffix == ".json" and source.read_text(encoding="utf-8").strip() == "[]":
        # Deliberately empty (a new council's starting file): no config entries, no error.
        db.session.execute(sa.delete(DirectoryEntry).where(DirectoryEntry.source == "config"))
        return None
    try:
        return oruk.import_directory(str(source), needs_map, replace=True,
                                     source_name="config", classify=oruk.need_classifier())
    except oruk.ImportFailed as error:
        raise CouncilDataError(str(error)) from error
