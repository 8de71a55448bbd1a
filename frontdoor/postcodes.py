"""The council's postcodes from the ONS Postcode Directory (ONSPD) or the National Statistics
Postcode Lookup (NSPL): `frontdoor postcodes import FILE --lad CODE [--replace]`.

The national file has about 2.7 million rows. It is read as a stream of lines, from the CSV
or straight out of the zip ONS publishes, and only lines naming the council's local
authority are parsed as CSV, so memory stays flat whatever the file's size. Rows are written
with the database's own upsert in batches, in one transaction: an import that fails part
way leaves the table as it was."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from tqdm import tqdm

from frontdoor.extensions import db
from frontdoor.models import Postcode, Ward
from frontdoor.transactions import unit_of_work
from frontdoor.triage.entities import format_postcode

SOURCE = "ons"           # Postcode.source of imported rows; the council's own file is "config"
BATCH = 2000             # rows per upsert statement
_EXAMPLES = 10           # bad rows and unknown wards named in the report; the rest are counted
# GSS local authority codes: E06000015 (Derby), W06000011 (Swansea), S12..., N09...
LAD_CODE = re.compile(r"^[ENSW]\d{8}$")

# Column names by product, matched without regard to case. Newer files name columns by
# the year of the boundaries they use (WD25CD, LAD25CD): the latest year present wins.
_POSTCODE = ("pcds", "pcd2", "pcd")
_LAD = {"oslaua": "ONSPD", "laua": "NSPL"}
_WARD = {"osward": "ONSPD", "ward": "NSPL"}
_LAD_BY_YEAR = re.compile(r"^lad(\d\d)cd$")
_WARD_BY_YEAR = re.compile(r"^wd(\d\d)cd$")
_TERMINATED = "doterm"


class PostcodeFileError(ValueError):
    """A file or an import that cannot go ahead; the message says which and why in one line."""


@dataclass(frozen=True)
class Layout:
    """Where the columns the front door needs are, found by name in the file's header."""

    name: str                 # "ONSPD", "NSPL" or "year-coded (WD25CD)"
    width: int                # columns in the header: a shorter line is a bad row
    postcode: int
    lad: int
    ward: int
    terminated: int | None    # None: the file has no doterm column; every row is live


