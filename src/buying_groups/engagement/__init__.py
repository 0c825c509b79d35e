"""Person engagement: what every current person did in the window, as one 0-100 score.

No Dagster imports; statements are ``sql/engagement/*.sql`` run with bound parameters.
"""

from buying_groups.engagement.person_engagement import (
    PersonEngagementResult,
    compute_person_engagement,
    contribution_mismatches,
    load_engagement_weights,
)

__all__ = [
    "PersonEngagementResult",
    "compute_person_engagement",
    "contribution_mismatches",
    "load_engagement_weights",
]
