"""Paths and run options, read in one place from ``BG_*`` environment variables.

Every entry point (the CLI, ``dagster dev`` through ``definitions.py``, the tests) builds its
resources from :class:`Settings`, so a value has one name and one default everywhere.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_LANDING = "BG_LANDING_DIR"
ENV_WAREHOUSE = "BG_WAREHOUSE"
ENV_OUTPUT = "BG_OUTPUT_DIR"
ENV_CONFIG = "BG_CONFIG_DIR"
ENV_AS_OF = "BG_AS_OF"


def parse_as_of(value: str | None) -> dt.date:
    """``as_of`` as a date; empty means today in UTC (SPEC §5)."""
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"as_of must be a date YYYY-MM-DD, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    landing_dir: Path = field(default_factory=lambda: Path("data/landing"))
    warehouse: Path = field(default_factory=lambda: Path("data/warehouse.duckdb"))
    output_dir: Path = field(default_factory=lambda: Path("output"))
    config_dir: Path = field(default_factory=lambda: Path("config"))
    as_of: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; explicit ``overrides`` (not None) win."""
        env = os.environ
        values: dict[str, object] = {
            "landing_dir": Path(env.get(ENV_LANDING, "data/landing")),
            "warehouse": Path(env.get(ENV_WAREHOUSE, "data/warehouse.duckdb")),
            "output_dir": Path(env.get(ENV_OUTPUT, "output")),
            "config_dir": Path(env.get(ENV_CONFIG, "config")),
            "as_of": env.get(ENV_AS_OF) or None,
        }
        for key, value in overrides.items():
            if value is not None:
                values[key] = Path(value) if key != "as_of" else str(value)
        return cls(**values)  # type: ignore[arg-type]
