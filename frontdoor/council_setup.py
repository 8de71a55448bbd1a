"""A new council in an afternoon: `frontdoor council new` writes a starting config folder from
the ONS ward list, and `frontdoor council check` lists in plain words what is still missing
or inconsistent before go-live (people and cover from the folder; the directory and
postcodes from the database, where the front door reads them)."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import phonenumbers
import sqlalchemy as sa
import sqlalchemy.orm as so

from frontdoor.extensions import db
from frontdoor.models import DirectoryEntry, Postcode, Ward
from frontdoor.postcodes import LAD_CODE
from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.data import NEEDS, load_need_definitions
from frontdoor.triage.triage import ANSWERABLE

# ONS ward names and codes, copied into the project (see data/wards/README.md).
WARD_LIST = PROJECT_ROOT / "data" / "wards" / "wards.csv"
PLACEHOLDER = "REPLACE"
WORKING_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Ofcom's numbers for TV and radio drama, never given to anyone (the demo uses them):
# 01632 960xxx, 07700 900xxx, 020 7946 0xxx and the other city ranges.
DRAMA_PREFIXES = (
    "+441134960", "+441144960", "+441154960", "+441164960", "+441174960", "+441184960",
    "+441214960", "+441314960", "+441414960", "+441514960", "+441614960", "+441914980",
    "+442079460", "+442896496", "+442920180", "+441632960", "+447700900", "+448081570",
    "+449098790", "+443069990",
)
_WARD_BY_YEAR = re.compile(r"^wd(\d\d)(cd|nm)$")
_LAD_BY_YEAR = re.compile(r"^lad(\d\d)cd$")


class CouncilSetupError(ValueError):
    """`council new` cannot go ahead; the message says why in one line."""


@dataclass(frozen=True)
class WardListed:
    code: str
    name: str


@dataclass(frozen=True)
class NewCouncil:
    folder: Path
    name: str
    lad: str
    wards: int

    def summary(self) -> list[str]:
        """What was written and what to do next."""
        lines = [f"Wrote {self.folder}/ for {self.name} ({self.lad}) with {self.wards} wards.",
                 f"Next: fill in coordinators.toml, wards.csv and council.toml (see "
                 f"{self.folder}/README.md), then run `frontdoor council check --dir "
                 f"{self.folder}`."]
        subdivision = {"W": "WLS", "S": "SCT", "N": "NIR"}.get(self.lad[0])
        if subdivision:
            lines.append(f"Set BANK_HOLIDAYS_SUBDIVISION={subdivision} in the environment so "
                         "coordinators' bank holidays are the right ones.")
        return lines


# -- council new --------------------------------------------------------------------------

def wards_of(lad: str, ward_list: Path | None = None) -> list[WardListed]:
    """The current wards of a local authority, from the project's ward list or another file
    with the same columns or the ONS ward-to-local-authority lookup's (WD25CD, WD25NM,
    LAD25CD, any year)."""
    path = ward_list or WARD_LIST
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = {name.strip().lower(): name for name in reader.fieldnames or []}
        code, name, lad_column = _ward_list_columns(columns, path)
        wards, councils = [], set()
        for row in reader:
            councils.add(row[lad_column].strip())
            # Former wards (Derby's before May 2023) are kept in the list for old records.
            if row[lad_column].strip() == lad and not (
                    row.get(columns.get("vintage", ""), "") or "").startswith("pre-"):
                wards.append(WardListed(row[code].strip(), row[name].strip()))
    if not wards:
        raise CouncilSetupError(
            f"{_shown(path)} has no wards for {lad} (it has {', '.join(sorted(councils))}): "
            "pass the council's ward list with --wards FILE")
    return sorted(wards, key=lambda w: w.name)


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _ward_list_columns(columns: dict[str, str], path: Path) -> tuple[str, str, str]:
    if {"ward_code", "ward_name", "lad_code"} <= columns.keys():
        return columns["ward_code"], columns["ward_name"], columns["lad_code"]
    years = sorted(int(m.group(1)) for c in columns if (m := _WARD_BY_YEAR.match(c)))
    lads = sorted(int(m.group(1)) for c in columns if (m := _LAD_BY_YEAR.match(c)))
    if years and lads and f"wd{years[-1]:02d}nm" in columns:
        return (columns[f"wd{years[-1]:02d}cd"], columns[f"wd{years[-1]:02d}nm"],
                columns[f"lad{lads[-1]:02d}cd"])
    raise CouncilSetupError(f"{_shown(path)}: needs columns ward_code, ward_name and lad_code "
                            "(or the ONS lookup's WDnnCD, WDnnNM and LADnnCD)")


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (quotes, backslashes and Welsh letters).
    return json.dumps(value, ensure_ascii=False)


COUNCIL_TOML = """\
# {name}: the council's own details, loaded by `frontdoor load-config --dir {folder}`.
# Written by `frontdoor council new`. Every value that starts with REPLACE must be changed
# before go-live: `frontdoor council check --dir {folder}` lists what is left.