def detect_layout(header: list[str]) -> Layout:
    """The column positions in an ONSPD, NSPL or year-coded ONS header."""
    names = [name.strip().strip('"').lower() for name in header]
    position = {name: n for n, name in reversed(list(enumerate(names)))}

    def by_year(pattern: re.Pattern[str]) -> str | None:
        years = [(int(m.group(1)), name) for name in names if (m := pattern.match(name))]
        return max(years)[1] if years else None

    postcode = next((position[c] for c in _POSTCODE if c in position), None)
    lad_name = next((c for c in _LAD if c in position), None) or by_year(_LAD_BY_YEAR)
    ward_name = next((c for c in _WARD if c in position), None) or by_year(_WARD_BY_YEAR)
    missing = [what for what, found in (("postcode (pcds)", postcode), ("local authority "
               "(oslaua, laua or LADnnCD)", lad_name), ("ward (osward, ward or WDnnCD)",
               ward_name)) if found is None]
    if missing:
        raise PostcodeFileError(
            f"the header has no {' and no '.join(missing)} column: is this the ONSPD or NSPL?")
    assert postcode is not None and lad_name is not None and ward_name is not None
    name = _WARD.get(ward_name) or f"year-coded ({ward_name.upper()})"
    return Layout(name, len(names), postcode, position[lad_name], position[ward_name],
                  position.get(_TERMINATED))


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import read, kept, left out and why."""

    lad: str
    source: str                       # the file, or "the.zip: Data/ONSPD_FEB_2023_UK.csv"
    layout: str = ""
    rows: int = 0                     # data rows in the file
    in_area: int = 0                  # rows for the council's local authority
    stored: int = 0                   # live postcodes written, new or updated
    terminated: int = 0               # the council's terminated postcodes, left out
    unknown_wards: Counter[str] = field(default_factory=Counter)
    bad_rows: int = 0
    bad_examples: list[BadRow] = field(default_factory=list)
    kept_from_config: int = 0         # postcodes.csv names them: the council's file wins
    removed: int = 0                  # with --replace: imported earlier, not in this file
    not_in_file: int = 0              # without --replace: imported earlier, kept

    def bad(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.bad_examples) < _EXAMPLES:
            self.bad_examples.append(BadRow(line, reason))

    def summary(self) -> list[str]:
        """The report in plain words, one finding a line."""
        lines = [f"Read {_count(self.rows, 'row')} from {self.source} ({self.layout} layout).",
                 f"{self.lad}: {_count(self.in_area, 'row')}; {_count(self.stored, 'postcode')} "
                 f"stored, {_count(self.terminated, 'terminated postcode')} left out."]
        if self.unknown_wards:
            named = ", ".join(f"{code} ({count:,})"
                              for code, count in self.unknown_wards.most_common(_EXAMPLES))
            more = len(self.unknown_wards) - _EXAMPLES
            if more > 0:
                named += f" and {_count(more, 'more ward')}"
            lines.append(
                f"{_count(sum(self.unknown_wards.values()), 'postcode')} left out because the "
                f"ward is not configured: {named}. Add the wards to wards.csv and run "
                "`frontdoor load-config`, then import again.")
        if self.bad_rows:
            named = "; ".join(f"line {b.line}: {b.reason}" for b in self.bad_examples)
            more = self.bad_rows - len(self.bad_examples)
            lines.append(f"{_count(self.bad_rows, 'bad row')} left out: {named}"
                         f"{f'; and {more:,} more' if more > 0 else ''}.")
        if self.kept_from_config:
            lines.append(f"{_count(self.kept_from_config, 'postcode')} kept as the council's "
                         "postcodes.csv has them.")
        if self.removed:
            lines.append(f"Removed {_count(self.removed, 'imported postcode')} no longer live "
                         "in the file.")
        if self.not_in_file:
            lines.append(f"{_count(self.not_in_file, 'postcode')} imported earlier, not live in "
                         "this file, kept: import with --replace to remove them.")
        return lines


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


@contextmanager
def open_postcode_file(path: Path) -> Iterator[tuple[IO[bytes], int, str]]:
    """The CSV as a binary stream, its size in bytes and a name for it: from the CSV itself,
    or read out of the ONS zip without unpacking it to disk."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        with path.open("rb") as stream:
            yield stream, path.stat().st_size, path.name
        return
    with zipfile.ZipFile(path) as archive:
        # The zip holds the whole-UK CSV, the same rows split by area (Data/multi_csv/) and
        # small lookups (Documents/): the whole-UK file is the largest CSV.
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
        if not members:
            raise PostcodeFileError(f"{path.name}: the zip holds no CSV file")
        member = max(members, key=lambda m: m.file_size)
        with archive.open(member) as inner:
            # A buffer in C makes line-by-line reading as quick as from a plain file.
            stream = io.BufferedReader(inner, buffer_size=1 << 20)  # type: ignore[arg-type]
            yield stream, member.file_size, f"{path.name}: {member.filename}"


def council_postcodes(lines: Iterable[bytes], lad: str, report: ImportReport,
                      progress: Callable[[int], object] = lambda n: None,
                      ) -> Iterator[tuple[int, str, str]]:
    """(line number, postcode, ward code) of each live postcode in the local authority."""
    numbered = enumerate(lines, start=1)
    header = next((line for _, line in numbered if line.strip()), b"")
    try:
        layout = detect_layout(next(csv.reader([header.decode("utf-8-sig", "replace")]), []))
    except PostcodeFileError as error:
        raise PostcodeFileError(f"{report.source}: {error}") from None
    report.layout = layout.name
    needle, commas = lad.encode(), layout.width - 1
    done = len(header)
    for line_no, line in numbered:
        done += len(line)
        if line_no % 65536 == 0:
            progress(done)
            done = 0
        if not line.strip():
            continue
        report.rows += 1
        # Cheap tests in C first: nearly every line is another council's. A quoted comma
        # can only add commas, so too few commas is surely a short line.
        if line.count(b",") < commas:
            report.bad(line_no, f"{line.count(b',') + 1} fields, the header has {layout.width}")
            continue
        if needle not in line:
            continue
        fields = next(csv.reader([line.decode("utf-8", "replace")]))
        if len(fields) != layout.width:
            report.bad(line_no, f"{len(fields)} fields, the header has {layout.width}")
            continue
        if fields[layout.lad].strip() != lad:
            continue
        report.in_area += 1
        if layout.terminated is not None and fields[layout.terminated].strip():
            report.terminated += 1
            continue
        postcode = format_postcode(fields[layout.postcode])
        ward = fields[layout.ward].strip()
        if postcode is None:
            report.bad(line_no, f"'{fields[layout.postcode].strip()[:10]}' is not a postcode")
        elif not ward:
            report.bad(line_no, f"{postcode} has no ward")
        else:
            yield line_no, postcode, ward
    progress(done)


