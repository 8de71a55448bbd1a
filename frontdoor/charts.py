"""Charts for the reports page: server-rendered SVG from pygal.

Why pygal: it writes SVG directly (no raster backend, no browser-side code), is pure
Python, renders a chart in about 5 ms, and is maintained (3.1, 2026). matplotlib's SVG
backend would do too, at several times the cost per chart and a far larger install. Its
SVG carries its own <style>, so each chart is served as an image with its own policy
(frontdoor/inbox/reports.py): an image runs no script, and its figures are in a table
beside it for screen readers."""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from pygal.etree import etree
from pygal.style import Style

# High-contrast colours (each at least 3:1 against white, WCAG 1.4.11) and large text.
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c",
    foreground_strong="#0b0c0c", foreground_subtle="#505a5f",
    colors=("#1d4f91", "#00703c", "#d4351c", "#4c2c92", "#505a5f"),
    font_family="Arial, Helvetica, sans-serif", label_font_size=14,
    major_label_font_size=14, value_font_size=14, legend_font_size=15, title_font_size=18,
    tooltip_font_size=14, opacity=1, opacity_hover=1)


def svg(kind: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
        width: int = 760) -> str:
    """An SVG bar chart ("bar" vertical, "hbar" horizontal) of one or more series."""
    height = max(260, 34 * len(labels) + 120) if kind == "hbar" else 360
    chart_class = pygal.HorizontalBar if kind == "hbar" else pygal.Bar
    chart = chart_class(
        style=STYLE, width=width, height=height, js=[], disable_xml_declaration=True,
        show_legend=len(series) > 1, legend_at_bottom=True, print_values=False,
        x_label_rotation=-45 if kind == "bar" and len(labels) > 8 else 0,
        truncate_label=-1, show_minor_x_labels=True, margin=16)
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    tree = chart.render_tree()
    # pygal writes its tooltip configuration as a <script>; an image never runs it, and
    # a chart has no business carrying one.
    for parent in list(tree.iter()):
        for child in [c for c in parent if str(c.tag).endswith("script")]:
            parent.remove(child)
    return str(etree.tostring(tree, encoding="unicode"))
