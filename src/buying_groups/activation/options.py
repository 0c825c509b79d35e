"""Options of the LinkedIn matched-audience export, independent of the config package.

The Dagster asset maps ``config.activation.linkedin`` onto :class:`LinkedInOptions`, so the
pure writer code (and its tests) never import the YAML models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from buying_groups.config import ProjectConfig

# LinkedIn Matched Audiences upload limits (SPEC §6): a file over either limit is split, a
# list under the minimum is still written but flagged (LinkedIn will not serve it).
LINKEDIN_MAX_ROWS_PER_FILE = 300_000
LINKEDIN_MAX_BYTES_PER_FILE = 20_000_000
LINKEDIN_MIN_ROWS = 300


@dataclass(frozen=True)
class LinkedInOptions:
    """What to export and how: ``solution_interests=None`` means every solution interest
    that has buying groups."""

    hash_emails: bool = False
    solution_interests: tuple[str, ...] | None = None
    max_rows_per_file: int = LINKEDIN_MAX_ROWS_PER_FILE
    max_bytes_per_file: int = LINKEDIN_MAX_BYTES_PER_FILE
    min_rows: int = LINKEDIN_MIN_ROWS

    def __post_init__(self) -> None:
        if self.max_rows_per_file < 1:
            raise ValueError(f"max_rows_per_file must be >= 1, got {self.max_rows_per_file}")
        if self.max_bytes_per_file < 1:
            raise ValueError(f"max_bytes_per_file must be >= 1, got {self.max_bytes_per_file}")
        if self.min_rows < 0:
            raise ValueError(f"min_rows must be >= 0, got {self.min_rows}")


def linkedin_options(config: ProjectConfig) -> LinkedInOptions:
    """``activation.yaml`` -> writer options. Every targeted solution interest is named, so
    one without groups still gets (empty, flagged) lists and one no longer targeted loses
    its files."""
    linkedin = config.activation.linkedin
    return LinkedInOptions(
        hash_emails=linkedin.hash_emails,
        solution_interests=tuple(s.id for s in config.linkedin_targets()),
        max_rows_per_file=linkedin.max_rows_per_file,
        max_bytes_per_file=linkedin.max_bytes_per_file,
        min_rows=linkedin.min_rows,
    )
