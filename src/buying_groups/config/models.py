"""One pydantic model per configuration file (SPEC §4), and ``ProjectConfig`` combining them.

Every model forbids unknown fields, so a typo is an error naming the allowed fields instead of
a silently ignored setting. Conditions are parsed into the tree of
:mod:`buying_groups.conditions` while validating, against the whitelist of the entity they
filter (accounts for audiences, persons for roles, events for interest signals).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from buying_groups.conditions import (
    Condition,
    ConditionError,
    FieldScope,
    account_scope,
    condition_to_dict,
    event_scope,
    parse_condition,
    role_person_scope,
)

if TYPE_CHECKING:
    # journeys.py builds on the models here; it resolves this field with model_rebuild.
    from buying_groups.config.journeys import JourneysConfig

MAX_ROLES_PER_TEMPLATE = 20
# Ids name folders and files (``<output>/linkedin/<solution interest id>/``) and are part of
# group ids: checked at load, so a bad one never gets as far as the activation step. A dot
# only between two other characters: no ``..``, no hidden (``.x``) or trailing-dot names.
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*"
MAX_ID_LENGTH = 100
ID_RULE = (
    f"letters, digits, '_', '-' and a single '.' between them, starting with a letter or digit, "
    f"at most {MAX_ID_LENGTH} characters (ids name folders and files)"
)
DEFAULT_ENGAGEMENT_WEIGHTS: dict[int, float] = {1: 40, 2: 40, 3: 40, 10: 30, 11: 30, 46: 60}


def not_allowed(value: Any, allowed: Any, note: str = "") -> PydanticCustomError:
    """The one error shape for "bad value, here is what is allowed" (see ``errors.py``)."""
    return PydanticCustomError(
        "not_allowed",
        "{value} is not allowed{note}; allowed: {allowed}",
        {"value": repr(value), "allowed": ", ".join(str(a) for a in allowed), "note": note},
    )


def _condition_validator(scope: Callable[[], FieldScope]) -> Callable[[Any], Condition | None]:
    def validate(raw: Any) -> Condition | None:
        if raw is None:
            return None
        try:
            return parse_condition(raw, scope())
        except ConditionError as exc:
            # ``issues`` carries the paths inside the condition; errors.py splices them onto
            # the field's location so each problem gets its full YAML path.
            raise PydanticCustomError(
                "condition",
                "{summary}",
                {"summary": str(exc), "issues": [(i.path, i.message) for i in exc.issues]},
            ) from None

    return validate


_AS_YAML = PlainSerializer(condition_to_dict, return_type=dict[str, Any] | None)
AccountCondition = Annotated[Condition | None, PlainValidator(_condition_validator(account_scope)), _AS_YAML]
RolePersonCondition = Annotated[Condition | None, PlainValidator(_condition_validator(role_person_scope)), _AS_YAML]
EventCondition = Annotated[Condition | None, PlainValidator(_condition_validator(event_scope)), _AS_YAML]


def _id(value: Any) -> str:
    if isinstance(value, str) and len(value) <= MAX_ID_LENGTH and re.fullmatch(ID_PATTERN, value):
        return value
    raise not_allowed(value, [ID_RULE])


Id = Annotated[str, PlainValidator(_id)]
Percent = Annotated[float, Field(ge=0, le=100)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Qualification(StrictModel):
    """Thresholds for stage ``sales_ready`` (0-100)."""

    min_completeness: Percent = 70
    min_engagement: Percent = 30


class InstanceConfig(StrictModel):
    """``instance.yaml``: the Marketo instance and default thresholds."""

    munchkin_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+$")]
    qualification: Qualification = Qualification()
    # A run fails when a file's quarantined share of rows exceeds this fraction (SPEC §3).
    max_rejected_share: Annotated[float, Field(ge=0, le=1)] = 0.05


class AccountAudience(StrictModel):
    id: Id
    name: str
    description: str | None = None
    # Absent = every current account.
    conditions: AccountCondition = None


class AccountAudiencesConfig(StrictModel):
    """``account_audiences.yaml``."""

    audiences: list[AccountAudience] = []


class RoleWeight(IntEnum):
    """A role's weight: the name in YAML, the number in scores."""

    Trivial = 20
    Minor = 40
    Normal = 60
    Important = 80
    Vital = 100


def _role_weight(value: Any) -> RoleWeight:
    if isinstance(value, RoleWeight):
        return value
    if isinstance(value, str) and value in RoleWeight.__members__:
        return RoleWeight[value]
    raise not_allowed(value, RoleWeight.__members__)


class Role(StrictModel):
    role: Annotated[str, Field(min_length=1)]
    weight: Annotated[RoleWeight, PlainValidator(_role_weight)]
    required: bool = True
    members_required: Annotated[int, Field(ge=1)] = 1
    # Absent = no automatic assignment (manual or CRM only).
    conditions: RolePersonCondition = None

    @field_validator("role")
    @classmethod
    def _strip_role(cls, value: str) -> str:
        if not value.strip():
            raise not_allowed(value, ["a non-empty role name"])
        return value.strip()


class RolesTemplate(StrictModel):
    id: Id
    name: str
    description: str | None = None
    roles: Annotated[list[Role], Field(min_length=1)]  # list order is priority

    @field_validator("roles")
    @classmethod
    def _at_most_20(cls, roles: list[Role]) -> list[Role]:
        if len(roles) > MAX_ROLES_PER_TEMPLATE:
            raise PydanticCustomError(
                "not_allowed",
                "{value} is not allowed; allowed: {allowed}",
                {"value": f"{len(roles)} roles", "allowed": f"at most {MAX_ROLES_PER_TEMPLATE}", "note": ""},
            )
        return roles

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.role == name), None)


