"""The YAML configuration (SPEC §4): one pydantic model per file, the loader, its errors."""

from buying_groups.config.errors import ConfigError, ConfigProblem
from buying_groups.config.loader import load_config
from buying_groups.config.models import (
    MAX_ROLES_PER_TEMPLATE,
    AccountAudience,
    AccountAudiencesConfig,
    ActivationConfig,
    EngagementConfig,
    InstanceConfig,
    InterestSignal,
    LinkedInActivation,
    MembershipOverride,
    ProjectConfig,
    Qualification,
    Role,
    RolesTemplate,
    RolesTemplatesConfig,
    RoleWeight,
    SolutionInterest,
    SolutionInterestsConfig,
)

__all__ = [
    "MAX_ROLES_PER_TEMPLATE",
    "AccountAudience",
    "AccountAudiencesConfig",
    "ActivationConfig",
    "ConfigError",
    "ConfigProblem",
    "EngagementConfig",
    "InstanceConfig",
    "InterestSignal",
    "LinkedInActivation",
    "MembershipOverride",
    "ProjectConfig",
    "Qualification",
    "Role",
    "RoleWeight",
    "RolesTemplate",
    "RolesTemplatesConfig",
    "SolutionInterest",
    "SolutionInterestsConfig",
    "load_config",
]
