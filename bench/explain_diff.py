"""``explain`` and ``diff`` on a warehouse the bench has just built, timed.

``bench/run.py`` runs this as a child process after a counted pair's runs:

    python bench/explain_diff.py --warehouse W --output O --config CONFIG

- **explain**: the group with the most active members and that group's most engaged member,
  explained as ``buying-groups explain`` does (the explanation and its text), timed after the
  warehouse is open; the warehouse's read-only open is timed on its own, and the whole CLI
  command (``explain --group``, interpreter start and imports included) as a user sees it.
- **diff**: ``buying-groups diff`` against a copy of CONFIG whose ``min_engagement`` is
  lowered by 10 points (a change that moves stages and LinkedIn lists), timed in process
  (``diff_config``, the same call the CLI makes).

The last line of the output is a JSON object with the seconds and what the diff found.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from buying_groups.config import load_config
from buying_groups.explain import explain_group, explain_person, group_text, person_text, read_only
from buying_groups.explain.diff import diff_config

BIN = Path(sys.executable).parent
_MIN_ENGAGEMENT = re.compile(r"^(\s*min_engagement:\s*)(\d+(?:\.\d+)?)\s*$", re.MULTILINE)


def lowered_engagement_config(config: Path, into: Path) -> Path:
    """A copy of ``config`` with the instance's ``min_engagement`` 10 points lower."""
    target = into / "config"
    shutil.copytree(config, target)
    instance = target / "instance.yaml"
    text, replaced = _MIN_ENGAGEMENT.subn(
        lambda m: f"{m.group(1)}{max(0.0, float(m.group(2)) - 10):g}", instance.read_text(encoding="utf-8"), count=1
    )
    if not replaced:
        raise SystemExit(f"no min_engagement in {instance}")
    instance.write_text(text, encoding="utf-8")
    return target


def measure(warehouse: Path, output: Path, config: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with read_only(warehouse) as con:
        opened = time.perf_counter()
        group_id, person_key = con.execute(
            """
            SELECT buying_group_id, arg_max(person_key, person_engagement_score)
            FROM marts.buying_group_members WHERE NOT is_removed
            GROUP BY buying_group_id ORDER BY count(*) DESC, buying_group_id LIMIT 1
            """
        ).fetchone()
        picked = time.perf_counter()
        group_text(explain_group(con, group_id, output))
        explained_group = time.perf_counter()
        person_text(explain_person(con, person_key, output))
        explained_person = time.perf_counter()

    cli = [str(BIN / "buying-groups"), "explain", "--group", group_id, "--warehouse", str(warehouse)]
    cli += ["--output", str(output), "--config", str(config)]
    cli_started = time.perf_counter()
    subprocess.run(cli, check=True, stdout=subprocess.DEVNULL)
    cli_seconds = time.perf_counter() - cli_started

    with tempfile.TemporaryDirectory() as scratch:
        new_config = load_config(lowered_engagement_config(config, Path(scratch)))
        diff_started = time.perf_counter()
        result = diff_config(warehouse, output, new_config, current_config_dir=config)
        diff_seconds = time.perf_counter() - diff_started

    return {
        "open_seconds": opened - started,
        "explain_group_seconds": explained_group - picked,
        "explain_person_seconds": explained_person - explained_group,
        "explain_cli_seconds": cli_seconds,
        "diff_seconds": diff_seconds,
        "group": group_id,
        "person": person_key,
        "diff_found": {key: len(value) for key, value in result.items() if isinstance(value, list)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(measure(args.warehouse, args.output, args.config)))


if __name__ == "__main__":
    main()
