"""The validated B2B model: one Pandera model per table and the source-key convention."""

from buying_groups.model.entities import ENTITIES, EntitySpec, entity_by_table
from buying_groups.model.keys import KeyKind, key_suffix, source_key

__all__ = ["ENTITIES", "EntitySpec", "KeyKind", "entity_by_table", "key_suffix", "source_key"]