def _upsert(rows: list[dict[str, str]]) -> None:
    dialect = db.session.get_bind().dialect.name
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(Postcode)
    elif dialect == "sqlite":
        statement = sqlite.insert(Postcode)
    else:
        raise PostcodeFileError(f"importing postcodes needs PostgreSQL or SQLite, not {dialect}")
    statement = statement.on_conflict_do_update(
        index_elements=[Postcode.postcode],
        set_={"ward_code": statement.excluded.ward_code, "source": statement.excluded.source},
        # Never overwrite a row from the council's own postcodes.csv.
        where=Postcode.source == SOURCE)
    db.session.execute(statement, rows)


def import_postcodes(path: Path, lad: str, *, replace: bool = False,
                     progress: bool = False) -> ImportReport:
    """Store the live postcodes of one local authority whose ward the council has, and say
    what was left out. Run again to update in place; `replace` also removes imported
    postcodes that are no longer live in the file."""
    lad = lad.strip().upper()
    if not LAD_CODE.match(lad):
        raise PostcodeFileError(f"--lad '{lad}' is not an ONS local authority code "
                                "(E06000015 is Derby, W06000011 Swansea)")
    wards = set(db.session.scalars(sa.select(Ward.code)))
    if not wards:
        raise PostcodeFileError("no wards are configured yet: run `frontdoor load-config` first")
    councils_own = set(db.session.scalars(
        sa.select(Postcode.postcode).where(Postcode.source != SOURCE)))
    try:
        # The whole file or nothing: rolled back on any error, an unreadable file included.
        with unit_of_work():
            return _store(path, lad, wards, councils_own, replace, progress)
    except (csv.Error, UnicodeError, zipfile.BadZipFile, OSError) as error:
        raise PostcodeFileError(f"{Path(path).name}: cannot be read: {error}") from error


def _store(path: Path, lad: str, wards: set[str], councils_own: set[str], replace: bool,
           progress: bool) -> ImportReport:
    stored: set[str] = set()
    batch: list[dict[str, str]] = []
    with open_postcode_file(path) as (stream, size, name):
        report = ImportReport(lad, name)
        with tqdm(total=size, unit="B", unit_scale=True, desc="postcodes",
                  disable=not progress) as bar:
            for line_no, postcode, ward in council_postcodes(stream, lad, report, bar.update):
                if ward not in wards:
                    report.unknown_wards[ward] += 1
                elif postcode in councils_own:
                    report.kept_from_config += 1
                elif postcode in stored:
                    report.bad(line_no, f"{postcode} appears again")
                else:
                    stored.add(postcode)
                    batch.append({"postcode": postcode, "ward_code": ward, "source": SOURCE})
                    if len(batch) >= BATCH:
                        _upsert(batch)
                        batch.clear()
    if batch:
        _upsert(batch)
    if report.in_area == 0:
        # Most likely a mistyped --lad; stopping here also keeps --replace from emptying
        # the table.
        raise PostcodeFileError(f"{report.source}: no rows for local authority {lad} in "
                                f"{report.rows:,} rows: is --lad right?")
    report.stored = len(stored)
    earlier = set(db.session.scalars(
        sa.select(Postcode.postcode).where(Postcode.source == SOURCE)))
    gone = sorted(earlier - stored)
    if replace:
        for start in range(0, len(gone), 500):
            db.session.execute(sa.delete(Postcode).where(
                Postcode.postcode.in_(gone[start:start + 500]), Postcode.source == SOURCE))
        report.removed = len(gone)
    else:
        report.not_in_file = len(gone)
    return report