[council]
name = {name_toml}
lad_code = "{lad}"   # the ONS local authority code, for `frontdoor postcodes import`

[contact_centre]
# Given to residents who ask for a council service (bins, council tax, parking).
phone = "REPLACE: contact centre phone"
web = "REPLACE: council website"
hours = "REPLACE: e.g. Mon-Fri 9am-5pm"

[safeguarding]
# Given with crisis replies, beside the national numbers.
phone = "REPLACE: safeguarding phone"
hours = "REPLACE: e.g. Mon-Fri 9am-5pm"
out_of_hours_phone = "REPLACE: out-of-hours phone"

[privacy]
# The council's privacy notice for this service (https://...): linked from the first SMS
# reply to a new resident and from every page. Left empty, no link is shown.
notice = ""

[retention]
# Years a resident's record is kept after their last contact (safeguarding records longer):
# `frontdoor retention apply` and the worker remove what is past its time, keeping counts.
contacts_years = 2
safeguarding_years = 8

[accessibility]
# Who to contact about the accessibility of the service, on the /accessibility page.
contact = ""
{languages}"""

# A council in Wales answers Welsh in Welsh (the Welsh Language Standards).
WELSH_LANGUAGES = """
[languages]
# Welsh and English: a Welsh message is answered in Welsh, "Cymraeg" / "English" switches,
# and each resident's language is remembered. The council's own opt-out words go beside
# Twilio's English ones (add them to Twilio's Advanced Opt-Out keywords too).
offered = ["cy", "en"]
opt_out = ["STOPIO", "DAD-DANYSGRIFIO"]
"""

COORDINATORS_TOML = """\
# {name}: the Local Area Coordinators and the team lead, loaded by `frontdoor load-config`.
# Add one [[coordinator]] block per person, then put their key in the coordinator and cover
# columns of wards.csv. Residents are told the coordinator's name; list leave so they are
# told who covers and until when. For example:
#
# [[coordinator]]
# key = "firstname-lastname"                 # used in wards.csv
# name = "Firstname Lastname"                # the name residents are told
# email = "firstname.lastname@council.example"   # hears of new threads; signs in with it
# work_phone = "+44..."                      # optional: for NOTIFY_CHANNEL=sms
# working_days = ["Mon", "Tue", "Wed", "Thu"]
# role = "coordinator"                       # "lead" for the team lead, told of urgent waits
#
# [[coordinator.leave]]
# from = "2027-08-02"
# to = "2027-08-13"
"""

NEEDS_MAP_CSV = """\
term,need
# Open Referral UK taxonomy terms (the feed's term id or name) and the need each one meets.
# A "#" starts a comment: remove it from a starter row below to use the row. The needs are
# food, money, housing, loneliness, caring, health, daily_living, digital, work_learning,
# volunteering and family.
# Food banks,food
# Debt advice,money
# Housing advice,housing
# Befriending,loneliness
# Carers support,caring
# Volunteering,volunteering
"""

README = """\
# {name}

Written by `frontdoor council new --lad {lad}`. To go live:

1. `coordinators.toml`: the coordinators and the team lead, with their working days and leave.
2. `wards.csv`: each ward's coordinator and cover (their keys from coordinators.toml), and
   the names residents use for places in the ward (`aliases`, `;`-separated, lower case).
3. `council.toml`: the contact centre and safeguarding details (every REPLACE value).
4. The directory: the council's Open Referral UK feed (`frontdoor directory import URL`), or
   `directory.json` here, an array of ORUK service records; `needs_map.csv` turns their
   taxonomy terms into the front door's needs.
