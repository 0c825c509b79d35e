"""``<output>/report/index.html``: one self-contained page of charts for marketing ops.

KPI trends over the ``as_of`` history, cost per lead, the stage funnel per solution interest,
completeness and engagement distributions and, when the journeys' tables exist, journey node
counts. Charts are drawn by plotly.js, inlined from the ``plotly`` package (no CDN: the page
opens without network). The data is aggregated in DuckDB (``sql/kpis/report_*.sql``); only the
small result sets reach Python. The file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from buying_groups.activation.atomic import atomic_write_bytes
from buying_groups.kpis.compute import journeys_ran
from buying_groups.model.marts import KPI_NAMES, STAGES, ensure_marts_tables
from buying_groups.sql_files import run_sql

REPORT_DIR = "report"
REPORT_FILE = "index.html"
JOURNEY_NODE_COUNTS = ("marts", "journey_node_counts")

# KPI charts: title, y-axis label, the KPIs drawn (one line per solution interest and KPI).
_KPI_CHARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Awareness: website visit rate of target accounts", "% of target accounts", ("visit_rate", "baseline_visit_rate")),
    ("Awareness: target accounts reached by ads", "accounts", ("reached_accounts",)),
    ("Awareness lift", "percentage points", ("awareness_lift",)),
    ("Engagement: engaged target accounts", "accounts", ("engaged_accounts",)),
    ("Engagement: share of engaged accounts that are targeted", "%", ("engaged_targeted_share",)),
    ("Time: days to add a contact / to complete a group (median)", "days", ("days_to_add_contact", "days_to_complete")),
)
assert {kpi for _, _, kpis in _KPI_CHARTS for kpi in kpis} == set(KPI_NAMES)


@dataclass
class ReportResult:
    path: Path
    charts: list[str] = field(default_factory=list)
    as_of_days: int = 0
    journeys: bool = False

    @property
    def chart_count(self) -> int:
        return len(self.charts)


def _rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return run_sql(con, name, params).fetchall()


def _layout(figure: go.Figure, title: str, y_title: str = "", x_title: str = "") -> go.Figure:
    figure.update_layout(
        title=title,
        template="plotly_white",
        height=360,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        xaxis_title=x_title,
    )
    return figure


def _kpi_figures(con: duckdb.DuckDBPyConnection) -> list[go.Figure]:
    history = _rows(con, "kpis/report_kpi_history")  # as_of, solution interest, kpi, value
    figures = []
    for title, y_title, kpis in _KPI_CHARTS:
        figure = go.Figure()
        series: dict[tuple[str, str], tuple[list[dt.date], list[float | None]]] = {}
        for as_of, interest, kpi, value in history:
            if kpi in kpis:
                days, values = series.setdefault((interest, kpi), ([], []))
                days.append(as_of)
                values.append(value)
        for (interest, kpi), (days, values) in sorted(series.items()):
            figure.add_trace(go.Scatter(x=days, y=values, mode="lines+markers", name=f"{interest} · {kpi}"))
        figures.append(_layout(figure, title, y_title, "as_of"))
    return figures


def _cost_figure(con: duckdb.DuckDBPyConnection) -> go.Figure:
    figure = go.Figure()
    series: dict[str, tuple[list[dt.date], list[float | None]]] = {}
    for as_of, platform, currency, cost in _rows(con, "kpis/report_cost_history"):
        days, values = series.setdefault(f"{platform} ({currency or 'no spend'})", ([], []))
        days.append(as_of)
        values.append(cost)
    for name, (days, values) in sorted(series.items()):
        figure.add_trace(go.Scatter(x=days, y=values, mode="lines+markers", name=name))
    return _layout(figure, "Cost per lead by platform and currency", "cost per lead", "as_of")


def _funnel_figure(con: duckdb.DuckDBPyConnection) -> go.Figure:
    counts = {(interest, stage): groups for interest, stage, groups in _rows(con, "kpis/report_stage_funnel")}
    interests = sorted({interest for interest, _ in counts})
    # Widest first: every group, then those complete or better, then sales_ready.
    reached = {"incomplete": STAGES, "complete": ("complete", "sales_ready"), "sales_ready": ("sales_ready",)}
    labels = {"incomplete": "all groups", "complete": "complete or sales_ready", "sales_ready": "sales_ready"}
    figure = go.Figure()
    for interest in interests:
        values = [sum(counts.get((interest, s), 0) for s in reached[step]) for step in reached]
        figure.add_trace(go.Funnel(name=interest, y=[labels[step] for step in reached], x=values))
    return _layout(figure, "Buying-group stage funnel per solution interest")


def _distribution_figure(con: duckdb.DuckDBPyConnection, score: str, title: str) -> go.Figure:
    figure = go.Figure()
    series: dict[str, tuple[list[str], list[int]]] = {}
    for interest, band, groups in _rows(con, "kpis/report_score_bands", {"score": score}):
        bands, values = series.setdefault(interest, ([], []))
        bands.append(band)
        values.append(groups)
    for interest, (bands, values) in sorted(series.items()):
        figure.add_trace(go.Bar(x=bands, y=values, name=interest))
    figure.update_layout(barmode="group")
    return _layout(figure, title, "buying groups", "score band")


def _journey_figure(con: duckdb.DuckDBPyConnection) -> go.Figure:
    rows = _rows(con, "kpis/report_journey_nodes")  # journey, node, waiting, passed (latest as_of)
    figure = go.Figure()
    labels = [f"{journey} · {node}" for journey, node, _, _ in rows]
    figure.add_trace(go.Bar(x=labels, y=[row[2] for row in rows], name="accounts waiting"))
    figure.add_trace(go.Bar(x=labels, y=[row[3] for row in rows], name="accounts passed"))
    figure.update_layout(barmode="group")
    return _layout(figure, "Journey node counts (latest as_of)", "accounts")


def render_report(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[str, ReportResult]:
    """The page's HTML and what it shows (``path`` left empty)."""
    ensure_marts_tables(con)
    figures = [
        *_kpi_figures(con),
        _cost_figure(con),
        _funnel_figure(con),
        _distribution_figure(con, "completeness_score", "Completeness distribution (latest as_of)"),
        _distribution_figure(con, "engagement_score", "Engagement distribution (latest as_of)"),
    ]
    journeys = journeys_ran(con, *JOURNEY_NODE_COUNTS)
    if journeys:
        figures.append(_journey_figure(con))
    (days,) = con.execute("SELECT count(DISTINCT as_of) FROM marts.kpis").fetchone()  # type: ignore[misc]
    result = ReportResult(Path(), [str(f.layout.title.text) for f in figures], int(days), journeys)
    charts = "\n".join(
        f'<section class="chart">{f.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{i}")}</section>'
        for i, f in enumerate(figures)
    )
    note = "" if journeys else "<p class='note'>No journeys in this warehouse: journey node counts are not shown.</p>"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Buying groups: success KPIs as of {html.escape(as_of.isoformat())}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }}
main {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1rem; }}
.chart {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.25rem; }}
.note {{ color: #666; }}
</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>Buying groups: success KPIs</h1>
<p>As of {html.escape(as_of.isoformat())}; KPI history of {days} day(s). Generated by buying-groups.</p>
{note}
<main>
{charts}
</main>
</body>
</html>
"""
    return page, result


def write_report(con: duckdb.DuckDBPyConnection, output_root: Path, as_of: dt.date) -> ReportResult:
    """Write ``<output_root>/report/index.html`` atomically."""
    page, result = render_report(con, as_of)
    path = output_root / REPORT_DIR / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, page.encode("utf-8"))
    result.path = path
    return result
