"""The end-of-run summary: what a run produced, where, and the headline numbers.

Read off the metadata the run's assets reported (no second look at the warehouse), so the
summary says exactly what the Dagster UI says about the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from buying_groups.assets.keys import (
    BUYING_GROUPS,
    KPI_REPORT,
    KPIS,
    LANDING_DROPS,
    LINKEDIN_AUDIENCES,
    MARTS_PARQUET,
    SALES_HANDOFF,
)
from buying_groups.model.marts import STAGES

Metadata = Mapping[str, Any]
_LABEL_WIDTH = 15
# b2b table -> what one row of it is, for the warehouse line.
_ROW_NAMES = {
    "b2b/accounts": "accounts",
    "b2b/persons": "persons",
    "b2b/opportunities": "opportunities",
    "b2b/opportunity_persons": "opportunity roles",
    "b2b/experience_events": "events",
}


def plain_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, Any]]:
    """``{asset key: {metadata key: plain value}}`` of every materialization of the run."""
    by_asset: dict[str, dict[str, Any]] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        by_asset[materialization.asset_key.to_user_string()] = {
            key: getattr(value, "value", value) for key, value in materialization.metadata.items()
        }
    return by_asset


def _line(label: str, text: str) -> str:
    return f"  {label:{_LABEL_WIDTH}s} {text}"


def _count(value: Any, noun: str) -> str:
    return f"{int(value or 0):,} {noun}"


def _ingested(by_asset: Mapping[str, Metadata]) -> str | None:
    landing = by_asset.get(LANDING_DROPS.to_user_string())
    if landing is None:
        return None
    if not landing.get("new_files"):
        return "no new files in the landing zone"
    loads = [metadata for key, metadata in by_asset.items() if key.startswith("b2b/")]
    rows_read = sum(int(m.get("rows_read") or 0) for m in loads)
    quarantined = sum(int(m.get("rows_quarantined") or 0) for m in loads)
    text = (
        f"{_count(landing['new_files'], 'new files')} from {_count(landing.get('new_drops'), 'drops')}: "
        f"{_count(rows_read, 'rows read')}, {quarantined:,} quarantined"
    )
    return text + (" (see b2b.rejected_rows)" if quarantined else "")


def _warehouse(by_asset: Mapping[str, Metadata], warehouse: str) -> str | None:
    counts = [
        _count(by_asset[key].get("dagster/row_count"), noun) for key, noun in _ROW_NAMES.items() if key in by_asset
    ]
    return f"{warehouse}: {', '.join(counts)}" if counts else None


def _buying_groups(metadata: Metadata) -> str:
    stages = ", ".join(f"{int(metadata.get(f'groups_{stage}') or 0):,} {stage}" for stage in STAGES)
    return (
        f"{_count(metadata.get('groups'), 'groups')}: {stages} "
        f"({int(metadata.get('newly_qualified') or 0):,} newly qualified); "
        f"{_count(metadata.get('members_active'), 'active members')}"
    )


def _linkedin(metadata: Metadata) -> str:
    folder = Path(str(metadata.get("manifest", ""))).parent
    text = (
        f"{folder}: {_count(metadata.get('files_written'), 'files')}, "
        f"{_count(metadata.get('dagster/row_count'), 'rows')}"
    )
    below = int(metadata.get("lists_below_linkedin_minimum") or 0)
    return text + (f" ({below:,} lists under LinkedIn's minimum audience size)" if below else "")


def _sales_handoff(metadata: Metadata) -> str:
    return f"{metadata.get('csv', '')}: {_count(metadata.get('dagster/row_count'), 'rows')}"


def _marts(metadata: Metadata) -> str:
    return (
        f"{metadata.get('folder', '')}: {_count(metadata.get('files_written'), 'Parquet files')}, "
        f"{_count(metadata.get('dagster/row_count'), 'rows')}"
    )


def _kpis(by_asset: Mapping[str, Metadata]) -> str | None:
    """Per solution interest the engaged accounts and the awareness lift, and the report."""
    kpis, report = by_asset.get(KPIS.to_user_string()), by_asset.get(KPI_REPORT.to_user_string())
    if kpis is None and report is None:
        return None
    interests: dict[str, list[str]] = {}
    for key, value in (kpis or {}).items():
        interest, _, kpi = key.partition("/")
        if kpi == "engaged_accounts":
            interests.setdefault(interest, []).insert(0, f"{value:,.0f} engaged accounts")
        elif kpi == "awareness_lift":
            interests.setdefault(interest, []).append(f"awareness lift {value:+.1f} pts")
    parts = [f"{interest}: {', '.join(texts)}" for interest, texts in sorted(interests.items())]
    if report is not None:
        parts.append(f"report {report.get('path', '')}")
    return "; ".join(parts) or None


def _emptied(by_asset: Mapping[str, Metadata]) -> str | None:
    emptied = sum(int(metadata.get("emptied_files") or 0) for metadata in by_asset.values())
    if not emptied:
        return None
    return f"{emptied:,} published file(s) that had rows are now empty (see the warnings above)"


def summary_lines(by_asset: Mapping[str, Metadata], *, warehouse: str) -> list[str]:
    """One line per thing the run produced, for the assets the run materialized."""
    sections: list[tuple[str, str | None]] = [
        ("ingested", _ingested(by_asset)),
        ("warehouse", _warehouse(by_asset, warehouse)),
    ]
    formatters = {
        BUYING_GROUPS: ("buying groups", _buying_groups),
        LINKEDIN_AUDIENCES: ("LinkedIn", _linkedin),
        SALES_HANDOFF: ("sales hand-off", _sales_handoff),
        MARTS_PARQUET: ("BI marts", _marts),
    }
    for key, (label, formatter) in formatters.items():
        metadata = by_asset.get(key.to_user_string())
        sections.append((label, formatter(metadata) if metadata is not None else None))
    sections.append(("KPIs", _kpis(by_asset)))
    sections.append(("WARNING", _emptied(by_asset)))
    return [_line(label, text) for label, text in sections if text]
