"""Loading the council's own data (config/<council>/) into the database.

Files: council.toml, coordinators.toml, wards.csv, postcodes.csv, and the directory in Open
Referral UK form (directory.json, or a directory/ folder of ORUK CSVs) with needs_map.csv.
Loading is idempotent: run it again after editing the files."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from frontdoor.directory import oruk
from frontdoor.extensions import db
from frontdoor.models import Coordinator, Council, Leave, Postcode, Ward
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
    directory: oruk.ImportReport | None = None


def _csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [(n, {k: (v or "").strip() for k, v in row.items()})
                for n, row in enumerate(csv.DictReader(f), start=2)]


def _toml(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def load_council_data(folder: Path) -> LoadReport:
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
    freshness = council.get("directory", {}).get("freshness_months", 12)
    if not isinstance(freshness, int) or isinstance(freshness, bool) or freshness < 1:
        raise CouncilDataError("council.toml: [directory] freshness_months must be a whole "
                               "number of months, 1 or more")
    row.directory_freshness_months = freshness
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
        coordinator.active = True
        coordinator.leave = [Leave(starts=date.fromisoformat(str(lv["from"])),
                                   ends=date.fromisoformat(str(lv["to"])))
                             for lv in person.get("leave", [])]
        db.session.add(coordinator)
        by_key[key] = coordinator
    db.session.flush()

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

    db.session.execute(sa.delete(Postcode))
    seen: set[str] = set()
    for line, pc_row in _csv(folder / "postcodes.csv"):
        raw = pc_row["postcode"].upper()
        key = format_postcode(raw) or " ".join(raw.split())
        if pc_row["ward_code"] not in wards:
            raise CouncilDataError(f"postcodes.csv:{line}: unknown ward '{pc_row['ward_code']}'")
        if key in seen:
            raise CouncilDataError(f"postcodes.csv:{line}: '{key}' appears twice")
        seen.add(key)
        db.session.add(Postcode(postcode=key, ward_code=pc_row["ward_code"]))

    db.session.flush()
    directory = _load_directory(folder)
    db.session.commit()
    return LoadReport(len(wards), len(by_key), len(seen),
                      directory.imported if directory else 0, directory)


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
    try:
        return oruk.import_directory(str(source), needs_map, replace=True,
                                     source_name="config", classify=oruk.need_classifier())
    except oruk.ImportFailed as error:
        raise CouncilDataError(str(error)) from error
