"""Ingestion: find drops in the landing zone, read their CSV files, validate, upsert/append.

No Dagster imports here: the assets in ``buying_groups.assets`` call these functions.
"""

from buying_groups.ingest.landing import (
    LandingFile,
    LandingScan,
    UnusableFileError,
    register_landing_files,
    scan_landing,
)
from buying_groups.ingest.load import EntityLoadResult, RejectedShareError, load_entity

__all__ = [
    "EntityLoadResult",
    "LandingFile",
    "LandingScan",
    "RejectedShareError",
    "UnusableFileError",
    "load_entity",
    "register_landing_files",
    "scan_landing",
]
