"""Explain every membership and score, and preview a configuration change (``explain``,
``diff``). Reads the warehouse read-only; ``diff`` re-scores in a scratch database."""

from buying_groups.explain.explain import UnknownSubject, explain_group, explain_person, to_json
from buying_groups.explain.scratch import WarehouseNotReady, latest_as_of, read_only, scratch
from buying_groups.explain.stages import score_all
from buying_groups.explain.text import group_text, person_text

__all__ = [
    "UnknownSubject",
    "WarehouseNotReady",
    "explain_group",
    "explain_person",
    "group_text",
    "latest_as_of",
    "person_text",
    "read_only",
    "score_all",
    "scratch",
    "to_json",
]