5. `frontdoor load-config --dir {folder}`, then the postcodes from the ONS Postcode Directory:
   `frontdoor postcodes import ONSPD.zip --lad {lad}`. `postcodes.csv` is only for postcodes
   the ONS file does not have yet (full postcodes or sectors such as `DE23 8`).
6. `frontdoor council check --dir {folder}` lists what is still missing.
"""


def write_new_council(folder: Path, lad: str, name: str,
                      ward_list: Path | None = None) -> NewCouncil:
    """Write a starting config folder: the council's wards, and placeholders to fill in."""
    lad, name = lad.strip().upper(), " ".join(name.split())
    if not LAD_CODE.match(lad):
        raise CouncilSetupError(f"--lad '{lad}' is not an ONS local authority code "
                                "(E06000015 is Derby, W06000011 Swansea)")
    if not name or len(name) > 120:
        raise CouncilSetupError("--name must be the council's name, at most 120 characters")
    wards = wards_of(lad, ward_list)
    folder = Path(folder)
    files = ("council.toml", "coordinators.toml", "wards.csv", "postcodes.csv",
             "directory.json", "needs_map.csv", "README.md")
    existing = [f for f in files if (folder / f).exists()]
    if existing:
        raise CouncilSetupError(f"{folder} already has {', '.join(existing)}: "
                                "choose a new folder (nothing was written)")
    folder.mkdir(parents=True, exist_ok=True)
    fill = {"name": name, "name_toml": _toml_string(name), "lad": lad, "folder": folder}
    languages = WELSH_LANGUAGES if lad.startswith("W") else ""
    (folder / "council.toml").write_text(COUNCIL_TOML.format(**fill, languages=languages),
                                         encoding="utf-8")
    (folder / "coordinators.toml").write_text(COORDINATORS_TOML.format(**fill),
                                              encoding="utf-8")
    with (folder / "wards.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["ward_code", "ward_name", "coordinator", "cover", "aliases"])
        writer.writerows([w.code, w.name, "", "", ""] for w in wards)
    (folder / "postcodes.csv").write_text("postcode,ward_code\n", encoding="utf-8")
    # An empty Open Referral UK array: services go here, or come from the council's feed.
    (folder / "directory.json").write_text("[]\n", encoding="utf-8")
    (folder / "needs_map.csv").write_text(NEEDS_MAP_CSV, encoding="utf-8")
    (folder / "README.md").write_text(README.format(**fill), encoding="utf-8")
    return NewCouncil(folder, name, lad, len(wards))


# -- council check ------------------------------------------------------------------------

def phone_problem(value: str) -> str | None:
    """Why a phone number cannot be given to residents or used to reach staff, if it cannot."""
    if PLACEHOLDER in value.upper():
        return "is still a placeholder"
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return f"'{value}' is not a phone number"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164.startswith(DRAMA_PREFIXES):
        return f"{value} is a made-up number (Ofcom's range for drama)"
    if not phonenumbers.is_valid_number(number):
        return f"'{value}' is not a valid UK phone number"
    return None


def _read(path: Path, problems: list[str]) -> dict[str, Any] | None:
    if not path.exists():
        problems.append(f"{path.name} is missing.")
        return None
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path.name} cannot be read: {error}.")
        return None


def check_council_toml(council: dict[str, Any], problems: list[str]) -> None:
    """council.toml's missing, placeholder and made-up details, added to `problems`."""
    required = {("council", "name"): "the council's name",
                ("contact_centre", "phone"): "the contact centre's phone",
                ("contact_centre", "web"): "the council's website",
                ("contact_centre", "hours"): "the contact centre's hours",
                ("safeguarding", "phone"): "the safeguarding phone",
                ("safeguarding", "hours"): "the safeguarding line's hours",
                ("safeguarding", "out_of_hours_phone"): "the out-of-hours safeguarding phone"}
    for (section, key), what in required.items():
        value = str(council.get(section, {}).get(key, "")).strip()
        if not value:
            if key != "out_of_hours_phone":
                problems.append(f"council.toml has no {section}.{key} ({what}).")
            continue
        problem = phone_problem(value) if key.endswith("phone") else (
            "is still a placeholder" if PLACEHOLDER in value.upper() else None)
        if problem:
            problems.append(f"council.toml: {what} ({section}.{key}) {problem}.")


