"""Importing the council's directory from Open Referral UK (ORUK v3, the HSDS 3.0 UK profile).

A source is an ORUK API base URL (`/services` is paged; `/services/{id}` is fetched where a
list item lacks detail), a JSON file (one `/services` page, an array of full service records,
or one record), or a folder of ORUK CSV files. Each service becomes one directory entry,
matched by its ORUK id, so importing again updates in place.

Reading and checking happen before anything is written: a record with a bad field is reported
(naming the record and the field) and skipped, the rest are written in one transaction, and a
feed that cannot be read at all writes nothing."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import phonenumbers
import requests
import sqlalchemy as sa
from tqdm import tqdm

from frontdoor.directory.schedules import ScheduleError, describe_schedules, parse_schedule
from frontdoor.extensions import db
from frontdoor.models import DirectoryEntry, Postcode, Ward, utcnow
from frontdoor.transactions import unit_of_work
from frontdoor.triage.data import NEEDS
from frontdoor.triage.entities import format_postcode

COMMUNITY = "community"
# A taxonomy term with this in its name or code marks a location whose address must never be
# sent (a refuge): HSDS has no field for it, so councils tag the location (or the service).
CONFIDENTIAL = "confidential"
# A text has room for about this much of a description beside the name, contact and times.
SUMMARY_LENGTH = 80
PAGE_SIZE = 100
MAX_PAGES = 10_000
TIMEOUT = 30
# A list item carrying none of these is a summary: its full record is fetched by id.
DETAIL_KEYS = ("schedules", "service_at_locations", "contacts", "attributes", "service_areas",
               "phones")

Classify = Callable[[str], list[str]]


class ImportFailed(RuntimeError):
    """The source could not be read at all: nothing was written."""


class RecordError(ValueError):
    """One service record with a bad field; it is skipped and the rest still import."""


@dataclass(frozen=True)
class Term:
    name: str
    code: str


@dataclass(frozen=True)
class Service:
    """What the front door keeps from one ORUK service."""

    oruk_id: str
    name: str
    description: str
    organisation: str
    status: str
    phones: tuple[str, ...]
    email: str
    url: str
    schedules: tuple[dict[str, Any], ...]
    min_age: int | None
    max_age: int | None
    postcodes: tuple[str, ...]
    address: str | None
    confidential: bool
    terms: tuple[Term, ...]
    assured_date: date | None
    last_modified: datetime | None
    warnings: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """What an import did, for the command to print."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    not_active: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    classified: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        services = "service" if self.imported == 1 else "services"
        return (f"Imported {self.imported} {services} from {self.source}: {self.created} new, "
                f"{self.updated} updated, {self.unchanged} unchanged; {self.removed} removed, "
                f"{self.not_active} not active, {len(self.problems)} skipped.")


# -- the needs map -------------------------------------------------------------------------

def load_needs_map(path: Path) -> dict[str, set[str]]:
    """The council's `term,need` CSV: taxonomy term name or code (any case) -> needs. Lines
    starting with "#" are comments."""
    needs_map: dict[str, set[str]] = {}
    allowed = set(NEEDS) | {COMMUNITY}
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or {"term", "need"} - set(reader.fieldnames):
            raise ValueError(f"{path}: needs map must have the columns term,need")
        for line, row in enumerate(reader, start=2):
            term, need = (row.get("term") or "").strip(), (row.get("need") or "").strip()
            if term.startswith("#"):
                continue    # a comment, or a starter row not yet in use
            if not term:
                raise ValueError(f"{path}:{line}: term is empty")
            if need not in allowed:
                raise ValueError(f"{path}:{line}: need '{need}' is not one of "
                                 f"{', '.join(sorted(allowed))}")
            needs_map.setdefault(term.casefold(), set()).add(need)
    return needs_map


# -- reading a source ----------------------------------------------------------------------

@dataclass
class RawRecord:
    label: str              # how a message names it: "service 'id'" or "record 3"
    oruk_id: str | None
    data: Mapping[str, Any] | None
    problem: str | None = None


