"""A fixed landing zone for the explain and diff tests: three accounts, eight leads and a few
activities, run through `buying-groups run` with the shipped config.

Hand-computed with the shipped engagement weights (1: 40, 2: 40, 11: 30), as of 2026-11-20:
raw scores lead 1: 3 x 40 + 40 = 160, lead 2: 30, lead 5: min(25, 20) x 40 = 800, lead 7: 80,
lead 8: 40 (scores 100 x sqrt(raw / 800)). AI Driven Seeds: Acme (600 employees) has Decision
Maker 1, Influencer 2 (of 2 needed), Champion 3 -> completeness 83, sales_ready; Globex (800)
has Decision Maker 5 and Influencer 6 -> completeness 50, incomplete. Cloud Analytics: Initech
has Technical Buyer 8 and Evaluator 7 (of 2) -> completeness 75 < 100, incomplete.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from tests.conftest import ACTIVITY_HEADER, COMPANY_HEADER, LEAD_HEADER, activity, company, lead, run_command, write_csv

AS_OF = "2026-11-20"
MUNCHKIN = "123-ABC-456"


def account_key(company_id: int) -> str:
    return f"{company_id}.mkto_org@{MUNCHKIN}.Marketo"


def person_key(lead_id: int) -> str:
    return f"{lead_id}@{MUNCHKIN}.Marketo"


SEEDS_ACME = f"ai-driven-seeds:{account_key(1)}"
SEEDS_GLOBEX = f"ai-driven-seeds:{account_key(2)}"
SEEDS_INITECH = f"ai-driven-seeds:{account_key(3)}"
CLOUD_INITECH = f"cloud-analytics:{account_key(3)}"


def write_landing(landing: Path) -> None:
    drop = landing / "2026-11-20"
    write_csv(
        drop / "companies.csv",
        COMPANY_HEADER,
        [
            company(1, "Acme Seeds", employees=600, website="https://acme-seeds.example"),
            company(2, "Globex Farms", employees=800, website="https://globex.example"),
            company(3, "Initech", industry="Software", employees=200, website="https://initech.example"),
        ],
    )
    write_csv(
        drop / "leads.csv",
        LEAD_HEADER,
        [
            lead(1, title="CEO", company=1, first="Ann", last="Avery"),
            lead(2, title="Director of Sales", company=1, first="Bob", last="Burns"),
            lead(3, title="Sales Manager", company=1, first="Cat", last="Cole"),
            lead(4, title="Analyst", company=1, first="Dan", last="Dorn"),
            lead(5, title="VP Operations", company=2, first="Eve", last="Ames"),
            lead(6, title="Director IT", company=2, first="Fay", last="Fox"),
            lead(7, title="Software Engineer", company=3, first="Gus", last="Gray"),
            lead(8, title="CTO", company=3, first="Hal", last="Hill"),
        ],
    )
    rows = [activity(f"a1-{i}", 1, "2026-11-10T09:00:00Z", 2, "AI Seeds Whitepaper") for i in range(3)]
    rows.append(activity("a1-visit", 1, "2026-11-12T09:00:00Z", 1, "/pricing"))
    rows.append(activity("a2", 2, "2026-11-15T09:00:00Z", 11, "Newsletter"))
    rows += [activity(f"a5-{i}", 5, "2026-11-18T09:00:00Z", 1, "/seeds") for i in range(25)]
    rows += [activity(f"a7-{i}", 7, "2026-11-19T09:00:00Z", 1, "/cloud") for i in range(2)]
    rows.append(activity("a8", 8, "2026-11-19T10:00:00Z", 2, "Cloud Analytics Brief"))
    write_csv(drop / "activities.csv", ACTIVITY_HEADER, rows)


def run_pipeline(root: Path, config: Path) -> tuple[Path, Path]:
    """Landing, run; returns (warehouse, output)."""
    landing, warehouse, output = root / "landing", root / "warehouse.duckdb", root / "output"
    write_landing(landing)
    subprocess.run(run_command(landing, warehouse, output, config=config, as_of=AS_OF), check=True, capture_output=True)
    return warehouse, output


def tree_hashes(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under the roots (and of the roots if they are files)."""
    hashes = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes
