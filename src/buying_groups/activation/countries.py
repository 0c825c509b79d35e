"""Country values as written in Marketo -> ISO 3166-1 alpha-2, mapped set-based.

Only the *distinct* raw values (a few hundred at most) are mapped in Python with pycountry;
the result is registered as a small DuckDB temp table that the export SQL joins. No per-row
Python.

pycountry resolves names, official names, common names and alpha-2/alpha-3/numeric codes,
case-insensitively, with no fuzzy matching (a guessed country is a wrong audience). What it
lacks - colloquial and local-language names and a few former names - is in
:data:`COUNTRY_ALIASES`. Anything still unknown maps to the empty string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb
import pyarrow as pa
import pycountry

COUNTRY_MAP_TABLE = "activation_country_alpha2"

# Keys are compared after casefold, dots removed and spaces collapsed ("U.K." -> "uk").
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united kingdom of great britain": "GB",
    "america": "US",
    "united states of america": "US",
    "deutschland": "DE",
    "west germany": "DE",
    "holland": "NL",
    "nederland": "NL",
    "the netherlands": "NL",
    "россия": "RU",
    "russia": "RU",
    "turkey": "TR",
    "ivory coast": "CI",
    "macedonia": "MK",
    "swaziland": "SZ",
    "burma": "MM",
    "south korea": "KR",
    "north korea": "KP",
    "korea": "KR",
    "czechia": "CZ",
    "vatican": "VA",
    "españa": "ES",
    "espana": "ES",
    "italia": "IT",
    "brasil": "BR",
    "schweiz": "CH",
    "suisse": "CH",
    "österreich": "AT",
    "osterreich": "AT",
    "méxico": "MX",
    "belgië": "BE",
    "belgique": "BE",
    "polska": "PL",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "uae": "AE",
    "emirates": "AE",
    "prc": "CN",
    "hong kong sar": "HK",
    "laos": "LA",
    "syria": "SY",
    "moldova": "MD",
    "tanzania": "TZ",
    "venezuela": "VE",
    "cape verde": "CV",
    "east timor": "TL",
}

_SPACES = re.compile(r"\s+")


def _alias_key(value: str) -> str:
    return _SPACES.sub(" ", value.replace(".", " ").replace(",", " ")).strip().casefold()


def to_alpha2(value: str | None) -> str:
    """ISO 3166-1 alpha-2 of a country name or code, or ``""`` when unknown."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", value).strip()
    if not text:
        return ""
    dotless = text.replace(".", "").replace(" ", "") if "." in text else text
    for candidate in (text, dotless):
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            pass
    alias = COUNTRY_ALIASES.get(_alias_key(text)) or COUNTRY_ALIASES.get(dotless.casefold())
    if alias:
        return alias
    if text.casefold().startswith("the "):
        return to_alpha2(text[4:])
    return ""


def country_alpha2_map(values: Iterable[str | None]) -> dict[str, str]:
    """``{raw value: alpha-2 or ""}`` for each distinct non-null value."""
    return {value: to_alpha2(value) for value in set(values) if value is not None}


def register_country_map(con: duckdb.DuckDBPyConnection, sources: Iterable[tuple[str, str]]) -> int:
    """Create temp table ``activation_country_alpha2(raw, alpha2)`` from the distinct values of
    the given ``(table, column)`` pairs (trusted, code-defined identifiers). Returns its size."""
    raw_values: set[str] = set()
    for table, column in sources:
        rows = con.execute(f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL').fetchall()
        raw_values.update(value for (value,) in rows)
    mapping = country_alpha2_map(raw_values)
    arrow = pa.table(
        {
            "raw": pa.array(sorted(mapping), type=pa.string()),
            "alpha2": pa.array([mapping[key] for key in sorted(mapping)], type=pa.string()),
        }
    )
    con.register("activation_country_alpha2_arrow", arrow)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {COUNTRY_MAP_TABLE} AS "
            "SELECT raw, alpha2 FROM activation_country_alpha2_arrow"
        )
    finally:
        con.unregister("activation_country_alpha2_arrow")
    return len(mapping)