def read_source(source: str, progress: bool = False,
                session: requests.Session | None = None) -> list[RawRecord]:
    """Every service record the source holds, or a problem saying why one could not be read."""
    if re.match(r"^https?://", source, re.IGNORECASE):
        return list(_read_api(source, progress, session or requests.Session()))
    path = Path(source)
    if path.is_dir():
        return _read_csv_folder(path)
    if path.is_file():
        return _read_json_file(path)
    raise ImportFailed(f"{source}: no such file, folder or http(s) URL")


def _records(items: Iterable[Any], where: str) -> list[RawRecord]:
    records = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            records.append(RawRecord(f"{where} record {n}", None, None,
                                     "is not a JSON object"))
            continue
        # ORUK ids are strings (UUIDs); a feed with whole-number ids is read the same way.
        oruk_id = item.get("id")
        if isinstance(oruk_id, int) and not isinstance(oruk_id, bool):
            oruk_id = str(oruk_id)
            item = {**item, "id": oruk_id}
        label = f"service '{oruk_id}'" if isinstance(oruk_id, str) and oruk_id else \
            f"{where} record {n}"
        records.append(RawRecord(label, oruk_id if isinstance(oruk_id, str) else None, item))
    return records


def _read_json_file(path: Path) -> list[RawRecord]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailed(f"{path}: not readable JSON ({error})") from error
    if isinstance(document, list):
        return _records(document, path.name)
    if isinstance(document, Mapping) and isinstance(document.get("contents"), list):
        return _records(document["contents"], path.name)
    if isinstance(document, Mapping) and "id" in document and "name" in document:
        return _records([document], path.name)
    raise ImportFailed(f"{path}: expected a /services page (with 'contents'), an array of "
                       "services, or one service")


