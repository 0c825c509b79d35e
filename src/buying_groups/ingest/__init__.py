"""Ingestion: find drops in the landing zone, read their CSV files, validate, upsert/append.

No Dagster imports here: the assets in ``buying_groups.assets`` call these functions.
"""

from buying_groups.ingest.ad_companies import AD_COMPANY_MATCHES, MatchSummary, match_ad_companies
from buying_groups.ingest.landing import (
    LandingFile,
    LandingScan,
    UnusableFileError,
    register_landing_files,
    scan_landing,
)
from buying_groups.ingest.load import EntityLoadResult, RejectedShareError, load_entity

__all__ = [
    "AD_COMPANY_MATCHES",
    "EntityLoadResult",
    "LandingFile",
    "LandingScan",
    "MatchSummary",
    "RejectedShareError",
    "UnusableFileError",
    "load_entity",
    "match_ad_companies",
    "register_landing_files",
    "scan_landing",
]
