"""Success KPIs (awareness, engagement, time, cost) per ``as_of`` and the visual report.

No Dagster imports here: the assets in ``buying_groups.assets.kpis`` call these functions.
"""

from buying_groups.kpis.compute import KpiResult, compute_kpis
from buying_groups.kpis.report import ReportResult, render_report, write_report

__all__ = ["KpiResult", "ReportResult", "compute_kpis", "render_report", "write_report"]
