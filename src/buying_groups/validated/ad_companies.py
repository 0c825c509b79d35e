"""Companies reached by ads, matched to accounts (``b2b.ad_company_matches``).

The matching rules live in ``sql/validated/ad_company_matches.sql`` (LinkedIn page URL, else web
domain, else normalised name); this module runs it and summarises the outcome, unmatched
companies included, for the asset's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from buying_groups.sql_files import run_sql, transaction
from buying_groups.validated.load import prepare_connection

AD_COMPANY_MATCHES = "b2b.ad_company_matches"


@dataclass
class MatchSummary:
    companies: int = 0
    matched_by: dict[str, int] = field(default_factory=dict)  # rule -> companies
    unmatched: int = 0
    ambiguous: int = 0  # a rule found more than one account
    unmatched_examples: list[tuple[str, str, int]] = field(default_factory=list)  # platform, name, impressions

    def as_metadata(self) -> dict[str, int]:
        return {
            "reached_companies": self.companies,
            "matched_by_linkedin_page_url": self.matched_by.get("linkedin_page_url", 0),
            "matched_by_domain": self.matched_by.get("domain", 0),
            "matched_by_name": self.matched_by.get("name", 0),
            "unmatched_companies": self.unmatched,
            "ambiguous_matches": self.ambiguous,
        }


def match_ad_companies(con: duckdb.DuckDBPyConnection, examples: int = 20) -> MatchSummary:
    """Rebuild ``b2b.ad_company_matches`` from the reach rows and the current accounts."""
    prepare_connection(con)
    with transaction(con):
        run_sql(con, "validated/ad_company_matches")
    summary = MatchSummary()
    for rule, companies, ambiguous in con.execute(
        f"SELECT matched_by, count(*), count(*) FILTER (WHERE candidate_accounts > 1) FROM {AD_COMPANY_MATCHES} "
        "GROUP BY ALL"
    ).fetchall():
        summary.companies += companies
        summary.ambiguous += ambiguous
        if rule is None:
            summary.unmatched = companies
        else:
            summary.matched_by[rule] = companies
    summary.unmatched_examples = con.execute(
        f"SELECT platform, company_name, impressions FROM {AD_COMPANY_MATCHES} WHERE account_key IS NULL "
        "ORDER BY impressions DESC, platform, company_name LIMIT $n",
        {"n": examples},
    ).fetchall()
    return summary
