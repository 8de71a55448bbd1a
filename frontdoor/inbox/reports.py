"""Reports for team leads (/inbox/reports): the figures of frontdoor/reports.py as
charts, each with its data table, and each table as CSV (the same rows as the page)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Response, abort, current_app, g, render_template, request

from frontdoor import charts
from frontdoor import reports as figures
from frontdoor.engine import hours_for, load_triage
from frontdoor.extensions import db
from frontdoor.inbox import auth
from frontdoor.inbox.views import _coordinators, _today, bp
from frontdoor.models import Ward
from frontdoor.triage.data import NEEDS


def _need_words() -> dict[str, str]:
    """Each need in the front door's own words ("money, benefits or bills")."""
    try:
        needs = load_triage(current_app).needs
        return {key: needs[key].option[0].upper() + needs[key].option[1:]
                for key in NEEDS if key in needs}
    except Exception:   # no model loaded (a fresh install): plain labels will do
        return {key: key.replace("_", " ").capitalize() for key in NEEDS}


def _tables() -> tuple[figures.Filters | None, list[figures.Table], str | None]:
    try:
        filters = figures.parse_filters(request.args.to_dict(), _today(), NEEDS)
    except ValueError as error:
        return None, [], str(error)
    return filters, figures.all_tables(filters, hours_for(current_app), _need_words()), None


@bp.get("/reports")
@auth.lead_only
def reports() -> tuple[str, int] | str:
    filters, tables, error = _tables()
    drawn = {t.key: charts.data_url(charts.svg(
        t.chart, [r[0] for r in t.rows],
        [(t.columns[c], [v[c - 1] for v in t.values]) for c in t.chart_columns]))
        for t in tables if t.chart and t.rows}
    page = render_template(
        "inbox/reports.html", filters=filters, tables=tables, charts=drawn, error=error,
        args=request.args, wards=db.session.scalars(sa.select(Ward).order_by(Ward.name)).all(),
        coordinators=_coordinators(), need_words=_need_words(), me=g.me)
    return (page, 400) if error else page


def _safe(cell: str) -> str:
    """A spreadsheet must not run a directory entry's name as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "@", "\t", "\r") else cell


@bp.get("/reports/<key>.csv")
@auth.lead_only
def report_csv(key: str) -> Response:
    filters, tables, error = _tables()
    if error or filters is None:
        abort(400, error)
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([[_safe(cell) for cell in row] for row in table.rows])
    name = f"{key}-{filters.starts}-to-{filters.ends}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
