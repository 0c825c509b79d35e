"""Activation: LinkedIn matched-audience files, the sales hand-off and Parquet marts.

Plain functions over a DuckDB connection and an output folder; no Dagster here (the wiring
is :mod:`buying_groups.assets.activation`). Every file is written atomically and every CSV
cell is CSV-injection safe.
"""

from buying_groups.activation.countries import to_alpha2
from buying_groups.activation.csv_files import WrittenFile, write_csv, write_csv_parts
from buying_groups.activation.csv_safety import neutralise_cell
from buying_groups.activation.linkedin import (
    COMPANY_HEADER,
    CONTACT_HEADER,
    FLAG_BELOW_MINIMUM,
    LinkedInExport,
    ManifestFile,
    build_linkedin_audiences,
    role_slug,
)
from buying_groups.activation.options import LinkedInOptions
from buying_groups.activation.parquet import ExportedTable, export_marts_parquet
from buying_groups.activation.sales_handoff import build_sales_handoff, write_sales_handoff_csv

__all__ = [
    "COMPANY_HEADER",
    "CONTACT_HEADER",
    "FLAG_BELOW_MINIMUM",
    "ExportedTable",
    "LinkedInExport",
    "LinkedInOptions",
    "ManifestFile",
    "WrittenFile",
    "build_linkedin_audiences",
    "build_sales_handoff",
    "export_marts_parquet",
    "neutralise_cell",
    "role_slug",
    "to_alpha2",
    "write_csv",
    "write_csv_parts",
    "write_sales_handoff_csv",
]
