"""Validated tables: read an entity's pending landing files, check every value against its
Pandera model, quarantine bad rows, upsert or append into ``b2b.*``.

No Dagster imports here: the assets in ``buying_groups.assets.validated`` call these functions.
"""

from buying_groups.validated.ad_companies import AD_COMPANY_MATCHES, MatchSummary, match_ad_companies
from buying_groups.validated.load import EntityLoadResult, RejectedShareError, load_entity

__all__ = [
    "AD_COMPANY_MATCHES",
    "EntityLoadResult",
    "MatchSummary",
    "RejectedShareError",
    "load_entity",
    "match_ad_companies",
]