@dataclass(frozen=True)
class _Person:
    key: str
    name: str
    leave: tuple[tuple[date, date], ...]


def check_people(people: list[dict[str, Any]], problems: list[str]) -> dict[str, _Person]:
    """coordinators.toml's people by key; what is wrong with them added to `problems`."""
    by_key: dict[str, _Person] = {}
    for n, person in enumerate(people, start=1):
        key, name = str(person.get("key", "")).strip(), str(person.get("name", "")).strip()
        who = name or key or f"coordinator {n}"
        if not key or not name:
            problems.append(f"coordinators.toml: {who} needs both a key and a name.")
            continue
        if key in by_key:
            problems.append(f"coordinators.toml: the key '{key}' is used twice.")
        days = person.get("working_days", list(WORKING_DAYS[:5]))
        if not days or not set(days) <= set(WORKING_DAYS):
            problems.append(f"coordinators.toml: {who}'s working_days must be some of "
                            f"{', '.join(WORKING_DAYS)}.")
        if not person.get("email") and not person.get("work_phone"):
            problems.append(f"coordinators.toml: {who} has no email or work phone, so would "
                            "not hear of new threads.")
        if person.get("work_phone"):
            problem = phone_problem(str(person["work_phone"]))
            if problem:
                problems.append(f"coordinators.toml: {who}'s work phone {problem}.")
        leave = []
        for spell in person.get("leave", []):
            try:
                starts = date.fromisoformat(str(spell["from"]))
                ends = date.fromisoformat(str(spell["to"]))
            except (KeyError, ValueError):
                problems.append(f"coordinators.toml: {who} has leave without a clear from and "
                                "to date (YYYY-MM-DD).")
                continue
            if ends < starts:
                problems.append(f"coordinators.toml: {who}'s leave ends ({ends}) before it "
                                f"starts ({starts}).")
                continue
            leave.append((starts, ends))
        by_key[key] = _Person(key, name, tuple(leave))
    if people and not any(p.get("role") == "lead" for p in people):
        problems.append("coordinators.toml has no team lead (role = \"lead\"): nobody would "
                        "be told when an urgent thread waits.")
    return by_key


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _both_away(coordinator: _Person, cover: _Person, today: date) -> list[tuple[date, date]]:
    spans = []
    for a_start, a_end in coordinator.leave:
        for b_start, b_end in cover.leave:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start <= end and end >= today:
                spans.append((start, end))
    return sorted(spans)


def _wards(names: list[str], one: str = "has", many: str = "have") -> str:
    """'1 ward has', '3 wards have'."""
    return f"{len(names)} ward {one}".strip() if len(names) == 1 else \
        f"{len(names)} wards {many}".strip()


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_wards(rows: list[tuple[int, dict[str, str]]], people: dict[str, _Person],
                 today: date, problems: list[str]) -> None:
    """wards.csv's unknown people, wards without a coordinator or cover, and a coordinator
    and cover away together from `today` on, added to `problems`."""
    no_coordinator, no_cover = [], []
    for line, row in rows:
        ward = row.get("ward_name") or row.get("ward_code") or f"line {line}"
        coordinator, cover = row.get("coordinator", ""), row.get("cover", "")
        for role, key in (("coordinator", coordinator), ("cover", cover)):
            if key and key not in people:
                problems.append(f"wards.csv line {line}: {ward}'s {role} '{key}' is not in "
                                "coordinators.toml.")
        if not coordinator:
            no_coordinator.append(ward)
        if not cover:
            no_cover.append(ward)
        if coordinator and coordinator == cover:
            problems.append(f"wards.csv line {line}: {ward}'s cover is its own coordinator.")
        elif coordinator in people and cover in people:
            for start, end in _both_away(people[coordinator], people[cover], today):
                when = (f"on {_day(start)}" if start == end
                        else f"from {_day(start)} to {_day(end)}")
                problems.append(
                    f"{ward}: {people[coordinator].name} (coordinator) and {people[cover].name} "
                    f"(cover) are both on leave {when}, so nobody answers for the ward then.")
    if no_coordinator:
        problems.append(f"{_wards(no_coordinator)} no coordinator: "
                        f"{_names(no_coordinator)}.")
    if no_cover:
        problems.append(f"{_wards(no_cover)} no cover for when the coordinator is "
                        f"away: {_names(no_cover)}.")


