"""Reports for team leads (/inbox/reports): the figures of frontdoor/reports.py, each as a
table with its chart beside it and its CSV (the same rows as the page).

Each chart is its own image (/inbox/reports/<key>.svg), drawn on the server by pygal: the
page is not held up by drawing, the browser fetches the charts side by side, and an image
runs no script. A chart's figures are in the table under it, for screen readers."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import OrderedDict

from flask import Response, abort, current_app, render_template, request

from frontdoor import charts, queries
from frontdoor import reports as figures
from frontdoor.engine import hours_for, load_triage
from frontdoor.inbox import auth
from frontdoor.inbox.views import _coordinators, _today, bp
from frontdoor.triage.data import NEEDS

# pygal's SVG styles itself inline; it holds no script and no resident's words.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _need_words() -> dict[str, str]:
    """Each need in the front door's own words ("money, benefits and bills")."""
    try:
        needs = load_triage(current_app).needs
        return {key: needs[key].option[0].upper() + needs[key].option[1:]
                for key in NEEDS if key in needs}
    except Exception:   # no model loaded (a fresh install): plain labels will do
        return {key: key.replace("_", " ").capitalize() for key in NEEDS}


def _filters() -> figures.Filters:
    try:
        return figures.parse_filters(request.args.to_dict(), _today(), NEEDS)
    except ValueError as error:
        abort(400, str(error))


class Recent:
    """The tables of the pages leads opened lately, while nothing they count has changed:
    a page's charts and CSVs, fetched just after it, are not worked out again."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.tables: OrderedDict[tuple, list[figures.Table]] = OrderedDict()
        self.lock = threading.Lock()

    def tables_for(self, filters: figures.Filters) -> list[figures.Table]:
        key = (filters, _today(), figures.data_version())
        with self.lock:
            if key in self.tables:
                self.tables.move_to_end(key)
                return self.tables[key]
        made = figures.all_tables(filters, hours_for(current_app), _need_words())
        with self.lock:
            self.tables[key] = made
            while len(self.tables) > self.size:
                self.tables.popitem(last=False)
        return made

    def clear(self) -> None:
        with self.lock:
            self.tables.clear()


def recent() -> Recent:
    """This app's own recent tables (each app, each database, its own)."""
    return current_app.extensions.setdefault("frontdoor.recent_reports", Recent())


def _table(key: str) -> tuple[figures.Filters, figures.Table]:
    if key not in figures.TABLES:
        abort(404)
    filters = _filters()
    return filters, next(t for t in recent().tables_for(filters) if t.key == key)


@bp.get("/reports")
@auth.lead_only
def reports() -> tuple[str, int] | str:
    try:
        filters = figures.parse_filters(request.args.to_dict(), _today(), NEEDS)
        error = None
    except ValueError as problem:
        filters, error = None, str(problem)
    tables = recent().tables_for(filters) if filters else []
    page = render_template(
        "inbox/reports.html", filters=filters, tables=tables, error=error, args=request.args,
        wards=queries.list_wards(),
        coordinators=_coordinators(), need_words=_need_words())
    return (page, 400) if error else page


@bp.get("/reports/<key>.svg")
@auth.lead_only
def report_chart(key: str) -> Response:
    _, table = _table(key)
    if not table.chart:
        abort(404)
    drawn = charts.svg(table.chart, [r[0] for r in table.rows],
                       [(table.columns[c], [v[c - 1] for v in table.values])
                        for c in table.chart_columns])
    return Response(drawn, mimetype="image/svg+xml", headers={
        "Content-Security-Policy": CHART_POLICY, "Cache-Control": "private, max-age=300"})


def spreadsheet_safe(cell: str) -> str:
    """A spreadsheet must not run a directory entry's name as a formula. A minus starts one
    too ("-1+cmd|..."), unless the cell is a plain negative number."""
    if cell[:1] in ("=", "+", "@", "\t", "\r") or (
            cell[:1] == "-" and not _NEGATIVE_NUMBER.fullmatch(cell)):
        return "'" + cell
    return cell


_NEGATIVE_NUMBER = re.compile(r"-[\d,]+(?:\.\d+)?%?")


@bp.get("/reports/<key>.csv")
@auth.lead_only
def report_csv(key: str) -> Response:
    filters, table = _table(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in table.rows])
    name = f"{key}-{filters.starts}-to-{filters.ends}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
