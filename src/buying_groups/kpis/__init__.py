"""Success KPIs (awareness, engagement, time, cost) per ``as_of`` and the visual report.

No Dagster imports here: the assets in ``buying_groups.assets.kpis`` call these functions.
"""

from buying_groups.kpis.compute import KpiResult, compute_kpis

__all__ = ["KpiResult", "compute_kpis"]
