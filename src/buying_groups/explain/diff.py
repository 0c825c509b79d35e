"""``buying-groups diff``: what a configuration change would change, before it goes live.

The current warehouse is re-scored under the new configuration in a scratch database (see
:mod:`buying_groups.explain.scratch`: the warehouse is attached read-only, nothing is written
to it or to the output folder) and compared with the stored marts of the latest scored day.
For another day, the baseline is a scratch scoring of that day under the current
configuration. LinkedIn row counts come from the same selection queries the export runs,
counted instead of written, against the rows of the current files (their manifest).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb

from buying_groups.activation.linkedin import (
    LINKEDIN_DIR,
    MANIFEST_NAME,
    count_list_rows,
    plan_lists,
    prepare_session,
)
from buying_groups.activation.options import linkedin_options
from buying_groups.config import ProjectConfig, load_config
from buying_groups.explain.scratch import copy_persistent_marts, latest_as_of, read_only, scratch
from buying_groups.explain.stages import score_all
from buying_groups.sql_files import run_sql


def _list_rows(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> dict[str, int]:
    """Rows of every LinkedIn list the scratch marts call for, by output-relative path."""
    prepare_session(con)
    return {planned.output_path: count_list_rows(con, planned) for planned in plan_lists(con, linkedin_options(config))}


def _manifest_rows(output_dir: Path) -> dict[str, int]:
    """Rows of every list in the current files (a split list counts all its parts)."""
    path = output_dir / LINKEDIN_DIR / MANIFEST_NAME
    if not path.is_file():
        return {}
    rows: dict[str, int] = {}
    for entry in json.loads(path.read_text(encoding="utf-8"))["files"]:
        rows[f"{LINKEDIN_DIR}/{entry['solution_interest_id']}/{entry['list_name']}.csv"] = entry["list_row_count"]
    return rows


def diff_config(
    warehouse: Path,
    output_dir: Path,
    new_config: ProjectConfig,
    *,
    as_of: dt.date | None = None,
    current_config_dir: Path | None = None,
) -> dict[str, Any]:
    """The SPEC's diff object: ``as_of``, ``groups_added``, ``groups_removed``,
    ``stage_changes``, ``member_changes`` and ``file_changes`` (unchanged files left out; a
    list that does not exist on one side has ``null`` rows there)."""
    with read_only(warehouse) as con:
        stored = latest_as_of(con)
    day = as_of or stored
    with scratch(warehouse) as con:
        if day == stored:
            run_sql(con, "explain/diff_baseline_views")
            rows_before = _manifest_rows(output_dir)
        else:
            current = load_config(current_config_dir or Path("config"))
            score_all(con, current, day)
            run_sql(con, "explain/diff_baseline_copy")
            rows_before = _list_rows(con, current)
            copy_persistent_marts(con)
        score_all(con, new_config, day)
        rows_after = _list_rows(con, new_config)
        groups = run_sql(con, "explain/diff_groups").fetchall()
        stages = run_sql(con, "explain/diff_stages").fetchall()
        members = run_sql(con, "explain/diff_members").fetchall()
    return {
        "as_of": day.isoformat(),
        "groups_added": [group for change, group in groups if change == "added"],
        "groups_removed": [group for change, group in groups if change == "removed"],
        "stage_changes": [{"buying_group_id": g, "from": before, "to": after} for g, before, after in stages],
        "member_changes": [
            {"buying_group_id": g, "person_key": p, "from_role": before, "to_role": after}
            for g, p, before, after in members
        ],
        "file_changes": [
            {"path": path, "rows_before": rows_before.get(path), "rows_after": rows_after.get(path)}
            for path in sorted(rows_before.keys() | rows_after.keys())
            if rows_before.get(path) != rows_after.get(path)
        ],
    }


def diff_text(result: dict[str, Any]) -> str:
    """The diff for a terminal (or a pull-request comment)."""
    lines = [f"Configuration diff as of {result['as_of']}"]
    if not any(result[key] for key in result if key != "as_of"):
        return lines[0] + ": no change\n"
    for key, label in (("groups_added", "groups added"), ("groups_removed", "groups removed")):
        lines.append(f"{label}: {len(result[key])}")
        lines += [f"  {group}" for group in result[key]]
    lines.append(f"stage changes: {len(result['stage_changes'])}")
    lines += [f"  {c['buying_group_id']}: {c['from']} -> {c['to']}" for c in result["stage_changes"]]
    lines.append(f"member changes: {len(result['member_changes'])}")
    lines += [
        f"  {c['buying_group_id']} {c['person_key']}: {c['from_role'] or '(not a member)'} -> "
        f"{c['to_role'] or '(not a member)'}"
        for c in result["member_changes"]
    ]
    lines.append(f"LinkedIn files: {len(result['file_changes'])} changed")
    lines += [
        f"  {c['path']}: {'(none)' if c['rows_before'] is None else c['rows_before']} -> "
        f"{'(none)' if c['rows_after'] is None else c['rows_after']} rows"
        for c in result["file_changes"]
    ]
    return "\n".join(lines) + "\n"
