"""Adobe B2B source keys built from Marketo ids and the instance's Munchkin id (SPEC §3)."""

from __future__ import annotations

from enum import StrEnum


class KeyKind(StrEnum):
    PERSON = "person"
    ACCOUNT = "account"
    OPPORTUNITY = "opportunity"
    OPPORTUNITY_PERSON = "opportunity_person"


_SUFFIX = {
    KeyKind.PERSON: "@{munchkin}.Marketo",
    KeyKind.ACCOUNT: ".mkto_org@{munchkin}.Marketo",
    KeyKind.OPPORTUNITY: "@{munchkin}.Marketo",
    KeyKind.OPPORTUNITY_PERSON: "@{munchkin}.Marketo",
}


def key_suffix(kind: KeyKind | str, munchkin_id: str) -> str:
    """What follows the Marketo id in a source key; SQL binds it and appends with ``||``."""
    return _SUFFIX[KeyKind(kind)].format(munchkin=munchkin_id)


def source_key(kind: KeyKind | str, marketo_id: str | int, munchkin_id: str) -> str:
    """``source_key("person", 42, "123-ABC-456") == "42@123-ABC-456.Marketo"``."""
    return f"{str(marketo_id).strip()}{key_suffix(kind, munchkin_id)}"
