"""Typed, validated stack config under the ``lakehouse:`` namespace.

Everything a stack can set is declared here or in a component's config model, so that a bad value
stops the program *before* the first resource is registered, with the config path, the value and
what is allowed (``lakehouse:components.foundation.vpc.cidr: ...``). Unknown keys are errors: a typo
must not silently fall back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from policies.guardrails.required_tags import REQUIRED_TAG_KEYS

NAMESPACE = "lakehouse"

# AWS tag limits (IAM/S3/Glue share them): keys 1-128, values 0-256 characters of this set.
_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)


# Values CloudWatch Logs accepts for retention_in_days (PutRetentionPolicy).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def check_log_retention(days: int) -> int:
    """CloudWatch Logs accepts only a fixed set of retention periods."""
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"must be one of CloudWatch Logs' retention periods {list(LOG_RETENTION_DAYS)}")
    return days


LogRetentionDays = Annotated[int, AfterValidator(check_log_retention)]


class StrictModel(BaseModel):
    """Base for every config model: unknown keys are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ConfigError(pulumi.RunError):
    """Bad stack config. ``pulumi.RunError`` makes Pulumi print the message without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid stack config:\n  " + "\n  ".join(problems))


def config_path(*parts: Any) -> str:
    """``lakehouse:components.foundation.vpc.interface_endpoints[1]`` from location parts."""
    path = f"{NAMESPACE}:"
    for index, part in enumerate(parts):
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("" if index == 0 else ".") + str(part)
    return path


def _describe(error: Mapping[str, Any]) -> str:
    """Turn one pydantic error into 'what is allowed (got X)' wording."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    got = f" (got {value!r})" if not isinstance(value, (dict, list)) else ""
    if kind == "greater_than_equal":
        return f"must be >= {ctx['ge']}{got}"
    if kind == "greater_than":
        return f"must be > {ctx['gt']}{got}"
    if kind == "less_than_equal":
        return f"must be <= {ctx['le']}{got}"
    if kind == "less_than":
        return f"must be < {ctx['lt']}{got}"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}{got}"
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see the config reference in README.md)"
    if kind == "missing":
        return "required, but not set"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx['pattern']}{got}"
    if kind in ("string_too_long", "string_too_short", "too_long", "too_short"):
        return error["msg"].lower() + got
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])) + got
    return error["msg"][0].lower() + error["msg"][1:] + got


def format_validation_error(error: ValidationError, *prefix: Any) -> list[str]:
    """One ``path: message`` line per problem, paths rooted at ``lakehouse:<prefix>``."""
    return [f"{config_path(*prefix, *e['loc'])}: {_describe(e)}" for e in error.errors()]


def validate(model: type[BaseModel], data: Any, *prefix: Any) -> BaseModel:
    """Validate ``data`` against ``model`` or raise ConfigError naming every bad path."""
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, *prefix)) from None


class StackTags(StrictModel):
    """The tags every taggable resource of the stack carries (policy-checked)."""

    owner: str = Field(min_length=1, max_length=256, description="Team or person accountable for the stack.")
    cost_center: str = Field(
        alias="cost-center", min_length=1, max_length=256, description="Cost center billed for the stack."
    )
    data_classification: Literal["public", "internal", "confidential", "restricted"] = Field(
        alias="data-classification", description="Highest classification of data the stack stores."
    )
    additional: dict[str, str] = Field(
        default_factory=dict, description="Extra tags (key: value) added to every taggable resource."
    )

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag_value_charset(cls, value: str) -> str:
        if not _TAG_CHARS.match(value):
            raise ValueError("may hold only letters, digits, spaces and _ . : / = + - @")
        return value

    @field_validator("additional")
    @classmethod
    def _additional_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            if not 1 <= len(key) <= 128 or key.lower().startswith("aws:") or not _TAG_CHARS.match(key):
                raise ValueError(f"tag key {key!r} must be 1-128 allowed characters and not start with 'aws:'")
            if len(value) > 256 or not _TAG_CHARS.match(value):
                raise ValueError(f"tag value of {key!r} must be at most 256 allowed characters")
        return tags


class StackSettings(StrictModel):
    """Stack-wide settings: ``lakehouse:environment``, ``lakehouse:project``, ``lakehouse:tags``."""

    environment: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,15}$", description="Stack environment name (dev, staging, prod, ...)."
    )
    project: str = Field(
        default="lakehouse",
        pattern=r"^[a-z][a-z0-9-]{0,23}$",
        description="Short project name: prefixes physical names (Glue databases, KMS alias).",
    )
    tags: StackTags = Field(description="Required tags; see StackTags.")
    components: dict[str, Any] = Field(
        default_factory=dict, description="One block per enabled component, keyed by component key."
    )

    @property
    def name_prefix(self) -> str:
        """``<project>-<environment>``: the stable prefix of physical names."""
        return f"{self.project}-{self.environment}"

    def resource_tags(self) -> dict[str, str]:
        """Plain (never Output) tags, so that policies can read them at preview."""
        required = {
            "project": self.project,
            "environment": self.environment,
            "owner": self.tags.owner,
            "cost-center": self.tags.cost_center,
            "data-classification": self.tags.data_classification,
        }
        return {**{key: required[key] for key in REQUIRED_TAG_KEYS}, "managed-by": "pulumi", **self.tags.additional}


def read_stack_settings(config: pulumi.Config | None = None) -> StackSettings:
    """Read and validate the ``lakehouse:`` namespace of the current stack's config."""
    config = config or pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for key in ("environment", "project"):
        value = config.get(key)
        if value is not None:
            raw[key] = value
    for key in ("tags", "components"):
        try:
            value = config.get_object(key)
        except pulumi.ConfigTypeError:
            raise ConfigError([f"{config_path(key)}: must be an object (a YAML mapping)"]) from None
        if value is not None:
            raw[key] = value
    return validate(StackSettings, raw)  # type: ignore[return-value]