def _get_json(session: requests.Session, url: str, params: dict[str, Any] | None = None) -> Any:
    response = session.get(url, params=params, timeout=TIMEOUT,
                           headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def _read_api(base: str, progress: bool, session: requests.Session) -> Iterator[RawRecord]:
    base = re.sub(r"/services/?$", "", base.rstrip("/"))
    listed: list[RawRecord] = []
    page = 1
    bar = tqdm(desc="Reading /services pages", unit="page", disable=not progress)
    while page <= MAX_PAGES:
        try:
            body = _get_json(session, f"{base}/services", {"page": page, "per_page": PAGE_SIZE})
        except (requests.RequestException, ValueError) as error:
            # A page that cannot be read leaves the feed incomplete: write nothing rather than
            # half a directory (and never let --replace remove what we could not see).
            raise ImportFailed(f"{base}/services page {page}: {error}") from error
        contents = body.get("contents") if isinstance(body, Mapping) else None
        if not isinstance(contents, list):
            raise ImportFailed(f"{base}/services page {page}: no 'contents' list")
        listed += _records(contents, f"page {page}")
        bar.update(1)
        total_pages = body.get("total_pages")
        if (not contents or body.get("last_page") is True
                or (isinstance(total_pages, int) and page >= total_pages)):
            break
        page += 1
    bar.close()
    for record in tqdm(listed, desc="Reading services", unit="service", disable=not progress):
        data = record.data
        if data is None or record.oruk_id is None or any(k in data for k in DETAIL_KEYS):
            yield record
            continue
        try:
            detail = _get_json(session, f"{base}/services/{quote(record.oruk_id, safe='')}")
        except (requests.RequestException, ValueError) as error:
            yield RawRecord(record.label, record.oruk_id, None,
                            f"could not fetch /services/{record.oruk_id}: {error}")
            continue
        if not isinstance(detail, Mapping):
            yield RawRecord(record.label, record.oruk_id, None,
                            f"/services/{record.oruk_id} is not a JSON object")
            continue
        yield RawRecord(record.label, record.oruk_id, {**data, **detail})


Row = dict[str, Any]


def _csv_rows(folder: Path, *names: str) -> list[Row]:
    """The first of `names` present in the folder (ORUK exports name some tables both ways)."""
    for name in names:
        path = folder / name
        if path.exists():
            with path.open(newline="", encoding="utf-8-sig") as f:
                return [{k.strip(): (v or "").strip() for k, v in row.items() if k}
                        for row in csv.DictReader(f)]
    return []


def _grouped(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        if row.get(key):
            grouped.setdefault(row[key], []).append(row)
    return grouped


def _read_csv_folder(folder: Path) -> list[RawRecord]:
    """ORUK's CSV tables joined back into nested service records, as the API would send."""
    services = _csv_rows(folder, "services.csv", "service.csv")
    if not services:
        raise ImportFailed(f"{folder}: no services.csv")
    organisations = {o["id"]: o for o in _csv_rows(folder, "organizations.csv",
                                                   "organization.csv") if o.get("id")}
    terms = {t["id"]: t for t in _csv_rows(folder, "taxonomy_terms.csv", "taxonomy_term.csv")
             if t.get("id")}
    attributes = _grouped(
        ({**row, "taxonomy_term": terms.get(row.get("taxonomy_term_id", ""))}
         for row in _csv_rows(folder, "attributes.csv", "attribute.csv")), "link_id")
    phones = _csv_rows(folder, "phones.csv", "phone.csv")
    phones_by_contact = _grouped(phones, "contact_id")
    contacts = [{**c, "phones": phones_by_contact.get(c.get("id", ""), [])}
                for c in _csv_rows(folder, "contacts.csv", "contact.csv")]
    addresses = _grouped(_csv_rows(folder, "addresses.csv", "address.csv",
                                   "physical_addresses.csv"), "location_id")
    locations = {
        row.get("id", ""): {**row, "addresses": addresses.get(row.get("id", ""), []),
                            "attributes": attributes.get(row.get("id", ""), [])}
        for row in _csv_rows(folder, "locations.csv", "location.csv")}
    at_locations = _csv_rows(folder, "service_at_locations.csv", "service_at_location.csv")
    service_of = {s["id"]: s.get("service_id", "") for s in at_locations if s.get("id")}
    schedules = [{**row, "service_id": row.get("service_id")
                  or service_of.get(row.get("service_at_location_id", ""), "")}
                 for row in _csv_rows(folder, "schedules.csv", "schedule.csv")]
    by_service = {
        "contacts": _grouped(contacts, "service_id"),
        "phones": _grouped(phones, "service_id"),
        "schedules": _grouped(schedules, "service_id"),
        "service_areas": _grouped(_csv_rows(folder, "service_areas.csv", "service_area.csv"),
                                  "service_id"),
        "service_at_locations": _grouped(
            ({**s, "location": locations.get(s.get("location_id", ""), {})}
             for s in at_locations), "service_id"),
        "attributes": attributes,
    }
    nested = []
    for service in services:
        record: Row = dict(service)
        for key, rows in by_service.items():
            record[key] = rows.get(service.get("id", ""), [])
        if service.get("organization_id") in organisations:
            record["organization"] = organisations[service["organization_id"]]
        nested.append(record)
    return _records(nested, "services.csv")


# -- checking one record -------------------------------------------------------------------

def _text(data: Mapping[str, Any], key: str, required: bool = False, limit: int = 0) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise RecordError(f"{key}: missing")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{key}: expected text, got {type(value).__name__}")
    value = " ".join(value.split())
    if limit and len(value) > limit:
        raise RecordError(f"{key}: longer than {limit} characters")
    return value


def _age(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"{key}: '{value}' is not a number") from None
    if not 0 <= number <= 130 or number != int(number):
        raise RecordError(f"{key}: '{value}' is not an age in whole years")
    return int(number)


def _date(data: Mapping[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordError(f"{key}: '{value}' is not a date (YYYY-MM-DD)") from None


def _datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise RecordError(f"{key}: '{value}' is not a date and time (ISO 8601)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise RecordError(f"{key}: expected a list of objects")
    return value


def _terms(attributes: Iterable[Mapping[str, Any]]) -> list[Term]:
    terms = []
    for attribute in attributes:
        term = attribute.get("taxonomy_term")
        if isinstance(term, Mapping):
            name = str(term.get("name") or term.get("term") or "").strip()
            code = str(term.get("term") or term.get("id") or "").strip()
            if name or code:
                terms.append(Term(name or code, code))
    return terms


def _marks_confidential(attributes: Iterable[Mapping[str, Any]]) -> bool:
    return any(CONFIDENTIAL in f"{t.name} {t.code}".casefold() for t in _terms(attributes))


def _phone(raw: Any) -> str | None:
    """A number as a resident would dial it: '01632 960101'. Quotes and spaces are tidied."""
    text = str(raw or "").strip().strip("'\"").strip()
    if not re.search(r"\d{3}", text):
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    # Ofcom's drama ranges (the demo's numbers) are not "valid" to the library and come back
    # unspaced: space them as the common 5+6 form.
    digits = re.sub(r"\D", "", national)
    if " " not in national and len(digits) == 11:
        national = f"{digits[:5]} {digits[5:]}"
    return national


def parse_service(record: RawRecord) -> Service:
    """Check one raw record and keep what the front door needs; RecordError names the field."""
    data = record.data or {}
    oruk_id = _text(data, "id", required=True, limit=255)
    name = _text(data, "name", required=True, limit=255)
    status = _text(data, "status", required=True).lower()
    description = _text(data, "description")
    organisation = data.get("organization")
    organisation_name = _text(organisation, "name", limit=255) \
        if isinstance(organisation, Mapping) else ""
    min_age, max_age = _age(data, "minimum_age"), _age(data, "maximum_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise RecordError(f"minimum_age: {min_age} is above maximum_age {max_age}")
    warnings: list[str] = []

    phones: list[str] = []
    raw_phones = list(_list(data, "phones"))
    for n, contact in enumerate(_list(data, "contacts")):
        try:
            raw_phones += _list(contact, "phones")
        except RecordError as error:
            raise RecordError(f"contacts[{n}].{error}") from None
    for raw in raw_phones:
        number = _phone(raw.get("number"))
        if number is None:
            warnings.append(f"phone '{raw.get('number')}' is not a phone number: left out")
        elif number not in phones:
            phones.append(number)

    schedules = []
    for n, raw in enumerate(_list(data, "schedules")):
        try:
            schedules.append(parse_schedule(raw))
        except ScheduleError as error:
            raise RecordError(f"schedules[{n}].{error}") from None

    postcodes: list[str] = []
    addresses: list[str] = []
    confidential = _marks_confidential(_list(data, "attributes"))
    for n, at_location in enumerate(_list(data, "service_at_locations")):
        location = at_location.get("location") or {}
        if not isinstance(location, Mapping):
            raise RecordError(f"service_at_locations[{n}].location: expected an object")
        try:
            confidential |= _marks_confidential(_list(location, "attributes"))
            for address in _list(location, "addresses"):
                confidential |= _marks_confidential(_list(address, "attributes"))
                postcode = _text(address, "postal_code")
                if postcode:
                    postcodes.append(postcode)
                line = _text(address, "address_1")
                if line and (location.get("location_type") or "physical") != "virtual":
                    addresses.append(line)
        except RecordError as error:
            raise RecordError(f"service_at_locations[{n}].location.{error}") from None

    return Service(
        oruk_id=oruk_id, name=name, description=description, organisation=organisation_name,
        status=status, phones=tuple(phones), email=_text(data, "email", limit=254),
        url=_text(data, "url", limit=500), schedules=tuple(schedules),
        min_age=min_age, max_age=max_age, postcodes=tuple(postcodes),
        # One place is worth sending; several would not fit a text. A confidential place
        # (a refuge) is never kept at all, so no reply or report can ever show it.
        address=addresses[0][:200] if len(set(addresses)) == 1 and not confidential else None,
        confidential=confidential, terms=tuple(_terms(_list(data, "attributes"))),
        assured_date=_date(data, "assured_date"), last_modified=_datetime(data, "last_modified"),
        warnings=tuple(warnings))


# -- needs, place and words for a reply ----------------------------------------------------

def needs_for(service: Service, needs_map: Mapping[str, set[str]]) -> tuple[list[str], bool]:
    """The needs the council's map gives the service's terms, and whether it is community."""
    mapped: set[str] = set()
    for term in service.terms:
        mapped |= needs_map.get(term.name.casefold(), set())
        mapped |= needs_map.get(term.code.casefold(), set())
    community = COMMUNITY in mapped
    return [n for n in NEEDS if n in mapped], community


def summary_of(description: str, name: str) -> str:
    """The description's first sentence, cut to what a text has room for: at a clause
    ("Youth club for ages 11 to 18: sport, music..." -> "Youth club for ages 11 to 18")
    where one falls late enough, else at a word, with "..." to say there is more."""
    text = description or name
    first = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0].rstrip(".")
    if len(first) <= SUMMARY_LENGTH:
        return first
    # A colon, semicolon or dash ends a clause; a comma more often sits inside a list.
    clauses = [m.start() for m in re.finditer(r"[:;(]\s|\s[-\u2013]\s", first)
               if SUMMARY_LENGTH // 3 <= m.start() <= SUMMARY_LENGTH]
    if clauses:
        return first[:clauses[-1]].rstrip()
    return first[:SUMMARY_LENGTH - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def contact_for(service: Service) -> str:
    """How a reply says to reach it: a phone first, then email, web, or where to drop in."""
    if service.phones:
        number = service.phones[0]
        # A UK mobile can take a text, which many residents prefer to a call.
        return f"Call or text {number}" if number.startswith("07") else f"Call {number}"
    if service.email:
        return f"Email {service.email}"
    if service.url:
        return "See " + re.sub(r"^https?://(www\.)?", "", service.url).rstrip("/")
    if service.address:
        return f"Drop in at {service.address}"
    return ""


def wards_for(postcodes: Iterable[str], postcode_table: Mapping[str, str]) -> tuple[set[str],
                                                                                  list[str]]:
    """Ward codes of the service's locations, through the council's postcode table."""
    wards: set[str] = set()
    unknown = []
    for raw in postcodes:
        postcode = format_postcode(raw)
        ward = postcode_table.get(postcode) or postcode_table.get(postcode[:-2]) \
            if postcode else None
        if ward:
            wards.add(ward)
        else:
            unknown.append(raw)
    return wards, unknown


def need_classifier(min_second: float = 0.3) -> Classify:
    """The project's own need classifier, for services whose terms the needs map misses.

    Loaded on first use only: most imports never need it."""

    def classify(text: str) -> list[str]:
        from flask import current_app

        from frontdoor.engine import ModelMissing, load_triage

        try:
            triage = load_triage(current_app._get_current_object())  # type: ignore[attr-defined]
        except ModelMissing as error:
            raise LookupError(f"{error}, then import again") from error
        ranked = [(need, p) for need, p in triage.read(text).ranked if need in triage.answerable]
        if not ranked:
            return []
        # The best directory need, and a close second: a larder is food and often money too.
        return [ranked[0][0]] + [need for need, p in ranked[1:2] if p >= min_second]

    return classify


# -- writing -------------------------------------------------------------------------------

def import_directory(source: str, needs_map: Mapping[str, set[str]], *, replace: bool = False,
                     classify: Classify | None = None, source_name: str | None = None,
                     progress: bool = False, session: requests.Session | None = None
                     ) -> ImportReport:
    """Import one ORUK source into the directory, in one transaction; see the module doc."""
    source_name = source_name or _source_name(source)
    report = ImportReport(source_name)
    records = read_source(source, progress=progress, session=session)
    seen: set[str] = set()
    parsed: list[Service] = []
    for record in records:
        if record.oruk_id in seen:
            report.problems.append(f"{record.label}: listed twice; the first is kept")
            continue
        if record.oruk_id:
            # Seen, even if malformed: --replace must not remove an entry the feed still has.
            seen.add(record.oruk_id)
        if record.problem:
            report.problems.append(f"{record.label}: {record.problem}")
            continue
        try:
            service = parse_service(record)
        except RecordError as error:
            report.problems.append(f"{record.label}: {error}")
            continue
        parsed.append(service)
        report.warnings += [f"service '{service.oruk_id}': {w}" for w in service.warnings]
    if replace and not parsed and not seen:
        raise ImportFailed(f"{source_name}: no services read; with --replace that would empty "
                           "the directory, so nothing was changed")
    with unit_of_work():
        _write(parsed, seen, report, needs_map, classify, replace, progress)
    return report


def _source_name(source: str) -> str:
    if re.match(r"^https?://", source, re.IGNORECASE):
        return re.sub(r"/services/?$", "", source.rstrip("/"))
    return str(Path(source).resolve())


def _write(services: list[Service], seen: set[str], report: ImportReport,
           needs_map: Mapping[str, set[str]], classify: Classify | None, replace: bool,
           progress: bool = False) -> None:
    postcode_table = dict(db.session.execute(sa.select(Postcode.postcode,
                                                       Postcode.ward_code)).all())
    wards = {w.code: w for w in db.session.scalars(sa.select(Ward))}
    existing = {e.oruk_id: e for e in db.session.scalars(
        sa.select(DirectoryEntry).where(DirectoryEntry.oruk_id.in_(seen)))} if seen else {}
    now = utcnow()
    for service in tqdm(services, desc="Writing", unit="service", disable=not progress):
        entry = existing.get(service.oruk_id)
        if service.status != "active":
            report.not_active += 1
            if entry is not None:
                db.session.delete(entry)
                report.removed += 1
            continue
        needs, community = needs_for(service, needs_map)
        needs_from = "map"
        if not needs:
            needs_from = "classifier"
            try:
                needs = classify(f"{service.name}. {service.description}") if classify else []
                found = ", ".join(needs) or "no need found"
            except LookupError as error:
                needs, found = [], f"not read ({error})"
            report.classified.append(f"{service.name} ({service.oruk_id}): {found}")
        ward_codes, unknown = wards_for(service.postcodes, postcode_table)
        if unknown and not ward_codes:
            report.warnings.append(
                f"service '{service.oruk_id}': postcode {', '.join(unknown)} is not in the "
                "council's postcode table: offered city-wide")
        values: dict[str, Any] = {
            "name": service.name, "summary": summary_of(service.description, service.name),
            "description": service.description, "organisation": service.organisation,
            "kind": "community" if community else "service", "contact": contact_for(service),
            "phones": ";".join(service.phones)[:200], "email": service.email,
            "url": service.url, "address": service.address,
            "confidential": service.confidential,
            "hours": describe_schedules(list(service.schedules))[:120],
            "schedules": list(service.schedules), "min_age": service.min_age,
            "max_age": service.max_age, "citywide": not ward_codes,
            "needs": ";".join(needs), "needs_from": needs_from,
            "terms": ";".join(t.name for t in service.terms),
            "assured_date": service.assured_date, "last_modified": service.last_modified,
        }
        if entry is None:
            entry = DirectoryEntry(oruk_id=service.oruk_id)
            db.session.add(entry)
            report.created += 1
            changed = True
        else:
            changed = any(getattr(entry, k) != v for k, v in values.items()) or \
                {w.code for w in entry.wards} != ward_codes
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        entry.source = report.source
        if changed:
            for key, value in values.items():
                setattr(entry, key, value)
            entry.wards = [wards[c] for c in sorted(ward_codes)]
            entry.updated_at = now
    if replace:
        gone = db.session.scalars(sa.select(DirectoryEntry).where(
            DirectoryEntry.source == report.source,
            sa.or_(DirectoryEntry.oruk_id.is_(None), DirectoryEntry.oruk_id.not_in(seen)))).all()
        for entry in gone:
            db.session.delete(entry)
        report.removed += len(gone)
    db.session.flush()
