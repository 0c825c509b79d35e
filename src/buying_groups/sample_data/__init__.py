"""Synthetic Marketo-style landing zones (``buying-groups generate``), deterministic per seed.

No Dagster here: the generator is plain Polars, usable from the CLI, tests and benchmarks.
"""

from buying_groups.sample_data.dirt import DIRT_KINDS
from buying_groups.sample_data.generator import DropSummary, GenerationSummary, generate_landing
from buying_groups.sample_data.layout import MARKETO_HEADERS
from buying_groups.sample_data.profiles import PROFILES, Profile, profile_named

__all__ = [
    "DIRT_KINDS",
    "MARKETO_HEADERS",
    "PROFILES",
    "DropSummary",
    "GenerationSummary",
    "Profile",
    "generate_landing",
    "profile_named",
]