class RolesTemplatesConfig(StrictModel):
    """``roles_templates.yaml``."""

    roles_templates: list[RolesTemplate] = []


class InterestSignal(StrictModel):
    """An activity that shows interest in a solution interest."""

    activity_types: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]
    where: EventCondition = None
    # Absent = the engagement window (``engagement.yaml`` window_days).
    within_days: Annotated[int, Field(ge=1)] | None = None


class SolutionInterest(StrictModel):
    id: Id
    name: str
    description: str | None = None
    roles_template: str
    account_audience: str
    # Absent = the instance default (``instance.yaml`` qualification).
    qualification: Qualification | None = None
    crm_role_map: dict[str, str] = {}
    interest_signals: list[InterestSignal] = []
    require_interest: bool = False


class SolutionInterestsConfig(StrictModel):
    """``solution_interests.yaml``."""

    solution_interests: list[SolutionInterest] = []


class EngagementConfig(StrictModel):
    """``engagement.yaml``. ``weights`` replaces the defaults as a whole when given."""

    window_days: Annotated[int, Field(ge=1)] = 30
    daily_cap: Annotated[int, Field(ge=1)] = 20
    weights: dict[Annotated[int, Field(ge=0)], Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: dict(DEFAULT_ENGAGEMENT_WEIGHTS)
    )


class LinkedInActivation(StrictModel):
    hash_emails: bool = False
    # None = every solution interest.
    solution_interests: list[str] | None = None
    max_rows_per_file: Annotated[int, Field(ge=1)] = 300_000
    # A list row is at most ~10.3 KB once cells are cut to 255 characters; see activation.options.
    max_bytes_per_file: Annotated[int, Field(ge=16_384)] = 20_000_000
    min_rows: Annotated[int, Field(ge=0)] = 300


class ActivationConfig(StrictModel):
    """``activation.yaml``."""

    linkedin: LinkedInActivation = LinkedInActivation()


# Platform ids are compared with the lower-cased `platform` of the ad reports.
PLATFORM_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
PlatformId = Annotated[str, Field(pattern=PLATFORM_ID_PATTERN, max_length=100)]


class AdPlatform(StrictModel):
    # Lead sources (leads' leadSource, compared case-insensitively) attributed to the platform.
    lead_sources: list[Annotated[str, Field(min_length=1)]] = []


class KpisConfig(StrictModel):
    """``kpis.yaml``: the success KPIs' period and each ad platform's lead sources."""

    period_days: Annotated[int, Field(ge=1, le=366)] = 30
    platforms: dict[PlatformId, AdPlatform] = {}


class MembershipOverride(StrictModel):
    """A row of ``membership_overrides.csv``; ``line_number`` is its line in the file and
    later rows win over earlier ones for the same (group, person)."""

    solution_interest_id: str
    account_key: Annotated[str, Field(min_length=1)]
    person_key: Annotated[str, Field(min_length=1)]
    action: Literal["add", "remove"]
    role: str | None = None
    line_number: int


def _no_journeys() -> JourneysConfig:
    from buying_groups.config.journeys import JourneysConfig

    return JourneysConfig()


class ProjectConfig(StrictModel):
    """The whole validated configuration, returned by ``load_config``."""

    config_dir: Path | None = None
    instance: InstanceConfig
    account_audiences: AccountAudiencesConfig
    roles_templates: RolesTemplatesConfig
    solution_interests: SolutionInterestsConfig
    engagement: EngagementConfig = EngagementConfig()
    activation: ActivationConfig = ActivationConfig()
    kpis: KpisConfig = KpisConfig()
    membership_overrides: list[MembershipOverride] = []
    journeys: JourneysConfig = Field(default_factory=lambda: _no_journeys())

    @property
    def munchkin_id(self) -> str:
        return self.instance.munchkin_id

    @property
    def audiences(self) -> list[AccountAudience]:
        return self.account_audiences.audiences

    @property
    def templates(self) -> list[RolesTemplate]:
        return self.roles_templates.roles_templates

    @property
    def interests(self) -> list[SolutionInterest]:
        return self.solution_interests.solution_interests

    def audience(self, audience_id: str) -> AccountAudience:
        return next(a for a in self.audiences if a.id == audience_id)

    def template(self, template_id: str) -> RolesTemplate:
        return next(t for t in self.templates if t.id == template_id)

    def solution_interest(self, solution_interest_id: str) -> SolutionInterest:
        return next(s for s in self.interests if s.id == solution_interest_id)

    def template_for(self, solution_interest: SolutionInterest) -> RolesTemplate:
        return self.template(solution_interest.roles_template)

    def qualification_for(self, solution_interest: SolutionInterest) -> Qualification:
        return solution_interest.qualification or self.instance.qualification

    def signal_within_days(self, signal: InterestSignal) -> int:
        return signal.within_days or self.engagement.window_days

    def linkedin_targets(self) -> list[SolutionInterest]:
        """The solution interests whose groups get LinkedIn files."""
        wanted = self.activation.linkedin.solution_interests
        return [s for s in self.interests if wanted is None or s.id in wanted]
