"""Validated tables: read an entity's pending landing files, check every value against its
Pandera model, quarantine bad rows, upsert or append into ``b2b.*``.

No Dagster imports here: the assets in ``buying_groups.assets.validated`` call these functions.
"""

from buying_groups.validated.load import EntityLoadResult, RejectedShareError, load_entity

__all__ = ["EntityLoadResult", "RejectedShareError", "load_entity"]