def _check_needs_map(path: Path, problems: list[str]) -> None:
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip().lower() for c in rows[0]] != ["term", "need"]:
        problems.append("needs_map.csv must start with the header term,need.")
        return
    for line, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) != 2 or not row[0].strip():
            problems.append(f"needs_map.csv line {line}: a row is a term and a need.")
        elif row[1].strip() not in NEEDS:
            problems.append(f"needs_map.csv line {line}: '{row[1].strip()}' is not a need "
                            f"(the needs are {', '.join(NEEDS[:11])}).")


def _check_database(wards: dict[str, str], lad: str, folder: Path, intents_dir: Path,
                    problems: list[str]) -> None:
    loaded = set(db.session.scalars(sa.select(Ward.code)))
    not_loaded = [name for code, name in wards.items() if code not in loaded]
    if not_loaded:
        problems.append(f"{_wards(not_loaded, 'is', 'are')} in wards.csv but not in the "
                        f"database yet (run `frontdoor load-config --dir {folder}`): "
                        f"{_names(not_loaded)}.")
    counts = dict(db.session.execute(
        sa.select(Postcode.ward_code, sa.func.count()).group_by(Postcode.ward_code)).all())
    if not any(counts.get(code) for code in wards):
        problems.append("No postcodes place residents in any ward: import them with "
                        f"`frontdoor postcodes import ONSPD.zip --lad {lad or 'CODE'}`.")
    else:
        missing = [name for code, name in wards.items() if not counts.get(code)]
        if missing:
            problems.append(f"No postcodes place residents in {_wards(missing, '', '')}: "
                            f"{_names(missing)}.")
    entries = db.session.scalars(
        sa.select(DirectoryEntry).options(so.selectinload(DirectoryEntry.wards))).all()
    if not entries:
        problems.append("The directory is empty: import the council's Open Referral UK feed "
                        "(frontdoor directory import) or add services to directory.json, so "
                        "residents get local answers.")
        return
    for need in load_need_definitions(intents_dir).values():
        if need.answer != ANSWERABLE:
            continue
        meeting = [e for e in entries if need.label in e.need_list]
        if any(e.citywide for e in meeting):
            continue
        reached = {w.code for e in meeting for w in e.wards}
        gaps = [name for code, name in wards.items() if code not in reached]
        if len(gaps) == len(wards):
            problems.append(f"Nothing in the directory meets {need.option} ({need.label}) in "
                            "any ward.")
        elif gaps:
            problems.append(f"Nothing in the directory meets {need.option} ({need.label}) in "
                            f"{_wards(gaps, '', '')}: {_names(gaps)}.")


def check_council(folder: Path, intents_dir: Path, today: date | None = None) -> list[str]:
    """What is still missing or inconsistent, one plain sentence each; empty when ready."""
    folder, today = Path(folder), today or date.today()
    problems: list[str] = []
    council = _read(folder / "council.toml", problems)
    if council is not None:
        check_council_toml(council, problems)
    lad = str((council or {}).get("council", {}).get("lad_code", ""))
    staff = _read(folder / "coordinators.toml", problems)
    people = check_people(staff.get("coordinator", []), problems) if staff is not None else {}
    if staff is not None and not any(p.get("role", "coordinator") == "coordinator"
                                     for p in staff.get("coordinator", [])):
        problems.append("coordinators.toml lists no coordinators yet.")
    wards: dict[str, str] = {}
    if not (folder / "wards.csv").exists():
        problems.append("wards.csv is missing.")
    else:
        with (folder / "wards.csv").open(newline="", encoding="utf-8-sig") as f:
            rows = [(n, {k: (v or "").strip() for k, v in row.items() if k})
                    for n, row in enumerate(csv.DictReader(f), start=2)]
        if not rows:
            problems.append("wards.csv lists no wards.")
        check_wards(rows, people, today, problems)
        wards = {row["ward_code"]: row.get("ward_name") or row["ward_code"]
                 for _, row in rows if row.get("ward_code")}
    _check_needs_map(folder / "needs_map.csv", problems)
    if wards:
        _check_database(wards, lad, folder, intents_dir, problems)
    return problems
