"""Generator profiles: how the values of the extracts look, not what they say.

``realistic`` (the default) is Marketo as it exports and as people edit it: ISO timestamps with
``Z``, booleans in many spellings, about half of the empty optional cells written as ``null``,
long attribute JSON. ``plain`` is what another system's export tends to look like: zone-less
timestamps, ``true``/``false``, empty cells, short attribute JSON, and other mixes of
industries, titles and activity types. Both carry the same dirt (duplicates, stale copies,
malformed emails, orphans, unreadable values, a BOM), so a benchmark on either one exercises
the quarantine; the plain one shows how the pipeline fares on data that does not look like
the data it was tuned on.

The same seed and profile give the same bytes; ``realistic`` gives the bytes the generator has
always written for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from buying_groups.sample_data.vocabulary import (
    GENERAL_TITLES,
    INDUSTRIES,
    JUNIOR_TITLES,
    PLAIN_GENERAL_TITLES,
    PLAIN_JUNIOR_TITLES,
)


@dataclass(frozen=True)
class Profile:
    """Value formats and distributions of one profile."""

    name: str
    description: str
    timestamp_format: str  # strftime format of every timestamp cell
    true_spellings: tuple[str, ...]  # drawn uniformly: repeat one to weight it
    false_spellings: tuple[str, ...]
    null_literal_share: float  # share of empty optional cells written as ``null``
    short_attributes: bool  # one key of activity JSON instead of Marketo's full set
    industry_weights: tuple[int, ...]  # one per ``INDUSTRIES`` entry
    general_titles: dict[str, int]
    junior_titles: dict[str, int]
    activity_type_weights: dict[int, int]  # Marketo activity type id -> per-mille weight

    def __post_init__(self) -> None:
        if len(self.industry_weights) != len(INDUSTRIES):
            raise ValueError(f"profile {self.name}: one industry weight per industry ({len(INDUSTRIES)})")


# Interest signals of their own (the journeys listen for them): a LinkedIn lead-gen form fill
# and a chat interaction. Marketo has no standard ids for these; the sample data uses these.
LINKEDIN_LEAD_GEN_FORM = 37
CHAT_INTERACTION = 118

REALISTIC = Profile(
    name="realistic",
    description="Marketo as exported and hand-edited: Z timestamps, mixed booleans, null literals, long JSON",
    timestamp_format="%Y-%m-%dT%H:%M:%SZ",
    true_spellings=("true", "true", "true", "true", "1", "TRUE", "True"),
    false_spellings=("false", "false", "false", "false", "0", "FALSE", "False"),
    null_literal_share=0.5,
    short_attributes=False,
    industry_weights=tuple(industry.weight for industry in INDUSTRIES),
    general_titles=GENERAL_TITLES,
    junior_titles=JUNIOR_TITLES,
    activity_type_weights={
        **{1: 280, 2: 80, 3: 60, 6: 160, 7: 150, 9: 3, 10: 120, 11: 60, 12: 20, 46: 40, 104: 27},
        LINKEDIN_LEAD_GEN_FORM: 25,
        CHAT_INTERACTION: 20,
    },
)

PLAIN = Profile(
    name="plain",
    description="another system's export: zone-less timestamps, true/false, empty cells, short JSON, "
    "more general industries, other titles, mostly email activity",
    timestamp_format="%Y-%m-%d %H:%M:%S",
    true_spellings=("true",),
    false_spellings=("false",),
    null_literal_share=0.0,
    short_attributes=True,
    # Same order as INDUSTRIES: fewer agtech and software accounts, more of the general ones.
    industry_weights=(4, 3, 7, 6, 16, 13, 12, 11, 8, 7, 5, 5, 3),
    general_titles=PLAIN_GENERAL_TITLES,
    junior_titles=PLAIN_JUNIOR_TITLES,
    activity_type_weights={
        **{1: 150, 2: 30, 3: 40, 6: 250, 7: 220, 9: 5, 10: 180, 11: 70, 12: 15, 46: 20, 104: 20},
        LINKEDIN_LEAD_GEN_FORM: 10,
        CHAT_INTERACTION: 15,
    },
)

PROFILES: dict[str, Profile] = {profile.name: profile for profile in (REALISTIC, PLAIN)}


def profile_named(name: str) -> Profile:
    """The profile called ``name``; a ValueError naming the known ones otherwise."""
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {name!r}")
    return PROFILES[name]
