"""Ingest: find drops in the landing zone, check their files' headers, keep the ledger
(``meta.landing_files``) of what is pending and what was ingested.

No Dagster imports here: the assets in ``buying_groups.assets.ingest`` call these functions.
"""

from buying_groups.ingest.landing import (
    LandingFile,
    LandingScan,
    UnusableFileError,
    register_landing_files,
    scan_landing,
)

__all__ = [
    "LandingFile",
    "LandingScan",
    "UnusableFileError",
    "register_landing_files",
    "scan_landing",
]
