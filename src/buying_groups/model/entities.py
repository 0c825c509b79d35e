"""The landing entities and the validated table each one feeds.

Column facts are read off the Pandera models (see ``schemas.py``) so nothing restates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import pandera.polars as pa
import polars as pl

from buying_groups.model import schemas

_DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
    pl.Datetime: "TIMESTAMP",
    pl.Date: "DATE",
}


# DuckDB compression methods a model may fix for a string column (whitelisted: they are
# written into DDL).
COMPRESSIONS = frozenset({"dictionary", "fsst", "zstd", "uncompressed"})


@dataclass(frozen=True)
class ColumnSpec:
    """One validated column, as declared on its Pandera field."""

    name: str
    polars_type: type[pl.DataType]
    nullable: bool
    unique: bool
    description: str
    checks: tuple[tuple[str, dict[str, Any]], ...]
    source: str | None
    required: bool
    key: str | None
    on_invalid: str
    sets_flag: str | None
    compression: str | None = None

    def __post_init__(self) -> None:
        if self.compression is not None and self.compression not in COMPRESSIONS:
            raise ValueError(f"{self.name}: compression {self.compression!r} is not one of {sorted(COMPRESSIONS)}")

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB_TYPES[self.polars_type]

    @property
    def ddl_type(self) -> str:
        """The type as written in a column definition, with the compression if one is fixed."""
        return self.duckdb_type + (f" USING COMPRESSION {self.compression}" if self.compression else "")


@dataclass(frozen=True)
class EntitySpec:
    """A landing entity (``leads``) and the validated table it feeds (``persons``)."""

    entity: str
    table: str
    model: type[pa.DataFrameModel]
    key_column: str
    # upsert: by key in updatedAt order; append: de-duplicated on the key; replace: by key, a
    # later drop replaces the row (files without updatedAt, such as ad platform reports).
    mode: Literal["upsert", "append", "replace"]

    @cached_property
    def schema(self) -> pa.DataFrameSchema:
        return self.model.to_schema()

    @cached_property
    def columns(self) -> tuple[ColumnSpec, ...]:
        specs = []
        lineage = set(schemas._Lineage.to_schema().columns)
        versioning = set(schemas._Created.to_schema().columns) - lineage
        # Entity columns first, then delete flag and timestamps, lineage last: the order readers
        # expect in the tables (Pandera lists inherited fields first).
        ordered = sorted(self.schema.columns.items(), key=lambda item: (item[0] in lineage, item[0] in versioning))
        for name, column in ordered:
            meta = column.metadata or {}
            dtype = column.dtype.type
            specs.append(
                ColumnSpec(
                    name=name,
                    polars_type=dtype if isinstance(dtype, type) else type(dtype),
                    nullable=column.nullable,
                    unique=column.unique,
                    description=column.description or "",
                    checks=tuple((check.name, dict(check.statistics)) for check in column.checks),
                    source=meta.get("source"),
                    required=bool(meta.get("required")),
                    key=meta.get("key"),
                    on_invalid=meta.get("on_invalid", "nullify"),
                    sets_flag=meta.get("sets_flag"),
                    compression=meta.get("compression"),
                )
            )
        return tuple(specs)

    @cached_property
    def source_columns(self) -> tuple[str, ...]:
        """Every landing column this entity understands (header names), in model order."""
        return tuple(dict.fromkeys(c.source for c in self.columns if c.source))

    @cached_property
    def required_source_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.source for c in self.columns if c.source and c.required))

    @property
    def key_source(self) -> str:
        return self.column(self.key_column).source or self.key_column

    def column(self, name: str) -> ColumnSpec:
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    @property
    def qualified_table(self) -> str:
        return f"b2b.{self.table}"


ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec("companies", "accounts", schemas.Accounts, "account_key", "upsert"),
    EntitySpec("leads", "persons", schemas.Persons, "person_key", "upsert"),
    EntitySpec("opportunities", "opportunities", schemas.Opportunities, "opportunity_key", "upsert"),
    EntitySpec(
        "opportunity_roles", "opportunity_persons", schemas.OpportunityPersons, "opportunity_person_key", "upsert"
    ),
    EntitySpec("activities", "experience_events", schemas.ExperienceEvents, "event_id", "append"),
    EntitySpec("ad_spend", "ad_spend", schemas.AdSpend, "ad_spend_key", "replace"),
    EntitySpec("ad_company_reach", "ad_company_reach", schemas.AdCompanyReach, "ad_company_reach_key", "replace"),
)


def entity_by_table(table: str) -> EntitySpec:
    for spec in ENTITIES:
        if spec.table == table or spec.entity == table:
            return spec
    raise KeyError(table)
